"""Entry point: page config and navigation only (pages/ hold the UI, core/ the work)."""

import streamlit as st

from ui import model_picker

st.set_page_config(page_title="Serverless routing lab", page_icon=":material/alt_route:",
                   layout="wide")

PAGES = [  # (file, title, icon)
    ("pages/home.py", "Home", ":material/home:"),
    ("pages/data.py", "Data", ":material/table:"),
    ("pages/variance.py", "Variance & leakage", ":material/troubleshoot:"),
    ("pages/train.py", "Train & compare", ":material/model_training:"),
    ("pages/explain.py", "Explain (SHAP)", ":material/insights:"),
    ("pages/simulate.py", "Simulate", ":material/query_stats:"),
    ("pages/objective.py", "Route by objective", ":material/alt_route:"),
    ("pages/deploy.py", "Deploy", ":material/rocket_launch:"),
    ("pages/monitor.py", "Monitor", ":material/monitoring:"),
    ("pages/report.py", "Report", ":material/description:"),
]

navigation = st.navigation([st.Page(f, title=t, icon=i) for f, t, i in PAGES])
active_model = st.sidebar.empty()
model_picker.sidebar(active_model)  # the session's active model, before a page may stop
navigation.run()
model_picker.sidebar(active_model)  # and as the page left it
