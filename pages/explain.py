"""Explain: why a model routes a request to Lambda or ECS (SHAP, all charts in plotly)."""

import streamlit as st

from core.explain import DEFAULT_SAMPLE
from ui import explain_view as view
from ui import model_picker
from ui.common import guarded, require_dataset

st.title("Explain: why Lambda or ECS?")
st.caption("SHAP values show how much each feature pushes a trained model towards Lambda or "
           "ECS: over all requests, for one request, for a request you make up, and per "
           "workload.")
frame = require_dataset("the Explain page")
reg = view.registry()
models = model_picker.classifiers(reg.list())
if models.empty:
    st.info("No trained model yet. Train models on the Train & compare page first, or train "
            "a quick XGBoost and logistic regression here on the loaded data.")
    st.page_link("pages/train.py", label="Train & compare", icon=":material/model_training:")
    if st.button("Train a quick model", type="primary", icon=":material/bolt:"):
        guarded(view.quick_train, frame, reg)
    st.stop()

if not model_picker.any_trained_on_loaded(models):
    c_info, c_button = st.columns([3, 1])
    c_info.info("No model in the registry was trained on the loaded data: the ones below would "
                "explain decisions on data they have not seen. Train a quick XGBoost and "
                "logistic regression on it here, or use the Train & compare page.",
                icon=":material/info:")
    if c_button.button("Train a quick model", type="primary", icon=":material/bolt:"):
        guarded(view.quick_train, frame, reg)

options = model_picker.labels(models)
ids = list(options)
c1, c2, c3 = st.columns([3, 3, 2])
first_id = model_picker.choose(models, key="explain_model", container=c1)
others = [i for i in ids if i != first_id]
second_id = c2.selectbox("Compare with", [None, *others], index=1 if others else 0,
                         key="explain_model_b",
                         format_func=lambda i: "(none)" if i is None else options[i],
                         help="A second model for the Two models tab.")
sample = int(c3.number_input("Rows to explain (sample)", 50, 100_000, DEFAULT_SAMPLE, 500,
                             key="explain_sample",
                             help="Larger data is sampled (seeded) to bound time and memory."))

loaded = guarded(view.load_model, str(reg.root), first_id)
if loaded is None:
    st.stop()
expl = guarded(view.explanation, str(reg.root), first_id, frame, sample)
if expl is None:
    st.stop()
view.header(expl)

tabs = st.tabs(["Global", "Dependence", "One request", "What-if", "Two models",
                "By workload"])
with tabs[0]:
    view.global_tab(expl)
with tabs[1]:
    view.dependence_tab(expl)
with tabs[2]:
    view.request_tab(frame, loaded)
with tabs[3]:
    view.whatif_tab(frame, loaded)
with tabs[4]:
    second = None
    if second_id is not None:
        second = guarded(view.explanation, str(reg.root), second_id, frame, sample)
    view.compare_tab(expl, second, (first_id, second_id or ""))
with tabs[5]:
    view.segment_tab(expl)
with st.expander("Notes on this explanation"):
    for note in expl.notes:
        st.markdown(f"- {note}")
