"""The objective router, exported: the stdlib evaluator predicts as the library (<= 1e-6) and
decides as the library; the Lambda zip answers with the seed contract plus details."""

import json
import math
import zipfile

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.deploy.invoke import invoke_zip
from core.deploy.lambda_pkg import build_lambda, build_router
from core.objective.objectives import PREDICTION_KEYS, decide, parse_objective
from core.objective.portable import export_router
from core.objective.predictors import train_predictors
from core.objective.router import save_router
from core.portable import evaluator
from core.portable.export import dumps
from core.registry import Registry

WORKLOADS = ["lightweight_api", "thumbnail_processing", "medium_processing",
             "heavy_processing"]
WINDOWS = ["early_morning", "evening"]
PATTERNS = ["low_load", "burst_load"]
BASE_MS = {"lightweight_api": 100.0, "thumbnail_processing": 300.0,
           "medium_processing": 1200.0, "heavy_processing": 4000.0}


def logs(n: int = 1600, seed: int = 0) -> pd.DataFrame:
    """Unpaired logs: each request measured on one platform; payload and load move latency."""
    rng = np.random.default_rng(seed)
    workload = rng.choice(WORKLOADS, n)
    platform = rng.choice(["lambda", "ecs"], n)
    payload = rng.choice([1.0, 10.0, 500.0, 2048.0, 4096.0], n)
    pattern = rng.choice(PATTERNS, n)
    base = np.array([BASE_MS[w] for w in workload]) * (1 + payload / 8192)
    slow = np.where(platform == "ecs", np.where(pattern == "burst_load", 1.6, 1.1), 1.0)
    execution = base * slow * rng.lognormal(0, 0.2, n)
    return pd.DataFrame({
        "timestamp": pd.Timestamp("2025-11-22") + pd.to_timedelta(np.sort(rng.uniform(
            0, 3600, n)), unit="s"),
        "platform": platform, "workload_type": workload, "payload_size_kb": payload,
        "time_window": rng.choice(WINDOWS, n), "load_pattern": pattern,
        "execution_time_ms": execution, "latency_ms": execution + 20.0, "http_status": 200,
    })


@pytest.fixture(scope="module")
def trained():
    return train_predictors(logs(), costs="thesis", seed=0)


@pytest.fixture(scope="module")
def portable(trained):
    objective = parse_objective({"kind": "min_cost", "p95_ms": 2000})
    doc = export_router(trained.predictors, objective)
    return evaluator.loads(dumps(doc)), objective


objectives = st.one_of(
    st.builds(lambda ms, per: {"kind": "min_cost", "p95_ms": ms,
                               "per_workload": per},
              st.floats(1, 10_000), st.dictionaries(st.sampled_from(WORKLOADS),
                                                    st.floats(1, 10_000), max_size=2)),
    st.builds(lambda b, lat: {"kind": "min_latency", "budget_per_million_usd": b,
                              "latency": lat}, st.floats(0.01, 200), st.sampled_from(
                                  ["p50", "p95"])),
    st.builds(lambda v, lat: {"kind": "weighted", "value_of_time_usd_per_s": v,
                              "latency": lat}, st.floats(0, 1e-3), st.sampled_from(
                                  ["p50", "p95"])),
    st.builds(lambda m: {"kind": "label_rule", "margin": m}, st.floats(0, 0.5)))
records = st.fixed_dictionaries({
    "workload_type": st.sampled_from([*WORKLOADS, "video_encoding"]),
    "payload_size_kb": st.one_of(st.floats(0, 10_000), st.none(), st.just(math.nan),
                                 st.integers(0, 6000)),
    "time_window": st.sampled_from([*WINDOWS, "midday"]),
    "load_pattern": st.sampled_from([*PATTERNS, "ramp_load"]),
})


@pytest.fixture(scope="module")
def document(trained):
    """The exported router as parsed JSON (its objective is swapped per example)."""
    return json.loads(dumps(export_router(trained.predictors, parse_objective(
        {"kind": "label_rule"}))))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(record=records, spec=objectives)
def test_portable_router_predicts_and_decides_as_the_library(trained, document, record, spec):
    objective = parse_objective(spec)
    model = evaluator.Model({**document, "estimator": {**document["estimator"],
                                                        "objective": objective.to_dict()}})
    routed = model.route(record)
    frame = pd.DataFrame([record])
    pred = trained.predictors.predict(frame)
    for key in PREDICTION_KEYS:
        platform, target = key.split("_", 1)
        assert abs(routed["details"][platform][target] - float(pred[key][0])) <= 1e-6, key
    want = bool(decide(objective, pred, np.array([record["workload_type"]], dtype=object))[0])
    assert (routed["platform"] == "lambda") is want
    assert routed["lambda_probability"] == (1.0 if want else 0.0)


@settings(max_examples=300, deadline=None)
@given(spec=objectives, values=st.lists(st.floats(0.001, 1e4), min_size=6, max_size=6),
       workload=st.sampled_from(WORKLOADS))
