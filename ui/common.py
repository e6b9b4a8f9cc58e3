"""UI pieces every page uses: the empty state, demo loading, user-error display."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import streamlit as st

from core.errors import UserError
from ui import state

ROOT = Path(__file__).resolve().parents[1]
DEMO_DATASETS = {
    "variance": "Realistic: labels vary within each workload (synthetic, physical model)",
    "trap": "The thesis's 100 %-accuracy trap: label fixed per workload, outcomes present",
}
T = TypeVar("T")


@st.cache_data(show_spinner="Loading demo data…")
def _demo_frame(name: str):
    from core import io, labels

    path = ROOT / "data" / f"{name}.csv"
    if not path.exists():
        from core import synth

        synth.write_demo_data(ROOT / "data")
    result = io.read_paths([path])
    return labels.ensure_labels(result.frame), result


def load_demo(name: str) -> None:
    """Put a bundled demo dataset in the session (and drop results of the previous one)."""
    frame, report = _demo_frame(name)
    state.clear_derived()
    state.put(state.DATASET, frame.copy())
    state.put(state.DATASET_NAME, f"demo: {name}")
    state.put(state.INGEST_REPORT, report)


def require_dataset(page_hint: str = "this page"):
    """The session's dataset, or a friendly empty state with demo buttons (then stop)."""
    frame = state.get(state.DATASET)
    if frame is not None:
        return frame
    st.info(f"No data loaded yet. {page_hint.capitalize()} needs a load-test dataset: "
            "upload one on the Data page, or start from a bundled demo.")
    cols = st.columns(len(DEMO_DATASETS))
    for col, (name, text) in zip(cols, DEMO_DATASETS.items(), strict=True):
        if col.button(f"Load demo: {name}", key=f"empty_demo_{name}", help=text):
            load_demo(name)
            st.rerun()
    st.stop()


def guarded(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
    """Call core; show a UserError as an error box (with what to do) instead of a traceback."""
    try:
        return fn(*args, **kwargs)
    except UserError as exc:
        st.error(str(exc), icon=":material/error:")
        return None
