"""`python -m core explain MODEL_ID --data FILE [--row N] --json` on a tmp registry."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from core.registry import Registry
from core.training import make_pipeline
from tests.conftest import ROOT
from tests.explain_data import FEATURES, variance_frame


@pytest.fixture
def saved(tmp_path, monkeypatch):
    monkeypatch.setenv("ROUTING_LAB_MODELS", str(tmp_path / "models"))
    frame = variance_frame(rows=400)
    pipe = make_pipeline("xgb", FEATURES).fit(frame, frame["label"])
    model_id = Registry().save(pipe, model_type="xgb", metrics={}, features=FEATURES,
                               train_frame=frame, seed=0)
    data = tmp_path / "requests.csv"
    frame.assign(platform="lambda", latency_ms=120.0).to_csv(data, index=False)
    return model_id, data, pipe, frame


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "core", "explain", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, env=dict(os.environ))


@pytest.mark.slow
def test_cli_reports_importance_additivity_and_one_row(saved):
    model_id, data, pipe, frame = saved
    proc = run_cli(model_id, "--data", str(data), "--row", "3", "--sample", "300", "--json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["model_id"] == model_id and doc["rows_explained"] == 300 and doc["sampled"]
    assert doc["additivity_error"] < 1e-4
    assert {r["feature"] for r in doc["importance"]} == set(FEATURES)
    row = doc["row"]
    assert row["index"] == 3 and len(row["contributions"]) == len(FEATURES)
    assert row["lambda_probability"] == pytest.approx(pipe.predict_proba(frame.iloc[[3]])[0, 1],
                                                      abs=1e-6)
    text = run_cli(model_id, "--data", str(data))
    assert text.returncode == 0 and "additivity error" in text.stdout


@pytest.mark.slow
def test_cli_unknown_model_exits_2_with_one_line(saved):
    _, data, _, _ = saved
    proc = run_cli("no-such-model", "--data", str(data), "--json")
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
