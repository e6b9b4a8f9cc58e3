"""Every figure that more than one place draws, built once: the Lambda-optimal share bars, the
latency CDF, the ROC curves and the SHAP importance bars, plus the one layout all charts share.

Why here: the same chart was drawn in two or three places (the pages' chart helpers and the
report), each with its own colours and labels. Result objects own their figures
(`TrainRun.plot("roc")`, `Explanation.plot("importance")`, `SimulationResult.plot("cdf")`,
`Diagnosis.plot("label_shares")`) and call these builders; pages and the report call those.
Pure: numbers in, a plotly Figure out; no Streamlit.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from core.schema import WORKLOADS

#: One palette: platforms and the three simulated strategies.
LAMBDA = "#ff9900"
ECS = "#1f77b4"
HYBRID = "#2ca02c"
PLATFORM_COLOURS = {"lambda": LAMBDA, "ecs": ECS, "unknown": "#9e9e9e"}
STRATEGY_COLOURS = {"lambda": LAMBDA, "ecs": ECS, "hybrid": HYBRID}
STRATEGY_NAMES = {"lambda": "Lambda-only", "ecs": "ECS-only", "hybrid": "Hybrid (router)"}
IN_BAND, OUT_OF_BAND = "#2ca02c", "#d62728"
BAND_FILL = "rgba(46, 160, 67, 0.12)"
HEIGHT = 360
#: Plotly's toolbar (modebar) is a ~28 px strip at the top right: titles start below it, so
#: on a phone-width chart the toolbar never covers a long title.
TOOLBAR_PX = 36


def style(fig: go.Figure, title: str, *, height: int = HEIGHT,
          workloads: list[str] | None = None) -> go.Figure:
    """The shared layout: title under the toolbar strip, legend in one row under the title,
    small side margins, workload names broken at `_` (no tilted ticks), decade ticks on log
    axes."""
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left", "xref": "paper", "y": 1,
               "yref": "container", "yanchor": "top", "pad": {"t": TOOLBAR_PX}},
        height=height, margin={"l": 10, "r": 10, "t": TOOLBAR_PX + 70, "b": 10},
        legend={"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom", "title": None},
        template="plotly_white")

    def decades(axis) -> None:  # one tick per decade on log axes: 1, 10, 100, ...
        if axis.type == "log":
            axis.dtick = 1

    fig.for_each_xaxis(decades)
    fig.for_each_yaxis(decades)
    if workloads:
        fig.update_xaxes(tickangle=0, tickvals=workloads,
                         ticktext=[w.replace("_", "<br>") for w in workloads])
    return fig


def workload_order(values: pd.Series) -> list[str]:
    """Known workloads light to heavy, then any others alphabetically."""
    present = [str(v) for v in values.dropna().unique()]
    return [w for w in WORKLOADS if w in present] + sorted(set(present) - set(WORKLOADS))


def label_shares(shares: pd.DataFrame, band: tuple[float, float] = (0.2, 0.8)) -> go.Figure:
    """Lambda-optimal share per workload, green inside the band where labels really vary,
    red outside it (the label is fixed by the workload: the 100 %-accuracy trap).
    `shares` as core.labels.label_shares or a Diagnosis gives it (workload_type or workload,
    lambda_optimal_share, in_band, rows)."""
    data = shares.rename(columns={"workload_type": "workload"})
    data = data[data["lambda_optimal_share"].notna()]
    order = workload_order(data["workload"])
    inside, outside = f"inside {band[0]:.0%}–{band[1]:.0%}", "outside the band"
    fig = go.Figure()
    for name, flag, colour in ((inside, True, IN_BAND), (outside, False, OUT_OF_BAND)):
        part = data[data["in_band"].astype(bool) == flag]
        if part.empty:
            continue
        fig.add_trace(go.Bar(
            name=name, x=part["workload"].astype(str), y=part["lambda_optimal_share"],
            marker_color=colour, text=[f"{v:.0%}" for v in part["lambda_optimal_share"]],
            textposition="outside", cliponaxis=False,
            customdata=part.get("rows"),
            hovertemplate="%{x}: %{y:.1%} Lambda-optimal"
                          + (" of %{customdata:,} rows" if "rows" in part else "")
                          + "<extra></extra>"))
    fig.add_hrect(y0=band[0], y1=band[1], fillcolor=BAND_FILL, line_width=0, layer="below",
                  annotation_text=f"{band[0]:.0%}–{band[1]:.0%} band",
                  annotation_position="top left")
    fig.update_yaxes(range=[0, 1.1], tickformat=".0%", title="Lambda-optimal share")
    fig.update_xaxes(categoryorder="array", categoryarray=order)
    return style(fig, "Lambda-optimal share per workload", workloads=order)


def latency_cdf(cdf: pd.DataFrame) -> go.Figure:
    """Latency distribution of each strategy (log x). `cdf`: strategy, quantile, latency_ms."""
    fig = go.Figure()
    for name, part in cdf.groupby("strategy", sort=False):
        fig.add_trace(go.Scatter(x=part["latency_ms"], y=part["quantile"], mode="lines",
                                 name=STRATEGY_NAMES.get(name, str(name)),
                                 line={"color": STRATEGY_COLOURS.get(name)}))
    fig.update_xaxes(type="log", title="latency (ms, log)")
    fig.update_yaxes(tickformat=".0%", title="share of requests")
    return style(fig, "Latency CDF per strategy")


def roc(curves: pd.DataFrame, names: dict[str, str] | None = None) -> go.Figure:
    """ROC curve of every model on the shared test set, with the chance diagonal.
    `curves`: model, fpr, tpr; `names` maps model kinds to display names."""
    names = names or {}
    fig = go.Figure()
    for model, part in curves.groupby("model", sort=False):
        fig.add_trace(go.Scatter(x=part["fpr"], y=part["tpr"], mode="lines",
                                 name=names.get(model, str(model))))
    fig.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name="chance",
                             line={"dash": "dot", "color": "#9aa5b1"}))
    fig.update_xaxes(title="false positive rate", range=[0, 1])
    fig.update_yaxes(title="true positive rate", range=[0, 1.02])
    return style(fig, "ROC curve (test set)")


def shap_importance(imp: pd.DataFrame, title: str, output: str = "log-odds") -> go.Figure:
    """Mean |SHAP| per feature, largest on top, labelled with its share of the total.
    `imp`: feature, mean_abs_shap, share (Explanation.importance())."""
    imp = imp.iloc[::-1]
    fig = go.Figure(go.Bar(x=imp["mean_abs_shap"], y=imp["feature"], orientation="h",
                           text=[f"{s:.0%}" for s in imp["share"]], textposition="auto",
                           marker_color="#5c6bc0"))
    fig.update_xaxes(title=f"mean |SHAP| ({output})")
    return style(fig, title, height=120 + TOOLBAR_PX + 40 * len(imp))


def handler_latency(rows: pd.DataFrame) -> go.Figure:
    """Lambda handler time per thesis scenario as horizontal bars (long names stay readable,
    also on a phone); green where the function matches the library model, red where not; the
    first call, which pays one-time work, is marked. `rows`: scenario, invoke_ms, match."""
    names = [f"{n} (first call)" if i == 0 else n for i, n in enumerate(rows["scenario"])]
    fig = go.Figure(go.Bar(
        y=names, x=rows["invoke_ms"], orientation="h",
        marker_color=[IN_BAND if m else OUT_OF_BAND for m in rows["match"]],
        text=[f"{v:.3f} ms" for v in rows["invoke_ms"]], textposition="auto"))
    fig.update_xaxes(title="handler time (ms)", rangemode="tozero")
    fig.update_yaxes(autorange="reversed", automargin=True)
    return style(fig, "Handler time per scenario (clean interpreter)",
                 height=110 + TOOLBAR_PX + 36 * len(rows))


def check_kind(kind: str, known: tuple[str, ...], owner: str) -> None:
    """ValueError naming the figures a result can draw (a programming error, not bad data)."""
    if kind not in known:
        raise ValueError(f"{owner}.plot: unknown kind {kind!r}; choose one of {list(known)}.")
