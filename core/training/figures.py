"""Plotly figures of a training run (the Train page draws them through `TrainRun.plot`).
Pure: frames from the run in, a figure out. The ROC curves, which the report draws too, are
built in core.figures; the layout is core.figures.style."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.figures import style
from core.training.zoo import MODEL_NAMES

HEIGHT = 380


def _named(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(model=frame["model"].map(lambda k: MODEL_NAMES.get(k, k)))


def pr(frame: pd.DataFrame) -> go.Figure:
    fig = px.line(_named(frame), x="recall", y="precision", color="model",
                  labels={"recall": "Recall", "precision": "Precision"})
    return style(fig, "Precision-recall curve (test set; positive = Lambda optimal)",
                 height=HEIGHT)


def calibration(frame: pd.DataFrame) -> go.Figure:
    """Mean predicted P(Lambda) vs observed share per bin; the diagonal is perfect."""
    fig = px.line(_named(frame), x="mean_predicted", y="fraction_positive", color="model",
                  markers=True, hover_data=["count"],
                  labels={"mean_predicted": "Mean predicted P(Lambda optimal)",
                          "fraction_positive": "Observed share Lambda optimal"})
    fig.add_shape(type="line", x0=0, y0=0, x1=1, y1=1, line={"dash": "dot", "color": "grey"})
    return style(fig, "Calibration (test set, 10 bins)", height=HEIGHT)


def confusion(matrices: dict[str, list[list[int]]]) -> go.Figure:
    """One heatmap per model: rows true class, columns predicted class."""
    kinds = list(matrices)
    cols = min(3, max(1, len(kinds)))
    rows = -(-len(kinds) // cols)
    fig = make_subplots(rows=rows, cols=cols,
                        subplot_titles=[MODEL_NAMES.get(k, k) for k in kinds],
                        horizontal_spacing=0.08, vertical_spacing=0.18)
    labels = ["ECS", "Lambda"]
    for i, kind in enumerate(kinds):
        z = matrices[kind]
        fig.add_trace(go.Heatmap(z=z, x=labels, y=labels, coloraxis="coloraxis",
                                 text=[[str(v) for v in row] for row in z],
                                 texttemplate="%{text}",
                                 hovertemplate="true %{y}, predicted %{x}: %{z}<extra></extra>"),
                      row=i // cols + 1, col=i % cols + 1)
    fig.update_yaxes(autorange="reversed", title_text="true")
    fig.update_xaxes(title_text="predicted")
    fig.update_layout(coloraxis={"colorscale": "Blues", "showscale": False})
    style(fig, "Confusion matrices (test set)", height=260 * rows + 100)
    fig.update_layout(margin={"t": 110})  # the subplot titles sit under the figure's title
    return fig


def importance(frame: pd.DataFrame, method: str) -> go.Figure:
    """Share of importance per input feature and model, with the 40 % dominance line."""
    part = _named(frame[frame["method"] == method])
    fig = px.bar(part, x="share", y="feature", color="model", barmode="group",
                 orientation="h", labels={"share": "Share of importance", "feature": ""})
    fig.add_vline(x=0.4, line_dash="dash", line_color="#d62728",
                  annotation_text="40 % dominance", annotation_position="top")
    fig.update_xaxes(tickformat=".0%", range=[0, 1.05])
    what = ("drop in ROC-AUC when the column is shuffled" if method == "permutation"
            else "tree gain / |coefficient| summed per input column")
    return style(fig, f"{method.capitalize()} importance ({what})", height=HEIGHT)


def cv_scores(long: pd.DataFrame, metric: str = "accuracy") -> go.Figure:
    """Per-fold scores (points) with the test score, per model."""
    part = _named(long[long["metric"] == metric])
    part = part.assign(kind=part["source"].where(~part["source"].str.startswith("cv"), "cv fold"))
    fig = px.strip(part[part["kind"] != "train"], x="model", y="value", color="kind",
                   labels={"value": metric, "model": "", "kind": ""})
    return style(fig, f"{metric}: cross-validation folds and test set", height=HEIGHT)
