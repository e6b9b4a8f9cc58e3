"""Checks that need no model: grouped counts over the canonical codes.

Each check returns a `Finding` or None, or raises `NotApplicable(reason)`; `diagnose` records
the reason, so one check that cannot run never hides the others.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from core import schema
from core.diagnostics.prepare import MAX_BINS, Prepared
from core.diagnostics.result import Finding
from core.diagnostics.stats import column_information, target_auc

MIN_PAYLOAD_LEVELS = 4
IMBALANCE_SHARE = 0.10
#: Single-column AUC from which a column gives the label away.
LEAK_AUC = 0.95
#: |Spearman| with an outcome column from which a column counts as derived from it.
LEAK_CORR = 0.90
#: |Spearman| from which a column is a copy of an outcome, however weakly it predicts.
COPY_CORR = 0.99
FIXED_SHARE = 0.98
MIN_GROUP_ROWS = 20
EXACT_DUP_WARN = 0.01
#: Share of rows in conflicting exact records from which CONFLICTING_DUPLICATES fails.
CONFLICT_FAIL = 0.01
#: Order agreement (Cohen's kappa of neighbouring labels) from which an id column's order
#: predicts the label; |Spearman| with file order from which it is a row number.
ORDER_KAPPA = 0.90
MONOTONE = 0.99
ID_BINS = 20
CORR_SAMPLE = 20_000

SEVERITY_RANK = ("info", "warn", "fail")


class NotApplicable(Exception):
    """A check that can not run on this data; the message says why."""


def _shares_by_level(prep: Prepared, col: str, limit: int = 12) -> dict[str, float]:
    values = prep.frame[col]
    keys = (values.astype("string").fillna("(missing)") if values.nunique() <= MAX_BINS
            else pd.Series(prep.bins[col]).map(lambda b: f"bin {b}"))
    shares = pd.Series(prep.y).groupby(keys.to_numpy()).mean()
    return {str(k): round(float(v), 4) for k, v in shares.head(limit).items()}


def deterministic_label(prep: Prepared) -> Finding | None:
    """The label is (almost) fixed within every level of one feature."""
    if not prep.features:
        raise NotApplicable("no candidate features")
    p1 = prep.y.mean()
    baseline = max(p1, 1 - p1)
    allowed = min(0.01, 0.1 * (1 - baseline))
    hits: dict[str, dict] = {}
    for col in prep.features:
        info = column_information(prep.bins[col], prep.y)
        if info["levels"] > prep.n / 10:
            continue
        h_ratio = 1 - info["normalized_mi"]
        if 1 - info["one_column_accuracy"] <= allowed or h_ratio <= 0.05:
            hits[col] = {"one_column_accuracy": round(info["one_column_accuracy"], 4),
                         "conditional_entropy_share": round(h_ratio, 4),
                         "levels": info["levels"],
                         "lambda_share_by_level": _shares_by_level(prep, col)}
    if hits:
        cols = sorted(hits, key=lambda c: -hits[c]["one_column_accuracy"])
        top = hits[cols[0]]
        return Finding(
            "DETERMINISTIC_LABEL", "fail", tuple(cols),
            f"The label is fixed within the levels of {', '.join(cols)}: {cols[0]} alone "
            f"predicts it for {top['one_column_accuracy']:.1%} of rows (majority baseline "
            f"{baseline:.1%}). This is the 100 %-accuracy trap.",
            {"baseline": round(float(baseline), 4), "columns": hits})
    return _fixed_groups(prep)


def _fixed_groups(prep: Prepared) -> Finding | None:
    """Weaker form: some workloads (with enough rows) have a near-fixed label."""
    if prep.group is None:
        return None
    frame = pd.DataFrame({"g": prep.frame[prep.group].astype("string"), "y": prep.y})
    stats = frame.groupby("g")["y"].agg(["size", "mean"])
    fixed = stats[(stats["size"] >= MIN_GROUP_ROWS)
                  & ((stats["mean"] >= FIXED_SHARE) | (stats["mean"] <= 1 - FIXED_SHARE))]
    if fixed.empty:
        return None
    shares = {str(k): round(float(v), 4) for k, v in fixed["mean"].items()}
    return Finding(
        "DETERMINISTIC_LABEL", "warn", (prep.group,),
        f"The label is (almost) fixed within {len(fixed)} of {len(stats)} workloads "
        f"({', '.join(f'{k}: {v:.0%} Lambda' for k, v in shares.items())}); a model learns "
        "nothing about these beyond their name.",
        {"lambda_share_by_workload": shares, "threshold": FIXED_SHARE})


def constant_within_group(prep: Prepared) -> Finding | None:
    """A feature takes one value inside every workload (a proxy of the workload)."""
    if prep.group is None:
        raise NotApplicable("no workload column")
    features = [c for c in prep.features if c != prep.group]
    if not features:
        raise NotApplicable("no features besides the workload column")
    groups = prep.frame[prep.group].astype("string").fillna("(missing)").to_numpy()
    sizes = pd.Series(groups).value_counts()
    multi = sizes.index[sizes >= 2]
    if len(multi) < 2:
        raise NotApplicable("fewer than 2 workloads with 2 or more rows")
    frame = pd.DataFrame({c: prep.exact[c] for c in features}).assign(_g=groups)
    frame = frame[frame["_g"].isin(multi)]
    levels = frame.groupby("_g").nunique()
    constant = [c for c in features if (levels[c] == 1).all()]
    if not constant:
        return None
    evidence = {c: {str(g): str(v) for g, v in prep.frame.loc[frame.index, c].groupby(
        frame["_g"].to_numpy()).first().items()} for c in constant}
    return Finding(
        "CONSTANT_WITHIN_GROUP", "warn", tuple(constant),
        f"{', '.join(constant)} never varies inside a workload ({len(multi)} workloads): it "
        "only repeats the workload type.",
        {"value_by_workload": evidence})


def too_few_levels(prep: Prepared) -> Finding | None:
    """Fewer than 4 distinct payload sizes (3 significant digits) inside a workload."""
    if prep.group is None or prep.payload is None:
        raise NotApplicable("needs a workload column and a payload-size column")
    sizes = pd.to_numeric(prep.frame[prep.payload], errors="coerce").to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        digits = 2 - np.floor(np.log10(np.abs(sizes)))
    digits = np.where(np.isfinite(digits), digits, 0)
    rounded = np.round(sizes * 10.0 ** digits) / 10.0 ** digits
    frame = pd.DataFrame({"g": prep.frame[prep.group].astype("string").fillna("(missing)"),
                          "size": rounded})
    levels = frame.groupby("g")["size"].nunique()
    few = levels[levels < MIN_PAYLOAD_LEVELS]
    if few.empty:
        return None
    detail = {str(k): int(v) for k, v in few.items()}
    return Finding(
        "TOO_FEW_LEVELS", "warn", (prep.payload,),
        f"Fewer than {MIN_PAYLOAD_LEVELS} distinct payload sizes in {len(few)} of "
        f"{len(levels)} workloads ({', '.join(f'{k}: {v}' for k, v in detail.items())}).",
        {"distinct_sizes_by_workload": {str(k): int(v) for k, v in levels.items()},
         "minimum": MIN_PAYLOAD_LEVELS, "rounding": "3 significant digits"})


def _outcome_correlations(prep: Prepared) -> dict[str, tuple[float, str]]:
    """Max |Spearman| of each non-outcome numeric candidate with any outcome column.

    Known request properties (workload, payload, the default features) are never "derived":
    a payload fixed per workload correlates with latency because of the trap, not a leak.
    """
    outcomes = [c for c in prep.outcomes if c not in prep.categorical]
    known = {prep.group, prep.payload, *schema.DEFAULT_FEATURES}
    others = [c for c in prep.candidates
              if c not in prep.outcomes and c not in prep.categorical and c not in known]
    if not outcomes or not others:
        return {}
    rng = np.random.default_rng(prep.seed)
    rows = np.sort(rng.choice(prep.n, min(prep.n, CORR_SAMPLE), replace=False))
    ranks = pd.DataFrame({c: prep.exact[c][rows] for c in [*outcomes, *others]}).replace(-1, np.nan)
    corr = ranks.rank().corr().abs()
    out = {}
    for col in others:
        row = corr.loc[col, outcomes].fillna(0.0)
        out[col] = (float(row.max()), str(row.idxmax()))
    return out


def outcome_leakage(prep: Prepared) -> Finding | None:
    """Outcome columns among the candidates, and columns derived from an outcome."""
    corr = _outcome_correlations(prep)
    rows: dict[str, dict] = {}
    for col in prep.candidates:
        auc = target_auc(prep.bins[col], prep.y)
        rho, partner = corr.get(col, (0.0, ""))
        derived = rho >= COPY_CORR or (auc >= LEAK_AUC and rho >= LEAK_CORR)
        if col not in prep.outcomes and not derived:
            continue
        chosen = prep.explicit_features and col in prep.features
        gives_away = auc >= LEAK_AUC
        severity = ("fail" if chosen or (gives_away and not prep.explicit_features)
                    else "warn" if gives_away or derived else "info")
        rows[col] = {"single_feature_auc": round(auc, 4), "outcome_by_name": col in prep.outcomes,
                     "in_features": chosen, "severity": severity}
        if derived:
            rows[col].update(correlated_with=partner, spearman=round(rho, 4))
    if not rows:
        return None
    cols = sorted(rows, key=lambda c: -rows[c]["single_feature_auc"])
    worst = max((rows[c]["severity"] for c in cols), key=SEVERITY_RANK.index)
    listing = ", ".join(f"{c} (AUC {rows[c]['single_feature_auc']:.2f})" for c in cols)
    message = f"Outcome columns are in the data: {listing}."
    chosen = [c for c in cols if rows[c]["in_features"]]
    if chosen:
        message += f" {', '.join(chosen)} {'is' if len(chosen) == 1 else 'are'} among the " \
                   "chosen features."
    leaking = [c for c in cols if rows[c]["single_feature_auc"] >= LEAK_AUC]
    if leaking:
        message += f" {', '.join(leaking)} give the label away: any model using them looks " \
                   "perfect."
    copies = [f"{c} follows {rows[c]['correlated_with']} (Spearman {rows[c]['spearman']:.2f})"
              for c in cols if "correlated_with" in rows[c]]
    if copies:
        message += f" Derived from an outcome: {'; '.join(copies)}."
    if not chosen:
        message += (" They are not among the chosen features." if prep.explicit_features
                    else " They are kept out of the default features.")
    return Finding("OUTCOME_LEAKAGE", worst, tuple(cols), message,
                   {"columns": rows, "auc_threshold": LEAK_AUC,
                    "correlation_threshold": LEAK_CORR})


def conflicting_duplicates(prep: Prepared) -> Finding | None:
    """Exact records (every column, ids and timestamps included) with different labels: one
    request labelled twice, a data integrity problem. Exact copies with the same label (a
    file loaded twice) warn too. "Same features, different label" is LABEL_NOISE instead."""
    if not prep.telling:
        raise NotApplicable("no column tells requests apart (no id, timestamp or measured "
                            "value), so identical rows are expected; see LABEL_NOISE")
    rec = prep.record
    n = np.bincount(rec)
    n1 = np.bincount(rec, weights=prep.y, minlength=len(n))
    mixed = (n1 > 0) & (n1 < n)
    in_mixed = mixed[rec]
    conflicting = float(in_mixed.mean())
    # rows repeating an earlier row exactly, label included
    copies = int(prep.n - (mixed.sum() * 2 + (~mixed & (n > 0)).sum()))
    dup_share = copies / prep.n
    if conflicting == 0 and dup_share < EXACT_DUP_WARN:
        return None
    rows = np.sort(prep.position[in_mixed])
    where = {}
    if "source_line" in prep.frame.columns:  # ingested files: where each row came from
        picked = prep.frame.loc[in_mixed].assign(_p=prep.position[in_mixed]).sort_values("_p")
        files = picked["source_file"].astype(str) if "source_file" in picked.columns else ""
        where = {"file_lines": (files + ":" + picked["source_line"].astype(str)).head(20)
                 .tolist()}
    parts = []
    if conflicting:
        parts.append(
            f"{int(in_mixed.sum()):,} rows ({conflicting:.1%}) are exact copies of another "
            f"row, every column equal ({', '.join(prep.telling[:3])} included), but carry the "
            f"other label ({int(mixed.sum()):,} records; first rows "
            f"{', '.join(str(r) for r in rows[:8])}): one request labelled both ways")
    if dup_share >= EXACT_DUP_WARN:
        parts.append(f"{dup_share:.1%} of rows repeat another row exactly, label included "
                     "(a file loaded twice?)")
    severity = "fail" if conflicting >= CONFLICT_FAIL else "warn"
    return Finding(
        "CONFLICTING_DUPLICATES", severity, (prep.label,), "; ".join(parts) + ".",
        {"conflicting_rows": int(in_mixed.sum()), "conflicting_row_share": round(conflicting, 4),
         "conflicting_records": int(mixed.sum()), "rows": [int(r) for r in rows[:50]],
         "row_numbers": "0-based positions in the table, labelled rows only",
         "exact_duplicate_share": round(dup_share, 4), "compared_columns": "all but the "
         "label and the file/line bookkeeping", "telling_columns": list(prep.telling),
         "fail_share": CONFLICT_FAIL, **where})


def label_noise(prep: Prepared, cell: np.ndarray) -> Finding | None:
    """Rows with identical feature values but different labels: ordinary label noise that caps
    the accuracy any model can reach on these features (information)."""
    n, n1 = np.bincount(cell), np.bincount(cell, weights=prep.y)
    mixed = (n1 > 0) & (n1 < n)
    conflicting = float(n[mixed].sum() / prep.n)
    if conflicting == 0:
        return None
    unavoidable = float(np.minimum(n1, n - n1).sum() / prep.n)
    rn = np.bincount(prep.record)
    rn1 = np.bincount(prep.record, weights=prep.y, minlength=len(rn))
    copies = float((((rn1 > 0) & (rn1 < rn))[prep.record]).mean()) if prep.telling else 0.0
    tail = (f" {copies:.1%} of rows are exact copies with the other label "
            "(CONFLICTING_DUPLICATES); the rest are different requests that look alike."
            if copies else "")
    return Finding(
        "LABEL_NOISE", "info", tuple(prep.features),
        f"{conflicting:.1%} of rows share their feature values with rows of the other label "
        f"({int(mixed.sum())} feature combinations); at least {unavoidable:.1%} of rows are "
        "misclassified by any model on these features (the accuracy ceiling)." + tail,
        {"conflicting_row_share": round(conflicting, 4), "conflicting_cells": int(mixed.sum()),
         "unavoidable_error_share": round(unavoidable, 4),
         "exact_copy_share": round(copies, 4)})


def class_imbalance(prep: Prepared) -> Finding | None:
    """Minority label under 10 % of the labelled rows (fail when there is one class only)."""
    p1 = float(prep.y.mean())
    minority = min(p1, 1 - p1)
    evidence = {"lambda_optimal": int(prep.y.sum()), "ecs_optimal": int(prep.n - prep.y.sum()),
                "minority_share": round(minority, 4), "threshold": IMBALANCE_SHARE}
    if minority == 0:
        only = "Lambda" if p1 == 1 else "ECS"
        return Finding("CLASS_IMBALANCE", "fail", (prep.label,),
                       f"The label has one class only: all {prep.n} labelled rows are "
                       f"{only}-optimal, so there is nothing to learn.", evidence,
                       "Check the labelling rule and its margin, or collect requests where "
                       "the other platform wins.")
    if minority >= IMBALANCE_SHARE:
        return None
    return Finding("CLASS_IMBALANCE", "warn", (prep.label,),
                   f"Only {minority:.1%} of labelled rows are "
                   f"{'Lambda' if p1 < 0.5 else 'ECS'}-optimal (under "
                   f"{IMBALANCE_SHARE:.0%}); accuracy will flatter any model.",
                   evidence)


def _order_evidence(prep: Prepared, col: str) -> dict:
    """How a column's order relates to the label and to the file order."""
    values = prep.frame[col]
    try:
        codes = pd.factorize(values, sort=True, use_na_sentinel=True)[0]
    except TypeError:
        codes = pd.factorize(values.astype(str), sort=True, use_na_sentinel=True)[0]
    codes = np.where(codes < 0, codes.max(initial=0) + 1, codes)
    order = np.argsort(codes, kind="stable")
    y = prep.y[order].astype(np.int64)
    agree = float((y[1:] == y[:-1]).mean()) if prep.n > 1 else 1.0
    p1 = float(prep.y.mean())
    chance = p1 ** 2 + (1 - p1) ** 2
    kappa = (agree - chance) / (1 - chance) if chance < 1 else 0.0
    rank = np.empty(prep.n, dtype=np.int64)
    rank[order] = np.arange(prep.n)
    bins = rank * ID_BINS // max(prep.n, 1)
    nb, nb1 = np.bincount(bins), np.bincount(bins, weights=prep.y)
    spearman = float(np.corrcoef(rank, np.argsort(np.argsort(prep.position)))[0, 1]) \
        if prep.n > 2 else 0.0
    return {"distinct_share": round(float(values.nunique() / prep.n), 4),
            "file_order_spearman": round(spearman if np.isfinite(spearman) else 0.0, 4),
            "neighbour_label_agreement": round(agree, 4), "chance_agreement": round(chance, 4),
            "order_kappa": round(float(kappa), 4),
            "label_runs": int((y[1:] != y[:-1]).sum() + 1),
            "alone_accuracy": round(float(np.maximum(nb1, nb - nb1).sum() / prep.n), 4),
            "baseline": round(max(p1, 1 - p1), 4)}


