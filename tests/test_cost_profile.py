"""Cost profiles: hand-computed costs per preset and view, validation, labels under a profile."""

import json
import math
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from core.cost_profile import (
    FARGATE_MEMORY_GB,
    fill_missing_cost,
    get_profile,
    measured_utilisation,
    request_costs,
)
from core.errors import UserError
from core.labels import balanced_optimal

REL = 1e-9


def _table() -> pd.DataFrame:
    """Two workloads, both platforms, one error row, one cold start."""
    return pd.DataFrame({
        "platform": ["lambda", "lambda", "ecs", "ecs", "lambda", "ecs", "lambda"],
        "workload_type": ["lightweight_api"] * 4 + ["heavy_processing"] * 2 + ["lightweight_api"],
        "execution_time_ms": [10.4, 30.0, 20.0, 40.0, 5000.0, 4000.0, 12.0],
        "latency_ms": [100.0, 120.0, 90.0, 110.0, 5100.0, 4100.0, 99.0],
        "memory_mb": [128.0, np.nan, 60.0, 70.0, 512.0, 90.0, 128.0],
        "cold_start": [False, True, None, None, False, None, False],
        "http_status": [200, 200, 200, 200, 200, 200, 500],
        "timestamp": pd.to_datetime(["2025-11-22T10:00:00", "2025-11-22T10:00:01",
                                     "2025-11-22T10:00:00", "2025-11-22T10:01:40",
                                     "2025-11-22T10:00:00", "2025-11-22T10:00:10",
                                     "2025-11-22T10:00:02"]),
    })


def test_thesis_marginal_costs_by_hand():
    cost = request_costs(_table(), "thesis")
    # Lambda 128 MB, 10.4 ms, not rounded: 2e-7 + 0.0104 s * 0.125 GB * 0.0000166667
    assert cost[0] == pytest.approx(2e-7 + 0.0104 * 0.125 * 0.0000166667, rel=REL)
    # no logged memory: the workload's 128 MB
    assert cost[1] == pytest.approx(2e-7 + 0.030 * 0.125 * 0.0000166667, rel=REL)
    # ECS lightweight task 0.25 vCPU / 0.5 GB: (0.25*0.04656 + 0.5*0.00511) $/h for 20 ms
    assert cost[2] == pytest.approx(0.020 / 3600 * (0.25 * 0.04656 + 0.5 * 0.00511), rel=REL)
    # heavy: Lambda 512 MB for 5 s; ECS 1 vCPU / 2 GB for 4 s
    assert cost[4] == pytest.approx(2e-7 + 5.0 * 0.5 * 0.0000166667, rel=REL)
    assert cost[5] == pytest.approx(4.0 / 3600 * (0.04656 + 2 * 0.00511), rel=REL)
    assert math.isnan(cost[6])  # error row


def test_aws_2026_rounds_lambda_to_the_millisecond_and_uses_list_prices():
    cost = request_costs(_table(), "aws-2026")
    assert cost[0] == pytest.approx(2e-7 + 0.011 * 0.125 * 0.0000166667, rel=REL)
    assert cost[5] == pytest.approx(4.0 / 3600 * (0.04048 + 2 * 0.004445), rel=REL)


def test_fleet_view_divides_ecs_by_utilisation_and_bills_cold_init():
    table = _table()
    fleet = request_costs(table, "thesis", view="fleet", utilisation={"lightweight_api": 0.25,
                                                                         "heavy_processing": 0.5})
    marginal = request_costs(table, "thesis")
    assert fleet[2] == pytest.approx(marginal[2] / 0.25, rel=REL)
    assert fleet[5] == pytest.approx(marginal[5] / 0.5, rel=REL)
    # the cold start pays the workload's init (180 ms for lightweight_api in the presets)
    assert fleet[1] == pytest.approx(2e-7 + (0.030 + 0.180) * 0.125 * 0.0000166667, rel=REL)
    assert fleet[0] == pytest.approx(marginal[0], rel=REL)


