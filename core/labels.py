"""Labelling rules: which platform was optimal for a request.

The thesis's `balanced_optimal` rule (seeds 000/002): Lambda is optimal only when it is
better than ECS by a margin on *both* latency and cost; otherwise ECS is. `label` is 1 when
Lambda is optimal, 0 when ECS is, NA when the row cannot be judged.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd

from core.cost_profile import (
    CostProfile,
    check_view,
    error_rows,
    fill_missing_cost,
    get_profile,
    numeric_column,
    request_costs,
)
from core.errors import UserError
from core.schema import LABEL, OPTIMAL_PLATFORM

PAIRED = ("lambda_latency_ms", "ecs_latency_ms", "lambda_cost_usd", "ecs_cost_usd")
LATENCY_FIELDS = ("execution_time_ms", "latency_ms")
BAND = (0.20, 0.80)
PLATFORM_NAMES = ("lambda", "ecs")


def check_margin(margin: float) -> float:
    """The margin as a float in [0, 0.5], else UserError."""
    try:
        value = float(margin)
    except (TypeError, ValueError):
        value = float("nan")
    if not 0.0 <= value <= 0.5:
        raise UserError(f"margin must be a number between 0 and 0.5 (0.10 = Lambda must be 10 % "
                        f"better); got {margin!r}. Pass e.g. --margin 0.10.")
    return value


def platform_codes(platform: pd.Series) -> np.ndarray:
    """Per row 0 for Lambda, 1 for ECS, -1 otherwise (case-insensitive; fast on big frames)."""
    codes, names = pd.factorize(platform)
    lookup = np.array([PLATFORM_NAMES.index(n) if n in PLATFORM_NAMES else -1
                       for n in (str(v).strip().lower() for v in names)] + [-1])
    return lookup[codes]  # code -1 (missing) picks the trailing -1


def _latency_column(frame: pd.DataFrame, latency_col: str | None, prefix: str = "") -> str:
    """Resolve the latency field: default execution_time_ms when it has values, else latency_ms."""
    if latency_col is None:
        first = f"{prefix}execution_time_ms"
        if first in frame.columns and frame[first].notna().any():
            return first
        return f"{prefix}latency_ms"
    name = f"{prefix}{latency_col}"
    if name not in frame.columns and latency_col == "response_time_ms":
        name = f"{prefix}latency_ms"  # ingestion renames response_time_ms to latency_ms
    if name not in frame.columns:
        raise UserError(f"Latency field {name!r} not found; got columns {list(frame.columns)}. "
                        f"Pass --latency-field with one of {list(LATENCY_FIELDS)} that exists.")
    return name


def _result(frame: pd.DataFrame, label: np.ndarray, known: np.ndarray, notes: list[str],
            rule: dict) -> pd.DataFrame:
    out = frame.copy(deep=False)  # copy-on-write: the caller's frame stays as it was
    labels = pd.array(label, dtype="Int64")
    labels[~known] = pd.NA
    out[LABEL] = labels
    platform = pd.Series(["ecs", "lambda"], dtype="string").take(label).array
    platform[~known] = pd.NA
    out[OPTIMAL_PLATFORM] = platform
    out.attrs["label_warnings"] = notes
    out.attrs["label_rule"] = rule
    for note in notes:
        warnings.warn(note, UserWarning, stacklevel=4)
    return out


def _paired(frame: pd.DataFrame, margin: float, latency_col: str | None) -> pd.DataFrame:
    keep = 1.0 - margin
    field = _latency_column(frame, latency_col, "lambda_").removeprefix("lambda_")
    _latency_column(frame, field, "ecs_")  # the ECS side must exist too
    lam_lat = numeric_column(frame, f"lambda_{field}")
    ecs_lat = numeric_column(frame, f"ecs_{field}")
    lam_cost = numeric_column(frame, "lambda_cost_usd")
    ecs_cost = numeric_column(frame, "ecs_cost_usd")
    known = ~error_rows(frame) & ~np.isnan(lam_lat + ecs_lat + lam_cost + ecs_cost)
    label = ((lam_lat < keep * ecs_lat) & (lam_cost < keep * ecs_cost)).astype(int)
    rule = {"rule": "balanced_optimal", "margin": margin, "latency_field": field,
            "mode": "paired"}
    return _result(frame, label, known, [], rule)


def objective_costs(frame: pd.DataFrame, costs: CostProfile | str | None, view: str) -> np.ndarray:
    """Each row's cost under the objective: the profile's price of the row (explicit profile
    or fleet view), else the table's cost_usd with gaps filled by the default profile."""
    given = numeric_column(frame, "cost_usd")
    if costs is None and view == "marginal":
        if np.isnan(given).any():
            return numeric_column(fill_missing_cost(frame), "cost_usd")
        return given
    priced = request_costs(frame, get_profile(costs), view=view)
    return np.where(np.isnan(priced), given, priced)


