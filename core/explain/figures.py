"""Plotly figures for SHAP results (no matplotlib). Pages, notebooks and reports share them;
each takes a computed result and only draws; the results own them
(`Explanation.plot(kind)`, `RequestExplanation.plot()`). The importance bars, which the report
draws too, are built in core.figures."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from core.explain.values import WORKLOAD, encode
from core.features import TIME_FEATURE, hour_of_day

if TYPE_CHECKING:  # types only: the results draw themselves through this module
    from core.explain.result import Explanation, RequestExplanation

LAMBDA_COLOUR = "#e4572e"
ECS_COLOUR = "#2e86ab"


def _axis_label(expl: Explanation | RequestExplanation) -> str:
    return f"SHAP value ({expl.output}; > 0 pushes towards Lambda)"


def _spread(values: np.ndarray) -> np.ndarray:
    """Colour scale position 0..1 per feature (rank), so every feature uses the full scale."""
    out = pd.Series(values).rank(pct=True).to_numpy()
    return np.where(np.isnan(out), 0.5, out)


def beeswarm(expl: Explanation, max_features: int = 10, seed: int = 0) -> go.Figure:
    """One jittered dot per row and feature; colour = the feature's value (low blue, high red)."""
    features = expl.importance()["feature"].head(max_features).tolist()[::-1]
    rng = np.random.default_rng(seed)
    fig = go.Figure()
    for i, f in enumerate(features):
        shap = expl.shap[f].to_numpy()
        raw = expl.data[f].astype(object).to_numpy()
        fig.add_trace(go.Scatter(
            x=shap, y=i + rng.uniform(-0.3, 0.3, len(shap)), mode="markers", name=f,
            marker={"size": 5, "opacity": 0.7, "color": _spread(encode(expl.data[f])),
                    "colorscale": "RdBu_r", "cmin": 0, "cmax": 1,
                    "showscale": i == 0,
                    "colorbar": {"title": "feature value", "tickvals": [0, 1],
                                 "ticktext": ["low", "high"]}},
            customdata=np.stack([expl.shap.index.to_numpy(), raw], axis=1),
            hovertemplate=f"{f} = %{{customdata[1]}}<br>SHAP %{{x:.4f}}"
                          "<br>row %{customdata[0]}<extra></extra>",
            showlegend=False))
    fig.update_layout(title="Every row's SHAP per feature (beeswarm)",
                      xaxis_title=_axis_label(expl), height=120 + 50 * len(features),
                      yaxis={"tickvals": list(range(len(features))), "ticktext": features},
                      margin={"l": 10, "r": 10, "t": 50, "b": 40})
    fig.add_vline(x=0, line_width=1, line_color="grey")
    return fig


MAX_TICK_LABELS = 40


def _plottable(values: pd.Series, name: str) -> pd.Series:
    """Timestamps as hour of day (what the model sees); thousands of distinct timestamp
    strings as categories once froze the browser."""
    if name == TIME_FEATURE:
        return pd.Series(hour_of_day(values), index=values.index,
                         name=f"hour of day (from {name})")
    return values.rename(name)


def dependence(expl: Explanation, feature: str, color_by: str | None = None,
               seed: int = 0) -> go.Figure:
    """SHAP of `feature` against its value, coloured by `color_by` (default: the strongest
    interacting feature). Categories get a small horizontal jitter so dots do not overlap."""
    color_by = color_by if color_by is not None else expl.strongest_interaction(feature)
    values = _plottable(expl.data[feature], feature)
    frame = pd.DataFrame({"shap": expl.shap[feature].to_numpy(), "row": expl.shap.index})
    numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
    labels = sorted(values.astype("string").dropna().unique().tolist()) if not numeric else []
    if numeric:
        frame["x"] = values.to_numpy(dtype=float, na_value=np.nan)
    else:
        rng = np.random.default_rng(seed)
        frame["x"] = encode(values) + rng.uniform(-0.25, 0.25, len(values))
    frame["value"] = values.astype(object).to_numpy()
    kwargs = {}
    if color_by is not None:
        colour = _plottable(expl.data[color_by], color_by)
        frame[color_by] = colour.to_numpy() if pd.api.types.is_numeric_dtype(colour) \
            else colour.astype("string").fillna("(missing)").to_numpy()
        kwargs["color"] = color_by
    fig = px.scatter(frame, x="x", y="shap", hover_data={"row": True, "value": True, "x": False},
                     opacity=0.7, **kwargs)
    fig.update_traces(marker={"size": 6})
    title = f"Dependence: {feature}" + (f" (colour: {color_by}, its strongest interaction)"
                                        if color_by else "")
    fig.update_layout(title=title, xaxis_title=values.name, yaxis_title=_axis_label(expl),
                      margin={"l": 10, "r": 10, "t": 50, "b": 40})
    if labels and len(labels) <= MAX_TICK_LABELS:
        fig.update_xaxes(tickvals=list(range(len(labels))), ticktext=labels)
    fig.add_hline(y=0, line_width=1, line_color="grey")
    return fig


def waterfall(req: RequestExplanation, title: str | None = None) -> go.Figure:
    """From the base value through each feature's push to the model output."""
    steps = req.waterfall()
    measure = ["absolute", *["relative"] * (len(steps) - 2), "total"]
    fig = go.Figure(go.Waterfall(
        orientation="h", y=steps["label"], x=steps["shap"], measure=measure,
        text=[f"{v:+.4f}" for v in steps["shap"]],
        increasing={"marker": {"color": LAMBDA_COLOUR}},
        decreasing={"marker": {"color": ECS_COLOUR}},
        totals={"marker": {"color": "#757575"}}))
    fig.update_layout(
        title=title or (f"{req.platform.upper()}: P(Lambda optimal) = {req.probability:.3f}"),
        xaxis_title=f"{req.output} (red pushes towards Lambda, blue towards ECS)",
        yaxis={"autorange": "reversed"}, height=160 + 40 * len(steps),
        margin={"l": 10, "r": 10, "t": 50, "b": 40})
    return fig


def segments(expl: Explanation, by: str = WORKLOAD) -> go.Figure:
    """Mean |SHAP| per feature inside each segment (e.g. each workload)."""
    seg = expl.segments(by)
    fig = px.bar(seg, x="segment", y="mean_abs_shap", color="feature", barmode="group",
                 hover_data=["rows", "mean_shap"])
    fig.update_layout(title=f"SHAP by {by}", xaxis_title=by,
                      yaxis_title=f"mean |SHAP| ({expl.output})",
                      margin={"l": 10, "r": 10, "t": 50, "b": 40})
    return fig


def compare_frame(expls: dict[str, Explanation]) -> pd.DataFrame:
    """Importance of several models in one long frame: model, feature, mean_abs_shap, share."""
    return pd.concat([e.importance().assign(model=name) for name, e in expls.items()],
                     ignore_index=True)[["model", "feature", "mean_abs_shap", "share"]]


def compare(expls: dict[str, Explanation]) -> go.Figure:
    """Importance shares side by side (shares, because SHAP units differ between models)."""
    fig = px.bar(compare_frame(expls), x="share", y="feature", color="model", barmode="group",
                 orientation="h")
    fig.update_layout(title="Share of mean |SHAP| per feature, by model",
                      xaxis_tickformat=".0%", margin={"l": 10, "r": 10, "t": 50, "b": 40})
    return fig
