"""Is the best model really better? McNemar on the shared test set, and the corrected
resampled t-test (Nadeau & Bengio) across CV folds.

Why McNemar: both models predict the same test rows, so only the rows where exactly one of
them is right carry information; with fewer than 25 such rows the exact binomial test is used.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import stats

EXACT_BELOW = 25


def mcnemar(y: np.ndarray, pred_a: np.ndarray, pred_b: np.ndarray) -> dict[str, Any]:
    """Two-sided McNemar test of 'A and B are equally accurate' on the same rows.

    Returns a_only (A right, B wrong), b_only, statistic, p_value, method.
    """
    y, pred_a, pred_b = (np.asarray(v, dtype=int) for v in (y, pred_a, pred_b))
    right_a, right_b = pred_a == y, pred_b == y
    a_only = int(np.sum(right_a & ~right_b))
    b_only = int(np.sum(~right_a & right_b))
    n = a_only + b_only
    if n == 0:
        return {"a_only": 0, "b_only": 0, "statistic": 0.0, "p_value": 1.0,
                "method": "no disagreements"}
    if n < EXACT_BELOW:
        p = stats.binomtest(min(a_only, b_only), n, 0.5).pvalue
        return {"a_only": a_only, "b_only": b_only, "statistic": float(min(a_only, b_only)),
                "p_value": float(min(p, 1.0)), "method": "exact binomial"}
    chi2 = (abs(a_only - b_only) - 1) ** 2 / n
    return {"a_only": a_only, "b_only": b_only, "statistic": float(chi2),
            "p_value": float(stats.chi2.sf(chi2, df=1)),
            "method": "chi-squared with continuity correction"}


def corrected_t_test(scores_a: list[float], scores_b: list[float], *, test_fraction: float
                     ) -> dict[str, Any]:
    """Nadeau-Bengio corrected paired t-test on per-fold scores (folds overlap in training
    data, so the plain t-test is too confident). test_fraction = n_test / n_train per fold."""
    diff = np.asarray(scores_a, dtype=float) - np.asarray(scores_b, dtype=float)
    diff = diff[np.isfinite(diff)]
    k = len(diff)
    if k < 2:
        return {"mean_difference": math.nan, "t": math.nan, "p_value": math.nan, "folds": k}
    var = diff.var(ddof=1)
    mean = float(diff.mean())
    if var == 0:
        p = 1.0 if mean == 0 else 0.0
        return {"mean_difference": mean, "t": math.inf if mean else 0.0, "p_value": p,
                "folds": k}
    t = mean / math.sqrt((1 / k + test_fraction) * var)
    p = float(2 * stats.t.sf(abs(t), df=k - 1))
    return {"mean_difference": mean, "t": float(t), "p_value": p, "folds": k}
