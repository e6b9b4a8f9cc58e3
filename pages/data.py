"""Data page: load load-test logs (or a demo), see what was read and rejected, set roles and
labelling, look at the data, download the canonical table. UI only: core does the work."""

import streamlit as st

from ui import data_view, state

st.title("Data")
st.caption("Load Artillery logs or a table of requests, check what was read and what was "
           "rejected, choose column roles and how labels are computed.")

data_view.loader()
frame = state.get(state.DATASET)
if frame is None:
    st.info("No data loaded yet: upload your logs above, or load a demo dataset.",
            icon=":material/upload_file:")
    st.stop()

summary_box = st.container()  # filled after labelling, which may relabel the data
roles_col, label_col = st.columns(2, gap="large")
with roles_col:
    st.subheader("Column roles")
    roles = data_view.roles_editor(frame)
with label_col:
    st.subheader("Labelling")
    latency = data_view.labelling(frame)
frame = state.get(state.DATASET)
with summary_box:
    data_view.summary(frame)
data_view.tables(frame, roles)
st.subheader("Charts")
data_view.charts(frame, latency)
st.subheader("Download")
data_view.downloads(frame)
