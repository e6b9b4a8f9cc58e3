"""Explain page pieces: model loading (cached), quick training, and one renderer per tab.

Every number comes from core.explain; this module only lays out widgets and figures.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from core.explain import (
    Explanation,
    explain,
    explain_request,
    explain_row,
    figures,
    filter_rows,
    whatif_fields,
    whatif_request,
)
from core.registry import LoadedModel, Registry
from ui import model_picker, state
from ui.common import guarded

QUICK_MODELS = ("xgb", "logreg")
TREE_MODELS = ("xgb", "lgbm", "rf")
SEGMENT_COLUMN = "workload (requests explained)"


def registry() -> Registry:
    """The session's registry (default: $ROUTING_LAB_MODELS or models/)."""
    return Registry(state.get(state.REGISTRY_DIR))


@st.cache_resource(show_spinner="Loading model…", max_entries=8)
def load_model(root: str, model_id: str) -> LoadedModel:
    """A verified model version, shared across reruns (ids are immutable versions)."""
    return Registry(root).load(model_id)


@st.cache_data(show_spinner="Computing SHAP values…", max_entries=8)
def explanation(root: str, model_id: str, frame: pd.DataFrame, sample: int) -> Explanation:
    """SHAP of one model on the session data, computed once per (model, data, sample): a
    click in a tab must not recompute two explanations (seconds on a tree model)."""
    return explain(load_model(root, model_id).pipeline, frame, model_id=model_id, sample=sample)


def quick_train(frame: pd.DataFrame, reg: Registry) -> None:
    """Train XGBoost and logistic regression on the session data so the page is demo-able."""
    from core.training import train_and_compare

    with st.spinner("Training XGBoost and logistic regression (2-fold CV)…"):
        run = train_and_compare(frame, models=QUICK_MODELS, cv=2, seed=0, registry=reg)
    saved = [r.model_id for r in run.results.values() if r.model_id]
    if not saved:
        st.error("Quick training saved no model; open the Train & compare page for details.")
        return
    state.put(state.TRAIN_RUN, run)
    best = run.results[run.best].model_id if run.best else saved[0]
    state.put(model_picker.ACTIVE, best)  # the new model, trained on this data, is shown
    st.session_state.pop("explain_model", None)
    st.rerun()


def header(expl: Explanation) -> None:
    """Method, sampling, additivity error and the dominance verdict in words."""
    c1, c2, c3 = st.columns(3)
    c1.metric("Rows explained", f"{expl.rows_explained:,}",
              help=expl.sampling_note())
    c2.metric("Additivity error", f"{expl.additivity_error:.1e}",
              help=f"max |base value + sum of SHAP − model {expl.output}| over the rows; "
                   "exact tree SHAP stays below 1e-4")
    c3.metric("Output explained", expl.output, help=expl.method)
    st.caption(f"{expl.sampling_note()} Method: {expl.method}.")
    verdict = expl.dominance()
    (st.warning if verdict["dominant"] else st.success)(verdict["message"])


def global_tab(expl: Explanation) -> None:
    left, right = st.columns([2, 3])
    left.plotly_chart(expl.plot("importance"), key="imp")
    right.plotly_chart(expl.plot("beeswarm"), key="bee")


@st.fragment
def dependence_tab(expl: Explanation) -> None:
    """Feature and colour pickers rerun only this tab."""
    features = expl.importance()["feature"].tolist()
    c1, c2 = st.columns(2)
    feature = c1.selectbox("Feature", features, key="dep_feature")
    auto = expl.strongest_interaction(feature)
    others = [f for f in features if f != feature]
    choice = c2.selectbox("Colour by", ["strongest interaction", *others], key="dep_colour",
                          help=f"Strongest interaction for {feature}: {auto}")
    colour = auto if choice == "strongest interaction" else choice
    st.plotly_chart(expl.plot("dependence", feature=feature, color_by=colour), key="dep")


def _show_request(req: Any) -> None:
    c1, c2, c3 = st.columns(3)
    c1.metric("Prediction", req.platform.upper())
    c2.metric("P(Lambda optimal)", f"{req.probability:.3f}")
    c3.metric("Additivity error", f"{req.additivity_error:.1e}")
    st.plotly_chart(req.plot(), key=f"wf_{id(req)}")
    for note in req.notes:
        st.caption(note)


