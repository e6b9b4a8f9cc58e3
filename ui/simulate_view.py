"""The Simulate page's preset simulator: scenario upload, run, results and sweeps.

Why here and not in pages/: the page only lays out its two tabs; the cache of router models,
the registry listing and the result rendering are Streamlit helpers that tests and other
pages can reach.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pandas as pd
import streamlit as st

from core.errors import UserError
from core.parallel import LOCAL
from core.simulate import sweeps
from core.simulate.horizon import parse_duration, simulate_long
from core.simulate.routers import describe_check
from core.simulate.runner import simulate
from core.simulate.scenario import load_scenario
from core.wording import long_horizon_sentence, metric_delta, roi_phrase, saving_phrase
from ui import model_picker, state
from ui import simulate_charts as charts
from ui.common import guarded
from ui.simulate_form import HORIZON_KEY, apply_scenario, scenario_form

SWEEP_KEY = "sim.sweeps"
UPLOAD_SEEN = "sim.upload_seen"


@st.cache_resource(show_spinner="Loading and exporting the router model…")
def _router_model(model_id: str, root: str | None):
    """The registry model and its portable export, once per model and registry folder."""
    from core.simulate.routers import prepare_model

    return prepare_model({"model_id": model_id}, root=root)


def listing() -> pd.DataFrame:
    """The registry's versions as a table (empty when there is none)."""
    try:
        return model_picker.classifiers(model_picker.registry().list())
    except (UserError, OSError):
        return pd.DataFrame(columns=["model_id", "model_type", "accuracy", "aliases"])


def _load_uploaded() -> None:
    upload = st.file_uploader("Load a scenario (JSON)", type=["json"], key="sim.upload")
    if upload is None or st.session_state.get(UPLOAD_SEEN) == upload.file_id:
        return
    st.session_state[UPLOAD_SEEN] = upload.file_id
    # Uploaded text is data only: never a server path, and `"mix": {"from_data": true}` means
    # this session's dataset (core refuses any file name in it).
    scenario = guarded(load_scenario, upload.getvalue(), data=state.get(state.DATASET),
                       allow_files=False)
    if scenario is not None:
        apply_scenario(scenario.to_json())
        st.rerun()


def _model(spec: dict) -> tuple[bool, object]:
    """(ok, the router model from the page's registry folder, or None for other routers)."""
    if spec["router"]["kind"] != "model":
        return True, None
    model = guarded(_router_model, spec["router"]["model_id"], state.get(state.REGISTRY_DIR))
    return model is not None, model


def _run(spec: dict, horizon: str = "") -> None:
    ok, pipeline = _model(spec)
    if not ok:
        return
    horizon_s = guarded(parse_duration, horizon) if horizon.strip() else None
    if horizon.strip() and horizon_s is None:
        return
    bar = st.progress(0.0, text="Starting…")

    def progress(fraction: float, message: str) -> None:
        bar.progress(min(fraction, 1.0), text=message)

    if horizon_s is None:
        result = guarded(simulate, spec, pipeline=pipeline, on_progress=progress)
    else:
        result = guarded(simulate_long, spec, horizon_s=horizon_s, pipeline=pipeline,
                         on_progress=progress)
    bar.empty()
    if result is not None:
        state.put(state.SIMULATION, result)
        st.session_state.pop(SWEEP_KEY, None)


def metrics_table(result) -> pd.DataFrame:
    """All metrics per strategy, one column per strategy. Every cell is text: the column of a
    strategy mixes numbers with names (the router), which Arrow cannot hold as one type."""
    return result.summary_frame().set_index("strategy").T.map(_cell)


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, int) or abs(value) >= 1e4:
        return f"{value:,.0f}"
    return f"{value:.4g}"


def results(result) -> None:
    """The three strategies' headline metrics, tables, charts and downloads."""
    hyb = result.strategies.get("hybrid", {})
    cols = st.columns(4)
    for col, base in zip(cols[:2], ("lambda", "ecs"), strict=True):
        vs = hyb.get(f"vs_{base}") or {}
        value, _ = metric_delta(vs.get("savings_pct"))
        name = f"{base.upper() if base == 'ecs' else 'Lambda'}-only"
        col.metric(f"Saving vs {name}",
                   value, None if vs.get("roi") is None else f"{vs['roi']:+.1f}× ROI",
                   help=f"The routed hybrid against {name}: "
                        f"{saving_phrase(vs.get('savings_pct'), vs.get('savings_usd'))}; "
                        f"{roi_phrase(vs.get('roi'))}")
    cols[2].metric("Routing accuracy (vs oracle)", f"{hyb.get('routing_accuracy', 0):.1%}")
    cols[3].metric("Simulated in", f"{result.elapsed_s:.2f} s",
                   help=f"{result.strategies['lambda']['requests']:,} requests per strategy, "
                        "three strategies")
    if "portable_check" in hyb:
        st.caption(describe_check(hyb["portable_check"]))
    long = result.scenario.get("long_horizon")
    if long:
        st.caption(f"Long horizon: {long_horizon_sentence(long)}")
    st.subheader("Comparison (the thesis's table)")
    # "—" where an improvement is undefined (both zero), not a raw None.
    # text cells: Streamlit draws a Styler's NaN as "None" whatever its na_rep
    st.dataframe(result.comparison_frame().map(
        lambda v: "—" if v != v else f"{v:.4g}"), width="stretch")
    with st.expander("All metrics per strategy"):
        st.dataframe(metrics_table(result), width="stretch")
    tabs = st.tabs(["Latency CDF", "Cost over time", "Instances & tasks", "Cold starts",
                    "Latency over time"])
    for tab, kind, key in zip(tabs, ("cdf", "cost", "capacity", "cold_starts", "latency"),
                              ("sim.cdf", "sim.cost", "sim.capacity", "sim.cold",
                               "sim.latency"), strict=True):
        tab.plotly_chart(result.plot(kind), key=key)
    c = st.columns(3)
    c[0].download_button("Results CSV", result.summary_frame().to_csv(index=False),
                         "simulation.csv", "text/csv")
    c[1].download_button("Comparison table (LaTeX)", result.to_latex(), "simulation.tex",
                         "text/x-tex")
    c[2].download_button("Results JSON", json.dumps(result.to_json(), indent=2, default=str),
                         "simulation.json", "application/json")


