"""Calibrated replay: the simulator reproduces the loaded logs, and routers are scored against
the objective their labels came from."""

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.model_selection import train_test_split

from core.errors import UserError
from core.io import read_paths
from core.labels import balanced_optimal
from core.simulate.replay import ReplaySettings, replay
from core.training import make_pipeline

FEATURES = ["workload_type", "payload_size_kb", "time_window", "load_pattern"]


@pytest.fixture(scope="module")
def real_logs(artillery_dir) -> pd.DataFrame:
    return read_paths([artillery_dir]).frame


@pytest.fixture(scope="module")
def small() -> pd.DataFrame:
    """Two workloads on both platforms over two runs (payload moves latency)."""
    rng = np.random.default_rng(0)
    n = 800
    workload = rng.choice(["lightweight_api", "heavy_processing"], n)
    platform = rng.choice(["lambda", "ecs"], n)
    payload = np.where(workload == "heavy_processing", rng.choice([2048.0, 4096.0], n),
                       rng.choice([1.0, 10.0], n))
    base = np.where(workload == "heavy_processing", 3000.0, 100.0) * (1 + payload / 8192)
    execution = base * np.where(platform == "ecs", 1.1, 1.0) * rng.lognormal(0, 0.2, n)
    return pd.DataFrame({
        "timestamp": pd.Timestamp("2025-11-22") + pd.to_timedelta(np.sort(rng.uniform(
            0, 3600, n)), unit="s"),
        "platform": platform, "workload_type": workload, "payload_size_kb": payload,
        "time_window": "midday", "load_pattern": rng.choice(["low_load", "burst_load"], n),
        "execution_time_ms": execution, "latency_ms": execution + 20.0,
        "cold_start": pd.array(np.where(platform == "ecs", None, rng.random(n) < 0.02),
                               dtype="boolean"),
        "http_status": 200,
    })


def test_replay_reproduces_the_real_logs(real_logs):
    result = replay(real_logs, ReplaySettings(costs="thesis", router="oracle"))
    cal = result.calibration
    assert len(cal["rows"]) == 8  # four workloads x two platforms
    for row in cal["rows"]:
        assert row["simulated_p50_ms"] == pytest.approx(row["measured_p50_ms"], rel=0.10), row
    for name, share in cal["label_share"].items():
        assert abs(share["simulated"] - share["measured"]) <= 3.0, (name, share)
    assert result.strategies["hybrid"]["routing_accuracy"] == 1.0  # the oracle router


def test_a_router_replaying_its_own_data_scores_its_test_accuracy(real_logs):
    labelled = balanced_optimal(real_logs, costs="thesis")
    labelled = labelled[labelled["label"].notna()]
    train, test = train_test_split(labelled, test_size=0.25, random_state=0,
                                   stratify=labelled["label"].astype(int))
    model = make_pipeline("lgbm", FEATURES, seed=0).fit(train, train["label"].astype(int))
    test_accuracy = float((model.predict(test) == test["label"].astype(int)).mean())
    result = replay(real_logs, ReplaySettings(costs="thesis"), pipeline=model)
    routed = result.strategies["hybrid"]["routing_accuracy"]
    assert abs(routed - test_accuracy) <= 0.03, (routed, test_accuracy)


def test_cost_breakdown_adds_up_and_router_placement_is_billed(small):
    inproc = replay(small, ReplaySettings(costs="thesis", router="random"))
    billed = replay(small, ReplaySettings(costs="thesis", router="random",
                                          placement="lambda_call"))
    for result in (inproc, billed):
        for name, s in result.strategies.items():
            assert sum(s["cost_breakdown"].values()) == pytest.approx(s["cost_usd"]), name
    assert "router_usd" not in inproc.strategies["hybrid"]["cost_breakdown"]
    router = billed.strategies["hybrid"]["cost_breakdown"]["router_usd"]
    assert router > 0
    assert billed.strategies["hybrid"]["cost_usd"] == pytest.approx(
        inproc.strategies["hybrid"]["cost_usd"] + router)


def test_fleet_view_bills_idle_task_time(small):
    marginal = replay(small, ReplaySettings(costs="thesis", router="ecs"))
    fleet = replay(small, ReplaySettings(costs="thesis", view="fleet", router="ecs"))
    assert marginal.strategies["ecs"]["cost_breakdown"]["fargate_idle_usd"] == 0
    assert fleet.strategies["ecs"]["cost_breakdown"]["fargate_idle_usd"] > 0
    assert fleet.objective["view"] == "fleet"