def id_column(prep: Prepared) -> Finding | None:
    """Every column unique or near-unique per row (text ids, whole-number sequences, row
    numbers, file offsets, datetimes), wherever it sits: an id whose order predicts the
    label (a file sorted by label) fails; one among the chosen features warns."""
    if not prep.id_kinds:
        return None
    rows: dict[str, dict] = {}
    for col, kind in prep.id_kinds.items():
        info = {"kind": kind, **_order_evidence(prep, col), "in_features": col in prep.features}
        predicts = info["order_kappa"] >= ORDER_KAPPA
        info["severity"] = ("fail" if predicts else "warn" if info["in_features"] else "info")
        rows[col] = info
    cols = sorted(rows, key=lambda c: (-SEVERITY_RANK.index(rows[c]["severity"]), str(c)))
    worst = rows[cols[0]]["severity"]
    groups: dict[tuple, list[str]] = {}  # columns that tell the same story share a sentence
    for col in cols:
        r = rows[col]
        key = (r["severity"], r["kind"], r["distinct_share"], r["in_features"],
               abs(r["file_order_spearman"]) >= MONOTONE and np.sign(r["file_order_spearman"]),
               r["neighbour_label_agreement"], r["label_runs"], r["alone_accuracy"])
        groups.setdefault(key, []).append(col)
    sentences = []
    for members in groups.values():
        r, names = rows[members[0]], " and ".join(members)
        one = len(members) == 1
        what = (f"{names} {'is' if one else 'are'} unique per row ({r['distinct_share']:.0%} "
                f"distinct, {r['kind']})")
        if abs(r["file_order_spearman"]) >= MONOTONE:
            what += (", increasing" if r["file_order_spearman"] > 0 else ", decreasing") + \
                f" with file order ({'a row number' if one else 'row numbers'})"
        if r["severity"] == "fail":
            what += (f"; {'its' if one else 'their'} order predicts the label: sorted by "
                     f"{members[0]}, neighbouring rows share their label "
                     f"{r['neighbour_label_agreement']:.1%} of the time (chance "
                     f"{r['chance_agreement']:.1%}; {r['label_runs']} runs of one label) and "
                     f"{members[0]} alone predicts {r['alone_accuracy']:.1%} (majority baseline "
                     f"{r['baseline']:.1%}). The rows are probably sorted by label")
        elif r["in_features"]:
            what += (f"; {'it is' if one else 'they are'} among the chosen features, so a model "
                     "can memorise rows")
        sentences.append(what)
    tail = "" if any(rows[c]["in_features"] for c in cols) else \
        " Identifiers are kept out of the features."
    return Finding("ID_COLUMN", worst, tuple(cols), ". ".join(sentences) + "." + tail,
                   {"columns": rows, "order_kappa_threshold": ORDER_KAPPA,
                    "distinct_share_threshold": schema.ID_UNIQUE_SHARE,
                    "in_features": [c for c in cols if rows[c]["in_features"]]})
