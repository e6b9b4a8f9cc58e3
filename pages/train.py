"""Train page: choose features, models and split; train with live progress; compare honestly;
promote a version; download metrics, a LaTeX table and the model bundle. UI only."""

import streamlit as st

from ui import state, train_search, train_view
from ui.common import require_dataset

st.title("Train & compare")
st.caption("Several models on the same split, cross-validated, with a majority baseline, a "
           "significance test and the thesis's success checks. ~100 % accuracy is a warning "
           "sign, not a result.")

frame = require_dataset("the Train page")
options = train_view.settings(frame)
if st.button("Train models", type="primary", key="train_go", icon=":material/play_arrow:",
             disabled=not options["models"]):
    run = train_view.train(frame, options)
    if run is not None:
        state.put(state.TRAIN_RUN, run)

run = state.get(state.TRAIN_RUN)
train_view.partial_results(run)
if run is None:
    st.info("Choose features and models, then press **Train models**.",
            icon=":material/model_training:")
    st.stop()
train_view.verdict(run)
train_view.comparison(run)
train_search.history(run)
train_view.promote(run)
train_view.downloads(run)