def test_measured_utilisation_is_busy_over_wall_time():
    util = measured_utilisation(_table())
    # lightweight ECS: 20 + 40 ms busy over 100 s of wall time -> floor 0.01
    assert util["lightweight_api"] == pytest.approx(0.01)
    # heavy ECS: one request only, no wall time: not measured
    assert "heavy_processing" not in util


def test_profile_round_trips_through_json(tmp_path):
    profile = get_profile({"base": "aws-2026", "prices": {"fargate_vcpu_hour_usd": 0.05},
                           "workloads": {"lightweight_api": {"fargate_vcpu": 0.5,
                                                             "fargate_memory_gb": 1.0}},
                           "billing": {"fleet_utilisation": 0.6}})
    path = tmp_path / "p.json"
    path.write_text(json.dumps(profile.to_dict()))
    again = get_profile(str(path))
    assert again.prices().fargate_vcpu_hour_usd == 0.05
    assert again.settings("lightweight_api").fargate_vcpu == 0.5
    assert again.fleet_utilisation == 0.6
    assert request_costs(_table(), again).tolist() == pytest.approx(
        request_costs(_table(), profile).tolist(), nan_ok=True)


@pytest.mark.parametrize("spec, field", [
    ({"prices": {"fargate_vcpu_hour_usd": -1}}, "prices.fargate_vcpu_hour_usd"),
    ({"region": "mars-1"}, "region"),
    ({"workloads": {"lightweight_api": {"fargate_vcpu": 0.3}}}, "fargate_vcpu"),
    ({"workloads": {"lightweight_api": {"fargate_memory_gb": 8}}}, "fargate_memory_gb"),
    ({"workloads": {"lightweight_api": {"lambda_memory_mb": 64}}}, "lambda_memory_mb"),
    ({"billing": {"fleet_utilisation": 0}}, "fleet_utilisation"),
    ({"colour": "red"}, "colour"),
    ({"base": "aws-2099"}, "base"),
])
def test_bad_profiles_name_the_field(spec, field):
    with pytest.raises(UserError, match=field):
        get_profile(spec)


def test_missing_workload_is_named_when_pricing():
    table = _table().assign(workload_type="video_encoding")
    with pytest.raises(UserError, match="video_encoding"):
        request_costs(table, "thesis")
    # ingestion never fails on a new workload: gaps are filled with generic settings, said so
    filled = fill_missing_cost(table)
    assert filled["cost_usd"].notna().sum() == 6
    assert "video_encoding" in filled.attrs["cost_notes"][0]


def test_fargate_sizes_are_the_published_ones():
    assert FARGATE_MEMORY_GB[0.25] == (0.5, 1.0, 2.0)
    assert 0.3 not in FARGATE_MEMORY_GB


def test_thesis_labels_equal_a_hand_computation():
    """balanced_optimal with --costs thesis on a small table, computed by hand."""
    rows = []
    for lat_l, lat_e in ((10.0, 20.0), (30.0, 20.0), (12.0, 25.0), (50.0, 21.0)):
        rows.append({"platform": "lambda", "workload_type": "lightweight_api",
                     "execution_time_ms": lat_l, "memory_mb": 128.0})
        rows.append({"platform": "ecs", "workload_type": "lightweight_api",
                     "execution_time_ms": lat_e, "memory_mb": 60.0})
    table = pd.DataFrame(rows)
    out = balanced_optimal(table, costs="thesis")
    lam_cost = lambda ms: 2e-7 + ms / 1000 * 0.125 * 0.0000166667  # noqa: E731
    ecs_cost = lambda ms: ms / 3.6e6 * (0.25 * 0.04656 + 0.5 * 0.00511)  # noqa: E731
    ecs_lat = np.median([20.0, 20.0, 25.0, 21.0])
    ecs_med_cost = np.median([ecs_cost(v) for v in (20.0, 20.0, 25.0, 21.0)])
    lam_lat = np.median([10.0, 30.0, 12.0, 50.0])
    lam_med_cost = np.median([lam_cost(v) for v in (10.0, 30.0, 12.0, 50.0)])
    expected = []
    for row in rows:
        if row["platform"] == "lambda":
            ok = (row["execution_time_ms"] < 0.9 * ecs_lat
                  and lam_cost(row["execution_time_ms"]) < 0.9 * ecs_med_cost)
        else:
            ok = (lam_lat < 0.9 * row["execution_time_ms"]
                  and lam_med_cost < 0.9 * ecs_cost(row["execution_time_ms"]))
        expected.append(int(ok))
    assert out["label"].tolist() == expected
    assert out.attrs["label_rule"]["costs"] == "thesis"