def test_same_seed_same_result(small):
    a = replay(small, ReplaySettings(router="random", seed=3)).to_json()
    b = replay(small, ReplaySettings(router="random", seed=3)).to_json()
    a.pop("elapsed_s"), b.pop("elapsed_s"), a.pop("timings_s"), b.pop("timings_s")
    assert a == b


@settings(max_examples=15, deadline=None)
@given(p_lambda=st.floats(0.0, 1.0), seed=st.integers(0, 2**16))
def test_no_router_beats_the_hindsight_oracles_on_their_objectives(small, p_lambda, seed):
    result = replay(small, ReplaySettings(router="random", p_lambda=p_lambda, seed=seed))
    s = result.strategies
    assert s["hybrid"]["routing_accuracy"] <= s["oracle"]["routing_accuracy"] == 1.0
    # the cost oracle picks the cheaper platform per request, priced as in the baselines
    key = "baseline_priced_cost_usd"
    assert s["cost_oracle"][key] <= min(s[n][key] for n in ("lambda", "ecs", "hybrid",
                                                           "oracle")) * (1 + 1e-12)


@pytest.mark.parametrize("change, message", [
    ({"router": "psychic"}, "router must be one of"),
    ({"placement": "moon"}, "placement"),
    ({"threshold": 1.5}, "threshold"),
    ({"margin": 0.9}, "margin"),
])
def test_bad_settings_are_user_errors(small, change, message):
    with pytest.raises(UserError, match=message):
        replay(small, ReplaySettings(**{"router": "oracle", **change}))


def test_model_router_needs_a_model_and_one_platform_is_refused(small):
    with pytest.raises(UserError, match="needs a model"):
        replay(small, ReplaySettings(router="model"))
    with pytest.raises(UserError, match="both Lambda and ECS"):
        replay(small[small["platform"] == "ecs"], ReplaySettings(router="oracle"))


def test_simulate_cli_replays_a_file(tmp_path, small):
    path = tmp_path / "logs.csv"
    small.to_csv(path, index=False)
    proc = subprocess.run([sys.executable, "-m", "core", "simulate", "--data", str(path),
                           "--costs", "thesis", "--json"], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    row = doc["calibration"]["rows"][0]
    assert {"workload_type", "platform", "rows", "measured_p50_ms", "simulated_p50_ms",
            "measured_p95_ms", "simulated_p95_ms", "measured_cold_start_rate",
            "simulated_cold_start_rate"} <= set(row)
    assert set(doc["calibration"]["label_share"]) == {"lightweight_api", "heavy_processing"}
    assert doc["hybrid"]["routing_accuracy"] == 1.0
    proc = subprocess.run([sys.executable, "-m", "core", "simulate", "--data", str(path),
                           "--requests", "5"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1


def test_a_trained_router_is_replayed_against_the_objective_it_learned(tmp_path, small):
    """train --costs stores the label rule with the model; simulate --data --router uses it."""
    path, registry = tmp_path / "logs.csv", tmp_path / "models"
    small.to_csv(path, index=False)
    train = subprocess.run([sys.executable, "-m", "core", "train", str(path), "--models",
                            "logreg", "--cv", "0", "--costs", "aws-2026", "--registry",
                            str(registry), "--json"], capture_output=True, text=True,
                           timeout=300)
    assert train.returncode == 0, train.stderr
    model_id = json.loads(train.stdout)["models"]["logreg"]["model_id"]
    proc = subprocess.run([sys.executable, "-m", "core", "simulate", "--data", str(path),
                           "--router", model_id, "--registry", str(registry), "--json"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["objective"]["costs"] == "aws-2026"
    assert doc["router_model"]["decision_threshold"] == 0.5
    assert doc["router_model"]["label_rule"]["cost_profile"]["base"] == "aws-2026"
    assert 0.0 <= doc["hybrid"]["routing_accuracy"] <= 1.0


def test_a_scenario_file_sets_the_replays_knobs(tmp_path, small):
    path, config = tmp_path / "logs.csv", tmp_path / "what_if.json"
    small.to_csv(path, index=False)
    config.write_text(json.dumps({"seed": 5, "lambda": {"keep_alive_s": 0},
                                  "router": {"kind": "random", "placement": "lambda_call"}}))
    docs = []
    for extra in ([], ["--config", str(config)]):
        proc = subprocess.run([sys.executable, "-m", "core", "simulate", "--data", str(path),
                               *extra, "--json"], capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        docs.append(json.loads(proc.stdout))
    default, what_if = docs
    # no keep-alive: every Lambda request is a cold start
    assert what_if["lambda"]["cold_start_rate"] == 1.0 > default["lambda"]["cold_start_rate"]
    assert what_if["scenario"]["seed"] == 5 and what_if["scenario"]["router"]["placement"] == \
        "lambda_call"
