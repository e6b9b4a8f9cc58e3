"""Plotly figures of a diagnosis (the Diagnosis owns them: `Diagnosis.plot(kind)`; the
Variance & leakage page draws them through it). Pure: numbers from a `Diagnosis` in, a
figure out; no computation. The share bars, which other pages and the report draw too, are
built in core.figures; the layout is core.figures.style."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from core.figures import BAND_FILL, style, workload_order
from core.schema import LOAD_PATTERNS, TIME_WINDOWS

HEAT_HEIGHT = 350
LEVEL_ORDER = {"time_window": TIME_WINDOWS, "load_pattern": LOAD_PATTERNS}


def share_heatmap(grid: pd.DataFrame, column: str) -> go.Figure:
    """Lambda-optimal share by workload x `column` (payload: each workload's sizes ranked)."""
    workloads = workload_order(grid["workload"])
    numeric = pd.api.types.is_integer_dtype(grid["level"])
    known = LEVEL_ORDER.get(column, ())
    levels = sorted(grid["level"].unique()) if numeric else (
        [v for v in known if v in set(grid["level"])]
        + sorted(set(grid["level"]) - set(known)))
    share = grid.pivot(index="workload", columns="level", values="lambda_optimal_share")
    text = grid.pivot(index="workload", columns="level", values="text")
    rows = grid.pivot(index="workload", columns="level", values="rows")
    share, text, rows = (t.reindex(index=workloads, columns=levels) for t in (share, text, rows))
    cell = (text.fillna("") + "<br>" + share.map(lambda v: "" if pd.isna(v) else f"{v:.0%}"))
    fig = go.Figure(go.Heatmap(
        z=share.to_numpy(), x=[str(v) for v in levels], y=workloads, zmin=0, zmax=1,
        colorscale="RdBu_r", text=cell.to_numpy(), texttemplate="%{text}",
        customdata=rows.to_numpy(),
        colorbar={"title": "Lambda-<br>optimal<br>share", "tickformat": ".0%"},
        hovertemplate="%{y}<br>%{x}<br>Lambda-optimal share %{z:.0%}<br>%{customdata} rows"
                      "<extra></extra>"))
    title = f"Lambda-optimal share<br><sup>by workload × {column}" + (
        " (sizes ranked per workload)</sup>" if numeric else "</sup>")
    fig.update_xaxes(title="size rank (1 = smallest)" if numeric else "", type="category")
    return style(fig, title, height=HEAT_HEIGHT)


def information_bars(information: pd.DataFrame) -> go.Figure:
    """Share of the label's entropy each feature explains (mutual information / H(label))."""
    data = information.assign(
        residual=1 - information["normalized_mi"],
        hover=[f"H(label | {f}) = {h:.3f} bits; MI = {m:.3f} bits; one-column accuracy {a:.3f}"
               for f, h, m, a in zip(information["feature"], information["conditional_entropy"],
                                     information["mutual_information"],
                                     information["one_column_accuracy"], strict=True)])
    fig = go.Figure([
        go.Bar(y=data["feature"], x=data["normalized_mi"], orientation="h",
               name="explained (MI / H(label))", marker_color="#8250df",
               hovertext=data["hover"], hoverinfo="text"),
        go.Bar(y=data["feature"], x=data["residual"], orientation="h",
               name="left (H(label | feature) / H(label))", marker_color="#d0d7de",
               hovertext=data["hover"], hoverinfo="text"),
    ])
    fig.update_layout(barmode="stack")
    fig.update_xaxes(range=[0, 1], tickformat=".0%", title="share of the label's entropy")
    fig.update_yaxes(autorange="reversed")
    return style(fig, "Share of the label each feature explains alone",
                 height=max(250, 90 + 40 * len(data)))


def ceiling_bars(ceiling: dict) -> go.Figure:
    """Majority baseline, cross-validated ceiling and in-sample ceiling side by side."""
    names = ["majority baseline", "ceiling (cross-validated)", "ceiling (in-sample)"]
    values = [ceiling["baseline"], ceiling["cv_ceiling"], ceiling["ceiling"]]
    fig = go.Figure(go.Bar(x=values, y=names, orientation="h",
                           marker_color=["#9e9e9e", "#1f6feb", "#54aeff"],
                           text=[f"{v:.1%}" for v in values], textposition="auto"))
    fig.update_xaxes(range=[0, 1], tickformat=".0%", title="accuracy")
    fig.update_yaxes(autorange="reversed")
    return style(fig, "Accuracy ceiling vs baseline", height=270)


def sensitivity_lines(table: pd.DataFrame, band: tuple[float, float]) -> go.Figure:
    """Share per workload against the margin, one panel per latency field."""
    order = workload_order(table["workload"])
    fig = px.line(table, x="margin", y="lambda_optimal_share", color="workload",
                  facet_col="latency_field", markers=True,
                  category_orders={"workload": order},
                  labels={"lambda_optimal_share": "Lambda-optimal share", "margin": "margin"})
    fig.add_hrect(y0=band[0], y1=band[1], fillcolor=BAND_FILL, line_width=0, layer="below",
                  row="all", col="all")
    fig.update_yaxes(range=[0, 1.05], tickformat=".0%")
    fig.update_xaxes(tickformat=".0%")
    fig.for_each_annotation(lambda a: a.update(text=f"latency: {a.text.split('=')[-1]}"))
    style(fig, "Label shares vs margin, per latency field", height=430)
    fig.update_layout(legend={"y": -0.2, "yanchor": "top"}, margin={"b": 40})
    return fig
