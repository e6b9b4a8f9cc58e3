"""Figures only the report draws (model accuracy, fleet cost and latency),
from stored results only. Figures the pages draw too come from the results themselves
(`Diagnosis.plot`, `TrainRun.plot`, `Explanation.plot`, `SimulationResult.plot`; built in
core.figures), with the same palette and layout.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go

from core.figures import HYBRID, STRATEGY_COLOURS, STRATEGY_NAMES, style


def model_accuracy(table: pd.DataFrame) -> go.Figure:
    """Test accuracy per model with the cross-validated mean ± std beside it."""
    ok = table[table["status"] == "ok"]
    fig = go.Figure([
        go.Bar(name="test accuracy", x=ok["name"], y=ok["accuracy"], marker_color=HYBRID),
        go.Bar(name="CV accuracy (mean ± std)", x=ok["name"], y=ok["cv_accuracy_mean"],
               error_y={"type": "data", "array": ok["cv_accuracy_std"].fillna(0)},
               marker_color="#9fa8da"),
    ])
    fig.update_layout(barmode="group", yaxis={"title": "accuracy", "range": [0, 1.05]})
    return style(fig, "Model comparison: accuracy")


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
    return style(fig, "Simulated fleets: cost and latency")
