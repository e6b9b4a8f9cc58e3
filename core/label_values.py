"""A label given in the data: which values mean "Lambda optimal", and which columns can be one.

Why its own module: the same mapping must hold wherever a given label is read (ingestion,
diagnose, train, explain, predict, the Data page), and a value it does not know must stop the
run with the values found, never turn silently into "unlabelled" and be replaced by computed
labels. Documented mapping (case and surrounding spaces ignored):

    1 / 0, true / false, lambda / ecs, yes / no   ->   1 (Lambda optimal) / 0 (ECS optimal)

Missing values stay missing (error rows have no label).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.errors import UserError
from core.schema import LABEL, OPTIMAL_PLATFORM, is_outcome, latency_columns

#: Written values -> 1 (Lambda optimal) / 0 (ECS optimal).
LABEL_VALUES: dict[str, int] = {
    "1": 1, "0": 0, "1.0": 1, "0.0": 0, "true": 1, "false": 0,
    "lambda": 1, "ecs": 0, "yes": 1, "no": 0,
}
ACCEPTED = "1/0, true/false, lambda/ecs or yes/no (1 = Lambda optimal)"
#: Columns that say which platform *served* a request: two values, never the label.
NOT_LABELS = ("platform", "is_error")


def _words(values: pd.Series) -> pd.Series:
    if pd.api.types.is_bool_dtype(values):
        return values.astype("boolean").map({True: "true", False: "false"}, na_action="ignore")
    if pd.api.types.is_numeric_dtype(values):
        numbers = pd.to_numeric(values, errors="coerce").astype("Float64")
        text = numbers.astype("string")
        return text.str.replace(r"\.0$", "", regex=True)
    return values.astype("string").str.strip().str.lower().replace("", pd.NA)


def unknown_values(values: pd.Series) -> list[str]:
    """The distinct non-missing values that are not a label value (sorted, as written)."""
    words = _words(values)
    bad = words.notna() & ~words.isin(list(LABEL_VALUES))
    if not bad.any():
        return []
    return sorted(set(values[bad.to_numpy(dtype=bool)].astype(str)))  # lists: unhashable


def to_label(values: pd.Series, column: str = LABEL) -> pd.Series:
    """A given label as nullable Int64 1/0 (same index); UserError naming the values found
    when any value is not one of 1/0, true/false, lambda/ecs, yes/no."""
    bad = unknown_values(values)
    if bad:
        shown = ", ".join(repr(v) for v in bad[:6]) + (f" (+{len(bad) - 6} more)"
                                                       if len(bad) > 6 else "")
        raise UserError(
            f"Label column '{column}' holds {shown}; a given label must be {ACCEPTED}. "
            "Map the values to these, pick another label column (--label COL or the Data "
            "page), or remove the column so labels are computed (Labelling on the Data page, "
            "or `python -m core label`).")
    mapped = _words(values).map(LABEL_VALUES, na_action="ignore")
    return pd.Series(pd.array(mapped.to_numpy(dtype=object, na_value=pd.NA), dtype="Int64"),
                     index=values.index, name=values.name)


def is_label_like(values: pd.Series) -> bool:
    """Has labelled rows, at most two distinct values, and each is a label value."""
    try:  # cheap tests first: most columns show a third value in their first rows
        if values.head(1000).nunique(dropna=True) > 2:
            return False
        distinct = values.nunique(dropna=True)
    except TypeError:  # unhashable cells: not a label
        return False
    if not 0 < distinct <= 2:
        return False
    words = _words(values.drop_duplicates()).dropna()
    return (not words.empty and words.nunique() <= 2
            and bool(words.isin(list(LABEL_VALUES)).all()))


def label_columns(frame: pd.DataFrame) -> list[str]:
    """Columns that can be the label: label-like values (see `is_label_like`), or a name that
    says so (`label`, `optimal_*`) with label values. Outcomes (cold_start, ...) and the
    serving platform are never offered. `label` first, then `optimal_*`, then by name."""
    found = []
    for col in frame.columns:
        name = str(col)
        if name in NOT_LABELS or (is_outcome(name) and name != OPTIMAL_PLATFORM):
            continue
        if is_label_like(frame[col]):
            found.append(col)
    return sorted(found, key=lambda c: (c != LABEL, not str(c).startswith("optimal_"),
                                        str(c)))


def has_labels(frame: pd.DataFrame, column: str = LABEL) -> bool:
    """The column exists and holds at least one label value."""
    return column in frame.columns and bool(frame[column].notna().any())


def label_array(values: pd.Series, column: str = LABEL) -> np.ndarray:
    """Labelled rows only, as a 0/1 int array (UserError on unknown values)."""
    mapped = to_label(values, column)
    return mapped.dropna().to_numpy(dtype=np.int64)


def require_computable(frame: pd.DataFrame, source: str = "The data") -> None:
    """UserError when the frame has no given label and labels can not be computed either
    (no latency column): the message offers both ways out."""
    if has_labels(frame) or any(frame[c].notna().any() for c in latency_columns(frame)):
        return
    shown = ", ".join(str(c) for c in frame.columns if frame[c].notna().any()) or "none"
    raise UserError(
        f"{source} has no label and no latency values, so labels can not be computed "
        f"(columns with values: {shown}). Give a label column (--label COL, or name it "
        f"`label`; values {ACCEPTED}), "
        "or add `latency_ms` / `execution_time_ms` and `cost_usd` so balanced_optimal can "
        "label the rows.")


def with_labels(frame: pd.DataFrame, label: str = LABEL, *, source: str = "The data",
                **kw) -> tuple[pd.DataFrame, str]:
    """The frame with its label, and a sentence saying where the label came from.

    A label column other than `label`, or a `label` with values, is used as given (mapped
    when read); otherwise labels are computed with `core.labels.ensure_labels(**kw)`, which
    needs a latency column (UserError otherwise, naming both ways out).
    """
    if label != LABEL:
        if label not in frame.columns:
            return frame, f"label: column '{label}' (not found)"
        to_label(frame[label], label)  # unknown values: UserError now, naming them
        return frame, f"label: column '{label}' as given"
    if has_labels(frame, LABEL):
        return frame, "label: column 'label' as given in the data"
    require_computable(frame, source)
    from core import labels  # the labelling rule (and its cost profiles) only when needed

    labelled = labels.ensure_labels(frame, **kw)
    rule = labelled.attrs.get("label_rule") or {}
    return labelled, (f"label: computed with {rule_words(rule)} (the data has no label "
                      "column)")


def rule_words(rule: dict) -> str:
    """A labelling rule as people read it: "balanced_optimal (margin 10 %, latency field
    execution_time_ms, costs as given, marginal view)"."""
    parts = []
    if "margin" in rule:
        parts.append(f"margin {float(rule['margin']) * 100:g} %")
    if "latency_field" in rule:
        parts.append(f"latency field {rule['latency_field']}")
    if "costs" in rule:
        parts.append(f"costs {rule['costs']}")
    if "view" in rule:
        parts.append(f"{rule['view']} view")
    name = rule.get("rule", "balanced_optimal")
    return f"{name} ({', '.join(parts)})" if parts else name


def read_labelled(read, *args, label: str = LABEL, **kw):
    """Ingest as load-test logs (`read` is core.io.read_paths or read_uploads); a table that
    fails only for lack of latency loads too when it carries its own label (used as given).

    Why a retry: rows without latency are rejected in logs (they can not be labelled), but a
    published table with a given label has no latency at all and must still load."""
    try:
        return read(*args, need_latency=True, **kw)
    except UserError as first:
        try:
            result = read(*args, need_latency=False, **kw)
        except UserError as second:  # past the latency check: the deeper problem wins
            raise (second if "latency" in str(first) else first) from None
        if has_labels(result.frame, label):
            return result
        if "latency" in str(first):
            raise UserError(f"{first} Or give the table a label column (`{label}`: "
                            f"{ACCEPTED}) to use it as given.") from None
        raise
