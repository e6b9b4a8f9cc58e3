"""Objective router: hand-worked decisions, bad objectives, predictors, the required behaviour on
the real logs, and explanations that add up."""

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from core.errors import UserError
from core.io import read_paths
from core.objective.explain import explain_decisions
from core.objective.objectives import (
    PREDICTION_KEYS,
    LabelRule,
    MinCost,
    MinLatency,
    Weighted,
    decide,
    objective_met,
    parse_objective,
)
from core.objective.predictors import train_predictors
from core.objective.router import route
from core.simulate.replay import ReplaySettings, replay


def _pred(rows: list[tuple]) -> dict[str, np.ndarray]:
    """Rows of (lam p50, lam p95, lam cost, ecs p50, ecs p95, ecs cost)."""
    arr = np.array(rows, dtype=float)
    return {k: arr[:, i] for i, k in enumerate(PREDICTION_KEYS)}


# request:            lam p50, p95,  cost,  ecs p50, p95,  cost
HAND = _pred([(100, 200, 2.0, 100, 150, 1.0),     # both meet 250: ECS cheaper
              (100, 200, 1.0, 100, 150, 2.0),     # both meet 250: Lambda cheaper
              (100, 300, 1.0, 100, 240, 2.0),     # only ECS meets 250
              (100, 240, 2.0, 100, 300, 1.0),     # only Lambda meets 250
              (100, 400, 1.0, 100, 300, 0.5),     # neither: lower p95 (ECS)
              (100, 200, 1.0, 100, 200, 1.0)])    # tie: ECS
WL = np.array(["a", "a", "a", "a", "a", "b"], dtype=object)


def test_min_cost_decisions_by_hand():
    got = decide(MinCost(250.0), HAND, WL)
    assert got.tolist() == [False, True, False, True, False, False]
    # a per-workload SLO overrides the global one: workload b gets 100 ms, so neither meets it
    # and the lower p95 wins (a tie: ECS)
    per = decide(MinCost(250.0, {"b": 100.0}), HAND, WL)
    assert per.tolist()[-1] is False


def test_min_latency_and_weighted_by_hand():
    pred = _pred([(100, 200, 1e-6, 200, 250, 2e-6),   # Lambda faster, both in budget
                  (100, 200, 5e-6, 200, 250, 2e-6),   # Lambda over a $3/M budget: ECS
                  (300, 400, 1e-6, 200, 250, 1e-6)])  # ECS faster
    assert decide(MinLatency(3.0), pred, np.array(["a"] * 3)).tolist() == [True, False, False]
    # weighted: cost + v x latency; v = 1e-5 USD/s: 100 ms = 1e-6 USD
    w = Weighted(1e-5)
    assert decide(w, pred, np.array(["a"] * 3)).tolist() == [True, False, False]
    assert decide(Weighted(0.0), pred, np.array(["a"] * 3)).tolist() == [True, False, False]


def test_label_rule_objective_is_the_label_formula():
    rng = np.random.default_rng(0)
    pred = {k: rng.uniform(1, 10, 200) for k in PREDICTION_KEYS}
    got = decide(LabelRule(0.10), pred, np.array(["a"] * 200))
    want = ((pred["lambda_latency_p50_ms"] < 0.9 * pred["ecs_latency_p50_ms"])
            & (pred["lambda_cost_usd"] < 0.9 * pred["ecs_cost_usd"]))
    assert (got == want).all()


@pytest.mark.parametrize("spec, field", [
    ({"kind": "min_cost", "p95_ms": -1}, "p95_ms"),
    ({"kind": "min_cost"}, "p95_ms"),
    ({"kind": "cheapest"}, "kind"),
    ({"kind": "min_cost", "p95_ms": 10, "per_workload": {"video": 5}}, "per_workload.video"),
    ({"kind": "min_cost", "p95_ms": 10, "per_workload": {"a": 0}}, "per_workload.a"),
    ({"kind": "min_latency"}, "budget_per_million_usd"),
    ({"kind": "weighted", "value_of_time_usd_per_s": -1}, "value_of_time_usd_per_s"),
    ({"kind": "weighted", "latency": "p99"}, "latency"),
    ({"kind": "label_rule", "margin": 0.9}, "margin"),
    ({"kind": "min_cost", "p95_ms": 10, "slo": 3}, "slo"),
    ([1, 2], "object"),
])
def test_bad_objectives_name_the_field(spec, field):
    with pytest.raises(UserError, match=field.replace(".", r"\.")):
        parse_objective(spec, ["a", "b"])


