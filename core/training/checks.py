"""The thesis's success checks, as pass/fail with the reason, for the best model.

From the thesis (seeds/000): no feature above 40 % importance, train-test gap below
5 points, accuracy in a plausible band (0.60-0.95), and never ~100 %: a perfect score on
load-test data means the label is a lookup, not that the model is good.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from core.diagnostics.result import decisive, percent_vs
from core.training.importance import DOMINANCE_SHARE

MAX_GAP = 0.05
BAND = (0.60, 0.95)
PERFECT = 0.995


def _check(name: str, passed: bool, value: Any, reason: str) -> dict[str, Any]:
    return {"check": name, "passed": bool(passed), "value": value, "reason": reason}


def _points(gap: float) -> str:
    return decisive(gap, MAX_GAP, scale=100, digits=1) if math.isfinite(gap) else str(gap)


def _accuracy(acc: float) -> str:
    """Three decimals, more when they would land on a band edge (0.9504 is not "0.950")."""
    if not math.isfinite(acc):
        return str(acc)
    return decisive(acc, BAND[1] if acc > sum(BAND) / 2 else BAND[0], digits=3)


def success_checks(model: str, metrics: dict[str, float], train_test_gap: float,
                   importances: pd.DataFrame) -> list[dict[str, Any]]:
    """Four checks on one model: dominance, gap, plausible band, not perfect."""
    out = []
    imp = importances[importances["model"] == model]
    if not imp.empty:
        method = "permutation" if (imp["method"] == "permutation").any() else "native"
        imp = imp[imp["method"] == method].sort_values("share", ascending=False)
        top = imp.iloc[0]
        ok = top["share"] <= DOMINANCE_SHARE
        out.append(_check(
            "No feature > 40 % importance", ok, round(float(top["share"]), 4),
            f"Top feature {top['feature']} has {percent_vs(top['share'], DOMINANCE_SHARE)} of "
            f"the {method} importance" + (
                "." if ok else f" (> {DOMINANCE_SHARE * 100:.0f} %): the model leans on one "
                "column.")))
    else:
        out.append(_check("No feature > 40 % importance", False, None,
                          "No importances were computed for this model."))
    gap = train_test_gap
    ok = math.isfinite(gap) and gap < MAX_GAP
    out.append(_check("Train-test gap < 5 points", ok, round(gap, 4),
                      f"Train accuracy minus test accuracy is {_points(gap)} points"
                      + ("." if ok else " (>= 5): the model overfits the training data.")))
    acc = metrics.get("accuracy", math.nan)
    low, high = BAND
    ok = low <= acc <= high
    why = ("." if ok else
           (" (below 0.60: barely better than guessing)." if acc < low else
            " (above 0.95: suspicious for noisy load-test labels; look for leakage)."))
    out.append(_check("Accuracy in 0.60-0.95", ok, round(acc, 4),
                      f"Test accuracy is {_accuracy(acc)}{why}"))
    ok = acc < PERFECT
    out.append(_check("Not ~100 % accuracy", ok, round(acc, 4),
                      f"Test accuracy is {acc * 100:.1f} %" + (
                          "." if ok else ": the label is a lookup of some column (the thesis's "
                          "trap), not a learned decision.")))
    return out
