"""Simulate page, calibrated tab: replay the loaded data, show calibration before results.

The label's definition (margin, latency field, cost profile and view, set on the Data page)
is the objective here too, so the routing accuracy shown is against the label the router
was trained on.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from core.cost_profile import get_profile
from core.decision import decision_threshold
from core.simulate.montecarlo import monte_carlo
from core.simulate.replay import (
    PLACEMENTS,
    ReplaySettings,
    calibration_frame,
    replay,
    same_objective,
)
from core.wording import accuracy_note, versus_sentences
from ui import data_view, model_picker, state
from ui.common import guarded

ORACLE = "label-rule oracle (no model)"


@st.cache_resource(show_spinner="Loading the router model…", max_entries=4)
def _load(model_id: str, root: str | None) -> tuple[Any, float, dict]:
    """The router's pipeline, decision threshold and registry metadata (loaded once)."""
    from core.registry import Registry

    loaded = Registry(root).load(model_id)
    return loaded.pipeline, decision_threshold(loaded.metadata), loaded.metadata


def panel(frame: pd.DataFrame | None, models: pd.DataFrame) -> None:
    """Controls, the calibration panel and the replay's results (``models``: the registry's
    listing, possibly empty)."""
    if frame is None:
        st.info("Load data on the **Data** page (or a demo there) to replay it here: the "
                "simulator then draws service times and costs from your own measurements.",
                icon=":material/upload_file:")
        return
    margin, field = data_view.label_definition()
    costs = state.get(state.COST_PROFILE)
    view = state.get(state.COST_VIEW, "marginal")
    profile_name = get_profile(costs).name if costs is not None else "as given"
    st.caption(f"Objective (from the Data page): balanced_optimal, margin {margin:.0%}, "
               f"latency field `{field or 'default'}`, costs {profile_name}, {view} view.")
    c = st.columns([2, 1, 1, 1])
    kinds = ["model", "oracle"] if len(models) else ["oracle"]
    kind = c[0].radio("Hybrid router", kinds, horizontal=True, key="replay.kind",
                      format_func=lambda k: {"model": "trained model", "oracle": ORACLE}[k],
                      help="A registry model routes each request (P(Lambda) >= its decision "
                           "threshold); the oracle routes by the label rule itself.")
    router = (model_picker.choose(models, key="replay.router", container=c[0])
              if kind == "model" else ORACLE)
    placement = c[1].radio("Router runs", PLACEMENTS, key="replay.placement",
                           format_func=lambda p: {"in_process": "in process",
                                                  "lambda_call": "own Lambda call"}[p],
                           help="In process adds its evaluation time; its own Lambda call "
                                "is billed per request.")
    seed = c[2].number_input("Seed", 0, 2**32 - 1, 1, key="replay.seed")
    if c[3].button("Replay the data", type="primary", key="replay.run"):
        pipeline, threshold, meta = None, 0.5, {}
        if router != ORACLE:
            loaded = guarded(_load, router, state.get(state.REGISTRY_DIR))
            if loaded is None:
                return
            pipeline, threshold, meta = loaded
        settings = ReplaySettings(costs=costs, view=view, margin=margin, latency_col=field,
                                  router="model" if pipeline is not None else "oracle",
                                  threshold=threshold, placement=placement, seed=int(seed))
        with st.spinner("Replaying the loaded requests…"):
            result = guarded(replay, frame, settings, pipeline=pipeline)
        if result is not None:
            state.put(state.REPLAY, (router, result, _note(router, meta, result), settings))
    done = state.get(state.REPLAY)
    if done is not None:
        _show(done[0], done[1], done[2])
        _seeds_panel(frame, done)


SEEDS_KEY = "replay.seeds_result"
#: Figures the Monte-Carlo table shows, per strategy.
SEED_FIGURES = ("cost_usd", "latency_p95_ms", "cold_start_rate", "routing_accuracy")


