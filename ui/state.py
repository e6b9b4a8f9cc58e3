"""Session-state keys the pages share. One place, so a page can be opened directly.

Keys (all optional; read with `get`):
- DATASET: the canonical, labelled pandas DataFrame the user is working on
- DATASET_NAME: its display name (file names or "demo: variance")
- INGEST_REPORT: core.io's report of the load (rows read, rejected rows per reason)
- ROLES: core.schema.Roles chosen on the Data page
- FEATURES: list[str] the Train page uses (the Variance page can drop leaked columns from it)
- DIAGNOSIS: core.diagnostics result for the current dataset
- TRAIN_RUN: core.training result of the last run on the Train page
- REGISTRY_DIR: path of the model registry (default models/)
- SIMULATION: core.simulate result of the last run
- COST_PROFILE: the cost profile as its JSON dict (None: the table's own costs, gaps priced
  by the default profile); COST_VIEW: "marginal" or "fleet". Together with the margin and
  latency field they define the label, and so the objective the simulator scores against.
- REPLAY: core.simulate.replay result of the last calibrated run
"""

from __future__ import annotations

from typing import Any

import streamlit as st

DATASET = "dataset"
DATASET_NAME = "dataset_name"
INGEST_REPORT = "ingest_report"
ROLES = "roles"
FEATURES = "features"
DIAGNOSIS = "diagnosis"
TRAIN_RUN = "train_run"
REGISTRY_DIR = "registry_dir"
SIMULATION = "simulation"
COST_PROFILE = "cost_profile"
COST_VIEW = "cost_view"
REPLAY = "replay"


def get(key: str, default: Any = None) -> Any:
    """Session value or default."""
    return st.session_state.get(key, default)


def put(key: str, value: Any) -> None:
    st.session_state[key] = value


def clear_derived() -> None:
    """A new dataset invalidates everything computed from the old one: diagnosis, training
    run, features and roles, and both simulations (scored against the old data's label, the
    preset one possibly on its mix and trace). Registry models and their cached Lambda
    builds are not session results and stay."""
    for key in (DIAGNOSIS, TRAIN_RUN, FEATURES, ROLES, REPLAY, SIMULATION):
        st.session_state.pop(key, None)
