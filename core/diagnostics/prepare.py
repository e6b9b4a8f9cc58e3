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
from core.features import hour_of_day
from core.label_values import to_label

MIN_ROWS = 10
#: Numeric columns with more distinct values are cut into this many quantile bins for
#: entropy, one-column accuracy and accuracy-ceiling cells.
MAX_BINS = 20
#: The routing decision itself: known only after routing, so never a candidate feature.
DECISION_COLUMNS = ("platform",)
#: The label in other words: never a candidate.
LABEL_ALIASES = (schema.OPTIMAL_PLATFORM, schema.LABEL)
#: Ingestion bookkeeping: which file and line a row came from, not part of the record.
BOOKKEEPING = ("source_file", "source_line")
#: A column with distinct values on at least this share of rows tells requests apart.
TELLING_SHARE = 0.5


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
    #: id-like column -> why (text, whole numbers, datetime); any column but the label
    id_kinds: dict[str, str] = field(default_factory=dict)
    #: each labelled row's position in the given frame (file order)
    position: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    #: one integer per distinct whole record (every column but label and bookkeeping)
    record: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    #: columns distinct on most rows (ids, timestamps, measurements): with one of them,
    #: identical records are copies of one request, not two requests that look alike
    telling: list[str] = field(default_factory=list)
    #: the time column, when the features use it as hour of day
    time: str | None = None
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
    """Label as nullable 0/1 (1 = Lambda optimal); mapping in core.label_values."""
    return to_label(values, label)


def prepare(frame: pd.DataFrame, *, label: str, features: Sequence[str] | None,
            group: str | None, payload: str | None, outcomes: Sequence[str] | None,
            ids: Sequence[str] | None, seed: int,
            time: str | None = schema.TIME_COLUMN) -> Prepared:
    """Check the input, keep labelled rows in canonical order, decide column roles."""
    if not isinstance(frame, pd.DataFrame):
        raise UserError(f"Expected a table of requests (pandas DataFrame); got "
                        f"{type(frame).__name__}.")
    if label not in frame.columns:
        raise UserError(f"Label column '{label}' not found; got columns {list(frame.columns)}. "
                        "Pick the label column (--label COL, or the roles on the Data page), "
                        "or label the data first (Labelling on the Data page, or "
                        "`python -m core label`).")
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
            "Load more requests, or label them first (Labelling on the Data page, or "
            "`python -m core label`); error rows "
            "have no label.")
    rows = frame.loc[labelled].reset_index(drop=True)
    y = np.asarray(y_all[labelled], dtype=np.int8)
    outcome_set = set(outcomes or ())
    time = time if time in frame.columns else None
    id_set = set(ids or ()) | (set(schema.ID_COLUMNS) - {time})
    skipped: dict[str, str] = {}
    chosen = set(features or ())
    candidates = []
    for col in frame.columns:
        if col == label:
            continue
        if col in id_set and col not in chosen:
            skipped[col] = "identifier (never a feature)"
        elif col in LABEL_ALIASES and col not in chosen:
            skipped[col] = "a label column (never a feature)"
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
                    seed=seed, skipped=skipped, position=np.flatnonzero(labelled))
    prep.record, prep.telling = _record_codes(
        rows, [c for c in frame.columns if c != label and c not in LABEL_ALIASES
               and c not in BOOKKEEPING])
    not_ids = {prep.group, prep.payload, time, *outcome_set, *schema.DEFAULT_FEATURES}
    for col in frame.columns:
        if col != label and col not in LABEL_ALIASES and col not in not_ids \
                and not schema.is_outcome(str(col)):
            kind = schema.id_kind(rows[col])
            if kind is not None:
                prep.id_kinds[col] = kind
    prep.id_like = [c for c in candidates if c in prep.id_kinds]
    prep.features = [c for c in features if c in candidates] if features is not None else [
        c for c in candidates if c not in prep.outcomes and c not in prep.id_like
        and c != time]
    if time is not None and time in prep.features:  # the model sees its hour of day
        prep.time = time
        prep.frame[time] = hour_of_day(prep.frame[time])
    _encode(prep)
    _canonical_order(prep)
    return prep


def _record_codes(rows: pd.DataFrame, columns: Sequence[str]) -> tuple[np.ndarray, list[str]]:
    """Equal codes for rows equal in every given column (missing equals missing), and the
    columns that tell most rows apart (distinct on at least half of them)."""
    key = np.zeros(len(rows), dtype=np.int64)
    telling = []
    for col in columns:
        values = rows[col]
        try:
            codes = pd.factorize(values, use_na_sentinel=False)[0]
        except TypeError:  # unhashable cells (lists): compare their text
            codes = pd.factorize(values.astype(str), use_na_sentinel=False)[0]
        levels = int(codes.max(initial=0)) + 1
        if levels >= TELLING_SHARE * len(rows):
            telling.append(col)
        key = pd.factorize(key * levels + codes)[0].astype(np.int64)
    return key, telling


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


def _canonical_order(prep: Prepared) -> None:
    """Sort labelled rows by label and by every column's exact code (in column order)."""
    keys = [*(prep.exact[c] for c in reversed(prep.exact)), prep.y]
    order = np.lexsort(keys)
    prep.frame = prep.frame.iloc[order].reset_index(drop=True)
    prep.y = prep.y[order]
    prep.position = prep.position[order]
    prep.record = prep.record[order]
    prep.exact = {c: v[order] for c, v in prep.exact.items()}
    prep.bins = {c: v[order] for c, v in prep.bins.items()}
