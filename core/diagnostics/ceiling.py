"""Accuracy ceiling: the best accuracy any model can reach from the chosen features.

A model sees only the feature values, so rows with identical values (one "cell") get one
prediction; the best it can do is each cell's majority label. The in-sample figure is an
upper bound; the cross-validated one (majority of the cell in the other folds, the overall
majority for unseen cells) is what an honest model can expect. Both sit beside the
majority baseline, so a user knows before training that, say, 0.70 is the limit.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from core.diagnostics.prepare import MAX_BINS, Prepared

FOLDS = 5
SMALL_CELL = 5


def cell_key(codes: Sequence[np.ndarray], n: int) -> np.ndarray:
    """One dense integer per distinct combination of codes (0..cells-1)."""
    key = np.zeros(n, dtype=np.int64)
    for c in codes:
        key = pd.factorize(key * (int(c.max()) + 2) + c + 1)[0].astype(np.int64)
    return key


def fold_ids(n: int, folds: int, seed: int) -> np.ndarray:
    """Fold of each (canonically ordered) row: a seeded permutation, equal-sized folds."""
    out = np.empty(n, dtype=np.int64)
    out[np.random.default_rng(seed).permutation(n)] = np.arange(n) % folds
    return out


def lookup_correct(cell: np.ndarray, y: np.ndarray, train: np.ndarray,
                   test: np.ndarray) -> int:
    """Test rows a lookup table gets right: the majority label of the row's cell among the
    training rows (the overall training majority for unseen cells and ties)."""
    size = int(cell.max()) + 1
    tn = np.bincount(cell[train], minlength=size)
    t1 = np.bincount(cell[train], weights=y[train], minlength=size)
    default = int(t1.sum() * 2 >= tn.sum())
    majority = np.where(tn > 0, (t1 * 2 > tn) | ((t1 * 2 == tn) & (default == 1)), default)
    return int((majority[cell[test]] == y[test]).sum())


def accuracy_ceiling(prep: Prepared, cell: np.ndarray) -> dict:
    """In-sample and cross-validated cell-majority accuracy, beside the majority baseline."""
    y = prep.y
    n, n1 = np.bincount(cell), np.bincount(cell, weights=y)
    p1 = float(y.mean())
    folds = fold_ids(prep.n, FOLDS, prep.seed)
    correct = sum(lookup_correct(cell, y, folds != k, folds == k) for k in range(FOLDS))
    binned = [c for c in prep.features
              if c not in prep.categorical and len(np.unique(prep.exact[c])) > MAX_BINS]
    return {
        "status": "ok",
        "baseline": round(max(p1, 1 - p1), 4),
        "ceiling": round(float(np.maximum(n1, n - n1).sum() / prep.n), 4),
        "cv_ceiling": round(correct / prep.n, 4),
        "cv_folds": FOLDS,
        "cells": len(n),
        "rows_per_cell": round(prep.n / len(n), 1),
        "rows_in_small_cells": round(float(n[n < SMALL_CELL].sum() / prep.n), 4),
        "features": list(prep.features),
        "binned_features": binned,
        "note": (f"numeric features with more than {MAX_BINS} values are cut into "
                 f"{MAX_BINS} quantile bins" if binned else ""),
    }
