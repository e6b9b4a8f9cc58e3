"""The few statistics drift needs: PSI (categorical and binned numeric) and two-sample KS.

Why no drift library: evidently, deepchecks and NannyML each pull in tens of packages for
what is here a dozen lines on top of scipy (KS, chi-square). PSI is written out below.
Every function takes plain arrays or Series and is vectorised, so a million rows cost a sort.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

#: Share given to an empty bin so that log(0) cannot occur (the usual PSI smoothing).
EPS = 1e-4
#: Quantile bins of the reference for a binned PSI of a numeric feature.
BINS = 10
UNSEEN = "(unseen)"
MISSING = "(missing)"


@dataclass(frozen=True)
class Test:
    """One statistic comparing a reference and a current sample."""

    statistic: str
    value: float
    p_value: float


def psi_from_shares(reference: np.ndarray, current: np.ndarray, eps: float = EPS) -> float:
    """Population stability index, sum((c - r) * ln(c / r)) over aligned bins."""
    r = np.clip(np.asarray(reference, dtype=float), eps, None)
    c = np.clip(np.asarray(current, dtype=float), eps, None)
    return float(np.sum((c - r) * np.log(c / r)))


def _chi2_p(ref_counts: np.ndarray, cur_counts: np.ndarray) -> float:
    """p-value of a chi-square test of homogeneity (how sure a count difference is real)."""
    table = np.vstack([ref_counts, cur_counts]).astype(float)
    table = table[:, table.sum(axis=0) > 0]
    if table.shape[1] < 2 or (table.sum(axis=1) == 0).any():
        return 1.0
    return float(stats.chi2_contingency(table, correction=False).pvalue)


def category_counts(values: pd.Series) -> pd.Series:
    """Counts per level, missing values as their own level."""
    text = values.astype("string").fillna(MISSING)
    return text.value_counts(sort=False)


def categorical_psi(reference: pd.Series, current: pd.Series
                    ) -> tuple[Test, dict[str, float]]:
    """PSI over the reference's levels plus one bucket for levels it never saw.

    Returns the test and {unseen level: share of current rows}.
    """
    ref = category_counts(reference)
    cur = category_counts(current)
    unseen = cur[~cur.index.isin(ref.index)]
    levels = list(ref.index)
    ref_counts = ref.reindex(levels).to_numpy(dtype=float)
    cur_counts = cur.reindex(levels, fill_value=0).to_numpy(dtype=float)
    if len(unseen):
        ref_counts = np.append(ref_counts, 0.0)
        cur_counts = np.append(cur_counts, float(unseen.sum()))
    value = psi_from_shares(ref_counts / max(ref_counts.sum(), 1.0),
                            cur_counts / max(cur_counts.sum(), 1.0))
    n_cur = max(int(cur.sum()), 1)
    shares = {str(k): float(v) / n_cur for k, v in unseen.sort_values(ascending=False).items()}
    return Test("psi", value, _chi2_p(ref_counts, cur_counts)), shares


def bin_edges(reference: np.ndarray, bins: int = BINS) -> np.ndarray:
    """Inner edges at the reference's quantiles (ties merged, so discrete values get one bin
    each when there are few of them)."""
    ref = reference[np.isfinite(reference)]
    if ref.size == 0:
        return np.array([])
    levels = np.unique(ref)
    if levels.size <= bins:  # few distinct values: one bin per value
        return (levels[:-1] + levels[1:]) / 2.0
    return np.unique(np.quantile(ref, np.linspace(0, 1, bins + 1)[1:-1]))


def binned_counts(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Counts per bin (right-closed inner edges), non-finite values in one last bin."""
    finite = np.isfinite(values)
    idx = np.searchsorted(edges, values[finite], side="left")
    counts = np.bincount(idx, minlength=edges.size + 1).astype(float)
    return np.append(counts, float((~finite).sum()))


def numeric_psi(reference: np.ndarray, current: np.ndarray, bins: int = BINS) -> Test:
    """PSI of a numeric feature over quantile bins of the reference."""
    edges = bin_edges(reference, bins)
    ref = binned_counts(reference, edges)
    cur = binned_counts(current, edges)
    value = psi_from_shares(ref / max(ref.sum(), 1.0), cur / max(cur.sum(), 1.0))
    return Test("psi", value, _chi2_p(ref, cur))


def ks(reference: np.ndarray, current: np.ndarray) -> Test:
    """Two-sample Kolmogorov–Smirnov on the finite values: D (0 = same, 1 = disjoint)."""
    ref = reference[np.isfinite(reference)]
    cur = current[np.isfinite(current)]
    if ref.size == 0 or cur.size == 0:
        return Test("ks", math.nan, math.nan)
    # The exact p-value is quadratic in n; the asymptotic one is what large samples need.
    method = "exact" if ref.size * cur.size <= 10_000 else "asymp"
    result = stats.ks_2samp(ref, cur, method=method)
    return Test("ks", float(result.statistic), float(result.pvalue))


def as_float(values: pd.Series) -> np.ndarray:
    """A numeric column as float64 (unparseable values become NaN)."""
    return pd.to_numeric(values, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
