"""Monitor: after deployment, has the traffic drifted from what the model was trained on?"""

import streamlit as st

from ui import monitor_view as view
from ui.common import guarded, require_dataset

st.title("Monitor: has the traffic changed?")
st.caption("Compare recent traffic — the deployed function's own CloudWatch logs or any "
           "request table — with the loaded data the model learned from: per-feature PSI and "
           "Kolmogorov–Smirnov, unseen values, prediction and label drift, with advice.")

reference = require_dataset("the Monitor page")
st.markdown(f"**Reference:** the loaded data, {len(reference):,} rows.")
current, source = view.current_picker(reference)
if current is None:
    st.info("Upload the current traffic, or plant a payload shift to see what drift looks "
            "like.", icon=":material/monitoring:")
    st.stop()
model_id = view.model_picker()
limits = view.thresholds()
report = guarded(view.run, reference, current, model_id, limits)
if report is None:
    st.stop()
view.verdict(report, source)
view.advice(report)
view.features(report)
view.predictions(report)
view.windows(report)
view.notes(report)
view.download(report)
