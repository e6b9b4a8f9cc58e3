"""Plotly figures of the Simulate page's sweeps and arrival-rate preview (no computation).
A run's own figures (latency CDF, cost and latency over time, capacity, cold starts) are the
result's: `SimulationResult.plot(kind)`; the layout and palette are core.figures'."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from core.figures import STRATEGY_COLOURS, style

COLORS = STRATEGY_COLOURS
PLATFORM_COLORS = {"lambda": COLORS["lambda"], "ecs": COLORS["ecs"]}


def break_even(frame: pd.DataFrame, crossings: dict[str, float | None]) -> go.Figure:
    fig = px.line(frame, x="rate_per_s", y="cost_per_million", color="platform",
                  facet_col="workload", facet_col_wrap=2, log_x=True, log_y=True,
                  markers=True, color_discrete_map=PLATFORM_COLORS,
                  labels={"rate_per_s": "Request rate (req/s)",
                          "cost_per_million": "USD per million requests"},
                  height=650)
    fig.for_each_annotation(lambda a: a.update(text=_facet_title(a.text, crossings)))
    return style(fig, "Break-even request rate: Lambda vs Fargate per workload", height=650)


def _facet_title(text: str, crossings: dict[str, float | None]) -> str:
    name = text.split("=", 1)[-1]
    rate = crossings.get(name)
    return f"{name}: break-even {rate:.2g} req/s" if rate else f"{name}: no crossing"


def power_tuning(frame: pd.DataFrame) -> go.Figure:
    """Cost and speed per memory size on two axes, as AWS Lambda Power Tuning draws it."""
    sizes = frame["memory_mb"].astype(str) + " MB"
    fig = go.Figure()
    fig.add_bar(x=sizes, y=frame["cost_per_million"], name="USD per million",
                marker_color=COLORS["lambda"])
    fig.add_scatter(x=sizes, y=frame["latency_mean_ms"], name="Mean latency (ms)",
                    yaxis="y2", mode="lines+markers", line_color=COLORS["ecs"])
    fig.update_layout(yaxis={"title": "USD per million requests"},
                      yaxis2={"title": "Mean latency (ms)", "overlaying": "y", "side": "right"},
                      xaxis={"title": "Memory"})
    return style(fig, "Lambda memory sweep (cost vs speed, like Power Tuning)")


def sensitivity(frame: pd.DataFrame) -> go.Figure:
    rows = frame[frame["parameter"] != "baseline"].copy()
    rows["setting"] = rows["parameter"] + " ×" + rows["factor"].map("{:g}".format)
    long = rows.melt(id_vars=["setting"], value_vars=["savings_vs_lambda_pct",
                                                      "savings_vs_ecs_pct"],
                     var_name="versus", value_name="savings_pct")
    long["versus"] = long["versus"].map({"savings_vs_lambda_pct": "vs Lambda-only",
                                         "savings_vs_ecs_pct": "vs ECS-only"})
    fig = px.bar(long, y="setting", x="savings_pct", color="versus", barmode="group",
                 orientation="h",
                 labels={"savings_pct": "Hybrid savings (%)", "setting": ""})
    style(fig, "Router savings when one parameter changes (dotted: the scenario as set)",
          height=550)
    base = frame[frame["parameter"] == "baseline"]
    for column, color in (("savings_vs_lambda_pct", "#636efa"), ("savings_vs_ecs_pct",
                                                                 "#ef553b")):
        if len(base) and pd.notna(base[column].iloc[0]):
            fig.add_vline(x=float(base[column].iloc[0]), line_dash="dot", line_color=color)
    return fig


def rate_preview(t_s, rate) -> go.Figure:
    fig = px.line(x=t_s / 60.0, y=rate, labels={"x": "Time (min)", "y": "Requests/s"},
                  title="Arrival rate")
    fig.update_layout(height=220, margin={"t": 40, "b": 10, "l": 10, "r": 10})
    fig.update_traces(line_color=COLORS["hybrid"])
    return fig
