"""Home: what the lab is for, the workflow as steps with links, and one-click demo data."""

import streamlit as st

from ui import state, tour
from ui.common import DEMO_DATASETS, guarded, load_demo

STEPS = [  # (page file, title, what the step answers)
    ("pages/data.py", "Data", "Load logs or a demo; see what was read, rejected and labelled."),
    ("pages/variance.py", "Variance & leakage",
     "Do labels really vary, or is there a 100 %-accuracy trap?"),
    ("pages/train.py", "Train & compare", "Fit several models honestly and compare them."),
    ("pages/explain.py", "Explain", "Why does a model pick Lambda or Fargate?"),
    ("pages/simulate.py", "Simulate", "Cost and latency of Lambda-only, ECS-only and routed."),
    ("pages/objective.py", "Route by objective",
     "Predict each platform's latency and cost; route by your goal."),
    ("pages/deploy.py", "Deploy", "Ship the chosen model as a small Lambda function."),
    ("pages/monitor.py", "Monitor", "Has the live traffic drifted from the training data?"),
    ("pages/report.py", "Report", "Write up what was found."),
]

st.title("Serverless routing lab")
st.markdown(
    "Should a request run on **AWS Lambda** or **ECS Fargate**? This lab loads your load-test "
    "logs, labels each request with the platform that would have served it best, and checks "
    "whether the labels really vary before any model is trained. It then trains and explains "
    "models honestly, simulates what a routed fleet would cost, and ships the chosen model as "
    "a Lambda function.")

tour.render()

steps_col, demo_col = st.columns([3, 2], gap="large")
with steps_col:
    st.subheader("Workflow")
    for number, (path, title, text) in enumerate(STEPS, start=1):
        st.page_link(path, label=f"{number}. {title}", icon=":material/arrow_forward:")
        st.caption(text)
with demo_col:
    st.subheader("Start from a demo")
    for name, text in DEMO_DATASETS.items():
        if st.button(f"Load demo: {name}", key=f"home_demo_{name}", icon=":material/dataset:"):
            guarded(load_demo, name)
        st.caption(text)
    loaded = state.get(state.DATASET_NAME)
    if loaded:
        st.success(f"Loaded **{loaded}** ({len(state.get(state.DATASET)):,} rows).",
                   icon=":material/check_circle:")
        st.page_link("pages/data.py", label="Look at it on the Data page",
                     icon=":material/table:")
