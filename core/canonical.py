"""Map a parsed file onto the canonical request table and find the rows that cannot be used.

Column names from Artillery logs, thesis CSVs and notebooks differ (`response_time_ms`,
`metrics.execution_time_ms`, `target_payload_size_kb`, `memory_limit_mb` as a string...).
`canonicalise` renames them, fixes dtypes and fills run facts from the file path;
`row_problems` gives each unusable row one reason, so nothing is dropped silently.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from core.artillery import LINE, path_hints
from core.errors import UserError
from core.label_values import to_label
from core.schema import CANONICAL_COLUMNS, LABEL, OPTIMAL_PLATFORM, latency_columns

#: canonical column -> accepted source names (normalised: lower case, `_` for spaces), in order.
ALIASES: dict[str, tuple[str, ...]] = {
    "request_id": ("request_id", "requestid", "req_id"),
    "timestamp": ("timestamp", "time", "datetime", "ts"),
    "platform": ("platform",),
    "workload_type": ("workload_type", "workload"),
    "payload_size_kb": ("payload_size_kb", "target_payload_size_kb", "payload_kb"),
    "time_window": ("time_window",),
    "load_pattern": ("load_pattern",),
    "latency_ms": ("latency_ms", "response_time_ms", "latency", "response_time"),
    "execution_time_ms": ("execution_time_ms", "metrics.execution_time_ms"),
    "cold_start": ("cold_start", "metrics.cold_start", "is_cold_start"),
    "memory_mb": ("memory_mb", "memory_limit_mb", "metrics.memory_limit_mb"),
    "memory_used_mb": ("memory_used_mb", "metrics.memory_used_mb"),
    "cpu_percent": ("cpu_percent", "metrics.cpu_percent"),
    "http_status": ("http_status", "status_code", "statuscode", "http_code"),
    "cost_usd": ("cost_usd", "cost"),
    LABEL: (LABEL, "balanced_optimal"),
    OPTIMAL_PLATFORM: (OPTIMAL_PLATFORM,),
}
#: Source columns that stay next to their canonical copy.
KEEP_SOURCE = frozenset({"response_time_ms", "balanced_optimal"})
TEXT_COLUMNS = ("request_id", "platform", "workload_type", "time_window", "load_pattern",
                OPTIMAL_PLATFORM)
NUMERIC_COLUMNS = ("payload_size_kb", "latency_ms", "execution_time_ms", "memory_mb",
                   "memory_used_mb", "cpu_percent", "cost_usd")
PLATFORM_ALIASES = {"fargate": "ecs", "ecs_fargate": "ecs", "aws_lambda": "lambda"}
MAX_LATENCY_MS = 15 * 60 * 1000  # Lambda's hard timeout: anything longer is not a request
#: Values no real request has (column -> (upper bound, how the reason says it)).
ABSURD = {"payload_size_kb": (10 * 1024**2, "10 GB"), "memory_mb": (128 * 1024, "128 GB")}
#: Source columns that only repeat another source column (dropped).
DUPLICATE_SOURCES = ("metrics.payload_size_kb",)
EXTRA_COLUMNS = ("is_error", OPTIMAL_PLATFORM, "source_file", "source_line")


def _norm(name: object) -> str:
    return str(name).strip().lower().replace(" ", "_").replace("-", "_")


def _rename(frame: pd.DataFrame) -> pd.DataFrame:
    by_norm: dict[str, str] = {}
    for col in frame.columns:
        by_norm.setdefault(_norm(col), col)
    renames, copies = {}, {}
    for canon, aliases in ALIASES.items():
        if canon in frame.columns:
            continue
        source = next((by_norm[a] for a in aliases if a in by_norm), None)
        if source is None or source in renames:
            continue
        (copies if _norm(source) in KEEP_SOURCE else renames)[source] = canon
    frame = frame.rename(columns=renames)
    for source, canon in copies.items():
        frame[canon] = frame[source]
    if "actual_payload_size_kb" in frame.columns:  # Artillery repeats it inside `metrics`
        frame = frame.drop(columns=[c for c in DUPLICATE_SOURCES if c in frame.columns])
    return frame


def _check_columns(frame: pd.DataFrame, source: str, need_latency: bool = True) -> None:
    """File-level rules: a load-test log needs a workload and a latency to be of any use;
    requests to predict or explain (`need_latency=False`) only need the workload."""
    known = set(CANONICAL_COLUMNS) - {"label"}
    shown = ", ".join(map(str, [c for c in frame.columns if c != LINE][:12])) or "none"
    has_latency = bool(latency_columns(frame))
    if not (known & set(frame.columns)) and not has_latency:
        raise UserError(
            f"{source}: no usable columns (found: {shown}). A request table needs at least "
            "`workload_type` and a latency column (`latency_ms`, `response_time_ms` or "
            "`execution_time_ms`); check the header row and the delimiter, or rename columns.")
    if "workload_type" not in frame.columns:
        raise UserError(
            f"{source}: no `workload_type` column (found: {shown}). Add it, rename the column "
            "holding the workload to `workload_type`, or name Artillery files "
            "`<platform>_<workload>_<date>.jsonl`.")
    if need_latency and not has_latency:
        raise UserError(
            f"{source}: no latency column (found: {shown}). Add `latency_ms` (client-side), "
            "`response_time_ms` or `execution_time_ms` (server-side), or paired "
            "`lambda_latency_ms`/`ecs_latency_ms` columns.")


def canonicalise(raw: pd.DataFrame, source: str, *, need_latency: bool = True
                 ) -> tuple[pd.DataFrame, dict[str, pd.Series]]:
    """Canonical columns with fixed dtypes first, then every other column as it came.

    Returns the frame and, per checked numeric column, the values as they came (to tell
    "non-numeric" from "missing" when validating).
    """
    frame = _rename(raw)
    for col, value in path_hints(source).items():
        if col not in frame.columns:
            frame[col] = value
        elif frame[col].isna().any():
            frame[col] = frame[col].fillna(value)
    _check_columns(frame, source, need_latency)
    originals = {c: frame[c] for c in (*latency_columns(frame), "payload_size_kb")
                 if c in frame.columns}
    out = pd.DataFrame(index=frame.index)
    n = len(frame)
    for col in TEXT_COLUMNS:
        out[col] = (_text(frame[col]) if col in frame.columns
                    else pd.Series(np.nan, index=frame.index, dtype="str"))
    out["platform"] = out["platform"].str.lower().str.strip().replace(PLATFORM_ALIASES)
    out["platform"] = out["platform"].fillna("unknown")
    out["workload_type"] = out["workload_type"].str.strip().replace("", np.nan)
    for col in NUMERIC_COLUMNS + tuple(c for c in originals if c not in NUMERIC_COLUMNS):
        values = frame[col] if col in frame.columns else pd.Series(np.nan, index=frame.index)
        out[col] = _number(values)
    out["timestamp"] = _timestamp(frame.get("timestamp"), frame.index)
    out["cold_start"] = _boolean(frame.get("cold_start"), frame.index)
    status = frame["http_status"] if "http_status" in frame.columns else None
    if status is None:
        out["http_status"] = pd.array([pd.NA] * n, dtype="Int64")
    else:  # HTTP codes are 100..599; anything else is not a status
        code = _number(status).round()
        out["http_status"] = code.where(code.between(100, 599)).astype("Int64")
    out["is_error"] = (out["http_status"] >= 400).fillna(False).astype(bool)
    out[LABEL] = _label(frame, out)
    out["source_file"] = source
    out["source_line"] = frame[LINE].astype("int64")
    ordered = [*CANONICAL_COLUMNS, *EXTRA_COLUMNS]
    rest = [c for c in frame.columns if c not in out.columns and c != LINE]
    others = frame[rest].apply(_tidy) if rest else pd.DataFrame(index=frame.index)
    extra = [c for c in out.columns if c not in ordered]
    return pd.concat([out[ordered + extra], others], axis=1), originals


def _text(values: pd.Series) -> pd.Series:
    if pd.api.types.is_string_dtype(values) and values.dtype != object:
        return values
    if values.dtype == object:
        values = values.map(lambda v: v if v is None or isinstance(v, str) else
                            (np.nan if isinstance(v, float) and np.isnan(v) else str(v)))
    return values.astype("str")


def _number(values: pd.Series) -> pd.Series:
    """Numbers, also from strings such as "512" or "512 MB" (Lambda's memory fields)."""
    if pd.api.types.is_bool_dtype(values):
        return values.astype("float64")
    numbers = pd.to_numeric(values, errors="coerce").astype("float64")
    failed = (numbers.isna() & values.notna()).to_numpy()
    if failed.any():
        text = values[failed].astype("str").str.strip().str.lower()
        text = text.str.replace(r"\s*(ms|mb|kb|%)$", "", regex=True)
        text = text.str.replace(r"^([-+]?\d+),(\d+)$", r"\1.\2", regex=True)  # 12,5 -> 12.5
        numbers[failed] = pd.to_numeric(text, errors="coerce").astype("float64")
    return numbers


def _timestamp(values: pd.Series | None, index: pd.Index) -> pd.Series:
    if values is None:
        return pd.Series(pd.NaT, index=index, dtype="datetime64[us, UTC]")
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        return values.dt.tz_convert("UTC")
    if pd.api.types.is_datetime64_dtype(values):
        return values.dt.tz_localize("UTC")
    if pd.api.types.is_numeric_dtype(values):
        unit = "ms" if values.abs().max() > 1e11 else "s"
        return pd.to_datetime(values, unit=unit, utc=True, errors="coerce")
    return pd.to_datetime(values.astype("str"), utc=True, format="ISO8601", errors="coerce")


def _boolean(values: pd.Series | None, index: pd.Index) -> pd.Series:
    if values is None:
        return pd.Series(pd.array([pd.NA] * len(index), dtype="boolean"), index=index)
    if pd.api.types.is_bool_dtype(values):
        return values.astype("boolean")
    mapping = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False,
               "1.0": True, "0.0": False}
    text = values.astype("str").str.strip().str.lower()
    return text.map(mapping).astype("boolean").set_axis(values.index)


