"""Validate a training request once and return the cleaned frame, labels and features.

Why here: every bad input (one class, too few rows, NaN labels, only outcome features)
must become a UserError that names the input and says what to do, before any worker starts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from core.errors import UserError
from core.label_values import to_label
from core.schema import is_outcome, model_features

MIN_ROWS = 50


@dataclass
class Prepared:
    frame: pd.DataFrame      # feature (+ group / time) columns, NA-label rows dropped
    y: np.ndarray            # 0/1 ints
    features: list[str]
    dropped_label_rows: int
    removed_outcomes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def prepare(frame: pd.DataFrame, *, features: list[str] | None, label: str = "label",
            allow_outcomes: bool = False, keep: tuple[str | None, ...] = ()) -> Prepared:
    """Check the label and features; drop rows without a label (counted)."""
    if not isinstance(frame, pd.DataFrame) or frame.empty:
        raise UserError("The training data is empty; load a dataset with labelled requests.")
    if label not in frame.columns:
        raise UserError(f"Label column {label!r} not found; got columns {list(frame.columns)}. "
                        "Label the data first (Labelling on the Data page, or `python -m core "
                        "label`), or pick the label column (Column roles on the Data page, or "
                        "--label COL).")
    notes: list[str] = []
    requested = (list(features) if features is not None
                 else model_features(frame, label=label))
    requested = [c for c in dict.fromkeys(requested) if c != label]
    missing = [c for c in requested if c not in frame.columns]
    if missing:
        raise UserError(f"Feature columns {missing} are not in the data; got columns "
                        f"{list(frame.columns)}. Pick features that exist.")
    removed = [] if allow_outcomes else [c for c in requested if is_outcome(c)]
    chosen = [c for c in requested if c not in removed]
    if removed:
        notes.append(f"Removed outcome columns {removed} from the features: they are measured "
                     "after routing and leak the label.")
    if not chosen:
        raise UserError(f"No features left after removing outcome columns {removed}; got "
                        f"{requested}. Choose pre-routing columns such as workload_type, "
                        "payload_size_kb, time_window or load_pattern.")
    raw = to_label(frame[label], label)  # given labels as documented; others: UserError
    has_label = raw.notna()
    dropped = int((~has_label).sum())
    if dropped == len(frame):
        raise UserError(f"Every row's {label!r} is missing ({dropped} rows). Label the data "
                        "first (Labelling on the Data page, or `python -m core label FILE`) "
                        "or choose another label column (Column roles on the Data page).")
    if dropped:
        notes.append(f"Dropped {dropped} rows without a label (errors or unlabelled).")
    y = raw[has_label].to_numpy(dtype=float)
    if len(y) < MIN_ROWS:
        raise UserError(f"Only {len(y)} labelled rows; training needs at least {MIN_ROWS}. "
                        "Load more requests.")
    classes, counts = np.unique(y, return_counts=True)
    if len(classes) < 2:
        name = "Lambda" if classes[0] == 1 else "ECS"
        raise UserError(f"Label {label!r} has one class only ({name} optimal in all "
                        f"{len(y)} rows); a classifier needs both. Check the labelling rule "
                        "and its margin, or load data from both platforms.")
    if counts.min() < 5:
        raise UserError(f"Label {label!r} has only {counts.min()} rows of the rarer class; "
                        "need at least 5 to split into train and test. Load more data.")
    cols = list(dict.fromkeys([*chosen, *[c for c in keep if c and c in frame.columns]]))
    clean = frame.loc[has_label, cols].reset_index(drop=True)
    return Prepared(clean, y.astype(int), chosen, dropped, removed, notes)
