"""Variance & leakage page: does the label really vary, and do outcome columns leak it?
Catches the thesis's 100 %-accuracy trap before any model is trained. UI only."""

import streamlit as st

from ui import state
from ui import variance_view as view
from ui.common import guarded, require_dataset

st.title("Variance & leakage")
st.caption("Before training: is the label a function of one column, does it vary inside "
           "each workload, do outcome columns give it away, and what accuracy is honest?")

frame = require_dataset("the variance check")
diagnosis = guarded(view.run_diagnosis, frame)
if diagnosis is None:
    st.stop()
state.put(state.DIAGNOSIS, diagnosis)

view.banner(diagnosis)
view.key_figures(diagnosis)
view.findings(diagnosis)
view.shares_and_ceiling(diagnosis)
view.heatmaps(diagnosis)
view.information(diagnosis)
view.sensitivity(diagnosis)
view.checks_table(diagnosis)
