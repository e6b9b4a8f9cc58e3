"""Routers across objective parameters on the calibrated replay: cost vs p95 latency.

Why: one objective setting is one point; the user's question ("what if p95 matters more than
cost?") is answered by the curve. Each point is a full calibrated replay (same seed, so the
same draws) of the objective router at one parameter value; the single-platform fleets, the
two hindsight oracles and, when given, the classifier router are points beside it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from core.errors import UserError
from core.objective.objectives import KINDS, parse_objective
from core.objective.predictors import PlatformPredictors

#: The parameter each kind sweeps.
SWEPT = {"min_cost": "p95_ms", "min_latency": "budget_per_million_usd",
         "weighted": "value_of_time_usd_per_s", "label_rule": "margin"}
POINTS = 7


def default_values(kind: str, singles: dict[str, dict[str, Any]], points: int = POINTS
                   ) -> list[float]:
    """Parameter values spanning what the single-platform fleets reach."""
    if kind not in KINDS:
        raise UserError(f"objective field kind must be one of {list(KINDS)}; got {kind!r}.")
    p95 = [s["latency_p95_ms"] for s in singles.values()]
    per_m = [s["cost_per_million"] for s in singles.values()]
    if kind == "min_cost":
        return [float(v) for v in np.linspace(0.85 * min(p95), 1.1 * max(p95), points)]
    if kind == "min_latency":
        return [float(v) for v in np.geomspace(0.5 * min(per_m), 1.5 * max(per_m), points)]
    if kind == "weighted":
        return [float(v) for v in np.geomspace(1e-7, 1e-2, points)]
    return [float(v) for v in np.linspace(0.0, 0.5, points)]


def _point(name: str, figures: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"router": name, "cost_usd": figures["cost_usd"],
            "cost_per_million": figures["cost_per_million"],
            "latency_p95_ms": figures["latency_p95_ms"],
            "latency_p50_ms": figures["latency_p50_ms"],
            "lambda_share": figures.get("lambda_share"),
            "routing_accuracy": figures.get("routing_accuracy"), **extra}


def pareto(frame: pd.DataFrame, predictors: PlatformPredictors, *, kind: str = "min_cost",
           values: list[float] | None = None, settings: Any = None, classifier: Any = None,
           classifier_threshold: float = 0.5, base: dict[str, Any] | None = None
           ) -> pd.DataFrame:
    """One row per router point: router, parameter, value, cost, p95, p50, Lambda share,
    routing accuracy, objective_met, ``hindsight`` (the oracles: not reachable by a router)
    and ``on_front`` (a reachable point no other reachable point beats on both cost and
    p95). ``base`` adds fixed objective fields (e.g. a per-workload SLO)."""
    from core.simulate.replay import ReplaySettings, replay

    settings = settings or ReplaySettings()
    first = replay(frame, replace(settings, router="oracle"))
    singles = {p: first.strategies[p] for p in ("lambda", "ecs")}
    rows = [_point(f"{p}-only", s) for p, s in singles.items()]
    rows += [_point("label-rule oracle", first.strategies["oracle"]),
             _point("cost oracle", first.strategies["cost_oracle"])]
    if classifier is not None:
        result = replay(frame, replace(settings, router="model",
                                       threshold=classifier_threshold), pipeline=classifier)
        rows.append(_point("classifier", result.strategies["hybrid"]))
    param = SWEPT.get(kind)
    for value in values if values is not None else default_values(kind, singles):
        objective = parse_objective({**(base or {}), "kind": kind, param: value},
                                    predictors.workloads)
        result = replay(frame, replace(settings, router="objective", objective=objective),
                        pipeline=predictors)
        hybrid = result.strategies["hybrid"]
        rows.append(_point("objective", hybrid, parameter=param, value=float(value),
                           objective_met=hybrid.get("objective_met")))
    table = pd.DataFrame(rows)
    table["hindsight"] = table["router"].isin(["label-rule oracle", "cost oracle"])
    cost, p95 = table["cost_usd"].to_numpy(), table["latency_p95_ms"].to_numpy()
    real = ~table["hindsight"].to_numpy()
    dominated = [bool((real & (cost <= c) & (p95 <= p) & ((cost < c) | (p95 < p))).any())
                 for c, p in zip(cost, p95, strict=True)]
    table["on_front"] = real & ~np.array(dominated)
    return table
