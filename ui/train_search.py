"""Train page: the Optuna search history of each tuned model (chart and table)."""

from __future__ import annotations

import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from core.training.result import TrainRun
from core.training.search import history_frame, summary_frame


def history(run: TrainRun) -> None:
    """Per model: ROC-AUC of each trial (pruned ones hollow), the best so far as a line."""
    searches = {r.name: r.search for r in run.ok_results() if r.search}
    if not searches:
        return
    frame = history_frame(searches)
    with st.expander("Hyper-parameter search (Optuna TPE)", expanded=False):
        info = next(iter(searches.values()))
        st.caption(f"TPE sampler, seed {info.get('seed')}, up to {info.get('n_trials')} trials "
                   f"within {info.get('budget_s'):g} s per model, scored by mean ROC-AUC on "
                   f"{info.get('folds')} fold(s). Trial 0 is the default setting; pruned trials "
                   "stopped after the folds where they already trailed the median.")
        fig = go.Figure()
        palette = px.colors.qualitative.Plotly
        for i, (model, part) in enumerate(frame.groupby("model", sort=False)):
            colour = palette[i % len(palette)]  # one colour per model: line and its trials
            done = part[part["state"] == "complete"]
            pruned = part[part["state"] == "pruned"]
            fig.add_scatter(x=part["trial"], y=part["best_so_far"], mode="lines",
                            name=f"{model}: best so far", legendgroup=model,
                            line={"color": colour})
            fig.add_scatter(x=done["trial"], y=done["roc_auc"], mode="markers",
                            name=f"{model}: trial", legendgroup=model,
                            marker={"color": colour}, hovertext=done["params"])
            if len(pruned):
                fig.add_scatter(x=pruned["trial"], y=pruned["roc_auc"], mode="markers",
                                marker={"symbol": "circle-open", "color": colour},
                                legendgroup=model, name=f"{model}: pruned (partial folds)",
                                hovertext=pruned["params"])
        fig.update_layout(title="Search history", xaxis_title="trial",
                          yaxis_title="CV ROC-AUC", height=360,
                          margin={"l": 10, "r": 10, "t": 40, "b": 10})
        st.plotly_chart(fig, key="train_search_history")
        st.dataframe(summary_frame(searches), hide_index=True)
        st.dataframe(frame, hide_index=True, height=240)
