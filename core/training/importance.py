"""Permutation and native importance per *input* feature, and the 40 % dominance check.

Why per input feature: one-hot parts of workload_type are one decision for the user, so
permutation shuffles the raw column (all its one-hot parts move together) and native
importances are summed back with `FeatureTransform.source_feature_`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from core.diagnostics.result import percent_vs
from core.training.metrics import score

DOMINANCE_SHARE = 0.40
MAX_PERMUTATION_ROWS = 5000
COLUMNS = ["model", "feature", "method", "importance", "share"]


def _shares(values: dict[str, float]) -> dict[str, float]:
    positive = {k: max(v, 0.0) for k, v in values.items()}
    total = sum(positive.values())
    return {k: (v / total if total > 0 else 0.0) for k, v in positive.items()}


def _frame(model: str, method: str, values: dict[str, float]) -> pd.DataFrame:
    shares = _shares(values)
    rows = [{"model": model, "feature": k, "method": method, "importance": float(v),
             "share": shares[k]} for k, v in values.items()]
    return pd.DataFrame(rows, columns=COLUMNS).sort_values("share", ascending=False)


def permutation(model: str, pipeline: Any, frame: pd.DataFrame, y: np.ndarray, *,
                seed: int = 0, repeats: int = 3) -> pd.DataFrame:
    """Mean drop in ROC-AUC (accuracy if one class) when one input column is shuffled."""
    rng = np.random.default_rng(seed)
    if len(frame) > MAX_PERMUTATION_ROWS:
        pick = np.sort(rng.choice(len(frame), MAX_PERMUTATION_ROWS, replace=False))
        frame, y = frame.iloc[pick], y[pick]
    frame = frame.reset_index(drop=True)
    metric = "roc_auc" if len(np.unique(y)) == 2 else "accuracy"
    base = score(y, pipeline.predict_proba(frame)[:, 1], metric)
    features = pipeline.named_steps["features"].input_features_
    values: dict[str, float] = {}
    for col in features:
        drops = []
        for _ in range(repeats):
            shuffled = frame.copy()
            shuffled[col] = frame[col].to_numpy()[rng.permutation(len(frame))]
            drops.append(base - score(y, pipeline.predict_proba(shuffled)[:, 1], metric))
        values[col] = float(np.mean(drops))
    return _frame(model, "permutation", values)


def permutation_encoded(model: str, head: Any, x: np.ndarray, y: np.ndarray,
                        groups: dict[str, list[int]], *, seed: int = 0, repeats: int = 3
                        ) -> pd.DataFrame:
    """`permutation` on rows already encoded: shuffling an input column shuffles its encoded
    columns together (the transform works row by row), with the same random draws, so the
    numbers equal `permutation` on the raw rows through the whole pipeline."""
    rng = np.random.default_rng(seed)
    if len(x) > MAX_PERMUTATION_ROWS:
        pick = np.sort(rng.choice(len(x), MAX_PERMUTATION_ROWS, replace=False))
        x, y = x[pick], y[pick]
    x = np.array(x)
    metric = "roc_auc" if len(np.unique(y)) == 2 else "accuracy"
    base = score(y, head.predict_proba(x)[:, 1], metric)
    values: dict[str, float] = {}
    for col, cols in groups.items():
        drops = []
        for _ in range(repeats):
            shuffled = x.copy()
            shuffled[:, cols] = x[rng.permutation(len(x))][:, cols]
            drops.append(base - score(y, head.predict_proba(shuffled)[:, 1], metric))
        values[col] = float(np.mean(drops))
    return _frame(model, "permutation", values)


def native(model: str, pipeline: Any) -> pd.DataFrame:
    """Tree importances or |coefficients| summed per input feature; empty if the model has
    neither (baseline, MLP)."""
    est = pipeline.named_steps["model"]
    if hasattr(est, "feature_importances_"):
        raw = np.asarray(est.feature_importances_, dtype=float)
    elif hasattr(est, "coef_"):
        raw = np.abs(np.asarray(est.coef_, dtype=float)).ravel()
    else:
        return pd.DataFrame(columns=COLUMNS)
    sources = pipeline.named_steps["features"].source_feature_
    values: dict[str, float] = {}
    for src, v in zip(sources, raw, strict=True):
        values[src] = values.get(src, 0.0) + float(v)
    return _frame(model, "native", values)


def dominance_findings(importances: pd.DataFrame, threshold: float = DOMINANCE_SHARE
                       ) -> list[dict[str, Any]]:
    """FEATURE_DOMINANCE findings (DESIGN.md shape): one per model and feature over 40 %."""
    out: list[dict[str, Any]] = []
    if importances.empty:
        return out
    for (model, method), part in importances.groupby(["model", "method"], sort=False):
        top = part.sort_values("share", ascending=False).iloc[0]
        if top["share"] > threshold:
            out.append({
                "code": "FEATURE_DOMINANCE",
                "severity": "warn",
                "columns": [top["feature"]],
                "message": (f"{top['feature']} carries {percent_vs(top['share'], threshold)} "
                            f"of the {method} importance of {model} (more than "
                            f"{threshold:.0%}): the model "
                            "is close to a lookup on one column."),
                "evidence": {"model": model, "method": method, "feature": top["feature"],
                             "share": round(float(top["share"]), 4),
                             "threshold": threshold},
                "advice": ("Check on the Variance page whether the label is fixed within "
                           f"{top['feature']} and whether payload or time vary inside it."),
            })
    return out
