"""Plotly figures of objective routing (the page and the report draw them; no computation)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from core.figures import ECS, HYBRID, LAMBDA, style


def pareto_figure(table: pd.DataFrame) -> go.Figure:
    """Cost vs p95 latency: the objective router across its parameter (a line), the other
    routers and the hindsight oracles (hollow) as labelled points."""
    fig = go.Figure()
    sweep = table[table["router"] == "objective"].sort_values("value")
    if not sweep.empty:
        param = str(sweep["parameter"].iloc[0])
        fig.add_trace(go.Scatter(
            x=sweep["latency_p95_ms"], y=sweep["cost_usd"], mode="lines+markers",
            name=f"objective router ({param})", marker={"size": 9, "color": HYBRID},
            text=[f"{param} = {v:.4g}" for v in sweep["value"]],
            hovertemplate="%{text}<br>p95 %{x:,.0f} ms<br>cost $%{y:.4f}<extra></extra>"))
    others = table[table["router"] != "objective"]
    colors = {"lambda-only": LAMBDA, "ecs-only": ECS, "classifier": "#9467bd",
              "label-rule oracle": "#7f7f7f", "cost oracle": "#17becf"}
    for row in others.itertuples():
        fig.add_trace(go.Scatter(
            x=[row.latency_p95_ms], y=[row.cost_usd], mode="markers+text", name=row.router,
            text=[row.router], textposition="top center",
            marker={"size": 12, "color": colors.get(row.router, "#333333"),
                    "symbol": "circle-open" if row.hindsight else "diamond"},
            hovertemplate=f"{row.router}<br>p95 %{{x:,.0f}} ms<br>cost $%{{y:.4f}}"
                          "<extra></extra>"))
    fig.update_layout(xaxis_title="p95 latency (ms)", yaxis_title="Fleet cost (USD)")
    return style(fig, "Pareto: cost vs p95 latency across objective parameters", height=420)
