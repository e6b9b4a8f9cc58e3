"""Plotly figures of a drift report (the Monitor page draws them; notebooks can too). Each
takes a computed `DriftReport` and only draws."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

if TYPE_CHECKING:  # types only
    from core.drift.monitor import DriftReport

#: A statistic's bar stops at 3 × its threshold, so one huge PSI does not flatten the rest.
RATIO_CAP = 3.0
SEVERITY_COLOURS = {"ok": "#2e7d32", "warn": "#f9a825", "drift": "#c62828"}
_MARGIN = {"l": 10, "r": 10, "t": 40, "b": 10}
_FACET_MARGIN = {**_MARGIN, "r": 40}  # room for the panel titles on the right


def feature_chart(report: DriftReport) -> go.Figure:
    """One bar per (feature, statistic): its value ÷ its threshold; 1 is the drift line."""
    table = report.feature_table()
    table["label"] = table["feature"] + " · " + table["statistic"]
    table["ratio"] = (table["value"] / table["threshold"]).clip(upper=RATIO_CAP)
    table["text"] = table["value"].map(lambda v: "-" if pd.isna(v) else f"{v:.3g}")
    fig = px.bar(table, x="ratio", y="label", color="severity", orientation="h",
                 color_discrete_map=SEVERITY_COLOURS, text="text",
                 hover_data=["value", "threshold", "segment"],
                 title="Statistic ÷ its threshold (1 = drift line)")
    fig.add_vline(x=1.0, line_dash="dash")
    fig.update_layout(height=90 + 34 * len(table), yaxis_title=None,
                      xaxis_title=f"value / threshold (capped at {RATIO_CAP:g})", margin=_MARGIN)
    fig.update_xaxes(range=[0, RATIO_CAP * 1.05])
    return fig


def probability_chart(report: DriftReport) -> go.Figure | None:
    """Overlaid histograms of P(Lambda optimal), reference against current (None without
    predictions)."""
    if report.prediction is None:
        return None
    hist = report.prediction["histogram"]
    mids = [(a + b) / 2 for a, b in zip(hist["edges"][:-1], hist["edges"][1:], strict=True)]
    fig = go.Figure()
    fig.add_bar(x=mids, y=hist["reference"], name="reference", opacity=0.6)
    fig.add_bar(x=mids, y=hist["current"], name="current", opacity=0.6)
    fig.update_layout(barmode="overlay", title="P(Lambda optimal)", height=300,
                      xaxis_title="probability", yaxis_title="share of requests", margin=_MARGIN)
    return fig


def window_chart(report: DriftReport) -> go.Figure | None:
    """Each measure per time window of the current traffic, one panel per kind of measure
    (None with fewer than two windows)."""
    table = report.window_table()
    if table.empty or table["window"].nunique() < 2:
        return None
    table = table.assign(kind=table["measure"].str.rsplit(" ", n=1).str[-1])
    fig = px.line(table, x="window", y="value", color="measure", facet_row="kind",
                  markers=True, title="Current traffic per window against the reference")
    fig.update_yaxes(matches=None)
    fig.for_each_annotation(lambda a: a.update(text=a.text.split("=")[-1]))
    fig.update_layout(height=200 + 170 * table["kind"].nunique(), margin=_FACET_MARGIN)
    return fig
