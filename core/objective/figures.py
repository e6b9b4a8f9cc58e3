"""Plotly figures of objective routing (the page and the report draw them; no computation)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from core.figures import ECS, HYBRID, LAMBDA, style


def pareto_figure(table: pd.DataFrame) -> go.Figure:
    """Cost vs p95 latency: the objective router across its parameter (a line, drawn on
    top), the other routers and the hindsight oracles (hollow) as points. A point is named
    beside it only when no other point is within LABEL_GAP of the plot's width and height
    (crowded points are named by the legend and on hover, not by text on text)."""
    fig = go.Figure()
    sweep = table[table["router"] == "objective"].sort_values("value")
    is_other = (table["router"] != "objective").to_numpy()
    others = table[is_other]
    colors = {"lambda-only": LAMBDA, "ecs-only": ECS, "classifier": "#9467bd",
              "label-rule oracle": "#7f7f7f", "cost oracle": "#17becf"}
    crowded = _crowded(table, np.flatnonzero(is_other))
    for row, near in zip(others.itertuples(), crowded, strict=True):
        fig.add_trace(go.Scatter(
            x=[row.latency_p95_ms], y=[row.cost_usd],
            mode="markers" if near else "markers+text", name=row.router,
            text=[row.router], textposition="top center",
            marker={"size": 12, "color": colors.get(row.router, "#333333"),
                    "symbol": "circle-open" if row.hindsight else "diamond"},
            hovertemplate=f"{row.router}<br>p95 %{{x:,.0f}} ms<br>cost $%{{y:.4f}}"
                          "<extra></extra>"))
    if not sweep.empty:
        param = str(sweep["parameter"].iloc[0])
        fig.add_trace(go.Scatter(
            x=sweep["latency_p95_ms"], y=sweep["cost_usd"], mode="lines+markers",
            name=f"objective router ({param})", marker={"size": 9, "color": HYBRID},
            text=[f"{param} = {v:.4g}" for v in sweep["value"]],
            hovertemplate="%{text}<br>p95 %{x:,.0f} ms<br>cost $%{y:.4f}<extra></extra>"))
    fig.update_layout(xaxis_title="p95 latency (ms)", yaxis_title="Fleet cost (USD)")
    return style(fig, "Pareto: cost vs p95 latency across objective parameters", height=420)


#: Two points closer than this share of the plot's width and height are "crowded".
LABEL_GAP = 0.06


def _crowded(table: pd.DataFrame, points: np.ndarray) -> list[bool]:
    """For each row position in `points`: is another point of `table` within LABEL_GAP of
    the plot's width and height on both axes?"""
    xy = table[["latency_p95_ms", "cost_usd"]].to_numpy(dtype=float)
    span = np.nanmax(xy, axis=0) - np.nanmin(xy, axis=0)
    span = np.where(span > 0, span, 1.0)
    return [int((np.abs(xy - xy[p]) / span < LABEL_GAP).all(axis=1).sum()) > 1
            for p in points]