def _seeds_panel(frame: pd.DataFrame, done: tuple) -> None:
    """Monte-Carlo seeds of the last replay on Dask: every figure with a 95 % interval."""
    router, result, settings = done[0], done[1], done[3]
    with st.expander("Confidence intervals: run many seeds (Dask)"):
        c = st.columns([1, 2, 1])
        n = c[0].number_input("Seeds", 2, 1000, 8, key="replay.seeds")
        address = c[1].text_input("Dask scheduler", key="replay.scheduler",
                                  placeholder="blank: a local cluster, one worker per core",
                                  help="An existing cluster's address, e.g. tcp://10.0.0.5:8786")
        if c[2].button("Run seeds", key="replay.seeds.run"):
            pipeline = None
            if settings.router == "model":
                loaded = guarded(_load, router, state.get(state.REGISTRY_DIR))
                if loaded is None:
                    return
                pipeline = loaded[0]
            bar = st.progress(0.0, text="Starting the cluster…")
            out = guarded(monte_carlo, int(n), frame=frame, settings=settings,
                          pipeline=pipeline, base_seed=settings.seed,
                          scheduler=address.strip() or None,
                          on_progress=lambda f, m: bar.progress(min(f, 1.0), text=m))
            bar.empty()
            if out is not None:
                st.session_state[SEEDS_KEY] = (id(result), out)
        saved = st.session_state.get(SEEDS_KEY)
        if saved is not None and saved[0] == id(result):
            out = saved[1]
            rows = []
            for name in result.strategies:
                for figure in SEED_FIGURES:
                    key = f"{name}.{figure}"
                    interval = out["ci95"].get(key)
                    if interval is None:
                        continue
                    rows.append({"strategy": name, "figure": figure,
                                 "mean": out["mean"][key], "95 % low": interval[0],
                                 "95 % high": interval[1]})
            st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch",
                         column_config={c: st.column_config.NumberColumn(c, format="%.5g")
                                        for c in ("mean", "95 % low", "95 % high")})
            ran = out["scheduler"]
            st.caption(f"{len(out['seeds'])} seeds on {ran['workers']} worker(s) at "
                       f"{ran['address']}; Student-t interval of the mean over seeds.")


def _note(router: str, meta: dict, result) -> str | None:
    """Why the routing accuracy differs from the model's test accuracy, when it does."""
    if router == ORACLE:
        return None
    rule = (meta.get("extra") or {}).get("label_rule") or {}
    return accuracy_note((meta.get("metrics") or {}).get("accuracy"),
                         result.strategies["hybrid"]["routing_accuracy"],
                         same_data=model_picker.training_data(router).get("same_data"),
                         same_objective=same_objective(result.objective, rule))


def _show(router: str, result, note: str | None = None) -> None:
    cal = result.calibration
    st.subheader("Calibration: measured vs simulated")
    st.dataframe(calibration_frame(cal), hide_index=True, width="stretch", column_config={
        **{c: st.column_config.NumberColumn(c.replace("_", " "), format="%.1f")
           for c in ("measured_p50_ms", "simulated_p50_ms", "measured_p95_ms",
                     "simulated_p95_ms", "p50_error_pct")},
        **{c: st.column_config.NumberColumn(c.replace("_", " "), format="percent")
           for c in ("measured_cold_start_rate", "simulated_cold_start_rate")}})
    shares = pd.DataFrame([{"workload_type": k, "measured %": v["measured"],
                            "simulated %": v["simulated"]}
                           for k, v in cal["label_share"].items()])
    st.dataframe(shares, hide_index=True, column_config={
        c: st.column_config.NumberColumn(c, format="%.1f") for c in ("measured %",
                                                                     "simulated %")})
    for caveat in cal["notes"]:
        st.caption(caveat)
    hybrid = result.strategies["hybrid"]
    st.subheader(f"Results: hybrid routed by {router}")
    cols = st.columns(3)
    cols[0].metric("Routing accuracy (vs the label rule)", f"{hybrid['routing_accuracy']:.1%}")
    cols[1].metric("Cost-oracle agreement",
                   f"{result.strategies['cost_oracle']['routing_accuracy']:.1%}",
                   help="Share of requests where the cheaper platform is also the label "
                        "rule's choice: how far the label is from a pure cost objective.")
    cols[2].metric("Requests replayed", f"{hybrid['requests']:,}")
    if note:
        st.info(note, icon=":material/info:")
    for sentence in versus_sentences(hybrid):
        st.markdown(f"- {sentence}")
    st.dataframe(_shown(result.comparison_frame()), width="stretch")
    breakdown = pd.DataFrame({name: s["cost_breakdown"] for name, s in
                              result.strategies.items()}).T.fillna(0.0)
    st.markdown("**Cost breakdown (USD)**")
    st.dataframe(breakdown, width="stretch", column_config={
        c: st.column_config.NumberColumn(c.replace("_", " "), format="%.6f")
        for c in breakdown.columns})
    st.caption(f"Objective: {result.objective['rule']}, margin {result.objective['margin']:.0%}, "
               f"latency field {result.objective['latency_field']}, costs "
               f"{result.objective['costs']}, {result.objective['view']} view.")


def _shown(table: pd.DataFrame) -> pd.DataFrame:
    """Numbers to 4 significant digits and an undefined improvement as a dash, as text (one
    type per column: Arrow-safe)."""
    return table.map(lambda v: "—" if pd.isna(v) else f"{v:,.4g}")
