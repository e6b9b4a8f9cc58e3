"""Column roles of the canonical request table.

One row per request. Outcome columns are measured *after* routing (latency, cost, ...),
so they can never be model features unless a user overrides that with a visible warning.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

LABEL = "label"
OPTIMAL_PLATFORM = "optimal_platform"
PLATFORMS = ("lambda", "ecs")
WORKLOADS = ("lightweight_api", "thumbnail_processing", "medium_processing", "heavy_processing")
TIME_WINDOWS = ("early_morning", "morning_peak", "midday", "evening", "late_night")
LOAD_PATTERNS = ("low_load", "medium_load", "ramp_load", "burst_load")

CANONICAL_COLUMNS = (
    "request_id",
    "timestamp",
    "platform",
    "workload_type",
    "payload_size_kb",
    "time_window",
    "load_pattern",
    "latency_ms",
    "execution_time_ms",
    "cold_start",
    "memory_mb",
    "cpu_percent",
    "http_status",
    "cost_usd",
    LABEL,
)

#: Measured after the request ran: never a feature by default.
OUTCOME_COLUMNS = (
    "latency_ms",
    "execution_time_ms",
    "response_time_ms",
    "cold_start",
    "memory_mb",
    "memory_used_mb",
    "memory_limit_mb",
    "cpu_percent",
    "http_status",
    "cost_usd",
    "is_error",
    "actual_payload_size_kb",
    OPTIMAL_PLATFORM,
)
#: Substrings that mark a column as outcome-like (paired `lambda_latency_ms`, `ecs_cost_usd`...).
OUTCOME_NAME_HINTS = ("latency", "execution_time", "response_time", "cost", "cold_start",
                      "memory_used", "cpu_percent", "http_status", "duration")
ID_COLUMNS = ("request_id", "timestamp", "source_file", "source_line")
#: What a request knows before it is routed: the default model features.
DEFAULT_FEATURES = ("workload_type", "payload_size_kb", "time_window", "load_pattern")
CATEGORICAL_FEATURES = ("workload_type", "time_window", "load_pattern", "platform")


def is_outcome(column: str) -> bool:
    """True when a column is measured after routing (by name)."""
    name = column.lower()
    return name in OUTCOME_COLUMNS or any(h in name for h in OUTCOME_NAME_HINTS)


@dataclass
class Roles:
    """Which column plays which part. `features` never contains outcomes unless overridden."""

    features: list[str] = field(default_factory=lambda: list(DEFAULT_FEATURES))
    label: str = LABEL
    outcomes: list[str] = field(default_factory=list)
    group: str | None = None
    ids: list[str] = field(default_factory=list)

    def outcome_features(self) -> list[str]:
        """Features that are outcomes: empty unless the user overrode the default."""
        return [c for c in self.features if c in self.outcomes or is_outcome(c)]


def default_roles(frame: pd.DataFrame, label: str = LABEL) -> Roles:
    """Guess roles for a frame: the default features (`model_features`), outcomes and ids by
    name."""
    cols = list(frame.columns)
    features = model_features(frame, label=label)
    outcomes = [c for c in cols if is_outcome(c) and c != label]
    ids = [c for c in cols if c in ID_COLUMNS]
    group = "time_window" if "time_window" in cols else None
    return Roles(features=features, label=label, outcomes=outcomes, group=group, ids=ids)


def present(frame: pd.DataFrame, columns: Iterable[str]) -> list[str]:
    """The subset of `columns` that exist in `frame`, in the given order."""
    have = set(frame.columns)
    return [c for c in columns if c in have]


#: A feature named this reaches the model as its hour of day (core.features), not raw.
TIME_COLUMN = "timestamp"
#: Derived features: input column -> what the model sees of it.
DERIVED_FEATURES = {TIME_COLUMN: "hour of day"}
#: Never features: the label in words, the serving platform (known only after routing).
NOT_FEATURES = (LABEL, OPTIMAL_PLATFORM, "platform")
#: A column with a distinct value on at least this share of rows (and >= ID_MIN_ROWS rows)
#: is an identifier when it holds text, whole numbers or datetimes.
ID_UNIQUE_SHARE = 0.95
ID_MIN_ROWS = 20


def feature_title(column: str) -> str:
    """How a feature is shown: derived ones with their source ("hour of day ← timestamp")."""
    derived = DERIVED_FEATURES.get(column)
    return f"{derived} ← {column}" if derived else column


def id_kind(values: pd.Series) -> str | None:
    """Why a column identifies rows rather than describing them, or None.

    Unique or near-unique (>= 95 % distinct of >= 20 values) text (UUIDs, request ids),
    whole numbers (row numbers, integer sequences, file offsets) or datetimes. Measured
    floats (latencies, sizes) are unique too, so they never count.
    """
    present = values.dropna()
    if len(present) < ID_MIN_ROWS or pd.api.types.is_bool_dtype(values):
        return None
    try:
        distinct = present.nunique()
    except TypeError:  # unhashable cells (lists): compare their text
        distinct = present.astype(str).nunique()
    if distinct < ID_UNIQUE_SHARE * len(present):
        return None
    if pd.api.types.is_datetime64_any_dtype(values):
        return "datetime"
    if pd.api.types.is_numeric_dtype(values):
        numbers = pd.to_numeric(present, errors="coerce").astype(float)
        return "whole numbers" if bool((numbers == numbers.round()).all()) else None
    return "text"


def model_features(frame: pd.DataFrame, *, label: str = LABEL,
                   outcomes: Iterable[str] = (), ids: Iterable[str] = ()) -> list[str]:
    """The default features, the same on every page and command: every column known before
    routing. Not the label, outcomes (by name or role), ids (by name, role or uniqueness),
    the serving platform, or columns without two distinct values. The timestamp is not a
    default (near-unique, and time_window says the same coarser); chosen, the model sees its
    hour of day (`feature_title`)."""
    skip = {label, *outcomes, *ids, *NOT_FEATURES, *ID_COLUMNS}
    out = []
    for col in frame.columns:
        if col in skip or is_outcome(str(col)):
            continue
        values = frame[col]
        if values.nunique(dropna=True) < 2:
            continue
        if col not in (TIME_COLUMN, *DEFAULT_FEATURES) and id_kind(values) is not None:
            continue
        out.append(col)
    return out


def latency_columns(frame: pd.DataFrame) -> list[str]:
    """Columns that measure a request's time: canonical ones and paired `lambda_*`/`ecs_*`."""
    cols = [c for c in ("latency_ms", "execution_time_ms") if c in frame.columns]
    return cols + [c for c in frame.columns
                   if isinstance(c, str) and c.startswith(("lambda_", "ecs_"))
                   and c.endswith(("_latency_ms", "_execution_time_ms"))]
