"""The engine end to end: billing by hand, oracle, baselines, routers, determinism."""

import numpy as np
import pandas as pd
import pytest

from core.simulate.runner import simulate

TINY = {"traffic": {"kind": "trace", "timestamps": [0, 1, 700]},
        "mix": {"lightweight_api": 1.0},
        "service_time": {"kind": "constant", "warm_mean_s": 0.1234, "cold_mean_s": 0.5},
        "lambda": {"memory_mb": 1024, "keep_alive_s": 600},
        "fargate": {"min_tasks": 1, "max_tasks": 1, "vcpu": 1, "memory_gb": 2},
        "router": {"kind": "lambda"}}


def test_billing_of_a_tiny_trace_by_hand():
    """Requests at 0, 1 and 700 s; cold 0.5 s, warm 0.1234 s; keep-alive 600 s; 1 GB.

    Lambda: #0 cold (500 ms billed), #1 warm on the same instance (ceil 123.4 = 124 ms),
    #2 cold again (instance expired at 1.1234 + 600 s): 3 requests x $0.20/M plus
    1.124 GB-s x $0.0000166667. Fargate: one 1 vCPU / 2 GB task from 0 until the last
    response at 700.1234 s, billed per second: 701 s x ($0.04048 + 2 x $0.004445) / 3600.
    """
    result = simulate(TINY)
    lam, ecs = result.strategies["lambda"], result.strategies["ecs"]
    assert lam["cold_start_rate"] == pytest.approx(2 / 3)
    assert lam["cost_usd"] == pytest.approx(3 * 0.0000002 + 1.124 * 0.0000166667, abs=1e-8)
    assert ecs["cost_usd"] == pytest.approx(701 * (0.04048 + 2 * 0.004445) / 3600, abs=1e-8)
    assert result.timeseries.groupby("strategy")["cost_usd"].sum()["ecs"] == pytest.approx(
        ecs["cost_usd"], abs=1e-8)


def test_all_lambda_router_equals_lambda_baseline():
    result = simulate({"requests": 3000, "router": {"kind": "lambda"}})
    lam, hyb = result.strategies["lambda"], result.strategies["hybrid"]
    for key, value in lam.items():
        if key != "cost_breakdown":
            assert hyb[key] == value, key
    assert hyb["vs_lambda"]["savings_usd"] == 0


def test_oracle_router_is_100_percent_accurate_and_never_worse_per_request():
    result = simulate({"requests": 3000, "router": {"kind": "oracle"},
                       "traffic": {"kind": "thesis", "phase_s": 60}})
    assert result.strategies["hybrid"]["routing_accuracy"] == 1.0
    assert result.strategies["hybrid"]["router"] == "oracle"


def test_same_seed_same_result_and_other_seed_differs():
    a = simulate({"requests": 2000, "seed": 5}).strategies
    b = simulate({"requests": 2000, "seed": 5}).strategies
    c = simulate({"requests": 2000, "seed": 6}).strategies
    assert a == b
    assert a["lambda"]["cost_usd"] != c["lambda"]["cost_usd"]


@pytest.mark.parametrize("kind", ["poisson", "diurnal", "ramp", "burst", "thesis"])
def test_every_traffic_kind_runs(kind):
    result = simulate({"requests": 2000, "traffic": {"kind": kind, "rate_per_s": 5.0},
                       "router": {"kind": "random"}})
    hyb = result.strategies["hybrid"]
    assert 0.4 < hyb["lambda_share"] < 0.6
    assert set(result.timeseries["strategy"]) == {"lambda", "ecs", "hybrid"}
    assert result.cdf.groupby("strategy")["latency_ms"].apply(
        lambda s: s.is_monotonic_increasing).all()


def test_rule_router_sends_small_payloads_to_lambda_and_charges_nothing():
    result = simulate({"requests": 2000, "router": {"kind": "rule", "threshold_kb": 100}})
    hyb = result.strategies["hybrid"]
    assert 0 < hyb["lambda_share"] < 1
    assert hyb["cost_breakdown"]["router_usd"] == 0
    assert hyb["vs_lambda"]["roi"] is None


def _tiny_pipeline():
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    from core.features import FeatureTransform

    frame = pd.DataFrame({"workload_type": ["lightweight_api", "heavy_processing"] * 20,
                          "payload_size_kb": [1.0, 4000.0] * 20})
    label = np.array([0, 1] * 20)
    pipe = Pipeline([("features", FeatureTransform(features=["workload_type",
                                                             "payload_size_kb"])),
                     ("model", LogisticRegression())])
    return pipe.fit(frame, label), frame, label