def _unpaired(frame: pd.DataFrame, margin: float, latency_col: str | None,
              costs: CostProfile | str | None = None, view: str = "marginal") -> pd.DataFrame:
    for col in ("workload_type", "platform"):
        if col not in frame.columns:
            raise UserError(f"Labelling needs a {col!r} column; got columns "
                            f"{list(frame.columns)}. Map or add it before labelling.")
    lat_name = _latency_column(frame, latency_col)
    keep = 1.0 - margin
    latency, cost = numeric_column(frame, lat_name), objective_costs(frame, costs, view)
    side = platform_codes(frame["platform"])  # 0 lambda, 1 ecs, -1 other
    wl_code, wl_names = pd.factorize(frame["workload_type"])
    usable = (~error_rows(frame) & (side >= 0) & (wl_code >= 0)
              & ~np.isnan(latency) & ~np.isnan(cost))
    key = wl_code * 2 + side
    stats = (pd.DataFrame({"k": key[usable], "lat": latency[usable], "cost": cost[usable]})
             .groupby("k")[["lat", "cost"]].median().reindex(np.arange(2 * len(wl_names))))
    other = np.where(usable, wl_code * 2 + (1 - side), 0)
    med_lat = stats["lat"].to_numpy(dtype=float)[other]
    med_cost = stats["cost"].to_numpy(dtype=float)[other]
    is_lambda = side == 0
    # Lambda row: its own values against the ECS medians. ECS row: the Lambda medians
    # against its own values. Either way "Lambda beats ECS by the margin on both".
    lam_lat = np.where(is_lambda, latency, med_lat)
    ecs_lat = np.where(is_lambda, med_lat, latency)
    lam_cost = np.where(is_lambda, cost, med_cost)
    ecs_cost = np.where(is_lambda, med_cost, cost)
    label = ((lam_lat < keep * ecs_lat) & (lam_cost < keep * ecs_cost)).astype(int)
    known = usable & ~np.isnan(med_lat) & ~np.isnan(med_cost)
    notes = []
    for code in np.unique(wl_code[usable & ~known]):
        have = sorted({PLATFORM_NAMES[i] for i in side[usable & (wl_code == code)]})
        notes.append(f"Workload {wl_names[code]!r} has usable rows on {have} only; its rows "
                     "get no label (the rule compares against the other platform's medians). "
                     "Add logs of the other platform to label it.")
    rule = {"rule": "balanced_optimal", "margin": margin, "latency_field": lat_name,
            "mode": "unpaired", "costs": get_profile(costs).name if costs is not None or
            view != "marginal" else "as given", "view": view}
    if costs is not None or view != "marginal":
        rule["cost_profile"] = get_profile(costs).to_dict()
    return _result(frame, label, known, notes, rule)


def balanced_optimal(frame: pd.DataFrame, *, margin: float = 0.10,
                     latency_col: str | None = None, costs: CostProfile | str | None = None,
                     view: str = "marginal") -> pd.DataFrame:
    """Copy of ``frame`` with ``label`` (Int64) and ``optimal_platform`` by the thesis rule.

    With ``keep = 1 - margin``, a row is labelled 1 (Lambda optimal) exactly when
    ``lambda_latency < keep * ecs_latency`` AND ``lambda_cost < keep * ecs_cost``, else 0
    (ECS optimal: ECS wins ties and "not clearly better"), where the two sides are:

    * paired rows (``lambda_latency_ms, ecs_latency_ms, lambda_cost_usd, ecs_cost_usd``):
      the row's own values;
    * an unpaired Lambda row: its own latency and cost against the ECS medians of its
      ``workload_type``;
    * an unpaired ECS row: the Lambda medians of its workload against its own latency and
      cost. (So an ECS row is 0 unless Lambda's typical request beats it by the margin on
      both; mirroring the other way round would default ECS rows to Lambda and make the
      shares depend on the platform mix.)

    Medians use the usable rows of the other platform. Latency is ``latency_col``; by
    default ``execution_time_ms`` (server-side, as the thesis measured) when that column has
    values, else ``latency_ms``. Missing ``cost_usd`` is filled from default prices. Rows get
    NA when they are errors (``is_error`` or ``http_status >= 400``), on an unknown platform,
    lack latency or cost, or their workload has no rows on the other platform (a warning).

    Cost: with ``costs`` (a cost profile, preset name or JSON path) or ``view="fleet"``, each
    row is priced by the profile (``core.cost_profile.request_costs``); otherwise the table's
    own ``cost_usd`` is used, gaps filled by the default profile. Paired rows use their given
    ``lambda_cost_usd``/``ecs_cost_usd``.
    """
    margin = check_margin(margin)
    check_view(view)
    if latency_col is not None and latency_col not in (*LATENCY_FIELDS, "response_time_ms"):
        raise UserError(f"latency field must be one of {list(LATENCY_FIELDS)}; got "
                        f"{latency_col!r}. Pass --latency-field execution_time_ms or latency_ms.")
    if all(c in frame.columns for c in PAIRED):
        return _paired(frame, margin, latency_col)
    return _unpaired(frame, margin, latency_col, costs, view)


RULES: dict[str, Callable[..., pd.DataFrame]] = {"balanced_optimal": balanced_optimal}


def ensure_labels(frame: pd.DataFrame, **kw) -> pd.DataFrame:
    """The frame as is when it already has labels; else labelled by ``balanced_optimal``."""
    if LABEL in frame.columns and frame[LABEL].notna().any():
        return frame
    return balanced_optimal(frame, **kw)


def label_shares(frame: pd.DataFrame, label: str = LABEL) -> pd.DataFrame:
    """Per workload: rows, labelled rows, Lambda-optimal share and whether it is in 20–80 %.

    A share outside the band means the label is (nearly) fixed by the workload: the
    thesis's 100 %-accuracy trap.
    """
    for col in (label, "workload_type"):
        if col not in frame.columns:
            raise UserError(f"Column {col!r} not found; got columns {list(frame.columns)}. "
                            "Label the data first (Labelling on the Data page, or "
                            "`python -m core label`) or pick the column.")
    values = pd.to_numeric(frame[label], errors="coerce")
    grouped = pd.DataFrame({"workload_type": frame["workload_type"].astype("string"),
                            "y": values}).groupby("workload_type", dropna=False)["y"]
    out = pd.DataFrame({"rows": grouped.size(), "labelled": grouped.count(),
                        "lambda_optimal_share": grouped.mean()}).reset_index()
    share = out["lambda_optimal_share"]
    out["in_band"] = share.between(*BAND) & share.notna()
    return out
