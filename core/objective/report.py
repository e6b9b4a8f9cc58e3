"""The report's "Routing by objective" section: a router trained on the story's data, replayed
calibrated with its default objective beside the single platforms and both oracles, a Pareto
sweep, explained decisions and the predictors' held-out metrics.

Why a summary dict: the report command computes it (``summarise``) and the Route by objective
page hands over what the user ran there; ``section`` writes either into the report.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pandas as pd

from core.objective.objectives import parse_objective
from core.objective.predictors import metrics_frame, train_predictors

POINTS = 5
EXPLAINED = 10
STRATEGY_NAMES = {"lambda": "lambda", "ecs": "ecs", "hybrid": "objective router",
                  "oracle": "label-rule oracle", "cost_oracle": "cost oracle"}


def comparison(strategies: dict[str, dict[str, Any]], extra: dict[str, dict] | None = None
               ) -> pd.DataFrame:
    """Cost, p50/p95 and Lambda share per strategy (the objective router as "hybrid")."""
    rows = {STRATEGY_NAMES[k]: v for k, v in strategies.items() if k in STRATEGY_NAMES}
    rows.update(extra or {})
    return pd.DataFrame([{"router": name, "cost_usd": s["cost_usd"],
                          "cost_per_million": s["cost_per_million"],
                          "latency_p50_ms": s["latency_p50_ms"],
                          "latency_p95_ms": s["latency_p95_ms"],
                          "lambda_share": s["lambda_share"],
                          "routing_accuracy": s["routing_accuracy"]}
                         for name, s in rows.items()])


def workload_p95(strategies: dict[str, dict[str, Any]], objective: Any) -> pd.DataFrame:
    """p95 per workload (ms) of Lambda-only, ECS-only and the objective router, with each
    workload's SLO when the objective has one."""
    names = {"lambda": "lambda", "ecs": "ecs", "hybrid": "objective router"}
    table = pd.DataFrame({names[k]: strategies[k]["workload_p95_ms"] for k in names})
    if hasattr(objective, "slo"):
        slo = objective.slo(table.index.to_numpy(dtype=object))
        table["SLO"] = [None if v == float("inf") else float(v) for v in slo]
    return table.reset_index(names="workload_type")


def summarise(frame: pd.DataFrame, *, label_rule: dict[str, Any] | None = None, seed: int = 1,
              points: int = POINTS) -> dict[str, Any]:
    """Train a router on ``frame`` (the label rule's cost profile, view and latency field),
    replay it with its default objective, sweep that objective's parameter, explain a few
    decisions. UserError when the data cannot be replayed (one platform, no timestamps)."""
    from core.cost_profile import DEFAULT_PROFILE, get_profile
    from core.objective.explain import explain_decisions
    from core.objective.pareto import default_values, pareto
    from core.simulate.replay import ReplaySettings, replay

    rule = label_rule or {}
    latency = rule.get("latency_field")
    latency = latency if latency in ("execution_time_ms", "latency_ms") else None
    profile = get_profile(rule.get("cost_profile") or DEFAULT_PROFILE)
    view = rule.get("view", "marginal")
    trained = train_predictors(frame, costs=profile, view=view, latency_col=latency, seed=0)
    objective = parse_objective(trained.default_objective)
    settings = ReplaySettings(costs=profile, view=view, margin=rule.get("margin", 0.10),
                              latency_col=latency, seed=seed)
    result = replay(frame, replace(settings, router="objective", objective=objective),
                    pipeline=trained.predictors)
    hybrid = result.strategies["hybrid"]
    values = default_values(objective.kind, {p: result.strategies[p] for p in ("lambda", "ecs")},
                            points)
    sweep = pareto(frame, trained.predictors, kind=objective.kind, settings=settings,
                   values=values)
    decisions = explain_decisions(trained.predictors, frame, objective, n=EXPLAINED, seed=seed)
    return {"describe": objective.describe(), "objective": objective.to_dict(),
            "workload_p95": workload_p95(result.strategies, objective),
            "met": hybrid.get("objective_met"), "checks": hybrid["objective"]["checks"],
            "table": comparison(result.strategies), "pareto": sweep,
            "decisions": decisions.decisions, "metrics": metrics_frame(trained.metrics),
            "notes": trained.metrics.get("notes", []), "rows": trained.rows,
            "cost_profile": profile.name, "view": view}


def section(summary: dict[str, Any] | None, sec: Any) -> bool:
    """Write the summary into a report Section; False when there is none."""
    if summary is None:
        return False
    from core.objective.figures import pareto_figure

    met = {True: "met", False: "not met", None: "without a target figure"}[summary.get("met")]
    checks = "; ".join(f"{c['what']} {c['value']:,.6g} against {c['target']:,.6g}"
                       for c in summary.get("checks") or [])
    sec.text("Instead of one yes/no label, LightGBM regressors predict each platform's latency "
             "(median and p95) and cost per request; an objective decides from those "
             f"predictions. Objective: {summary['describe']}; in the calibrated replay it was "
             f"{met}{f' ({checks})' if checks else ''}.")
    table = summary["table"]
    lam = table.set_index("router")
    if {"lambda", "objective router"} <= set(lam.index):
        router, base = lam.loc["objective router"], lam.loc["lambda"]
        sec.text(f"The objective router costs {router['cost_usd']:.5f} USD against "
                 f"Lambda-only's {base['cost_usd']:.5f} USD, at a p95 of "
                 f"{router['latency_p95_ms']:,.0f} ms against {base['latency_p95_ms']:,.0f} ms "
                 f"(Lambda share {router['lambda_share']:.0%}).")
    sec.table("objective_comparison", table)
    if summary.get("workload_p95") is not None:
        sec.table("objective_workload_p95", summary["workload_p95"])
    if summary.get("pareto") is not None and len(summary["pareto"]):
        sec.figure("objective_pareto", pareto_figure(summary["pareto"]))
    if summary.get("decisions") is not None and len(summary["decisions"]):
        cols = [c for c in ("request", "workload_type", "route", "decided_by", "reason_1",
                            "reason_2", "reason_3") if c in summary["decisions"].columns]
        sec.table("objective_decisions", summary["decisions"][cols])
    if summary.get("metrics") is not None:
        sec.table("objective_predictor_metrics", summary["metrics"])
    for note in summary.get("notes") or []:
        sec.text(f"Note: {note}")
    return True