def _label(frame: pd.DataFrame, out: pd.DataFrame) -> pd.Series:
    """Existing labels as Int64 (1 = Lambda optimal), NA on error rows; a `label` value that is
    not 1/0, true/false, lambda/ecs or yes/no is a UserError (never silently unlabelled)."""
    if LABEL in frame.columns:  # a given label: mapped as documented, else UserError
        label = to_label(frame[LABEL], LABEL).astype("Float64")
    elif OPTIMAL_PLATFORM in frame.columns:
        label = out[OPTIMAL_PLATFORM].str.lower().map({"lambda": 1, "ecs": 0})
    else:
        return pd.Series(pd.array([pd.NA] * len(frame), dtype="Int64"), index=frame.index)
    label = label.where(label.isin([0, 1]) & ~out["is_error"])
    return label.astype("Float64").astype("Int64")


def _tidy(values: pd.Series) -> pd.Series:
    """Other columns as they came, but one type per column (Parquet needs that)."""
    if values.dtype != object:
        return values
    nonnull = values.dropna()
    if nonnull.empty:
        return values.astype("float64")
    kinds = nonnull.map(type)
    if kinds.isin([dict, list, np.ndarray]).any():  # nested values: kept as JSON text
        return values.map(_json_text).astype("str")
    if kinds.isin([bool, np.bool_]).all():
        return values.astype("boolean")
    numbers = pd.to_numeric(values, errors="coerce")
    if numbers.notna().sum() == len(nonnull):
        return numbers
    return values.astype("str")


