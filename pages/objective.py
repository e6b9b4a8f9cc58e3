"""Route by objective: per-platform predictions, the user's goal, and why each request went
where."""

from __future__ import annotations

import streamlit as st

from ui import objective_view
from ui.common import require_dataset

st.title("Route by objective")
st.caption("Instead of one yes/no label, predict each platform's latency (median and p95) and "
           "cost per request, then route by your goal: least cost within a p95 SLO, least "
           "latency within a budget, or cost plus a value of time. Change the goal without "
           "relabelling or retraining.")
objective_view.panel(require_dataset("the Route by objective page"))