def test_model_router_predicts_in_one_batch_and_charges_inference():
    pipe, _, _ = _tiny_pipeline()
    spec = {"requests": 4000, "router": {"kind": "model", "model_id": "in-memory",
                                         "placement": "lambda_call"},
            "mix": {"lightweight_api": 0.5, "heavy_processing": 0.5}}
    result = simulate(spec, pipeline=pipe)
    hyb = result.strategies["hybrid"]
    assert hyb["lambda_share"] == pytest.approx(0.5, abs=0.05)
    # placed as its own call: one 2 ms call of a 512 MB function per request
    per_request = 0.0000002 + 0.002 * 0.5 * 0.0000166667
    assert hyb["cost_breakdown"]["router_usd"] == pytest.approx(4000 * per_request)
    assert hyb["vs_ecs"]["roi"] is not None
    # in process at the front door (the default): latency only, no bill
    spec["router"]["placement"] = "in_process"
    inproc = simulate(spec, pipeline=pipe).strategies["hybrid"]
    assert inproc["cost_breakdown"]["router_usd"] == 0
    assert inproc["cost_usd"] == pytest.approx(hyb["cost_usd"] - 4000 * per_request)


def test_model_router_loads_from_the_registry(tmp_path, monkeypatch):
    registry = pytest.importorskip("core.registry")
    monkeypatch.setenv("ROUTING_LAB_MODELS", str(tmp_path))
    pipe, frame, label = _tiny_pipeline()
    model_id = registry.Registry().save(pipe, model_type="logreg", metrics={"accuracy": 1.0},
                                        features=["workload_type", "payload_size_kb"],
                                        train_frame=frame.assign(label=label), seed=0)
    result = simulate({"requests": 1000, "router": {"kind": "model", "model_id": model_id},
                       "mix": {"lightweight_api": 0.5, "heavy_processing": 0.5}})
    assert 0.3 < result.strategies["hybrid"]["lambda_share"] < 0.7
    # the version's own decision threshold (core.decision) decides unless the scenario sets one
    strict = registry.Registry().save(pipe, model_type="logreg", metrics={"accuracy": 1.0},
                                      features=["workload_type", "payload_size_kb"],
                                      train_frame=frame.assign(label=label), seed=0,
                                      extra={"decision_threshold": 1.0})
    spec = {"requests": 1000, "router": {"kind": "model", "model_id": strict},
            "mix": {"lightweight_api": 0.5, "heavy_processing": 0.5}}
    assert simulate(spec).strategies["hybrid"]["lambda_share"] == 0.0
    spec["router"]["probability_threshold"] = 0.5
    assert 0.3 < simulate(spec).strategies["hybrid"]["lambda_share"] < 0.7


def test_comparison_table_and_exports():
    result = simulate({"requests": 2000})
    table = result.comparison_frame()
    assert list(table.index[:4]) == ["Avg latency (ms)", "P95 latency (ms)", "Total cost (USD)",
                                     "Cost per million (USD)"]
    assert "Improvement vs Lambda-only (%)" in table.columns
    latex = result.to_latex()
    assert latex.startswith(r"\begin{tabular}") and r"Error rate (\%)" in latex
    csv = result.summary_frame().to_csv(index=False)
    assert csv.startswith("strategy,") and "vs_lambda_savings_pct" in csv


def test_throttling_counts_as_errors_and_retries_reduce_them():
    spec = {"requests": 3000, "traffic": {"rate_per_s": 6.0},
            "lambda": {"concurrency_limit": 5}, "router": {"kind": "lambda"}}
    errors = simulate(spec, strategies=("lambda",)).strategies["lambda"]
    spec["lambda"]["on_throttle"] = "retry"
    retried = simulate(spec, strategies=("lambda",)).strategies["lambda"]
    assert errors["error_rate"] > 0.05 and errors["throttle_rate"] == errors["error_rate"]
    assert retried["error_rate"] < errors["error_rate"]


def test_scale_from_zero_provisioned_alb_and_arm_all_run_and_cost_more():
    spec = {"requests": 3000, "traffic": {"kind": "diurnal", "rate_per_s": 2.0},
            "lambda": {"architecture": "arm", "provisioned": 2, "keep_alive_dist": "uniform"},
            "fargate": {"min_tasks": 0, "alb": True, "architecture": "arm"},
            "router": {"kind": "random"}}
    result = simulate(spec)
    lam, ecs = result.strategies["lambda"], result.strategies["ecs"]
    assert lam["cost_breakdown"]["lambda_provisioned_usd"] > 0
    assert ecs["cost_breakdown"]["alb_usd"] > 0
    assert ecs["fargate_tasks_launched"] >= 1 and ecs["error_rate"] < 0.05
    plain = simulate({**spec, "lambda": {"architecture": "arm"}}).strategies["lambda"]
    assert lam["cost_usd"] > plain["cost_usd"]