def _json_text(value: object) -> object:
    if isinstance(value, np.ndarray):
        value = value.tolist()
    return json.dumps(value, default=str) if isinstance(value, dict | list) else value


def row_problems(frame: pd.DataFrame, originals: dict[str, pd.Series], *,
                 need_latency: bool = True) -> pd.Series:
    """One reason per unusable row (first rule that fails), NaN for good rows."""
    reason = pd.Series(np.nan, index=frame.index, dtype="object")

    def flag(mask: pd.Series, text: str) -> None:
        reason[mask.fillna(False).to_numpy(dtype=bool) & reason.isna().to_numpy()] = text

    flag(frame["workload_type"].isna(), "missing workload_type")
    lat_cols = latency_columns(frame)
    for col in [*lat_cols, "payload_size_kb"]:
        if col in originals:
            came = originals[col]
            if pd.api.types.is_numeric_dtype(came) or pd.api.types.is_bool_dtype(came):
                continue  # numbers (or NaN) already: nothing can be non-numeric
            given = came.notna() & (came.astype("str").str.strip() != "")
            flag(given & frame[col].isna(), f"non-numeric {col}")
    if need_latency and lat_cols:
        flag(frame[lat_cols].isna().all(axis=1), "missing latency")
    for col in lat_cols:
        flag(frame[col] < 0, f"negative {col}")
        flag(frame[col] > MAX_LATENCY_MS, f"{col} above 15 min")
    for col in ("payload_size_kb", "cost_usd", "cpu_percent", "memory_mb"):
        flag(frame[col] < 0, f"negative {col}")
    for col, (limit, words) in ABSURD.items():
        flag(frame[col] > limit, f"{col} above {words}")
    return reason