def test_objective_met_reads_the_strategy_figures():
    strategies = {"hybrid": {"latency_p95_ms": 100.0, "cost_per_million": 2.0,
                             "workload_p95_ms": {"a": 90.0}, "cost_usd": 1.0,
                             "latency_mean_ms": 50.0, "requests": 10},
                  "lambda": {"cost_usd": 1.0, "latency_mean_ms": 60.0, "requests": 10},
                  "ecs": {"cost_usd": 2.0, "latency_mean_ms": 40.0, "requests": 10}}
    assert objective_met(MinCost(100.0), strategies)["met"] is True
    assert objective_met(MinCost(99.0), strategies)["met"] is False
    assert objective_met(MinCost(None, {"a": 80.0}), strategies)["met"] is False
    assert objective_met(MinLatency(2.0), strategies)["met"] is True
    assert objective_met(Weighted(1e-5), strategies)["met"] is True
    assert objective_met(LabelRule(), strategies)["met"] is None


@pytest.fixture(scope="module")
def real_logs(artillery_dir) -> pd.DataFrame:
    return read_paths([artillery_dir]).frame


@pytest.fixture(scope="module")
def trained(real_logs):
    return train_predictors(real_logs, costs="thesis", seed=0)


def test_predictors_report_per_workload_metrics(trained):
    m = trained.metrics
    assert m["latency_field"] == "execution_time_ms"
    for platform in ("lambda", "ecs"):
        per = m["platforms"][platform]["workloads"]
        assert len(per) == 4
        for scores in per.values():
            assert scores["latency_p50_mae_ms"] >= 0 and scores["cost_mae_usd"] >= 0
        overall = m["platforms"][platform]["overall"]
        assert 0.90 <= overall["latency_p95_coverage"] <= 0.99, overall


def test_objective_router_meets_the_slo_at_no_more_cost_on_the_real_logs(real_logs, trained):
    """Required: SLO = p95 of the better single platform; the router costs no more than the
    cheapest single-platform fleet meeting it, at a p95 within 5 % of the SLO."""
    base = replay(real_logs, ReplaySettings(costs="thesis", router="oracle"))
    singles = {p: base.strategies[p] for p in ("lambda", "ecs")}
    slo = min(s["latency_p95_ms"] for s in singles.values())
    cheapest = min(s["cost_usd"] for s in singles.values() if s["latency_p95_ms"] <= slo)
    result = replay(real_logs, ReplaySettings(costs="thesis", router="objective",
                                              objective={"kind": "min_cost", "p95_ms": slo}),
                    pipeline=trained.predictors)
    hybrid = result.strategies["hybrid"]
    assert hybrid["cost_usd"] <= cheapest
    assert abs(hybrid["latency_p95_ms"] - slo) <= 0.05 * slo
    assert hybrid["objective"]["kind"] == "min_cost"
    assert isinstance(hybrid["objective_met"], bool)
    assert set(hybrid["workload_p95_ms"]) == set(trained.predictors.workloads)


