"""Simulate: what would a Lambda-only, ECS-only or router-driven fleet cost, and how fast?"""

from __future__ import annotations

import streamlit as st

from ui import replay_view, simulate_view, state


def page() -> None:
    st.title("Simulate: Lambda-only vs ECS-only vs routed hybrid")
    st.caption("What-if questions in seconds: the same requests replayed on a Lambda pool, a "
               "Fargate fleet, and a hybrid your router splits between them. Works without "
               "data (preset mix); with a loaded dataset the mix and trace can come from it.")
    models = simulate_view.listing()
    calibrated, preset = st.tabs(["Calibrated on the loaded data", "Preset model (what-if)"])
    with calibrated:
        replay_view.panel(state.get(state.DATASET), models)
    with preset:
        simulate_view.preset(models)


page()
