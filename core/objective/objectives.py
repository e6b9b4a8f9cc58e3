"""Objectives: small parameterised objects that turn per-platform predictions into a route.

Why a pure function of the predictions: the same decision must come out of the library, the
simulator and the deployed function (whose stdlib copy, ``core.portable.evaluator.decide``,
a test keeps equal to this one), and an explanation of a decision is then an explanation of
the predicted differences it compares.

Kinds (JSON ``{"kind": ..., parameters}``):

* ``min_cost``: least predicted cost among the platforms whose predicted p95 meets the SLO
  (``p95_ms`` for every workload, ``per_workload`` {workload: ms} overrides it); when only one
  meets it, that one; when none does, the lower predicted p95.
* ``min_latency``: least predicted latency (``latency`` p50 or p95) among the platforms whose
  predicted cost fits ``budget_per_million_usd``; when none fits, the cheaper.
* ``weighted``: least predicted ``cost + value_of_time_usd_per_s x latency``.
* ``label_rule``: the thesis's label on predictions: Lambda when its predicted median latency
  and its predicted cost are both below ``(1 - margin)`` times ECS's (the classifier's target).

Ties go to ECS, as in the label rule.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from core.errors import UserError

PLATFORMS = ("lambda", "ecs")
TARGETS = ("latency_p50_ms", "latency_p95_ms", "cost_usd")
#: The prediction arrays a decision reads: ``{platform}_{target}``.
PREDICTION_KEYS = tuple(f"{p}_{t}" for p in PLATFORMS for t in TARGETS)
LATENCY_STATS = ("p50", "p95")

Predictions = dict[str, np.ndarray]


def _number(name: str, value: Any, *, positive: bool = True, lo: float = 0.0) -> float:
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if not ok or not math.isfinite(float(value)) or (
            float(value) <= lo if positive else float(value) < lo):
        bound = f"above {lo:g}" if positive else f"at least {lo:g}"
        raise UserError(f"objective field {name} must be a number {bound}; got {value!r}.")
    return float(value)


def _arrays(pred: Predictions, n: int | None = None) -> dict[str, np.ndarray]:
    missing = [k for k in PREDICTION_KEYS if k not in pred]
    if missing:
        raise UserError(f"predictions lack {missing}; a router predicts {list(PREDICTION_KEYS)}.")
    return {k: np.asarray(pred[k], dtype=float) for k in PREDICTION_KEYS}


@dataclass(frozen=True)
class MinCost:
    """Least cost subject to a p95 latency SLO (global and/or per workload)."""

    kind: ClassVar[str] = "min_cost"
    p95_ms: float | None = None
    per_workload: dict[str, float] = field(default_factory=dict)

    def slo(self, workload: np.ndarray) -> np.ndarray:
        """Each request's SLO (ms); inf where no SLO applies."""
        workload = np.asarray(workload, dtype=object)
        out = np.full(len(workload), math.inf if self.p95_ms is None else self.p95_ms)
        for name, ms in self.per_workload.items():
            out[workload == name] = ms
        return out

    def decide(self, pred: Predictions, workload: np.ndarray) -> np.ndarray:
        p = _arrays(pred)
        slo = self.slo(workload)
        ok_l, ok_e = p["lambda_latency_p95_ms"] <= slo, p["ecs_latency_p95_ms"] <= slo
        cheaper = p["lambda_cost_usd"] < p["ecs_cost_usd"]
        faster = p["lambda_latency_p95_ms"] < p["ecs_latency_p95_ms"]
        return np.where(ok_l & ok_e, cheaper, np.where(ok_l != ok_e, ok_l, faster))

    def weights(self, pred: Predictions, workload: np.ndarray) -> dict[str, np.ndarray]:
        """What decided each request: the cost difference where both platforms meet the SLO
        as predicted, else the p95 difference."""
        p = _arrays(pred)
        slo = self.slo(workload)
        both = (p["lambda_latency_p95_ms"] <= slo) & (p["ecs_latency_p95_ms"] <= slo)
        return {"cost_usd": both.astype(float), "latency_p95_ms": (~both).astype(float)}

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "p95_ms": self.p95_ms}
        if self.per_workload:
            out["per_workload"] = dict(self.per_workload)
        return out

    def describe(self) -> str:
        parts = [f"p95 <= {self.p95_ms:,.0f} ms" if self.p95_ms is not None else None,
                 *[f"{k} p95 <= {v:,.0f} ms" for k, v in self.per_workload.items()]]
        return "least cost with " + ", ".join(p for p in parts if p) if any(parts) \
            else "least cost (no SLO)"