def test_explanations_add_up_to_the_decided_difference(real_logs, trained):
    objective = Weighted(1e-4)
    expl = explain_decisions(trained.predictors, real_logs, objective, n=30, seed=3)
    assert len(expl.decisions) == 30
    pred_l = expl.decisions["lambda_cost_usd"] + 1e-4 * expl.decisions["lambda_latency_p50_ms"] \
        / 1000
    pred_e = expl.decisions["ecs_cost_usd"] + 1e-4 * expl.decisions["ecs_latency_p50_ms"] / 1000
    assert np.allclose(expl.decisions["difference"], pred_l - pred_e, rtol=1e-6, atol=1e-12)
    # the route is the sign of the difference, and the reasons name features
    assert ((expl.decisions["difference"] < 0) == (expl.decisions["route"] == "lambda")).all()
    assert expl.decisions["reason_1"].str.contains("=").all()
    assert set(expl.summary["workload_type"]) <= set(trained.predictors.workloads)
    # the same requests routed by the router get the same routes
    sample = real_logs.loc[expl.decisions["request"]]
    assert (route(trained.predictors, sample, objective)[0]
            == (expl.decisions["route"] == "lambda").to_numpy()).all()


def test_train_router_and_simulate_cli(tmp_path, artillery_dir):
    reg = tmp_path / "reg"
    proc = subprocess.run([sys.executable, "-m", "core", "train-router", str(artillery_dir),
                           "--registry", str(reg), "--costs", "thesis", "--json"],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["model_id"].startswith("router-") and "platforms" in doc["metrics"]
    base = [sys.executable, "-m", "core", "simulate", "--data", str(artillery_dir), "--router",
            doc["model_id"], "--registry", str(reg), "--json"]
    proc = subprocess.run([*base, "--objective", '{"kind": "min_cost", "p95_ms": 1500}',
                           "--explain", "5", "--pareto", "3"], capture_output=True, text=True,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert isinstance(out["hybrid"]["objective_met"], bool)
    assert out["hybrid"]["objective"]["p95_ms"] == 1500
    assert len(out["explain"]["decisions"]) == 5
    sweep = [row for row in out["pareto"] if row["router"] == "objective"]
    assert len(sweep) == 3 and {row["parameter"] for row in sweep} == {"p95_ms"}
    for spec, field in (('{"kind": "min_cost", "p95_ms": -5}', "p95_ms"),
                        ('{"kind": "fastest"}', "kind"),
                        ('{"kind": "min_cost", "per_workload": {"video": 9}}',
                         "per_workload.video")):
        bad = subprocess.run([*base, "--objective", spec], capture_output=True, text=True,
                             check=False)
        assert bad.returncode == 2, bad.stderr
        assert field in bad.stderr and len(bad.stderr.strip().splitlines()) == 1


def test_classifier_decisions_are_explained_by_their_p_lambda(real_logs):
    from core.labels import balanced_optimal
    from core.objective.explain import explain_classifier_decisions
    from core.training import make_pipeline

    features = ["workload_type", "payload_size_kb", "time_window", "load_pattern"]
    labelled = balanced_optimal(real_logs, costs="thesis").dropna(subset=["label"])
    model = make_pipeline("lgbm", features, seed=0).fit(labelled, labelled["label"].astype(int))
    expl = explain_classifier_decisions(model, real_logs, threshold=0.5, n=12, seed=1)
    d = expl.decisions
    assert len(d) == 12 and (d["decided_by"] == "P(Lambda)").all()
    assert ((d["lambda_probability"] >= 0.5) == (d["route"] == "lambda")).all()
    # contributions + base add up to the margin (log-odds) behind P(Lambda)
    sums = expl.contributions.groupby("request")["contribution"].sum()
    assert np.allclose(sums.loc[d["request"]].to_numpy(), d["difference"].to_numpy(), atol=1e-6)
    assert np.allclose(1 / (1 + np.exp(-d["difference"])), d["lambda_probability"], atol=1e-6)


def test_paired_rows_train_both_platforms_from_each_request():
    rng = np.random.default_rng(4)
    n = 300
    workload = rng.choice(["lightweight_api", "heavy_processing"], n)
    base = np.where(workload == "heavy_processing", 3000.0, 100.0)
    frame = pd.DataFrame({
        "workload_type": workload, "payload_size_kb": rng.choice([1.0, 4096.0], n),
        "time_window": "midday", "load_pattern": "low_load",
        "lambda_latency_ms": base * rng.lognormal(0, 0.1, n),
        "ecs_latency_ms": 1.5 * base * rng.lognormal(0, 0.1, n),
        "lambda_cost_usd": base * 1e-8, "ecs_cost_usd": base * 3e-8})
    trained = train_predictors(frame, seed=0)
    assert trained.metrics["latency_field"] == "latency_ms"
    for platform in ("lambda", "ecs"):
        m = trained.metrics["platforms"][platform]
        assert m["train_rows"] + m["test_rows"] == n
    pred = trained.predictors.predict(frame.iloc[:5])
    assert (pred["ecs_latency_p50_ms"] > pred["lambda_latency_p50_ms"]).all()


def test_a_workload_missing_on_one_platform_is_said_and_one_platform_is_refused():
    from tests.test_objective_portable import logs

    frame = logs(800, seed=3)
    drop = (frame["workload_type"] == "heavy_processing") & (frame["platform"] == "ecs")
    trained = train_predictors(frame[~drop], seed=0)
    assert any("heavy_processing" in n and "ecs" in n for n in trained.metrics["notes"])
    with pytest.raises(UserError, match="ecs rows"):
        train_predictors(frame[frame["platform"] == "lambda"], seed=0)


@pytest.mark.parametrize("objective", [MinCost(2000.0), MinCost(1000.0, {"heavy_processing":
                                                                         6000.0}),
                                       MinLatency(8.0), Weighted(1e-6, "p95")])
def test_the_explained_difference_has_the_sign_of_the_route(real_logs, trained, objective):
    expl = explain_decisions(trained.predictors, real_logs, objective, n=40, seed=5)
    d = expl.decisions
    assert ((d["difference"] < 0) == (d["route"] == "lambda")).all()
    sums = expl.contributions.groupby("request")["contribution"].sum()
    assert np.allclose(sums.loc[d["request"]].to_numpy(), d["difference"].to_numpy(),
                       rtol=1e-6, atol=1e-12)


def test_report_summary_and_section_on_the_real_logs(real_logs):
    from core.objective.report import section, summarise
    from core.report.document import Section

    summary = summarise(real_logs, label_rule={"cost_profile": "thesis"}, points=3)
    assert summary["objective"]["kind"] == "min_cost" and summary["cost_profile"] == "thesis"
    assert {"lambda", "ecs", "objective router", "label-rule oracle", "cost oracle"} == set(
        summary["table"]["router"])
    assert (summary["pareto"]["router"] == "objective").sum() == 3
    sec = Section("Routing by objective")
    assert section(summary, sec) is True
    kinds = [b.kind for b in sec.blocks]
    assert "figure" in kinds and kinds.count("table") >= 3
    assert section(None, Section("x")) is False


def test_pareto_points_are_named_unless_crowded_and_the_sweep_is_drawn_on_top():
    """Lambda-only and two oracles a hair apart (as on the real logs) are named by the
    legend only; a point alone keeps its text; the objective's line is the last trace."""
    from core.objective.figures import pareto_figure

    table = pd.DataFrame([
        {"router": "objective", "parameter": "p95_ms", "value": v, "latency_p95_ms": x,
         "cost_usd": 0.030, "hindsight": False} for v, x in ((4000, 4100), (5000, 4200))] + [
        {"router": r, "parameter": None, "value": None, "latency_p95_ms": x, "cost_usd": y,
         "hindsight": h} for r, x, y, h in (
            ("lambda-only", 4100, 0.0300, False), ("label-rule oracle", 4105, 0.0301, True),
            ("cost oracle", 4110, 0.0299, True), ("ecs-only", 6400, 0.100, False))])
    fig = pareto_figure(table)
    modes = {t.name: t.mode for t in fig.data}
    assert modes["ecs-only"] == "markers+text"
    assert all(modes[r] == "markers" for r in ("lambda-only", "label-rule oracle",
                                               "cost oracle"))
    assert fig.data[-1].name == "objective router (p95_ms)"
