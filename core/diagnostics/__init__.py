"""Label-variance and leakage diagnostics: catch the 100 %-accuracy trap before training.

`diagnose(frame)` runs every check (stable codes in DESIGN.md), the per-workload label
shares with the thesis's 20–80 % band, the accuracy ceiling and the label sensitivity, and
returns a `Diagnosis`. Checks that can not run on the data are recorded as not applicable
with a reason; they never hide the others.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import replace

import pandas as pd

from core.diagnostics import checks, models
from core.diagnostics.ceiling import accuracy_ceiling, cell_key
from core.diagnostics.checks import NotApplicable
from core.diagnostics.prepare import Prepared, prepare
from core.diagnostics.result import CODES, CheckResult, Diagnosis, Finding
from core.diagnostics.sensitivity import label_sensitivity
from core.diagnostics.stats import BAND, information_table, label_shares, share_grid

__all__ = ["BAND", "CODES", "CheckResult", "Diagnosis", "Finding", "diagnose"]
#: Columns whose label share by workload is worth a heatmap (when present).
GRID_COLUMNS = ("time_window", "load_pattern")


def diagnose(frame: pd.DataFrame, *, label: str = "label",
             features: Sequence[str] | None = None, group: str | None = "workload_type",
             seed: int = 0, fast: bool = False, outcomes: Sequence[str] | None = None,
             ids: Sequence[str] | None = None,
             payload: str | None = "payload_size_kb") -> Diagnosis:
    """Diagnose a labelled request table.

    Parameters
    ----------
    frame : canonical request table; rows with a missing label (error rows) are excluded
        from the label checks and counted.
    label : 0/1 column (1 = Lambda optimal) or words 'lambda'/'ecs'.
    features : the features a model would use; None means every column except the label,
        ids and outcomes. Either way every column but the label and ids is a candidate, so
        outcome columns present in the data are checked for leakage (failing when chosen as
        features or when they give the label away).
    group : the workload column (per-workload checks); payload: the payload-size column.
    outcomes, ids : extra columns with those roles (by name they are recognised already).
    seed : seeds every sampled or cross-validated step; fast : smaller samples.

    Raises
    ------
    core.errors.UserError : label column missing or not 0/1, too few labelled rows,
        unknown feature columns.
    """
    started = time.perf_counter()
    prep = prepare(frame, label=label, features=features, group=group, payload=payload,
                   outcomes=outcomes, ids=ids, seed=seed)
    results: dict[str, CheckResult] = {}
    findings: list[Finding] = []

    def run(code: str, check: Callable[[], Finding | None]) -> None:
        try:
            found = check()
        except NotApplicable as exc:
            results[code] = CheckResult(code, "not_applicable", str(exc))
            return
        if found is None:
            results[code] = CheckResult(code, "passed")
            return
        # every check reads the labelled rows only: say how many were left out
        found = replace(found, evidence={**found.evidence,
                                         "unlabelled_rows_excluded": prep.rows_unlabelled})
        findings.append(found)
        status = "tip" if found.severity == "info" else "issue"
        results[code] = CheckResult(code, status, found.message)

    one_class = prep.y.min() == prep.y.max()
    run("ID_COLUMN", lambda: checks.id_column(prep))
    run("OUTCOME_LEAKAGE", lambda: checks.outcome_leakage(prep))
    _drop_derived_leaks(prep, findings)
    run("CLASS_IMBALANCE", lambda: checks.class_imbalance(prep))
    run("CONSTANT_WITHIN_GROUP", lambda: checks.constant_within_group(prep))
    run("TOO_FEW_LEVELS", lambda: checks.too_few_levels(prep))
    ceiling: dict = {"status": "not_applicable", "reason": "no candidate features"}
    if one_class:
        for code in ("DETERMINISTIC_LABEL", "CONFLICTING_DUPLICATES", "GOLDEN_FEATURE",
                     "FEATURE_DOMINANCE"):
            results[code] = CheckResult(code, "not_applicable", "the label has one class only")
        ceiling["reason"] = "the label has one class only"
    else:
        run("DETERMINISTIC_LABEL", lambda: checks.deterministic_label(prep))
        if prep.features:
            exact = cell_key([prep.exact[c] for c in prep.features], prep.n)
            run("CONFLICTING_DUPLICATES", lambda: checks.conflicting_duplicates(prep, exact))
            binned = cell_key([prep.bins[c] for c in prep.features], prep.n)
            ceiling = accuracy_ceiling(prep, binned)
            _model_checks(prep, binned, fast, run, results)
        else:
            for code in ("CONFLICTING_DUPLICATES", "GOLDEN_FEATURE", "FEATURE_DOMINANCE"):
                results[code] = CheckResult(code, "not_applicable", "no candidate features")
    information = information_table(prep)
    sensitivity = label_sensitivity(frame, label=label, group=group, fast=fast)
    grids = {c: share_grid(prep, c) for c in (prep.payload, *GRID_COLUMNS)
             if prep.group and c in prep.frame.columns}
    order = list(CODES)
    findings.sort(key=lambda f: order.index(f.code))
    meta = {
        "rows": {"total": prep.rows_total, "labelled": prep.n,
                 "unlabelled_excluded": prep.rows_unlabelled},
        "label": label, "group": prep.group, "features": list(prep.features),
        "candidates": list(prep.candidates), "outcome_columns": list(prep.outcomes),
        "skipped_columns": dict(prep.skipped), "band": list(BAND),
        "elapsed_s": round(time.perf_counter() - started, 3),
    }
    return Diagnosis(findings=findings, checks=[results[c] for c in order],
                     label_shares=label_shares(prep), information=information,
                     ceiling=ceiling, sensitivity=sensitivity, share_grids=grids, meta=meta)


def _drop_derived_leaks(prep: Prepared, findings: list[Finding]) -> None:
    """With default features, columns found derived from an outcome leave the feature set."""
    if prep.explicit_features:
        return
    for f in findings:
        if f.code == "OUTCOME_LEAKAGE":
            for col in f.columns:
                if col in prep.features:
                    prep.features.remove(col)
                    prep.skipped[col] = "derived from an outcome (OUTCOME_LEAKAGE)"


def _model_checks(prep: Prepared, cell, fast: bool, run,
                  results: dict[str, CheckResult]) -> None:
    try:
        model = models.quick_model(prep, cell, fast=fast)
    except NotApplicable as exc:
        for code in ("GOLDEN_FEATURE", "FEATURE_DOMINANCE"):
            results[code] = CheckResult(code, "not_applicable", str(exc))
        return
    run("GOLDEN_FEATURE", lambda: models.golden_feature(prep, model))
    run("FEATURE_DOMINANCE", lambda: models.feature_dominance(prep, model))
