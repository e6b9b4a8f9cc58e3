"""Label-variance and leakage diagnostics: catch the 100 %-accuracy trap before training.

`diagnose(frame)` runs every check (stable codes in DESIGN.md), the per-workload label
shares with the thesis's 20–80 % band, the accuracy ceiling and the label sensitivity, and
returns a `Diagnosis`. Checks that can not run on the data are recorded as not applicable
with a reason; they never hide the others.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import pandas as pd

from core.diagnostics.catalog import ADVICE, BY_CODE, CHECKS, CODES, Check, Context
from core.diagnostics.ceiling import accuracy_ceiling
from core.diagnostics.checks import NotApplicable
from core.diagnostics.prepare import Prepared, prepare
from core.diagnostics.result import CheckResult, Diagnosis, Finding
from core.diagnostics.sensitivity import label_sensitivity
from core.diagnostics.stats import BAND, information_table, label_shares, share_grid
from core.errors import UserError
from core.schema import TIME_COLUMN, feature_title

__all__ = ["ADVICE", "BAND", "CHECKS", "CODES", "Check", "CheckResult", "Diagnosis", "Finding",
           "cached_diagnose", "diagnose"]
#: Columns whose label share by workload is worth a heatmap (when present).
GRID_COLUMNS = ("time_window", "load_pattern")


def diagnose(frame: pd.DataFrame, *, label: str = "label",
             features: Sequence[str] | None = None, group: str | None = "workload_type",
             seed: int = 0, fast: bool = False, outcomes: Sequence[str] | None = None,
             ids: Sequence[str] | None = None,
             payload: str | None = "payload_size_kb", time: str | None = TIME_COLUMN,
             ignore: Sequence[str] = ()) -> Diagnosis:
    """Diagnose a labelled request table (any table with a label column).

    Parameters
    ----------
    frame : request table; rows with a missing label (error rows) are excluded from the
        label checks and counted. Outcome columns are not required: checks that need them
        report not applicable with the reason.
    label : the label column: 1/0, true/false, lambda/ecs or yes/no (1 = Lambda optimal).
    features : the features a model would use; None means the default set
        (`core.schema.model_features`: every column but the label, ids and outcomes). Either
        way every column but the label is a candidate for the column checks, so ids and
        outcome columns anywhere in the data are found.
    group : the workload column (per-workload checks); payload: the payload-size column;
        time : the timestamp column (a feature as its hour of day, never an id).
    outcomes, ids : extra columns with those roles (by name they are recognised already).
    seed : seeds every sampled or cross-validated step; fast : smaller samples.
    ignore : check codes to skip (reported with status "ignored").

    Raises
    ------
    core.errors.UserError : label column missing or holding other values, too few labelled
        rows, unknown feature columns, unknown codes in `ignore`.
    """
    from core.diagnostics import cache

    args = {"label": label, "features": features, "group": group, "seed": seed,
            "outcomes": outcomes, "ids": ids, "payload": payload, "time": time,
            "ignore": ignore}
    result = run_diagnosis(frame, fast=fast, **args)
    cache.remember(cache.key(frame, **args), fast, result)  # training reuses it
    return result


def cached_diagnose(frame: pd.DataFrame, *, label: str = "label",
                    features: Sequence[str] | None = None, seed: int = 0, fast: bool = False,
                    **args: Any) -> Diagnosis:
    """`diagnose(frame, ...)`, or the result of an equal call made before in this process
    (training reuses the Variance page's diagnosis of the same data and features)."""
    from core.diagnostics import cache

    args = {"label": label, "features": features, "seed": seed, **args}
    base = cache.key(frame, **args)
    found = cache.lookup(base, fast)
    if found is not None:
        return found
    diagnosis = run_diagnosis(frame, fast=fast, **args)
    cache.remember(base, fast, diagnosis)
    return diagnosis


def run_diagnosis(frame: pd.DataFrame, *, label: str = "label",
                  features: Sequence[str] | None = None, group: str | None = "workload_type",
                  seed: int = 0, fast: bool = False, outcomes: Sequence[str] | None = None,
                  ids: Sequence[str] | None = None, payload: str | None = "payload_size_kb",
                  time: str | None = TIME_COLUMN, ignore: Sequence[str] = ()) -> Diagnosis:
    """`diagnose` without recording the result (core.diagnostics.cache records it)."""
    started = time_now()
    unknown = [c for c in ignore if c not in BY_CODE]
    if unknown:
        raise UserError(f"Unknown check codes {unknown} to ignore; the codes are "
                        f"{', '.join(BY_CODE)}.")
    prep = prepare(frame, label=label, features=features, group=group, payload=payload,
                   outcomes=outcomes, ids=ids, seed=seed, time=time)
    ctx = Context(prep, fast=fast)
    results: dict[str, CheckResult] = {}
    findings: list[Finding] = []
    for check in CHECKS:
        found = _run(check, ctx, set(ignore), results)
        if found is not None:
            findings.append(found)
            if check.removes_features:
                _drop_from_features(prep, found)
    ceiling: dict = {"status": "not_applicable", "reason": "no candidate features"}
    if prep.y.min() == prep.y.max():
        ceiling["reason"] = "the label has one class only"
    elif prep.features:
        ceiling = accuracy_ceiling(prep, ctx.cell)
        noise = [f for f in findings if f.code == "LABEL_NOISE"]
        ceiling["conflicting_row_share"] = (noise[0].evidence["conflicting_row_share"]
                                            if noise else 0.0)
    information = information_table(prep)
    sensitivity = label_sensitivity(frame, label=label, group=group, fast=fast)
    grids = {c: share_grid(prep, c) for c in (prep.payload, *GRID_COLUMNS)
             if prep.group and c in prep.frame.columns}
    meta = {
        "rows": {"total": prep.rows_total, "labelled": prep.n,
                 "unlabelled_excluded": prep.rows_unlabelled},
        "label": label, "group": prep.group, "features": list(prep.features),
        "feature_titles": [feature_title(c) if c == prep.time else c for c in prep.features],
        "candidates": list(prep.candidates), "outcome_columns": list(prep.outcomes),
        "id_columns": dict(prep.id_kinds),
        "skipped_columns": dict(prep.skipped), "band": list(BAND),
        "ignored": [c for c in CODES if c in set(ignore)],
        "elapsed_s": round(time_now() - started, 3),
    }
    return Diagnosis(findings=findings, checks=[results[c.code] for c in CHECKS],
                     label_shares=label_shares(prep), information=information,
                     ceiling=ceiling, sensitivity=sensitivity, share_grids=grids, meta=meta)


def time_now() -> float:
    """Monotonic seconds (the `time` parameter shadows the module inside `diagnose`)."""
    return time.perf_counter()


def _run(check: Check, ctx: Context, ignore: set[str],
         results: dict[str, CheckResult]) -> Finding | None:
    """Run one check unless ignored or a need is missing; record its status."""
    def record(status: str, detail: str = "") -> None:
        results[check.code] = CheckResult(check.code, status, detail, check.title)

    if check.code in ignore:
        record("ignored", "skipped on request (ignore=)")
        return None
    for need in check.needs:
        reason = ctx.missing(need)
        if reason:
            record("not_applicable", reason)
            return None
    try:
        found = check.run(ctx)
    except NotApplicable as exc:
        record("not_applicable", str(exc))
        return None
    if found is None:
        record("passed")
        return None
    # every check reads the labelled rows only: say how many were left out
    found = replace(found, advice=found.advice or check.advice,
                    evidence={**found.evidence,
                              "unlabelled_rows_excluded": ctx.prep.rows_unlabelled})
    record("tip" if found.severity == "info" else "issue", found.message)
    return found


def _drop_from_features(prep: Prepared, found: Finding) -> None:
    """With default features, columns a check found (e.g. derived from an outcome) leave the
    feature set, and the cells built from it are rebuilt."""
    if prep.explicit_features:
        return
    for col in found.columns:
        if col in prep.features:
            prep.features.remove(col)
            prep.skipped[col] = f"{found.code} (left out of the default features)"