def test_stdlib_decision_is_the_library_decision(spec, values, workload):
    objective = parse_objective(spec)
    cost_scale = [1.0, 1.0, 1e-8, 1.0, 1.0, 1e-8]  # costs in USD, latencies in ms
    pred = {k: v * s for k, v, s in zip(PREDICTION_KEYS, values, cost_scale, strict=True)}
    want = bool(decide(objective, {k: np.array([v]) for k, v in pred.items()},
                       np.array([workload], dtype=object))[0])
    assert evaluator.decide(objective.to_dict(), pred, workload) is want


def test_router_zip_answers_with_the_seed_contract_plus_details(trained, tmp_path, portable):
    model, objective = portable
    built = build_router(trained.predictors, tmp_path, objective=objective, model_id="r-1",
                         with_template=False)
    assert built.zip_bytes <= 1_000_000
    with zipfile.ZipFile(built.path) as zf:
        meta = json.loads(zf.read("metadata.json"))
    assert meta["objective"] == objective.to_dict() and meta["model_type"] == "Objective router"
    events = [{"workload_type": w, "payload_size_kb": kb, "time_window": "evening",
               "load_pattern": "burst_load"} for w in WORKLOADS for kb in (1.0, 4096.0)]
    result = invoke_zip(built.path, [*events, {"workload_type": "lightweight_api"}])
    assert result["third_party_modules"] == []
    for event, resp in zip(events, result["responses"], strict=False):
        assert resp["statusCode"] == 200
        pred = resp["body"]["prediction"]
        assert set(pred) == {"platform", "confidence", "lambda_probability", "ecs_probability",
                             "details"}
        assert pred["platform"] == model.route(event)["platform"]
        assert set(pred["details"]) == {"objective", "lambda", "ecs"}
        assert set(pred["details"]["lambda"]) == {"latency_p50_ms", "latency_p95_ms",
                                                  "cost_usd"}
        assert "fallback" not in resp["body"]
    bad = result["responses"][-1]
    assert bad["statusCode"] == 400 and bad["body"]["field"] == "payload_size_kb"


def test_build_lambda_accepts_a_router_version(trained, tmp_path):
    registry = Registry(tmp_path / "reg")
    model_id = save_router(registry, trained, train_frame=logs(), seed=0)
    built = build_lambda(model_id, tmp_path / "out", registry_root=tmp_path / "reg",
                         with_template=False,
                         objective={"kind": "weighted", "value_of_time_usd_per_s": 1e-5})
    with zipfile.ZipFile(built.path) as zf:
        doc = json.loads(zf.read("model.json"))
    assert doc["estimator"]["objective"]["kind"] == "weighted"
    default = build_lambda(model_id, tmp_path / "out2", registry_root=tmp_path / "reg",
                           with_template=False)
    with zipfile.ZipFile(default.path) as zf:
        doc = json.loads(zf.read("model.json"))
    assert doc["estimator"]["objective"] == trained.default_objective


def test_predict_is_the_reference_the_router_function_matches(trained, tmp_path):
    from core.cli.predict import route_frame

    registry = Registry(tmp_path / "reg")
    model_id = save_router(registry, trained, train_frame=logs(), seed=0)
    built = build_lambda(model_id, tmp_path / "out", registry_root=tmp_path / "reg",
                         with_template=False)
    events = logs(40, seed=5)[["workload_type", "payload_size_kb", "time_window",
                               "load_pattern"]]
    reference = route_frame(registry.load(model_id), events)
    answers = invoke_zip(built.path, events.to_dict(orient="records"))["responses"]
    for want, got in zip(reference, answers, strict=True):
        pred = got["body"]["prediction"]
        assert pred["platform"] == want["platform"]
        for platform in ("lambda", "ecs"):
            for target, value in want["details"][platform].items():
                assert abs(pred["details"][platform][target] - value) <= 1e-6


def test_classifier_only_commands_refuse_a_router_with_a_clear_message(trained):
    from core.errors import UserError

    with pytest.raises(UserError, match="objective router"):
        trained.predictors.predict_proba(logs(5))
    with pytest.raises(UserError, match="objective router"):
        _ = trained.predictors.steps


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=objectives, seed=st.integers(0, 2**16))
def test_no_objective_router_beats_the_hindsight_oracles(trained, spec, seed):
    from core.simulate.replay import ReplaySettings, replay

    result = replay(logs(), ReplaySettings(costs="thesis", router="objective", objective=spec,
                                           seed=seed), pipeline=trained.predictors)
    s = result.strategies
    assert s["hybrid"]["routing_accuracy"] <= s["oracle"]["routing_accuracy"] == 1.0
    key = "baseline_priced_cost_usd"
    assert s["cost_oracle"][key] <= s["hybrid"][key] * (1 + 1e-12)
    assert s["hybrid"]["objective"]["kind"] == spec["kind"]
