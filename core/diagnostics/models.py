"""Model-based checks: GOLDEN_FEATURE and FEATURE_DOMINANCE from one quick, shallow model.

Why shallow trees on a subsample: the check must feel instant on a page (100,000 rows in
well under half of one random-forest fit). A depth-limited tree per fold on at most 20,000
rows (5,000 in fast mode) is enough to tell whether one feature carries the whole lift.
"""

from __future__ import annotations

import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.tree import DecisionTreeClassifier

from core.diagnostics.ceiling import fold_ids, lookup_correct
from core.diagnostics.checks import NotApplicable
from core.diagnostics.prepare import Prepared
from core.diagnostics.result import Finding, percent_vs

GOLDEN_SHARE = 0.98
DOMINANCE_SHARE = 0.40
#: Below this cross-validated lift over the majority baseline the model learned nothing,
#: and shares of its lift or importance are noise.
MIN_LIFT = 0.02
FOLDS = 3
MAX_ROWS, FAST_ROWS = 20_000, 5_000
REPEATS, FAST_REPEATS = 3, 1
MIN_CLASS_ROWS = 2 * FOLDS
FOREST_TREES = 20
#: From this many features on, permutation importance shuffles each feature once.
WIDE = 8


def _tree(seed: int, n: int) -> DecisionTreeClassifier:
    """One feature: a depth-limited tree finds its best lookup (no other feature to mislead)."""
    return DecisionTreeClassifier(max_depth=8, min_samples_leaf=max(3, n // 1000),
                                  random_state=seed)


def _forest(seed: int, n: int, k: int = 0) -> RandomForestClassifier:
    """All features: a small forest, so noise columns do not steal the splits of one tree
    (that would understate the full lift and make a feature look golden). Wide tables
    (more than WIDE features) draw half the rows per tree: the fit is the slowest step."""
    wide = k > WIDE and n >= 4000
    return RandomForestClassifier(n_estimators=FOREST_TREES, max_depth=10,
                                  min_samples_leaf=max(2, n // 2000), max_features=0.5,
                                  max_samples=0.5 if wide else None,
                                  random_state=seed, n_jobs=1)


def quick_model(prep: Prepared, cell: np.ndarray, *, fast: bool) -> dict:
    """Cross-validated accuracy of the majority baseline, of all features and of each
    feature alone; permutation importance of the forest on each held-out fold.

    "All features" and "one feature" each score the better of two quick models on the same
    folds: a tree model (forest / single tree) and a lookup table of the binned values
    (`cell` for all features). Lookups are optimal for a few categorical levels, trees for
    continuous values, and both sides get the same chance.
    """
    if len(prep.features) < 2:
        raise NotApplicable("needs at least 2 features")
    if min(prep.y.sum(), prep.n - prep.y.sum()) < MIN_CLASS_ROWS:
        raise NotApplicable(f"needs at least {MIN_CLASS_ROWS} rows of each label")
    rng = np.random.default_rng(prep.seed)
    limit = FAST_ROWS if fast else MAX_ROWS
    rows = np.sort(rng.choice(prep.n, limit, replace=False)) if prep.n > limit else \
        np.arange(prep.n)
    X, y = prep.numeric_matrix(prep.features)[rows], prep.y[rows]
    cells = [cell[rows], *(prep.bins[c][rows] for c in prep.features)]
    folds = fold_ids(len(y), FOLDS, prep.seed)
    k = len(prep.features)
    base = full = 0.0
    single = np.zeros(k)
    drops = np.zeros(k)
    # wide tables: one shuffle per feature (the drops average over more columns' worth of
    # rows anyway, and three would triple the slowest step)
    repeats = FAST_REPEATS if fast or k > WIDE else REPEATS
    for f in range(FOLDS):
        tr, te = folds != f, folds == f
        majority = int(y[tr].mean() >= 0.5)
        base += (y[te] == majority).mean() / FOLDS
        lookup = [lookup_correct(c, y, tr, te) / te.sum() for c in cells]
        model = _forest(prep.seed, int(tr.sum()), k).fit(X[tr], y[tr])
        acc = (model.predict(X[te]) == y[te]).mean()
        full += max(acc, lookup[0]) / FOLDS
        for j in range(k):
            alone = (_tree(prep.seed, int(tr.sum())).fit(X[tr][:, [j]], y[tr])
                     .predict(X[te][:, [j]]) == y[te]).mean()
            single[j] += max(alone, lookup[j + 1]) / FOLDS
            for _ in range(repeats):
                shuffled = X[te].copy()
                shuffled[:, j] = rng.permutation(shuffled[:, j])
                drops[j] += (acc - (model.predict(shuffled) == y[te]).mean()) / (FOLDS * repeats)
    return {"rows_used": len(rows), "folds": FOLDS, "baseline_accuracy": float(base),
            "full_accuracy": float(full), "single_accuracy": dict(zip(prep.features, single,
                                                                       strict=True)),
            "permutation_drop": dict(zip(prep.features, drops, strict=True))}


def golden_feature(prep: Prepared, model: dict) -> Finding | None:
    """One feature alone, in the same shallow model, captures >= 98 % of the full lift."""
    lift = model["full_accuracy"] - model["baseline_accuracy"]
    if lift < MIN_LIFT:
        raise NotApplicable(f"the quick model gains only {lift:.3f} accuracy over the "
                            "majority baseline")
    shares = {c: (a - model["baseline_accuracy"]) / lift
              for c, a in model["single_accuracy"].items()}
    golden = sorted((c for c, s in shares.items() if s >= GOLDEN_SHARE),
                    key=lambda c: -shares[c])
    if not golden:
        return None
    top = golden[0]
    reach = ("does as well as the full model" if shares[top] >= 1 else
             f"reaches {shares[top]:.0%} of the full model's lift over the majority baseline")
    return Finding(
        "GOLDEN_FEATURE", "warn", tuple(golden),
        f"{top} alone {reach} (accuracy {model['single_accuracy'][top]:.3f} vs "
        f"{model['full_accuracy']:.3f}, baseline {model['baseline_accuracy']:.3f}).",
        {"lift_share": {c: round(float(shares[c]), 4) for c in prep.features},
         "single_accuracy": _rounded(model["single_accuracy"]),
         "full_accuracy": round(model["full_accuracy"], 4),
         "baseline_accuracy": round(model["baseline_accuracy"], 4),
         "threshold": GOLDEN_SHARE, "rows_used": model["rows_used"]})


def importance_shares(model: dict) -> dict[str, float]:
    """Permutation importance as shares of the total (negative drops count as 0)."""
    drops = {c: max(v, 0.0) for c, v in model["permutation_drop"].items()}
    total = sum(drops.values())
    return {c: (v / total if total > 0 else 0.0) for c, v in drops.items()}


def feature_dominance(prep: Prepared, model: dict) -> Finding | None:
    """One feature holds more than 40 % of the permutation importance of the quick model."""
    lift = model["full_accuracy"] - model["baseline_accuracy"]
    if lift < MIN_LIFT:
        raise NotApplicable(f"the quick model gains only {lift:.3f} accuracy over the "
                            "majority baseline")
    shares = importance_shares(model)
    dominant = sorted((c for c, s in shares.items() if s > DOMINANCE_SHARE),
                      key=lambda c: -shares[c])
    if not dominant:
        return None
    top = dominant[0]
    return Finding(
        "FEATURE_DOMINANCE", "warn", tuple(dominant),
        f"{top} holds {percent_vs(shares[top], DOMINANCE_SHARE)} of the quick model's "
        f"permutation importance (threshold {DOMINANCE_SHARE:.0%}).",
        {"importance_share": _rounded(shares), "threshold": DOMINANCE_SHARE,
         "rows_used": model["rows_used"]})


def _rounded(values: dict[str, float]) -> dict[str, float]:
    return {c: round(float(v), 4) for c, v in values.items()}
