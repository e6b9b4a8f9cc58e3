"""Plotly figures of the Data page. Pure: a frame in, a figure out; no Streamlit, no
aggregation (core.profile and core.labels compute the numbers). The label-share bars and the
layout come from core.figures."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from core.figures import HEIGHT, style
from core.figures import PLATFORM_COLOURS as PLATFORM_COLORS
from core.schema import LOAD_PATTERNS, PLATFORMS, WORKLOADS

#: Columns each chart needs; the page says which are missing instead of drawing nothing.
NEEDS = {
    "latency_vs_payload": ("payload_size_kb", "platform"),
    "latency_over_time": ("timestamp",),
}


def _order(values: pd.Series, known: tuple[str, ...]) -> list[str]:
    """Known categories in their natural order, then any others alphabetically."""
    present = [str(v) for v in values.dropna().unique()]
    return [k for k in known if k in present] + sorted(set(present) - set(known))


def latency_box(stats: pd.DataFrame, latency: str) -> go.Figure:
    """Latency per workload, one box per platform (log scale: ms to seconds), drawn from
    core.profile.box_stats: quartiles and whiskers over every row, outliers not drawn."""
    workloads = _order(stats["workload_type"], WORKLOADS)
    fig = go.Figure()
    for platform in _order(stats["platform"], PLATFORMS):
        rows = (stats[stats["platform"] == platform].set_index("workload_type")
                .reindex(workloads).dropna(subset=["median"]))
        fig.add_trace(go.Box(
            name=platform, x=list(rows.index), q1=rows["q1"], median=rows["median"],
            q3=rows["q3"], lowerfence=rows["lowerfence"], upperfence=rows["upperfence"],
            marker_color=PLATFORM_COLORS.get(platform), boxpoints=False))
    fig.update_layout(boxmode="group", xaxis_title="workload",
                      yaxis_title=f"{latency} (log)")
    fig.update_yaxes(type="log")
    fig.update_xaxes(categoryorder="array", categoryarray=workloads)
    return style(fig, "Latency by workload and platform", workloads=workloads)


def latency_vs_payload(frame: pd.DataFrame, latency: str) -> go.Figure:
    """Latency against payload size (log x): does size, not just workload, drive latency?"""
    fig = px.scatter(
        frame, x="payload_size_kb", y=latency, color="platform", log_x=True, log_y=True,
        opacity=0.5, color_discrete_map=PLATFORM_COLORS,  # Lambda drawn last, on top
        category_orders={"platform": _order(frame["platform"], PLATFORMS)[::-1]},
        hover_data=[c for c in ("workload_type",) if c in frame.columns],
        labels={"payload_size_kb": "payload size (KB, log)", latency: f"{latency} (log)"},
    )
    fig.update_traces(marker={"size": 4})
    return style(fig, "Latency vs payload size")


def latency_over_time(frame: pd.DataFrame, latency: str) -> go.Figure:
    """Latency over the test's clock, one panel per load pattern with its own time axis:
    separate runs hours apart would otherwise squeeze each into a thin vertical stripe."""
    data = frame.assign(timestamp=pd.to_datetime(frame["timestamp"], errors="coerce",
                                                 utc=True, format="mixed"))
    color = "load_pattern" if "load_pattern" in data.columns else None
    orders = {"load_pattern": _order(data["load_pattern"], LOAD_PATTERNS)} if color else {}
    facets = color if color and len(orders["load_pattern"]) > 1 else None
    fig = px.scatter(data.sort_values("timestamp"), x="timestamp", y=latency, color=color,
                     facet_col=facets, facet_col_wrap=2, facet_row_spacing=0.14,
                     facet_col_spacing=0.06, log_y=True, opacity=0.5, category_orders=orders,
                     labels={"timestamp": "time (UTC)", latency: f"{latency} (log)"})
    fig.update_traces(marker={"size": 4})
    if facets:
        fig.update_xaxes(matches=None, showticklabels=True, nticks=3, tickformat="%H:%M\n%b %d")
        fig.for_each_annotation(lambda a: a.update(text=a.text.split("=")[-1]))
        fig.update_layout(showlegend=False)
    style(fig, "Latency over time, one panel per load pattern" if facets
           else "Latency over time")
    rows = -(-len(orders.get("load_pattern", [])) // 2) if facets else 1
    fig.update_layout(height=HEIGHT + 220 * (rows - 1))
    return fig


def cold_start_bars(shares: pd.DataFrame) -> go.Figure:
    """Share of Lambda requests with a cold start, per workload (from core.profile)."""
    workloads = _order(shares["workload_type"], WORKLOADS)
    fig = px.bar(shares, x="workload_type", y="cold_start_share", text="cold_start_share",
                 hover_data=["lambda_requests", "cold_starts"],
                 color_discrete_sequence=[PLATFORM_COLORS["lambda"]],
                 category_orders={"workload_type": workloads},
                 labels={"workload_type": "workload", "cold_start_share": "cold-start share"})
    fig.update_traces(texttemplate="%{text:.2~%}", textposition="outside", cliponaxis=False)
    fig.update_yaxes(tickformat=".2~%", rangemode="tozero")
    return style(fig, "Cold-start share of Lambda requests", workloads=workloads)
