"""Report: the session's results as one offline HTML file, plus every table (CSV, LaTeX) and
figure (PNG, SVG) for a thesis chapter. Missing sections are named with the reason. UI only."""

import streamlit as st

from ui import report_view as view
from ui.common import guarded, require_dataset

st.title("Report")
st.caption("Data, diagnostics, model comparison with significance, SHAP of the champion, "
           "simulation and the Lambda function, in one self-contained HTML file (plotly "
           "figures embedded, works offline) and a zip of tables and figures.")

require_dataset("the report")
story = view.current_story()
st.subheader("Preview")
view.preview(story)
st.subheader("Build")
opts = view.options(story)
build = st.button("Build report", type="primary", key="report_build",
                  icon=":material/description:")
if build and guarded(view.build, story, opts):
    st.rerun()  # the preview above then shows what the build filled in
view.downloads()
