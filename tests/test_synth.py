"""Synthetic load tests: preset properties, physics sanity, reproducibility, CLI."""

import json

import numpy as np
import pandas as pd
import pytest

from core.cli.dispatch import main
from core.errors import UserError
from core.labels import label_shares
from core.schema import CANONICAL_COLUMNS, WORKLOADS
from core.synth import WORKLOAD_PROFILES, generate, write_demo_data
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def variance() -> pd.DataFrame:
    return generate("variance", rows=3000, seed=0)


@pytest.fixture(scope="module")
def trap() -> pd.DataFrame:
    return generate("trap", rows=2000, seed=0)


def _spread(frame: pd.DataFrame, by: str) -> pd.Series:
    """Per workload: max - min Lambda-optimal share across the levels of `by`."""
    share = frame.assign(y=frame["label"].astype("Float64")).groupby(
        ["workload_type", by])["y"].mean().unstack()
    return share.max(axis=1) - share.min(axis=1)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_variance_preset_has_mixed_labels(seed):
    frame = generate("variance", rows=3000, seed=seed)
    shares = label_shares(frame)
    assert shares["in_band"].sum() >= 3, shares


def test_variance_preset_labels_follow_payload_load_and_time(variance):
    sizes = variance.groupby("workload_type")["payload_size_kb"].nunique()
    assert (sizes >= 4).all() and set(sizes.index) == set(WORKLOADS)
    in_band = label_shares(variance).query("in_band")["workload_type"]
    mixed = variance[variance["workload_type"].isin(in_band)]
    for column in ("payload_size_kb", "load_pattern", "time_window"):
        assert (_spread(mixed, column) > 0.1).all(), column


def test_trap_preset_is_the_thesis_trap(trap):
    assert (trap.groupby("workload_type")["payload_size_kb"].nunique() == 1).all()
    labels = trap.groupby("workload_type")["label"].agg(["nunique", "min"])
    assert (labels["nunique"] == 1).all()
    assert labels.loc["lightweight_api", "min"] == 0
    assert (labels.drop("lightweight_api")["min"] == 1).all()
    assert trap["label"].notna().all()
    assert {"latency_ms", "execution_time_ms", "cost_usd"} <= set(trap.columns)


def test_canonical_columns_and_types(variance):
    assert list(variance.columns[:len(CANONICAL_COLUMNS)]) == list(CANONICAL_COLUMNS)
    assert variance["label"].dtype == "Int64"
    assert set(variance["platform"]) == {"lambda", "ecs"}
    assert variance["request_id"].is_unique
    trap_ids = set(generate("trap", rows=50, seed=0)["request_id"])
    assert not trap_ids & set(variance["request_id"])  # both demo files load together
    assert variance["timestamp"].is_monotonic_increasing
    errors = variance[variance["is_error"]]
    assert errors["label"].isna().all() and (errors["http_status"] >= 400).all()
    assert (variance["cost_usd"] > 0).all() and (variance["latency_ms"] > 0).all()
    assert variance.loc[variance["platform"] == "ecs", "cold_start"].isna().all()


def test_physics(variance):
    ecs = variance[variance["platform"] == "ecs"]
    by_load = ecs.groupby("load_pattern")["execution_time_ms"].median()
    assert by_load["burst_load"] > by_load["low_load"]  # Fargate queues under load
    lam = variance[variance["platform"] == "lambda"]
    heavy = lam[lam["workload_type"] == "heavy_processing"]
    by_payload = heavy.groupby("payload_size_kb")["execution_time_ms"].median()
    assert by_payload.is_monotonic_increasing  # compute grows with payload
    cold = lam[lam["cold_start"].fillna(False).astype(bool)]
    warm = lam[~lam["cold_start"].fillna(False).astype(bool)]
    if len(cold):  # init time is added to client latency, not to execution time
        assert (cold["latency_ms"] - cold["execution_time_ms"]).median() > \
            (warm["latency_ms"] - warm["execution_time_ms"]).median()
    memory = lam.groupby("workload_type")["memory_mb"].first()
    assert memory.to_dict() == {w: p.lambda_memory_mb for w, p in WORKLOAD_PROFILES.items()}


def test_workload_profiles_model():
    heavy = WORKLOAD_PROFILES["heavy_processing"]
    # 2048 KB = 2 MB: cpu = 80 + 150 * 2 = 380 ms at 1 vCPU; on 0.5 vCPU 760 + io 40 = 800
    assert heavy.cpu_ms(2048.0) == pytest.approx(380.0)
    assert heavy.service_ms(2048.0, vcpu=0.5) == pytest.approx(800.0)
    assert heavy.ms_per_kb == pytest.approx(150.0 / 1024)
    assert WORKLOAD_PROFILES["lightweight_api"].payload_kb == (0.5, 1.0, 5.0, 10.0)


def test_reproducible():
    a = generate("variance", rows=500, seed=7)
    b = generate("variance", rows=500, seed=7)
    pd.testing.assert_frame_equal(a, b)
    c = generate("variance", rows=500, seed=8)
    assert not np.allclose(a["latency_ms"], c["latency_ms"])


@pytest.mark.parametrize("kwargs, match", [
    ({"preset": "random"}, "preset must be one of"),
    ({"rows": 0}, "rows must be a whole number"),
    ({"rows": 2.5}, "rows must be a whole number"),
    ({"seed": -1}, "seed must be a whole number"),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(UserError, match=match):
        generate(**kwargs)


def test_shipped_demo_data_is_what_the_command_makes(tmp_path):
    paths = write_demo_data(tmp_path, rows=6000, seed=0)
    for preset, path in paths.items():
        shipped = ROOT / "data" / f"{preset}.csv"
        assert shipped.stat().st_size < 2 * 1024**2
        assert shipped.read_bytes() == path.read_bytes(), preset


def _cli(capsys, *args: str) -> tuple[int, str, str]:
    """Run `python -m core ARGS` in this process: (exit code, stdout, stderr)."""
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.slow
def test_cli_demo_data_and_label(tmp_path, capsys):
    code, out, err = _cli(capsys, "demo-data", "--out", str(tmp_path), "--rows", "800",
                          "--seed", "3", "--json")
    assert code == 0, err
    made = json.loads(out)
    assert set(made["files"]) == {"variance", "trap"}
    target = tmp_path / "labelled.parquet"
    code, out, err = _cli(capsys, "label", str(tmp_path / "trap.csv"), "--out", str(target),
                          "--margin", "0.2", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["margin"] == 0.2 and report["latency_field"] == "execution_time_ms"
    shares = {w["workload_type"]: w["lambda_optimal_share"] for w in report["workloads"]}
    assert shares["lightweight_api"] == 0.0 and shares["heavy_processing"] == 1.0
    assert pd.read_parquet(target)["label"].notna().all()
    code, out, _ = _cli(capsys, "label", str(tmp_path / "variance.csv"), "--out",
                        str(tmp_path / "v.csv"), "--latency-field", "latency_ms")
    assert code == 0 and "latency latency_ms" in out and "Lambda optimal" in out


def test_cli_label_bad_margin_exits_2(tmp_path, capsys):
    write_demo_data(tmp_path, rows=200, seed=0)
    code, _, err = _cli(capsys, "label", str(tmp_path / "trap.csv"), "--out",
                        str(tmp_path / "x.csv"), "--margin", "0.9")
    assert code == 2
    assert "--margin" in err and "0.5" in err and "0.9" in err
    assert len(err.strip().splitlines()) == 1
