"""A tiny hyper-parameter search per model, bounded by a time budget.

Why tiny: the question is "is this model family competitive", not squeezing the last point;
a handful of sensible candidates on one validation fold answers it in seconds.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pandas as pd

from core.training.metrics import classification_metrics
from core.training.zoo import make_pipeline

#: Candidates per model kind, tried in order until the budget runs out.
GRIDS: dict[str, list[dict[str, Any]]] = {
    "logreg": [{"C": 1.0}, {"C": 0.1}, {"C": 10.0}],
    "rf": [{}, {"max_depth": 8}, {"max_depth": None, "min_samples_leaf": 2},
           {"min_samples_leaf": 20}],
    "xgb": [{}, {"max_depth": 4, "learning_rate": 0.1, "n_estimators": 300},
            {"max_depth": 8, "learning_rate": 0.1, "n_estimators": 200},
            {"learning_rate": 0.05, "n_estimators": 400}],
    "lgbm": [{}, {"num_leaves": 15}, {"num_leaves": 63, "min_child_samples": 40},
             {"learning_rate": 0.05, "n_estimators": 300}],
    "mlp": [{}, {"hidden_layer_sizes": (64, 32)}, {"alpha": 1e-3}],
}


def search(kind: str, features: list[str], x_fit: pd.DataFrame, y_fit: np.ndarray,
           x_val: pd.DataFrame, y_val: np.ndarray, *, seed: int, budget_s: float,
           allow_outcomes: bool = False) -> dict[str, Any]:
    """Try candidates in order while time remains; best by validation ROC-AUC (log-loss
    breaks ties). Returns {"params", "tried": [{"params", "roc_auc", "log_loss", "s"}]}."""
    grid = GRIDS.get(kind, [{}])
    deadline = time.perf_counter() + budget_s
    tried: list[dict[str, Any]] = []
    for params in grid:
        if tried and time.perf_counter() >= deadline:
            break
        start = time.perf_counter()
        pipe = make_pipeline(kind, features, seed=seed, allow_outcomes=allow_outcomes,
                             params=params)
        pipe.fit(x_fit, y_fit)
        scores = classification_metrics(y_val, pipe.predict_proba(x_val)[:, 1])
        tried.append({"params": params, "roc_auc": scores["roc_auc"],
                      "log_loss": scores["log_loss"], "s": time.perf_counter() - start})
    best = max(tried, key=lambda t: (np.nan_to_num(t["roc_auc"], nan=0.0), -t["log_loss"]))
    return {"params": best["params"], "tried": tried}
