"""The Data page's cost-profile editor: preset, view, per-workload task sizes, JSON in/out.

Why on the Data page: the profile is part of the label's definition (it prices both sides of
the rule), so changing it re-labels the data and everything downstream is recomputed.
"""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from core.cost_profile import DEFAULT_PROFILE, PRESETS, VIEWS, CostProfile, get_profile
from core.errors import UserError
from ui import state

AS_GIVEN = f"as given (gaps priced by {DEFAULT_PROFILE})"
UPLOADED = "uploaded JSON"
_UPLOAD_KEY = "cost_profile.upload"
_UPLOADED_PROFILE = "cost_profile.uploaded"


def _uploaded() -> dict | None:
    upload = st.file_uploader("Upload a cost profile (JSON)", type=["json"], key=_UPLOAD_KEY)
    if upload is None:
        return st.session_state.get(_UPLOADED_PROFILE)
    try:
        spec = json.loads(upload.getvalue().decode("utf-8"))
        profile = get_profile(spec if isinstance(spec, dict) else None)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        st.error("That file is not JSON. Download a profile below, edit it and upload it again.",
                 icon=":material/error:")
        return st.session_state.get(_UPLOADED_PROFILE)
    except UserError as exc:
        st.error(str(exc), icon=":material/error:")
        return st.session_state.get(_UPLOADED_PROFILE)
    st.session_state[_UPLOADED_PROFILE] = profile.to_dict()
    return st.session_state[_UPLOADED_PROFILE]


def editor() -> tuple[CostProfile | None, str]:
    """Widgets for the profile and view; stores them in the session and returns them.

    A bad edit shows the error naming the field and keeps the last good profile (nothing
    loaded is lost)."""
    current = state.get(state.COST_PROFILE)
    choices = [AS_GIVEN, *PRESETS, UPLOADED]
    default = 0 if current is None else (
        choices.index(current["name"]) if current.get("name") in PRESETS else len(choices) - 1)
    choice = st.selectbox("Cost profile", choices, index=default, key="cost_profile.choice",
                          help="Prices and per-workload deployment that price both sides of "
                               "the label rule. 'thesis' reproduces the thesis's label shares.")
    view = st.radio("Cost view", VIEWS, horizontal=True, key="cost_profile.view",
                    index=VIEWS.index(state.get(state.COST_VIEW, "marginal")),
                    help="marginal: a request's own processing time (the thesis). fleet: "
                         "ECS idle task time (utilisation measured from the logs) and billed "
                         "Lambda init on cold starts.")
    uploaded = _uploaded() if choice == UPLOADED else None
    if choice == AS_GIVEN:
        profile = None
    elif choice == UPLOADED:
        if uploaded is None:
            st.info("Upload a profile JSON (download one below to start from).",
                    icon=":material/upload_file:")
            return _last_good(), view
        profile = get_profile(uploaded)
    else:
        profile = get_profile(choice)
    if profile is not None:
        profile = _edit_workloads(profile, choice)
        if profile is None:
            return _last_good(), view
    state.put(state.COST_PROFILE, None if profile is None else profile.to_dict())
    state.put(state.COST_VIEW, view)
    shown = profile or get_profile(None)
    st.download_button("Download this profile (JSON)", json.dumps(shown.to_dict(), indent=2),
                       "cost_profile.json", "application/json", key="cost_profile.download")
    with st.expander("Prices and their sources"):
        prices = shown.prices("x86").to_dict()
        st.dataframe(pd.DataFrame({"price": list(prices),
                                   "value": [str(v) for v in prices.values()]}),
                     hide_index=True)
        for key, source in shown.sources.items():
            st.caption(f"{key}: {source}")
    return profile, view


def _edit_workloads(profile: CostProfile, choice: str) -> CostProfile | None:
    table = st.data_editor(profile.workload_frame(), hide_index=True, width="stretch",
                           disabled=["workload_type"], key=f"cost_profile.table.{choice}",
                           column_config={
                               "lambda_memory_mb": st.column_config.NumberColumn("Lambda MB"),
                               "fargate_vcpu": st.column_config.NumberColumn("Task vCPU"),
                               "fargate_memory_gb": st.column_config.NumberColumn("Task GB")})
    workloads = {row.pop("workload_type"): row for row in table.to_dict("records")}
    if workloads == {k: v for k, v in ((r.pop("workload_type"), r) for r in
                                        profile.workload_frame().to_dict("records"))}:
        return profile
    spec = {**profile.to_dict(), "workloads": workloads, "name": f"{profile.name} (edited)"}
    spec.pop("prices")
    spec["prices"] = dict(profile.price_overrides)
    try:
        return get_profile(spec)
    except UserError as exc:
        st.error(f"{exc} The last valid profile stays in use.", icon=":material/error:")
        return None


def chosen() -> dict[str, str]:
    """The cost preset and view the widgets hold now ({} before they were drawn)."""
    out = {}
    choice = st.session_state.get("cost_profile.choice")
    if choice in PRESETS or choice == AS_GIVEN:
        out["costs"] = choice
    if st.session_state.get("cost_profile.view") in VIEWS:
        out["view"] = st.session_state["cost_profile.view"]
    return out


def _last_good() -> CostProfile | None:
    current = state.get(state.COST_PROFILE)
    return None if current is None else get_profile(current)
