"""What a what-if form needs: one field per model input, and requests picked by filter.

Why in core: the page only draws widgets from these specs; options come from the fitted
transform (levels seen in training) plus the session data, defaults from the data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from core.errors import UserError
from core.explain.model_space import split_pipeline
from core.features import hour_of_day

#: Date used when a form gives only an hour of day (the model reads the hour, not the date).
_HOUR_DATE = "2026-01-05"


@dataclass(frozen=True)
class Field:
    """One input of a what-if request: categorical (options), numeric or hour (0..23)."""

    name: str
    kind: str
    options: tuple[str, ...] = ()
    default: Any = None


def whatif_fields(pipeline: Any, frame: pd.DataFrame | None = None) -> list[Field]:
    """Form fields for the model's inputs with defaults from `frame` (mode / median)."""
    transform, _, _ = split_pipeline(pipeline)
    fields = []
    for name in transform.input_features_:
        kind = transform.kinds_[name]
        column = frame[name] if frame is not None and name in frame.columns else None
        if kind == "categorical":
            seen = column.dropna().astype(str).unique().tolist() if column is not None else []
            options = tuple(dict.fromkeys([*transform.categories_[name], *sorted(seen)]))
            mode = column.dropna().astype(str).mode() if column is not None else pd.Series([])
            fields.append(Field(name, kind, options, mode.iloc[0] if len(mode) else
                                (options[0] if options else "")))
        elif kind == "hour":
            hours = hour_of_day(column) if column is not None else []
            hours = pd.Series(hours).dropna()
            fields.append(Field(name, kind, default=int(hours.median()) if len(hours) else 12))
        else:
            fields.append(Field(name, kind, default=float(transform.medians_[name])))
    return fields


def whatif_request(fields: list[Field], values: dict[str, Any]) -> dict[str, Any]:
    """A request dict for `explain_request` from form values (an hour becomes a timestamp)."""
    request = {}
    for field in fields:
        value = values.get(field.name, field.default)
        if field.kind == "hour":
            hour = int(value)
            if not 0 <= hour <= 23:
                raise UserError(f"{field.name}: hour of day must be 0 to 23; got {value!r}.")
            value = f"{_HOUR_DATE}T{hour:02d}:00:00Z"
        request[field.name] = value
    return request


def filter_rows(frame: pd.DataFrame, conditions: dict[str, Any]) -> list[int]:
    """Positions of rows whose columns equal the given values (None means any)."""
    mask = pd.Series(True, index=frame.index)
    for column, value in conditions.items():
        if value is None:
            continue
        if column not in frame.columns:
            raise UserError(f"Cannot filter on {column!r}: not a column; got "
                            f"{list(frame.columns)}.")
        mask &= frame[column].astype("string") == str(value)
    return [int(i) for i in mask.to_numpy().nonzero()[0]]
