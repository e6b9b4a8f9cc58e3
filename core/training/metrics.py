"""Classification metrics, confusion matrix and tidy ROC / PR / calibration frames.

Tidy (long) frames, one row per point with a `model` column, so one frame serves one model
or many and plotly draws it with `color="model"`.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from sklearn import metrics as skm

#: metric -> greater is better
METRICS = {"accuracy": True, "precision": True, "recall": True, "f1": True, "roc_auc": True,
           "pr_auc": True, "log_loss": False, "brier": False}
THRESHOLD = 0.5
_EPS = 1e-15


def classification_metrics(y: np.ndarray, proba: np.ndarray) -> dict[str, float]:
    """All metrics for labels y (0/1) and P(class 1); NaN where undefined (one class)."""
    y = np.asarray(y, dtype=int)
    proba = np.clip(np.asarray(proba, dtype=float), 0.0, 1.0)
    pred = (proba >= THRESHOLD).astype(int)
    both = len(np.unique(y)) == 2
    p = np.clip(proba, _EPS, 1 - _EPS)
    return {
        "accuracy": float(np.mean(pred == y)),
        "precision": float(skm.precision_score(y, pred, zero_division=0)),
        "recall": float(skm.recall_score(y, pred, zero_division=0)),
        "f1": float(skm.f1_score(y, pred, zero_division=0)),
        "roc_auc": float(skm.roc_auc_score(y, proba)) if both else math.nan,
        "pr_auc": float(skm.average_precision_score(y, proba)) if both else math.nan,
        "log_loss": float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))),
        "brier": float(np.mean((proba - y) ** 2)),
    }


def score(y: np.ndarray, proba: np.ndarray, metric: str) -> float:
    """One of `classification_metrics`, the same number, without computing the others
    (permutation importance needs one metric 16 times per model)."""
    if metric == "roc_auc":
        proba = np.clip(np.asarray(proba, dtype=float), 0.0, 1.0)
        y = np.asarray(y, dtype=int)
        return float(skm.roc_auc_score(y, proba)) if len(np.unique(y)) == 2 else math.nan
    return classification_metrics(y, proba)[metric]


def confusion(y: np.ndarray, proba: np.ndarray) -> list[list[int]]:
    """[[tn, fp], [fn, tp]] (rows: true ECS, true Lambda)."""
    pred = (np.asarray(proba) >= THRESHOLD).astype(int)
    return skm.confusion_matrix(np.asarray(y, dtype=int), pred, labels=[0, 1]).tolist()


def roc_frame(model: str, y: np.ndarray, proba: np.ndarray) -> pd.DataFrame:
    """model, fpr, tpr, threshold (empty when the test set holds one class)."""
    if len(np.unique(y)) < 2:
        return pd.DataFrame(columns=["model", "fpr", "tpr", "threshold"])
    fpr, tpr, thr = skm.roc_curve(y, proba)
    return pd.DataFrame({"model": model, "fpr": fpr, "tpr": tpr,
                         "threshold": np.minimum(thr, 1.0)})


def pr_frame(model: str, y: np.ndarray, proba: np.ndarray) -> pd.DataFrame:
    """model, recall, precision, threshold."""
    if len(np.unique(y)) < 2:
        return pd.DataFrame(columns=["model", "recall", "precision", "threshold"])
    precision, recall, thr = skm.precision_recall_curve(y, proba)
    return pd.DataFrame({"model": model, "recall": recall, "precision": precision,
                         "threshold": np.append(thr, 1.0)})


def calibration_frame(model: str, y: np.ndarray, proba: np.ndarray, bins: int = 10
                      ) -> pd.DataFrame:
    """model, bin, mean_predicted, fraction_positive, count (equal-width bins, empty dropped)."""
    y = np.asarray(y, dtype=float)
    proba = np.asarray(proba, dtype=float)
    idx = np.clip((proba * bins).astype(int), 0, bins - 1)
    count = np.bincount(idx, minlength=bins)
    keep = count > 0
    mean_pred = np.bincount(idx, weights=proba, minlength=bins)[keep] / count[keep]
    frac = np.bincount(idx, weights=y, minlength=bins)[keep] / count[keep]
    return pd.DataFrame({"model": model, "bin": np.arange(bins)[keep],
                         "mean_predicted": mean_pred, "fraction_positive": frac,
                         "count": count[keep]})


def summarise_folds(scores: list[dict[str, float]]) -> dict[str, dict[str, float]]:
    """metric -> {"mean", "std"} over folds (std with ddof=1, NaN-aware)."""
    out: dict[str, dict[str, float]] = {}
    for name in METRICS:
        values = np.array([s.get(name, math.nan) for s in scores], dtype=float)
        finite = values[np.isfinite(values)]
        out[name] = {
            "mean": float(finite.mean()) if len(finite) else math.nan,
            "std": float(finite.std(ddof=1)) if len(finite) > 1 else math.nan,
        }
    return out