def test_label_cli_reports_shares_on_the_real_logs(artillery_dir, tmp_path):
    proc = subprocess.run([sys.executable, "-m", "core", "label", str(artillery_dir), "--out",
                           str(tmp_path / "l.csv"), "--costs", "thesis", "--json"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    shares = {w["workload_type"]: w["lambda_optimal_share"] for w in doc["workloads"]}
    assert set(shares) == {"lightweight_api", "thumbnail_processing", "medium_processing",
                           "heavy_processing"}
    assert 0 < doc["lambda_optimal_share"] < 1
    assert doc["costs"] == "thesis" and doc["cost_profile"]["base"] == "thesis"
    stored = json.loads((tmp_path / "l.csv.label_rule.json").read_text())
    assert stored["cost_profile"] == doc["cost_profile"] and stored["margin"] == 0.1


def test_label_cli_refuses_a_bad_profile_in_one_line(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"workloads": {"lightweight_api": {"fargate_vcpu": 0.3}}}))
    proc = subprocess.run([sys.executable, "-m", "core", "label", "data/variance.csv", "--out",
                           str(tmp_path / "l.csv"), "--costs", str(bad)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "fargate_vcpu" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_sensitivity_adds_cost_views_and_task_sizes(artillery_dir):
    """The label sensitivity table gains the view and Fargate task size x0.5 / x2 rows."""
    from core.diagnostics.sensitivity import cost_sensitivity
    from core.io import read_paths

    frame = read_paths([artillery_dir]).frame
    table = cost_sensitivity(frame, "execution_time_ms", None)
    variants = set(map(tuple, table[["view", "task_scale"]].drop_duplicates().to_numpy()))
    assert variants == {("marginal", 1.0), ("fleet", 1.0), ("marginal", 0.5), ("marginal", 2.0)}
    share = table.set_index(["view", "task_scale", "workload"])["lambda_optimal_share"]
    # bigger ECS tasks cost more per request: Lambda can only gain share
    for workload in table["workload"].unique():
        assert share[("marginal", 2.0, workload)] >= share[("marginal", 1.0, workload)]
        assert share[("marginal", 0.5, workload)] <= share[("marginal", 1.0, workload)]


def test_sensitivity_margin_rows_use_the_labels_cost_profile(artillery_dir):
    """The 10 % row of the sensitivity table is the label the data carries (one source)."""
    from core.diagnostics.sensitivity import label_sensitivity
    from core.io import read_paths
    from core.labels import label_shares

    frame = balanced_optimal(read_paths([artillery_dir]).frame, costs="aws-2026")
    result = label_sensitivity(frame, label="label", group="workload_type", fast=True)
    rows = [r for r in result["table"]
            if r["margin"] == 0.10 and r["latency_field"] == "execution_time_ms"]
    table = {r["workload"]: r["lambda_optimal_share"] for r in rows}
    shares = label_shares(frame).set_index("workload_type")["lambda_optimal_share"]
    for workload, share in table.items():
        assert share == pytest.approx(shares[workload], abs=1e-4)
