"""`python -m core diagnose`: the DESIGN.md JSON document, exit 0 on a `fail` verdict (a
result), exit 2 with one line on stderr for bad input."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from core import synth
from core.cli.dispatch import main
from core.diagnostics import diagnose
from core.io import read_paths
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def trap_csv(tmp_path_factory):
    path = tmp_path_factory.mktemp("diag") / "trap.csv"
    synth.generate("trap", rows=1500, seed=0).to_csv(path, index=False)
    return path


def run_json(capsys, *args: str) -> tuple[int, dict | None, str]:
    code = main(["diagnose", *args, "--json"])
    out = capsys.readouterr()
    return code, (json.loads(out.out) if code == 0 else None), out.err


def test_trap_file_fails_with_exit_0_and_matches_the_library(capsys, trap_csv):
    code, doc, _ = run_json(capsys, str(trap_csv))
    assert code == 0 and doc["verdict"] == "fail"
    expected = diagnose(read_paths([trap_csv]).frame).to_dict()
    strip = [{k: f[k] for k in ("code", "severity", "columns", "message", "evidence")}
             for f in expected["findings"]]
    assert [{k: f[k] for k in ("code", "severity", "columns", "message", "evidence")}
            for f in doc["findings"]] == strip
    assert {"DETERMINISTIC_LABEL", "CONSTANT_WITHIN_GROUP", "OUTCOME_LEAKAGE"} <= {
        f["code"] for f in doc["findings"]}


def test_unlabelled_file_is_labelled_first(capsys, tmp_path, trap_csv):
    path = tmp_path / "raw.csv"
    frame = read_paths([trap_csv]).frame.drop(columns=["label", "optimal_platform"])
    frame.to_csv(path, index=False)
    code, doc, _ = run_json(capsys, str(path))
    assert code == 0 and doc["verdict"] == "fail"
    assert doc["rows"]["labelled"] == 1500


def test_string_label_column_via_label_option(capsys, tmp_path, trap_csv):
    frame = read_paths([trap_csv]).frame
    frame["winner"] = frame["label"].map({1: "lambda", 0: "ecs"})
    path = tmp_path / "words.csv"
    frame.drop(columns=["label", "optimal_platform"]).to_csv(path, index=False)
    code, doc, _ = run_json(capsys, str(path), "--label", "winner")
    assert code == 0 and doc["verdict"] == "fail" and doc["label"] == "winner"
    assert doc["rows"]["labelled"] == 1500


def test_human_output_lists_verdict_shares_and_advice(capsys, trap_csv):
    assert main(["diagnose", str(trap_csv)]) == 0
    text = capsys.readouterr().out
    assert text.startswith("verdict: FAIL")
    assert "OUTSIDE" in text and "what to do:" in text and "[FAIL] DETERMINISTIC_LABEL" in text


@pytest.mark.parametrize("args, match", [
    (["--label", "nope"], "Label column 'nope' not found"),
])
def test_missing_label_column_exits_2(capsys, trap_csv, args, match):
    code, _, err = run_json(capsys, str(trap_csv), *args)
    assert code == 2 and match in err and len(err.strip().splitlines()) == 1


@pytest.mark.slow
def test_three_rows_exit_2_with_one_line_and_no_traceback(tmp_path, trap_csv):
    path = tmp_path / "tiny.csv"
    read_paths([trap_csv]).frame.head(3).to_csv(path, index=False)
    proc = subprocess.run([sys.executable, "-m", "core", "diagnose", str(path), "--json"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "Only 3 labelled rows" in proc.stderr
