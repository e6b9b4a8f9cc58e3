"""Validate a frame for diagnosis and put it in a canonical form.

Why a canonical row order: every sampled or cross-validated number is computed on the
labelled rows sorted by their own values, so shuffling the rows (or renaming columns) can
not change a finding. Rows that tie are identical in every column used, so they are
interchangeable.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from core import schema
from core.errors import UserError

MIN_ROWS = 10
#: Numeric columns with more distinct values are cut into this many quantile bins for
#: entropy, one-column accuracy and accuracy-ceiling cells.
MAX_BINS = 20
#: A label written as a word (the `optimal_platform` style) -> 1 Lambda / 0 ECS.
LABEL_WORDS = {"lambda": 1, "ecs": 0, "1": 1, "0": 0, "true": 1, "false": 0}
#: The routing decision itself: known only after routing, so never a candidate feature.
DECISION_COLUMNS = ("platform",)
#: The label in other words: never a candidate.
LABEL_ALIASES = (schema.OPTIMAL_PLATFORM,)
#: A non-float column with at least this share of distinct values (and >= 20 rows) is an id.
ID_UNIQUE_SHARE = 0.95


@dataclass
class Prepared:
    """Labelled rows in canonical order, the 0/1 label and every column's role."""

    frame: pd.DataFrame
    y: np.ndarray
    label: str
    group: str | None
    payload: str | None
    candidates: list[str]
    features: list[str]
    explicit_features: bool
    outcomes: list[str]
    id_like: list[str]
    rows_total: int
    rows_unlabelled: int
    seed: int
    skipped: dict[str, str] = field(default_factory=dict)
    bins: dict[str, np.ndarray] = field(default_factory=dict)
    exact: dict[str, np.ndarray] = field(default_factory=dict)
    categorical: set[str] = field(default_factory=set)

    @property
    def n(self) -> int:
        """Labelled rows."""
        return len(self.y)

    def numeric_matrix(self, columns: Sequence[str]) -> np.ndarray:
        """Float matrix for tree models: categoricals as sorted codes, NaN kept."""
        out = np.empty((self.n, len(columns)), dtype=np.float64)
        for j, col in enumerate(columns):
            if col in self.categorical:
                codes = self.exact[col].astype(np.float64)
                codes[codes < 0] = np.nan
                out[:, j] = codes
            else:
                out[:, j] = _as_float(self.frame[col])
        return out


def coerce_label(values: pd.Series, label: str) -> pd.Series:
    """Label as nullable 0/1 (1 = Lambda optimal); words lambda/ecs are mapped."""
    if pd.api.types.is_bool_dtype(values):
        return values.astype("Int64")
    if pd.api.types.is_numeric_dtype(values):
        numbers = pd.to_numeric(values, errors="coerce").astype("Float64")
        bad = sorted(set(numbers.dropna().unique()) - {0.0, 1.0})
        if bad:
            raise UserError(
                f"Label column '{label}' must hold 1 (Lambda optimal) or 0 (ECS optimal); got "
                f"values {bad[:5]}. Relabel with `python -m core label`, or pick the label "
                "column with --label COL.")
        return numbers.astype("Int64")
    words = values.astype("string").str.strip().str.lower()
    mapped = words.map(LABEL_WORDS, na_action="ignore")
    bad = sorted(set(words[words.notna() & mapped.isna()].unique()))
    if bad:
        raise UserError(
            f"Label column '{label}' holds words {bad[:5]}; expected 'lambda'/'ecs' or 1/0. "
            "Relabel with `python -m core label`, or pick the label column with --label COL.")
    return mapped.astype("Int64")


