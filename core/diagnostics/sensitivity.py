"""Label sensitivity: how per-workload label shares move with the labelling choices.

The thesis measured latency server-side (`execution_time_ms`); client-side response time
gives very different shares on the same logs. So the rows are relabelled with
`core.labels.balanced_optimal` for every latency field present and margins 0–20 %, and the
shares are shown side by side: a label that flips with the margin is a fragile label.
"""

from __future__ import annotations

import warnings

import pandas as pd

from core import labels
from core.diagnostics.result import records
from core.diagnostics.stats import BAND
from core.errors import UserError

LATENCY_FIELDS = ("execution_time_ms", "latency_ms", "response_time_ms")
MARGINS = (0.0, 0.05, 0.10, 0.15, 0.20)
FAST_MARGINS = (0.0, 0.10, 0.20)
GROUP = "workload_type"
#: Columns the labelling rule reads (paired columns end in these names).
NEEDED = (GROUP, "platform", "cost_usd", "memory_mb", "is_error", "http_status",
          "cold_start", "timestamp", "time_window", "load_pattern", *LATENCY_FIELDS)
TABLE_COLUMNS = ("latency_field", "margin", "workload", "rows", "lambda_optimal_share",
                 "in_band")


def latency_fields(frame: pd.DataFrame) -> list[str]:
    """Latency fields with values, unpaired (`latency_ms`) or paired (`lambda_latency_ms`).
    `response_time_ms` is the client's `latency_ms` under its raw name: used only without it."""
    out = []
    for name in LATENCY_FIELDS:
        if name == "response_time_ms" and "latency_ms" in out:
            continue
        for col in (name, f"lambda_{name}"):
            if col in frame.columns and frame[col].notna().any():
                out.append(name)
                break
    return out


def not_applicable(reason: str) -> dict:
    """The result when the labelling rule can not run: empty tables and the reason."""
    return {"status": "not_applicable", "reason": reason, "table": [], "summary": []}


def label_sensitivity(frame: pd.DataFrame, *, label: str, group: str | None,
                      fast: bool = False) -> dict:
    """Shares by workload for each (latency field, margin); `not_applicable` with a reason
    when the columns the labelling rule needs are missing."""
    if group != GROUP or GROUP not in frame.columns:
        return not_applicable(f"needs the canonical '{GROUP}' column")
    fields = latency_fields(frame)
    if not fields:
        return not_applicable(f"needs a latency column ({', '.join(LATENCY_FIELDS)})")
    needed = {c for c in frame.columns if c in NEEDED or any(c.endswith(f) for f in NEEDED)}
    raw = frame[[c for c in frame.columns if c in needed and c not in (label, "label")]]
    parts = []
    rule = frame.attrs.get("label_rule") or {}
    pricing = {k: v for k, v in (("costs", rule.get("cost_profile")),
                                 ("view", rule.get("view"))) if v is not None}
    for field in fields:
        for margin in FAST_MARGINS if fast else MARGINS:
            try:
                with warnings.catch_warnings():  # one-platform workloads: shown as NA shares
                    warnings.simplefilter("ignore", UserWarning)
                    labelled = labels.balanced_optimal(raw, margin=margin, latency_col=field,
                                                       **pricing)  # the label's own costs
            except UserError as exc:
                return not_applicable(f"the labelling rule can not run here: {exc}")
            shares = (labelled.dropna(subset=["label"])
                      .groupby(GROUP, sort=True)["label"].agg(["size", "mean"]).reset_index())
            shares.columns = ["workload", "rows", "lambda_optimal_share"]
            parts.append(shares.assign(latency_field=field, margin=margin))
    table = pd.concat(parts, ignore_index=True)
    if table.empty:
        return not_applicable("no row could be labelled (each workload needs rows of both "
                              "platforms)")
    table["lambda_optimal_share"] = table["lambda_optimal_share"].astype(float).round(4)
    table["in_band"] = table["lambda_optimal_share"].between(*BAND)
    table = table[list(TABLE_COLUMNS)]
    summary = (table.groupby(["latency_field", "margin"], sort=False)
               .agg(workloads=("workload", "size"), in_band=("in_band", "sum")).reset_index())
    return {"status": "ok", "reason": "",
            "table": records(table), "summary": records(summary),
            "costs_table": records(cost_sensitivity(raw, fields[0], frame.attrs.get(
                "label_rule"))) if "platform" in raw.columns else []}


#: The cost variants of the sensitivity table: (view, Fargate task-size factor).
COST_VARIANTS = (("marginal", 1.0), ("fleet", 1.0), ("marginal", 0.5), ("marginal", 2.0))


def cost_sensitivity(raw: pd.DataFrame, field: str, rule: dict | None) -> pd.DataFrame:
    """Shares per workload under the label's cost profile (the thesis's by default) in both
    cost views and with every Fargate task at half and twice its size, margin 10 %: a label
    that flips with the task size depends on a deployment choice, not on the workload."""
    from core.cost_profile import get_profile

    profile = get_profile((rule or {}).get("cost_profile"))
    parts = []
    for view, scale in COST_VARIANTS:
        variant = profile if scale == 1.0 else profile.with_task_scale(scale)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                labelled = labels.balanced_optimal(raw, margin=0.10, latency_col=field,
                                                   costs=variant, view=view)
        except UserError:
            return pd.DataFrame(columns=["costs", "view", "task_scale", "workload", "rows",
                                         "lambda_optimal_share", "in_band"])
        shares = (labelled.dropna(subset=["label"])
                  .groupby(GROUP, sort=True)["label"].agg(["size", "mean"]).reset_index())
        shares.columns = ["workload", "rows", "lambda_optimal_share"]
        parts.append(shares.assign(costs=profile.name, view=view, task_scale=scale))
    table = pd.concat(parts, ignore_index=True)
    table["lambda_optimal_share"] = table["lambda_optimal_share"].astype(float).round(4)
    table["in_band"] = table["lambda_optimal_share"].between(*BAND)
    return table[["costs", "view", "task_scale", "workload", "rows", "lambda_optimal_share",
                  "in_band"]]
