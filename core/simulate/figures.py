"""Plotly figures of one simulation run, drawn from its time series (the result owns them:
`SimulationResult.plot(kind)`). Pure: frames in, a figure out; layout and palette are
core.figures'."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from core.figures import STRATEGY_COLOURS, STRATEGY_NAMES, style


def _named(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(Strategy=frame["strategy"].map(STRATEGY_NAMES))


def _color_map() -> dict[str, str]:
    return {STRATEGY_NAMES[k]: v for k, v in STRATEGY_COLOURS.items()}


def over_time(series: pd.DataFrame, column: str, title: str, label: str) -> go.Figure:
    frame = _named(series).assign(minutes=series["t_s"] / 60.0)
    fig = px.line(frame, x="minutes", y=column, color="Strategy",
                  color_discrete_map=_color_map(),
                  labels={"minutes": "Simulated time (min)", column: label})
    return style(fig, title)


def capacity(series: pd.DataFrame) -> go.Figure:
    """Lambda instances and Fargate tasks alive, per strategy."""
    frame = _named(series).assign(minutes=series["t_s"] / 60.0)
    long = frame.melt(id_vars=["Strategy", "minutes"],
                      value_vars=["lambda_instances", "fargate_tasks"],
                      var_name="what", value_name="count")
    long["what"] = long["what"].map({"lambda_instances": "Lambda instances",
                                     "fargate_tasks": "Fargate tasks"})
    long = long[long.groupby(["Strategy", "what"])["count"].transform("max") > 0]
    fig = px.line(long, x="minutes", y="count", color="Strategy", line_dash="what",
                  color_discrete_map=_color_map(),
                  labels={"minutes": "Simulated time (min)", "count": "Alive",
                          "what": ""})
    return style(fig, "Instances and tasks over time")


def cold_starts(series: pd.DataFrame) -> go.Figure:
    frame = _named(series).assign(minutes=series["t_s"] / 60.0)
    fig = px.bar(frame, x="minutes", y="cold_starts", color="Strategy", barmode="group",
                 color_discrete_map=_color_map(),
                 labels={"minutes": "Simulated time (min)", "cold_starts": "Cold starts"})
    return style(fig, "Cold starts per interval")