def prepare(frame: pd.DataFrame, *, label: str, features: Sequence[str] | None,
            group: str | None, payload: str | None, outcomes: Sequence[str] | None,
            ids: Sequence[str] | None, seed: int) -> Prepared:
    """Check the input, keep labelled rows in canonical order, decide column roles."""
    if not isinstance(frame, pd.DataFrame):
        raise UserError(f"Expected a table of requests (pandas DataFrame); got "
                        f"{type(frame).__name__}.")
    if label not in frame.columns:
        raise UserError(f"Label column '{label}' not found; got columns {list(frame.columns)}. "
                        "Pick the label column (--label COL, or the roles on the Data page), "
                        "or label the data first (`python -m core label`).")
    if features is not None:
        missing = [c for c in features if c not in frame.columns]
        if missing:
            raise UserError(f"Feature columns {missing} are not in the data; got columns "
                            f"{list(frame.columns)}. Choose features that exist.")
    y_all = coerce_label(frame[label], label)
    labelled = np.asarray(y_all.notna())
    n = int(labelled.sum())
    if n < MIN_ROWS:
        raise UserError(
            f"Only {n} labelled rows (of {len(frame)}); a diagnosis needs at least {MIN_ROWS}. "
            "Load more requests, or label them first (`python -m core label`); error rows "
            "have no label.")
    rows = frame.loc[labelled].reset_index(drop=True)
    y = np.asarray(y_all[labelled], dtype=np.int8)
    outcome_set = set(outcomes or ())
    id_set = set(ids or ()) | set(schema.ID_COLUMNS)
    skipped: dict[str, str] = {}
    chosen = set(features or ())
    candidates = []
    for col in frame.columns:
        if col == label:
            continue
        if col in id_set and col not in chosen:
            skipped[col] = "identifier (never a feature)"
        elif col in LABEL_ALIASES and col not in chosen:
            skipped[col] = "the label in words"
        elif rows[col].isna().all():
            skipped[col] = "all values missing in the labelled rows"
        elif rows[col].nunique(dropna=False) < 2:
            skipped[col] = "constant in the labelled rows"
        else:
            candidates.append(col)
    prep = Prepared(frame=rows, y=y, label=label,
                    group=group if group in frame.columns else None,
                    payload=payload if payload in frame.columns else None,
                    candidates=candidates, features=[], explicit_features=features is not None,
                    outcomes=[c for c in candidates if c in outcome_set or schema.is_outcome(c)
                              or c in DECISION_COLUMNS],
                    id_like=[], rows_total=len(frame), rows_unlabelled=len(frame) - n,
                    seed=seed, skipped=skipped)
    _encode(prep)
    prep.id_like = [c for c in candidates if _is_id_like(prep, c)]
    prep.features = [c for c in features if c in candidates] if features is not None else [
        c for c in candidates if c not in prep.outcomes and c not in prep.id_like]
    _canonical_order(prep)
    return prep


def _as_float(series: pd.Series) -> np.ndarray:
    """Numbers as float64; unparseable and infinite values count as missing."""
    values = pd.to_numeric(series, errors="coerce").astype("Float64").to_numpy(
        dtype=np.float64, na_value=np.nan)
    values[np.isinf(values)] = np.nan
    return values


def _is_categorical(series: pd.Series, col: str) -> bool:
    return (col in schema.CATEGORICAL_FEATURES or pd.api.types.is_bool_dtype(series)
            or not pd.api.types.is_numeric_dtype(series))


def _encode(prep: Prepared) -> None:
    """Exact codes (sorted values, -1 = missing) and binned codes (missing = own level)."""
    cols = list(dict.fromkeys([*prep.candidates, *([prep.group] if prep.group else []),
                               *([prep.payload] if prep.payload else [])]))
    for col in cols:
        series = prep.frame[col]
        if _is_categorical(series, col):
            prep.categorical.add(col)
            values = series.astype("string")
        else:
            values = pd.Series(_as_float(series))
        exact, uniques = pd.factorize(values, sort=True, use_na_sentinel=True)
        prep.exact[col] = exact.astype(np.int64)
        binned = exact.astype(np.int64)
        if col not in prep.categorical and len(uniques) > MAX_BINS:
            binned = pd.qcut(values, MAX_BINS, labels=False, duplicates="drop")
            binned = binned.to_numpy(dtype=np.float64, na_value=-1.0).astype(np.int64)
        binned = binned.copy()
        binned[binned < 0] = binned.max() + 1
        prep.bins[col] = binned


def _is_id_like(prep: Prepared, col: str) -> bool:
    series = prep.frame[col]
    if pd.api.types.is_float_dtype(series) or prep.n < 20:
        return False
    return series.nunique(dropna=True) >= ID_UNIQUE_SHARE * prep.n


def _canonical_order(prep: Prepared) -> None:
    """Sort labelled rows by label and by every column's exact code (in column order)."""
    keys = [*(prep.exact[c] for c in reversed(prep.exact)), prep.y]
    order = np.lexsort(keys)
    prep.frame = prep.frame.iloc[order].reset_index(drop=True)
    prep.y = prep.y[order]
    prep.exact = {c: v[order] for c, v in prep.exact.items()}
    prep.bins = {c: v[order] for c, v in prep.bins.items()}