@dataclass(frozen=True)
class MinLatency:
    """Least latency within a cost budget per million requests."""

    kind: ClassVar[str] = "min_latency"
    budget_per_million_usd: float = math.inf
    latency: str = "p50"

    def decide(self, pred: Predictions, workload: np.ndarray) -> np.ndarray:
        p = _arrays(pred)
        budget = self.budget_per_million_usd / 1e6
        ok_l, ok_e = p["lambda_cost_usd"] <= budget, p["ecs_cost_usd"] <= budget
        key = f"latency_{self.latency}_ms"
        faster = p[f"lambda_{key}"] < p[f"ecs_{key}"]
        cheaper = p["lambda_cost_usd"] < p["ecs_cost_usd"]
        return np.where(ok_l & ok_e, faster, np.where(ok_l != ok_e, ok_l, cheaper))

    def weights(self, pred: Predictions, workload: np.ndarray) -> dict[str, np.ndarray]:
        p = _arrays(pred)
        budget = self.budget_per_million_usd / 1e6
        both = (p["lambda_cost_usd"] <= budget) & (p["ecs_cost_usd"] <= budget)
        return {f"latency_{self.latency}_ms": both.astype(float),
                "cost_usd": (~both).astype(float)}

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "budget_per_million_usd": self.budget_per_million_usd,
                "latency": self.latency}

    def describe(self) -> str:
        return (f"least {self.latency} latency within ${self.budget_per_million_usd:,.2f} per "
                "million requests")


@dataclass(frozen=True)
class Weighted:
    """Least cost + value of time x latency (both predicted)."""

    kind: ClassVar[str] = "weighted"
    value_of_time_usd_per_s: float = 1e-5
    latency: str = "p50"

    def score(self, pred: Predictions, platform: str) -> np.ndarray:
        p = _arrays(pred)
        return (p[f"{platform}_cost_usd"] + self.value_of_time_usd_per_s
                * p[f"{platform}_latency_{self.latency}_ms"] / 1000.0)

    def decide(self, pred: Predictions, workload: np.ndarray) -> np.ndarray:
        return self.score(pred, "lambda") < self.score(pred, "ecs")

    def weights(self, pred: Predictions, workload: np.ndarray) -> dict[str, np.ndarray]:
        n = len(np.asarray(pred["lambda_cost_usd"]))
        return {"cost_usd": np.ones(n),
                f"latency_{self.latency}_ms": np.full(n, self.value_of_time_usd_per_s / 1000.0)}

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "value_of_time_usd_per_s": self.value_of_time_usd_per_s,
                "latency": self.latency}

    def describe(self) -> str:
        return (f"least cost + ${self.value_of_time_usd_per_s:g} per second of {self.latency} "
                "latency")


@dataclass(frozen=True)
class LabelRule:
    """The classifier's target on predictions: Lambda better by the margin on both."""

    kind: ClassVar[str] = "label_rule"
    margin: float = 0.10

    def decide(self, pred: Predictions, workload: np.ndarray) -> np.ndarray:
        p = _arrays(pred)
        keep = 1.0 - self.margin
        return ((p["lambda_latency_p50_ms"] < keep * p["ecs_latency_p50_ms"])
                & (p["lambda_cost_usd"] < keep * p["ecs_cost_usd"]))

    def weights(self, pred: Predictions, workload: np.ndarray) -> dict[str, np.ndarray]:
        """The condition with the smaller relative room decided (the failing one for ECS)."""
        p = _arrays(pred)
        keep = 1.0 - self.margin
        with np.errstate(divide="ignore", invalid="ignore"):
            room_lat = keep - p["lambda_latency_p50_ms"] / p["ecs_latency_p50_ms"]
            room_cost = keep - p["lambda_cost_usd"] / p["ecs_cost_usd"]
        latency = np.nan_to_num(room_lat, nan=0.0) <= np.nan_to_num(room_cost, nan=0.0)
        return {"latency_p50_ms": latency.astype(float), "cost_usd": (~latency).astype(float)}

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "margin": self.margin}

    def describe(self) -> str:
        return f"the label rule: Lambda {self.margin:.0%} better on median latency and cost"


Objective = MinCost | MinLatency | Weighted | LabelRule
KINDS: dict[str, type] = {c.kind: c for c in (MinCost, MinLatency, Weighted, LabelRule)}
_ALLOWED = {"min_cost": ("kind", "p95_ms", "per_workload"),
            "min_latency": ("kind", "budget_per_million_usd", "latency"),
            "weighted": ("kind", "value_of_time_usd_per_s", "latency"),
            "label_rule": ("kind", "margin")}


def _latency(spec: dict) -> str:
    value = spec.get("latency", "p50")
    if value not in LATENCY_STATS:
        raise UserError(f"objective field latency must be one of {list(LATENCY_STATS)}; got "
                        f"{value!r}.")
    return value


