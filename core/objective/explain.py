"""Why each request went where: SHAP of an objective router's decision.

An objective compares a predicted quantity between the platforms: cost where both meet the
SLO, p95 where the SLO binds, cost + value of time x latency for ``weighted`` (see each
objective's ``weights``). TreeSHAP is additive and the comparison is linear in the
predictions, so the contributions of each input feature to the predicted *difference*
(Lambda minus ECS; negative favours Lambda, as lower is better for every quantity) are the
same linear combination of the per-model contributions. They sum, with the base value, to
the difference the decision compared (a test holds this). For ``label_rule`` the margin
sits between the two sides (Lambda must be 10 % better), so a small negative difference can
still route to ECS; for every other kind the sign of the difference is the route.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from core.errors import UserError
from core.objective.objectives import PLATFORMS, Objective, decide
from core.objective.predictors import PlatformPredictors

QUANTITY = {"cost_usd": "predicted cost", "latency_p50_ms": "predicted median latency",
            "latency_p95_ms": "predicted p95 latency"}
UNIT = {"cost_usd": "USD", "latency_p50_ms": "ms", "latency_p95_ms": "ms"}
TOP = 3


@dataclass
class DecisionExplanation:
    """Sampled decisions with their reasons, the contributions behind them, per workload."""

    objective: dict[str, Any]
    decisions: pd.DataFrame
    contributions: pd.DataFrame
    summary: pd.DataFrame

    def to_json(self) -> dict[str, Any]:
        return {"objective": self.objective, "rows": len(self.decisions),
                "decisions": _records(self.decisions),
                "contributions": _records(self.contributions),
                "summary": _records(self.summary)}


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    out = []
    for rec in frame.to_dict(orient="records"):
        out.append({k: (v.item() if hasattr(v, "item") else
                        None if isinstance(v, float) and not np.isfinite(v) else v)
                    for k, v in rec.items()})
    return out


def _decided_by(weights: dict[str, np.ndarray]) -> np.ndarray:
    """Per request, the quantity that decided ("cost_usd", "latency_p95_ms", or
    "weighted" when cost and latency both count)."""
    keys = list(weights)
    n = len(next(iter(weights.values())))
    active = np.column_stack([weights[k] > 0 for k in keys]) if keys else np.zeros((n, 0))
    out = np.empty(n, dtype=object)
    for i in range(n):
        names = [k for k, on in zip(keys, active[i], strict=True) if on]
        out[i] = names[0] if len(names) == 1 else "weighted"
    return out


def _format(value: float, unit: str) -> str:
    if unit == "USD":
        return f"{value:.3g} USD"
    return f"{value:,.0f} ms" if abs(value) >= 10 else f"{value:.1f} ms"


def explain_decisions(predictors: PlatformPredictors, frame: pd.DataFrame,
                      objective: Objective, *, n: int = 20, seed: int = 0
                      ) -> DecisionExplanation:
    """Explain the decisions for ``n`` requests sampled (seeded) from ``frame``."""
    inputs = predictors.input_features
    missing = [c for c in inputs if c not in frame.columns]
    if missing:
        raise UserError(f"The router reads {inputs}; the data lacks {missing}.")
    usable = frame[frame["workload_type"].notna()]
    if usable.empty:
        raise UserError("No request with a workload_type to explain.")
    rng = np.random.default_rng(seed)
    take = np.sort(rng.choice(len(usable), size=min(n, len(usable)), replace=False))
    sample = usable.iloc[take][inputs].reset_index(drop=True)
    index = usable.index[take]
    workload = sample["workload_type"].astype(str).to_numpy(dtype=object)
    pred = predictors.predict(sample)
    choice = decide(objective, pred, workload)
    weights = objective.weights(pred, workload)
    contrib = predictors.contributions(sample)
    columns = [*inputs, "base"]
    diff = np.zeros((len(sample), len(columns)))
    for target, w in weights.items():
        diff += w[:, None] * (contrib[f"lambda_{target}"] - contrib[f"ecs_{target}"])
    decided = _decided_by(weights)
    records, long = [], []
    for i in range(len(sample)):
        key = decided[i]
        unit = UNIT.get(key, "USD")
        what = QUANTITY.get(key, "predicted cost + value of time x latency")
        order = np.argsort(-np.abs(diff[i, :-1]), kind="stable")[:TOP]
        reasons = []
        for j in order:
            value = sample.iloc[i][inputs[j]]
            side = "Lambda" if diff[i, j] < 0 else "ECS"
            reasons.append(f"{inputs[j]}={_show(value)}: {what} "
                           f"{'-' if diff[i, j] < 0 else '+'}{_format(abs(diff[i, j]), unit)} "
                           f"on Lambda vs ECS (favours {side})")
        records.append({
            "request": int(index[i]) if np.issubdtype(type(index[i]), np.integer) else
            str(index[i]),
            "workload_type": workload[i], "route": "lambda" if choice[i] else "ecs",
            "decided_by": key, "difference": float(diff[i].sum()), "unit": unit,
            **{f"{p}_{t}": float(pred[f"{p}_{t}"][i]) for p in PLATFORMS
               for t in ("latency_p50_ms", "latency_p95_ms", "cost_usd")},
            **{f"reason_{k + 1}": (reasons[k] if k < len(reasons) else None)
               for k in range(TOP)}})
        for j, col in enumerate(columns):
            long.append({"request": records[-1]["request"], "workload_type": workload[i],
                         "route": records[-1]["route"], "feature": col,
                         "contribution": float(diff[i, j]), "unit": unit})
    decisions = pd.DataFrame(records)
    contributions = pd.DataFrame(long)
    return DecisionExplanation(objective=objective.to_dict(), decisions=decisions,
                               contributions=contributions,
                               summary=_summary(decisions, contributions))


def _show(value: Any) -> str:
    if isinstance(value, float | np.floating):
        return f"{float(value):g}"
    return str(value)


def _summary(decisions: pd.DataFrame, contributions: pd.DataFrame) -> pd.DataFrame:
    """Per workload: sampled requests, Lambda share, what decided, the feature with the
    largest mean |contribution|."""
    rows = []
    for name, group in decisions.groupby("workload_type", sort=True):
        contrib = contributions[(contributions["workload_type"] == name)
                                & (contributions["feature"] != "base")]
        strength = contrib.assign(a=contrib["contribution"].abs()).groupby("feature")["a"].mean()
        rows.append({"workload_type": name, "requests": len(group),
                     "lambda_share": float((group["route"] == "lambda").mean()),
                     "decided_by": group["decided_by"].value_counts().idxmax(),
                     "top_feature": strength.idxmax() if len(strength) else None})
    return pd.DataFrame(rows)


def explain_classifier_decisions(pipeline: Any, frame: pd.DataFrame, *, threshold: float = 0.5,
                                 n: int = 20, seed: int = 0,
                                 model_id: str | None = None) -> DecisionExplanation:
    """The same table for a classifier router: SHAP contributions to its P(Lambda) (in its
    output space, log-odds for boosted trees), route = P(Lambda) >= threshold; a positive
    contribution favours Lambda."""
    from core.explain import explain

    usable = frame[frame["workload_type"].notna()] if "workload_type" in frame.columns \
        else frame
    if usable.empty:
        raise UserError("No request to explain.")
    rng = np.random.default_rng(seed)
    take = np.sort(rng.choice(len(usable), size=min(n, len(usable)), replace=False))
    sample = usable.iloc[take]
    expl = explain(pipeline, sample.reset_index(drop=True), sample=None, seed=seed,
                   model_id=model_id)
    proba = np.asarray(pipeline.predict_proba(sample))[:, 1]
    features = expl.features
    records, long = [], []
    for i in range(len(sample)):
        values = expl.shap.iloc[i].to_numpy(dtype=float)
        order = np.argsort(-np.abs(values), kind="stable")[:TOP]
        reasons = [f"{features[j]}={_show(sample.iloc[i][features[j]])}: "
                   f"{'+' if values[j] >= 0 else '-'}{abs(values[j]):.3g} {expl.output} of "
                   f"P(Lambda) (favours {'Lambda' if values[j] > 0 else 'ECS'})"
                   for j in order]
        request = sample.index[i]
        workload = str(sample.iloc[i].get("workload_type", ""))
        route = "lambda" if proba[i] >= threshold else "ecs"
        records.append({"request": int(request) if isinstance(request, int | np.integer)
                        else str(request), "workload_type": workload, "route": route,
                        "decided_by": "P(Lambda)", "lambda_probability": float(proba[i]),
                        "difference": float(expl.margin[i]), "unit": expl.output,
                        **{f"reason_{k + 1}": (reasons[k] if k < len(reasons) else None)
                           for k in range(TOP)}})
        for j, col in enumerate([*features, "base"]):
            long.append({"request": records[-1]["request"], "workload_type": workload,
                         "route": route, "feature": col,
                         "contribution": float(values[j]) if col != "base"
                         else float(expl.base_value), "unit": expl.output})
    decisions, contributions = pd.DataFrame(records), pd.DataFrame(long)
    return DecisionExplanation(objective={"kind": "classifier", "threshold": threshold},
                               decisions=decisions, contributions=contributions,
                               summary=_summary(decisions, contributions))