@st.fragment
def request_tab(frame: pd.DataFrame, loaded: LoadedModel) -> None:
    """Pick one request by row or filter; its waterfall. Reruns only this tab."""
    mode = st.radio("Pick a request", ["by row number", "by filter"], horizontal=True,
                    key="req_mode")
    if mode == "by row number":
        row = int(st.number_input("Row", 0, len(frame) - 1, 0, key="req_row"))
    else:
        cols = [c for c in ("workload_type", "time_window", "load_pattern") if c in frame]
        conditions = {}
        for col, box in zip(cols, st.columns(max(len(cols), 1)), strict=False):
            values = sorted(frame[col].dropna().astype(str).unique().tolist())
            conditions[col] = box.selectbox(col, [None, *values], key=f"req_f_{col}",
                                            format_func=lambda v: "any" if v is None else v)
        rows = guarded(filter_rows, frame, conditions) or []
        if not rows:
            st.info("No request matches this filter; widen it.")
            return
        row = st.selectbox(f"Matching rows ({len(rows):,})", rows[:500], key="req_match")
    st.dataframe(frame.iloc[[row]], hide_index=True)
    req = guarded(explain_row, loaded.pipeline, frame, row, model_id=loaded.model_id)
    if req is not None:
        _show_request(req)


@st.fragment
def whatif_tab(frame: pd.DataFrame, loaded: LoadedModel) -> None:
    """A made-up request from the model's own fields, explained. Reruns only this tab."""
    fields = whatif_fields(loaded.pipeline, frame)
    values: dict[str, Any] = {}
    with st.form("whatif"):
        cols = st.columns(len(fields))
        for field, col in zip(fields, cols, strict=True):
            if field.kind == "categorical":
                index = field.options.index(field.default) if field.default in field.options \
                    else 0
                values[field.name] = col.selectbox(field.name, field.options, index=index,
                                                   key=f"wi_{field.name}")
            elif field.kind == "hour":
                values[field.name] = col.number_input(f"{field.name} (hour)", 0, 23,
                                                      field.default, key=f"wi_{field.name}")
            else:
                values[field.name] = col.number_input(field.name, value=field.default,
                                                      key=f"wi_{field.name}")
        submitted = st.form_submit_button("Explain this request", type="primary")
    if submitted:
        request = guarded(whatif_request, fields, values)
        req = request and guarded(explain_request, loaded.pipeline, request, background=frame,
                                  model_id=loaded.model_id)
        if req:
            _show_request(req)


def compare_tab(first: Explanation, second: Explanation | None, names: tuple[str, str]) -> None:
    if second is None:
        st.info("Pick a second model above (train more on the Train & compare page) to put "
                "two explanations side by side.")
        return
    left, right = st.columns(2)
    for col, expl, name in ((left, first, names[0]), (right, second, names[1])):
        col.plotly_chart(expl.plot("importance", title=name), key=f"cmp_{name}")
        col.caption(f"{expl.method}; additivity error {expl.additivity_error:.1e}. "
                    f"{expl.dominance()['message']}")
    st.plotly_chart(figures.compare(dict(zip(names, (first, second), strict=True))),
                    key="cmp_both")


def segment_table(segments: pd.DataFrame) -> pd.DataFrame:
    """Mean |SHAP| per workload (rows) and feature (columns): one line per workload reads
    better than core's long table of workload × feature pairs."""
    wide = segments.pivot_table(index="segment", columns="feature", values="mean_abs_shap",
                                sort=False)
    rows = segments.groupby("segment", sort=False)["rows"].first().reindex(wide.index)
    names = [f"{seg} ({n:,} rows)" for seg, n in zip(wide.index, rows, strict=True)]
    wide = wide.rename_axis(index=None, columns=None).reset_index(drop=True)
    wide.insert(0, SEGMENT_COLUMN, names)
    return wide


def segment_tab(expl: Explanation) -> None:
    if "workload_type" not in expl.data.columns:
        st.info("The data has no workload_type column to split by.")
        return
    st.plotly_chart(expl.plot("segments"), key="seg")
    table = segment_table(expl.segments())
    st.dataframe(table, hide_index=True, width="stretch", column_config={
        c: st.column_config.NumberColumn(c, format="%.3f")
        for c in table.columns if c != SEGMENT_COLUMN})
    st.caption(f"Mean |SHAP| ({expl.output}) of each feature within each workload: how much "
               "the feature moves this model's decision for requests of that workload.")