def _sweep_runner() -> tuple[str | None, Callable[[float, str], None]]:
    """Where sweep points run (this process, a local Dask cluster, or a cluster's address)
    and a progress callback that draws a bar from the finished points."""
    c = st.columns([1, 2])
    where = c[0].selectbox("Run the points", ["In this process", "Local Dask cluster",
                                               "Dask cluster at…"], key="sim.sweep.where",
                           help="A dozen small points finish before a cluster starts; "
                                "bigger sweeps gain from one worker per core or a cluster.")
    address = c[1].text_input("Dask scheduler address", key="sim.sweep.address",
                              placeholder="tcp://10.0.0.5:8786",
                              disabled=where != "Dask cluster at…")
    scheduler = {"In this process": LOCAL, "Local Dask cluster": None}.get(
        where, address.strip() or None)
    bar = st.empty()

    def progress(fraction: float, message: str) -> None:
        bar.progress(min(fraction, 1.0), text=f"Sweep points: {message}")

    return scheduler, progress


def _sweeps(spec: dict) -> None:
    done = st.session_state.setdefault(SWEEP_KEY, {})
    st.caption("Each point is its own small simulation, run through core.parallel: here, on "
               "a local Dask cluster, or on an existing cluster (same points, same results).")
    scheduler, progress = _sweep_runner()
    tabs = st.tabs(["Break-even rate", "Memory (Power Tuning)", "Sensitivity"])
    with tabs[0]:
        if st.button("Run break-even sweep", key="sim.sweep.be"):
            with st.spinner("Sweeping request rates per workload…"):
                done["break_even"] = guarded(sweeps.break_even, spec, duration_s=600,
                                             scheduler=scheduler, on_progress=progress)
        if done.get("break_even"):
            frame, crossings = done["break_even"]
            st.plotly_chart(charts.break_even(frame, crossings), key="sim.be")
    with tabs[1]:
        if st.button("Run memory sweep", key="sim.sweep.mem"):
            with st.spinner("Sweeping Lambda memory sizes…"):
                done["memory"] = guarded(sweeps.memory_sweep, spec, requests=10_000,
                                         scheduler=scheduler, on_progress=progress)
        if done.get("memory") is not None:
            st.plotly_chart(charts.power_tuning(done["memory"]), key="sim.mem")
            st.dataframe(done["memory"], hide_index=True)
    with tabs[2]:
        if st.button("Run sensitivity sweep", key="sim.sweep.sens"):
            ok, model = _model(spec)
            with st.spinner("Scaling one parameter at a time…"):
                done["sensitivity"] = guarded(sweeps.sensitivity, spec, requests=10_000,
                                              model=model, scheduler=scheduler,
                                              on_progress=progress) if ok else None
        if done.get("sensitivity") is not None:
            st.plotly_chart(charts.sensitivity(done["sensitivity"]), key="sim.sens")


def preset(models: pd.DataFrame) -> None:
    """The preset tab: scenario form, run button, results of the last run, sweeps."""
    st.caption("The preset physical model of Lambda and Fargate (core.synth's workloads): "
               "fleet sizing and what-ifs without data, not calibrated on your logs.")
    _load_uploaded()
    ids = models["model_id"].tolist() if "model_id" in models.columns else []
    spec = scenario_form(state.get(state.DATASET), ids)
    horizon = st.text_input(
        "Or simulate a duration (long horizon)", key=HORIZON_KEY,
        placeholder="e.g. 6h, 7d, 30d; blank: the request count above",
        help="Runs the traffic for this long in time chunks of 1M requests that carry the "
             "Lambda pool and Fargate fleet: memory stays bounded however long the horizon "
             "(a month at 1,000 requests/s is 2.6 billion requests: about 25 minutes of one core).")
    c = st.columns([1, 1, 2])
    run = c[0].button("Run simulation", type="primary", key="sim.run")
    c[1].download_button("Save scenario JSON", json.dumps(spec, indent=2, default=str),
                         "scenario.json", "application/json", key="sim.save")
    if run:
        _run(spec, horizon)
    result = state.get(state.SIMULATION)
    if result is not None:
        results(result)
    with st.expander("Sweeps: break-even, memory size, sensitivity"):
        _sweeps(spec)
