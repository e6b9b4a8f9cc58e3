"""Plotly figures for the report, drawn from stored results only (no computation here).

Why separate from the pages' chart helpers: core never imports ui/, and a thesis figure
needs fixed sizes, titles and axis labels that read well as a static PNG/SVG.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go

LAMBDA = "#e4572e"
ECS = "#2e86ab"
HYBRID = "#5c6bc0"
STRATEGY_COLOURS = {"lambda": LAMBDA, "ecs": ECS, "hybrid": HYBRID}
STRATEGY_NAMES = {"lambda": "Lambda-only", "ecs": "ECS-only", "hybrid": "Hybrid (router)"}
_LAYOUT = {"template": "plotly_white", "margin": {"l": 60, "r": 20, "t": 60, "b": 60}}


def label_shares(shares: pd.DataFrame, band: tuple[float, float] = (0.2, 0.8)) -> go.Figure:
    """Lambda-optimal share per workload with the thesis's 20–80 % band shaded."""
    fig = go.Figure(go.Bar(
        x=shares["workload"], y=shares["lambda_optimal_share"],
        marker_color=[HYBRID if b else "#c62828" for b in shares["in_band"]],
        text=[f"{v:.0%}" for v in shares["lambda_optimal_share"]], textposition="outside"))
    fig.add_hrect(y0=band[0], y1=band[1], fillcolor="#2e7d32", opacity=0.08, line_width=0)
    fig.update_layout(title="Lambda-optimal share per workload (band: labels vary)",
                      yaxis={"title": "share of requests", "range": [0, 1.1],
                             "tickformat": ".0%"}, xaxis_title="workload", **_LAYOUT)
    return fig


def model_accuracy(table: pd.DataFrame) -> go.Figure:
    """Test accuracy per model with the cross-validated mean ± std beside it."""
    ok = table[table["status"] == "ok"]
    fig = go.Figure([
        go.Bar(name="test accuracy", x=ok["name"], y=ok["accuracy"], marker_color=HYBRID),
        go.Bar(name="CV accuracy (mean ± std)", x=ok["name"], y=ok["cv_accuracy_mean"],
               error_y={"type": "data", "array": ok["cv_accuracy_std"].fillna(0)},
               marker_color="#9fa8da"),
    ])
    fig.update_layout(title="Model comparison: accuracy", barmode="group",
                      yaxis={"title": "accuracy", "range": [0, 1.05]}, **_LAYOUT)
    return fig


def roc_curves(curves: pd.DataFrame) -> go.Figure:
    """ROC curve of every model on the shared test set."""
    fig = go.Figure()
    for model, part in curves.groupby("model", sort=False):
        fig.add_trace(go.Scatter(x=part["fpr"], y=part["tpr"], mode="lines", name=model))
    fig.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name="chance",
                             line={"dash": "dot", "color": "#9aa5b1"}))
    fig.update_layout(title="ROC curves (held-out test set)", xaxis_title="false positive rate",
                      yaxis_title="true positive rate", **_LAYOUT)
    return fig


def importance(imp: pd.DataFrame, model: str) -> go.Figure:
    """Mean |SHAP| per feature, largest on top, labelled with its share."""
    imp = imp.iloc[::-1]
    fig = go.Figure(go.Bar(x=imp["mean_abs_shap"], y=imp["feature"], orientation="h",
                           text=[f"{s:.0%}" for s in imp["share"]], textposition="auto",
                           marker_color=HYBRID))
    fig.update_layout(title=f"SHAP importance of the champion ({model})",
                      xaxis_title="mean |SHAP|", **_LAYOUT)
    return fig


def strategy_bars(strategies: dict[str, dict[str, Any]]) -> go.Figure:
    """Cost per million requests and P95 latency per strategy, side by side."""
    from plotly.subplots import make_subplots

    names = list(strategies)
    fig = make_subplots(rows=1, cols=2, subplot_titles=("Cost per million requests (USD)",
                                                        "P95 latency (ms)"))
    colours = [STRATEGY_COLOURS.get(n, "#616e7c") for n in names]
    labels = [STRATEGY_NAMES.get(n, n) for n in names]
    for col, key in ((1, "cost_per_million"), (2, "latency_p95_ms")):
        fig.add_trace(go.Bar(x=labels, y=[strategies[n].get(key) for n in names],
                             marker_color=colours, showlegend=False), row=1, col=col)
    fig.update_layout(title="Simulated fleets: cost and latency", **_LAYOUT)
    return fig


def latency_cdf(cdf: pd.DataFrame) -> go.Figure:
    """Latency distribution of each strategy (log x axis)."""
    fig = go.Figure()
    for name, part in cdf.groupby("strategy", sort=False):
        fig.add_trace(go.Scatter(x=part["latency_ms"], y=part["quantile"], mode="lines",
                                 name=STRATEGY_NAMES.get(name, name),
                                 line={"color": STRATEGY_COLOURS.get(name)}))
    fig.update_layout(title="Latency CDF per strategy", xaxis={"title": "latency (ms)",
                                                                "type": "log"},
                      yaxis={"title": "share of requests", "tickformat": ".0%"}, **_LAYOUT)
    return fig


def invoke_latency(rows: pd.DataFrame) -> go.Figure:
    """Warm handler time per thesis scenario; red where the function disagrees with the model."""
    fig = go.Figure(go.Bar(x=rows["scenario"], y=rows["invoke_ms"],
                           marker_color=["#2e7d32" if m else "#c62828" for m in rows["match"]]))
    fig.update_layout(title="Lambda handler time per scenario (clean interpreter)",
                      yaxis_title="handler ms", **_LAYOUT)
    return fig