def parse_objective(spec: Any, workloads: list[str] | None = None) -> Objective:
    """An objective from its JSON form (or an objective, returned as is).

    ``workloads``: the workloads the router knows; a per-workload SLO for another workload is
    refused. Every bad value raises UserError naming the field.
    """
    if isinstance(spec, MinCost | MinLatency | Weighted | LabelRule):
        obj = spec
    else:
        obj = _from_dict(spec)
    if workloads is not None and isinstance(obj, MinCost):
        unknown = sorted(set(obj.per_workload) - {str(w) for w in workloads})
        if unknown:
            raise UserError(f"objective field per_workload.{unknown[0]}: unknown workload; the "
                            f"router knows {sorted(map(str, workloads))}.")
    return obj


def _from_dict(spec: Any) -> Objective:
    if not isinstance(spec, dict):
        raise UserError("An objective is a JSON object such as {\"kind\": \"min_cost\", "
                        f"\"p95_ms\": 1500}}; got {type(spec).__name__}.")
    kind = spec.get("kind")
    if kind not in KINDS:
        raise UserError(f"objective field kind must be one of {list(KINDS)}; got {kind!r}.")
    unknown = sorted(set(spec) - set(_ALLOWED[kind]))
    if unknown:
        raise UserError(f"objective field {unknown[0]} is not a parameter of {kind}; it takes "
                        f"{list(_ALLOWED[kind][1:])}.")
    if kind == "min_cost":
        p95 = spec.get("p95_ms")
        per = spec.get("per_workload") or {}
        if not isinstance(per, dict):
            raise UserError("objective field per_workload must be an object {workload: ms}.")
        if p95 is None and not per:
            raise UserError("objective field p95_ms is required for min_cost (a p95 latency "
                            "SLO in ms), unless per_workload gives one per workload.")
        return MinCost(None if p95 is None else _number("p95_ms", p95),
                       {str(k): _number(f"per_workload.{k}", v) for k, v in per.items()})
    if kind == "min_latency":
        if "budget_per_million_usd" not in spec:
            raise UserError("objective field budget_per_million_usd is required for "
                            "min_latency (USD per million requests).")
        return MinLatency(_number("budget_per_million_usd", spec["budget_per_million_usd"]),
                          _latency(spec))
    if kind == "weighted":
        return Weighted(_number("value_of_time_usd_per_s",
                                spec.get("value_of_time_usd_per_s", 1e-5), positive=False),
                        _latency(spec))
    margin = _number("margin", spec.get("margin", 0.10), positive=False)
    if margin > 0.5:
        raise UserError(f"objective field margin must be between 0 and 0.5; got {margin!r}.")
    return LabelRule(margin)


def decide(objective: Objective, pred: Predictions, workload: Any) -> np.ndarray:
    """True where the request goes to Lambda (vectorised over requests)."""
    workload = np.asarray(workload, dtype=object)
    return np.asarray(objective.decide(pred, workload), dtype=bool)


def objective_met(objective: Objective, strategies: dict[str, dict[str, Any]],
                  name: str = "hybrid") -> dict[str, Any]:
    """Whether a strategy's simulated figures meet the objective, with the figures compared.

    min_cost: its p95 (and each workload's, for per-workload SLOs) at or under the SLO;
    min_latency: its cost per million within the budget; weighted: its total of cost + value
    of time x latency no worse than the better single platform's; label_rule: no target
    figure (None).
    """
    s = strategies[name]
    if isinstance(objective, MinCost):
        checks = []
        if objective.p95_ms is not None:
            checks.append({"what": "latency_p95_ms", "value": s["latency_p95_ms"],
                           "target": objective.p95_ms})
        per = s.get("workload_p95_ms") or {}
        for wl, ms in objective.per_workload.items():
            checks.append({"what": f"{wl} latency_p95_ms", "value": per.get(wl),
                           "target": ms})
        met = all(c["value"] is not None and c["value"] <= c["target"] for c in checks)
        return {"met": met, "checks": checks}
    if isinstance(objective, MinLatency):
        check = {"what": "cost_per_million", "value": s["cost_per_million"],
                 "target": objective.budget_per_million_usd}
        return {"met": check["value"] <= check["target"], "checks": [check]}
    if isinstance(objective, Weighted):
        def total(fig: dict[str, Any]) -> float:
            key = "latency_mean_ms" if objective.latency == "p50" else "latency_p95_ms"
            return fig["cost_usd"] + objective.value_of_time_usd_per_s * fig[key] / 1000.0 \
                * fig["requests"]

        best = min(total(strategies[p]) for p in PLATFORMS if p in strategies)
        check = {"what": "cost + value of time x latency (USD)", "value": total(s),
                 "target": best}
        return {"met": check["value"] <= check["target"] * (1 + 1e-9), "checks": [check]}
    return {"met": None, "checks": []}
