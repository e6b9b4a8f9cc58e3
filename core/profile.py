"""A loaded dataset at a glance: column profiles and the small aggregates the Data page charts.

Why here and not in the page: every number a page shows comes from core, so the CLI, tests and
notebooks see the same figures.
"""

from __future__ import annotations

import warnings

import pandas as pd

from core.schema import CATEGORICAL_FEATURES, LABEL, Roles, default_roles

#: Latency fields a label can be computed from, in the order DESIGN.md prefers them.
LATENCY_FIELDS = ("execution_time_ms", "latency_ms")
#: A column with at most this many distinct values can be a group (e.g. time_window).
MAX_GROUP_LEVELS = 50
PROFILE_COLUMNS = ("column", "dtype", "role", "missing", "missing_share", "distinct",
                   "min", "max", "example")


def column_role(column: str, roles: Roles) -> str:
    """The role a column plays: feature, label, group, outcome, id, or other."""
    if column == roles.label:
        return "label"
    if column in roles.features:
        return "feature (outcome!)" if column in roles.outcome_features() else "feature"
    if column == roles.group:
        return "group"
    if column in roles.outcomes:
        return "outcome"
    if column in roles.ids:
        return "id"
    return "other"


def _text(value: object) -> str:
    """Display form of a min/max/example value (one dtype per column, so Arrow can show it)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)[:60]


def _min_max(values: pd.Series) -> tuple[str, str]:
    """Smallest and largest value of numeric, boolean or datetime columns; blank otherwise."""
    kind = values.dtype.kind
    if kind not in "iufbM" or values.dropna().empty:
        return "", ""
    data = values.dropna()
    if kind == "b":
        data = data.astype(int)
    return _text(data.min()), _text(data.max())


def profile_columns(frame: pd.DataFrame, roles: Roles | None = None) -> pd.DataFrame:
    """One row per column: dtype, role, missing count and share, distinct values, min/max and
    an example value. Columns are always PROFILE_COLUMNS, even for an empty frame."""
    roles = roles or default_roles(frame)
    rows = []
    n = len(frame)
    for col in frame.columns:
        values = frame[col]
        missing = int(values.isna().sum())
        lo, hi = _min_max(values)
        present = values.dropna()
        rows.append({
            "column": str(col),
            "dtype": str(values.dtype),
            "role": column_role(str(col), roles),
            "missing": missing,
            "missing_share": missing / n if n else 0.0,
            "distinct": int(values.nunique(dropna=True)),
            "min": lo,
            "max": hi,
            "example": _text(present.iloc[0]) if len(present) else "",
        })
    return pd.DataFrame(rows, columns=list(PROFILE_COLUMNS))


def latency_fields(frame: pd.DataFrame) -> list[str]:
    """Latency columns present with at least one value, preferred first."""
    return [c for c in LATENCY_FIELDS if c in frame.columns and frame[c].notna().any()]


def label_candidates(frame: pd.DataFrame) -> list[str]:
    """Columns that can be a binary label (at most two distinct values), `label` first."""
    found = [c for c in frame.columns if 0 < frame[c].nunique(dropna=True) <= 2]
    return sorted(found, key=lambda c: (c != LABEL, str(c)))


def group_candidates(frame: pd.DataFrame) -> list[str]:
    """Columns that can group rows for a group split: few levels, more than one."""
    found = []
    for col in frame.columns:
        if frame[col].dtype.kind in "fM":
            continue
        levels = frame[col].nunique(dropna=True)
        if 1 < levels <= MAX_GROUP_LEVELS:
            found.append(col)
    return sorted(found, key=lambda c: (c not in CATEGORICAL_FEATURES, str(c)))


def plot_sample(frame: pd.DataFrame, max_rows: int = 20_000, seed: int = 0) -> pd.DataFrame:
    """At most `max_rows` rows, drawn at random (seeded) so big uploads still chart quickly."""
    if len(frame) <= max_rows:
        return frame
    return frame.sample(n=max_rows, random_state=seed).sort_index()


def cold_start_share(frame: pd.DataFrame) -> pd.DataFrame:
    """Per workload, the share of Lambda requests that hit a cold start.

    Columns: workload_type, lambda_requests, cold_starts, cold_start_share. Empty when the data
    has no Lambda rows or no cold_start column (ECS has no cold starts per request).
    """
    columns = ["workload_type", "lambda_requests", "cold_starts", "cold_start_share"]
    needed = {"platform", "workload_type", "cold_start"}
    if not needed <= set(frame.columns):
        return pd.DataFrame(columns=columns)
    lam = frame.loc[frame["platform"] == "lambda", ["workload_type", "cold_start"]]
    if lam.empty:
        return pd.DataFrame(columns=columns)
    cold = _as_bool(lam["cold_start"])
    grouped = cold.groupby(lam["workload_type"].astype(str), sort=True)
    out = pd.DataFrame({
        "lambda_requests": grouped.size(),
        "cold_starts": grouped.sum().astype(int),
    })
    out["cold_start_share"] = out["cold_starts"] / out["lambda_requests"]
    return out.rename_axis("workload_type").reset_index()[columns]


def _as_bool(values: pd.Series) -> pd.Series:
    """Booleans from bools, 0/1 or 'true'/'false' strings; missing counts as no cold start."""
    if values.dtype.kind == "b":
        return values
    text = values.astype("string").str.strip().str.lower()
    return text.isin(["true", "1", "1.0", "yes"]).astype(bool)


def label_shares_by_field(frame: pd.DataFrame, *, margin: float = 0.10) -> pd.DataFrame:
    """Lambda-optimal share per workload under each available latency field, side by side.

    Why: the thesis's server-side `execution_time_ms` and the client's `latency_ms` give very
    different labels on the same logs; the Data page shows how much they move.
    Columns: workload_type, then one share column per latency field.
    """
    from core import labels

    parts = []
    for field in latency_fields(frame):
        with warnings.catch_warnings():  # the same notes were given when the data was labelled
            warnings.simplefilter("ignore", UserWarning)
            relabelled = labels.balanced_optimal(frame, margin=margin, latency_col=field)
        shares = labels.label_shares(relabelled)
        if "workload_type" not in shares.columns:
            shares = shares.rename_axis("workload_type").reset_index()
        parts.append(shares.set_index("workload_type")["lambda_optimal_share"].rename(field))
    if not parts:
        return pd.DataFrame(columns=["workload_type"])
    return pd.concat(parts, axis=1).rename_axis("workload_type").reset_index()


def overview(frame: pd.DataFrame, label: str = LABEL) -> dict:
    """Headline numbers: rows, columns, labelled rows, Lambda-optimal share, platforms."""
    labels = frame[label] if label in frame.columns else pd.Series(dtype="Int64")
    labelled = labels.dropna()
    platforms = (sorted(frame["platform"].dropna().astype(str).unique())
                 if "platform" in frame.columns else [])
    return {
        "rows": len(frame),
        "columns": frame.shape[1],
        "labelled_rows": len(labelled),
        "lambda_optimal_share": float(labelled.astype(float).mean()) if len(labelled) else None,
        "platforms": platforms,
    }


def box_stats(frame: pd.DataFrame, value: str,
              by: tuple[str, ...] = ("workload_type", "platform")) -> pd.DataFrame:
    """Box-plot numbers per group on every row: n, q1, median, q3 and Tukey whiskers (the most
    extreme values within 1.5 IQR of the box). Why: a chart then ships a few numbers per box
    instead of every value, so large uploads stay fast in the browser."""
    columns = [*by, "n", "q1", "median", "q3", "lowerfence", "upperfence"]
    if not {value, *by} <= set(frame.columns):
        return pd.DataFrame(columns=columns)
    data = frame[[*by]].astype(str).assign(v=pd.to_numeric(frame[value], errors="coerce"))
    data = data.dropna(subset=["v"])
    rows = []
    for key, group in data.groupby(list(by), sort=True):
        v = group["v"]
        q1, med, q3 = v.quantile([0.25, 0.5, 0.75])
        iqr = q3 - q1
        rows.append({**dict(zip(by, key, strict=True)), "n": len(v), "q1": q1, "median": med,
                     "q3": q3, "lowerfence": v[v >= q1 - 1.5 * iqr].min(),
                     "upperfence": v[v <= q3 + 1.5 * iqr].max()})
    return pd.DataFrame(rows, columns=columns)
