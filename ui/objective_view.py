"""Route by objective page: a router version, the objective's controls, the calibrated replay
side by side with a classifier and the oracles, a Pareto chart and the decisions table.

Everything is computed by core.objective and core.simulate.replay; this module holds widgets,
session keys (prefixed ``objective.``) and the plotly figure.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import streamlit as st

from core.errors import UserError
from core.objective.figures import pareto_figure
from core.objective.objectives import KINDS, parse_objective
from core.objective.predictors import MODEL_TYPE, metrics_frame
from core.registry import Registry
from ui import state
from ui.common import guarded

TITLES = {"min_cost": "Least cost within a p95 SLO", "min_latency": "Least latency within a budget",
          "weighted": "Cost + value of time x latency", "label_rule": "The label rule"}
RESULT = "objective.result"      # (dataset id, router id, objective dict, result dict)
PARETO = "objective.pareto"      # (dataset id, router id, kind, table)
DECISIONS = "objective.decisions"
BUILT = "objective.built"
NONE = "(none)"


def registry() -> Registry:
    return Registry(state.get(state.REGISTRY_DIR))


@st.cache_resource(show_spinner="Loading the router…", max_entries=4)
def _load_router(model_id: str, root: str | None) -> tuple[Any, dict]:
    from core.objective.router import load_router

    return load_router(Registry(root), model_id)


@st.cache_resource(show_spinner="Loading the classifier…", max_entries=4)
def _load_classifier(model_id: str, root: str | None) -> tuple[Any, float]:
    from core.decision import decision_threshold

    loaded = Registry(root).load(model_id)
    return loaded.pipeline, decision_threshold(loaded.metadata)


def _train(frame: pd.DataFrame) -> str | None:
    """Train a router on the loaded data with the Data page's cost profile; its id."""
    from core.cost_profile import DEFAULT_PROFILE, get_profile
    from core.objective.predictors import train_predictors
    from core.objective.router import save_router

    costs = state.get(state.COST_PROFILE)
    profile = get_profile(costs if costs is not None else DEFAULT_PROFILE)
    view = state.get(state.COST_VIEW, "marginal")
    trained = train_predictors(frame, costs=profile, view=view, seed=0)
    return save_router(registry(), trained, train_frame=frame, seed=0,
                       extra={"cost_profile": profile.to_dict(), "view": view})


def _settings(meta: dict, seed: int) -> Any:
    """The replay in the router's world: its cost profile, view and latency field; the label
    rule's margin from the Data page."""
    from core.simulate.replay import ReplaySettings

    extra = meta.get("extra") or {}
    applied = st.session_state.get("data_labelling")
    margin = float(applied[1]) if applied and len(applied) >= 3 else 0.10
    field = extra.get("latency_field")
    return ReplaySettings(costs=extra.get("cost_profile"), view=extra.get("view", "marginal"),
                          margin=margin,
                          latency_col=field if field in ("execution_time_ms", "latency_ms")
                          else None, seed=seed)


def controls(predictors: Any, meta: dict, container: Any = st) -> dict[str, Any]:
    """The objective's kind and parameters as widgets; returns its JSON form."""
    default = ((meta.get("extra") or {}).get("default_objective") or {})
    kind = container.radio("Objective", list(KINDS), key="objective.kind", horizontal=True,
                           format_func=TITLES.get,
                           help="What the router minimises; the decision is a pure function "
                                "of the predicted latency and cost on each platform.")
    cols = container.columns(3)
    if kind == "min_cost":
        p95 = cols[0].number_input("p95 SLO (ms)", min_value=1.0, max_value=600_000.0,
                                   value=float(default.get("p95_ms") or 1000.0), step=100.0,
                                   key="objective.p95",
                                   help="Default: the p95 of the faster single platform.")
        table = pd.DataFrame({"workload_type": predictors.workloads,
                              "p95_ms": [None] * len(predictors.workloads)})
        edited = cols[1].data_editor(table, key="objective.per_workload", hide_index=True,
                                     disabled=["workload_type"], column_config={
                                         "p95_ms": st.column_config.NumberColumn(
                                             "own SLO (ms)", min_value=0.0)})
        per = {str(r.workload_type): float(r.p95_ms) for r in edited.itertuples()
               if r.p95_ms is not None and not (isinstance(r.p95_ms, float)
                                                and math.isnan(r.p95_ms))}
        spec: dict[str, Any] = {"kind": kind, "p95_ms": float(p95)}
        if per:
            spec["per_workload"] = per
        return spec
    if kind == "min_latency":
        budget = cols[0].number_input("Budget (USD per million requests)", min_value=0.01,
                                      value=10.0, step=1.0, key="objective.budget")
        latency = cols[1].radio("Latency", ["p50", "p95"], key="objective.latency_l",
                                horizontal=True)
        return {"kind": kind, "budget_per_million_usd": float(budget), "latency": latency}
    if kind == "weighted":
        vot = cols[0].number_input("Value of time (USD per second per request)",
                                   min_value=0.0, value=1e-5, step=1e-5, format="%.2e",
                                   key="objective.vot")
        latency = cols[1].radio("Latency", ["p50", "p95"], key="objective.latency_w",
                                horizontal=True)
        return {"kind": kind, "value_of_time_usd_per_s": float(vot), "latency": latency}
    margin = cols[0].slider("Margin", 0.0, 0.5, 0.10, 0.01, key="objective.margin",
                            help="Lambda must be this much better on predicted median latency "
                                 "and cost (the classifier's label, on predictions).")
    return {"kind": kind, "margin": float(margin)}


def _run(frame: pd.DataFrame, predictors: Any, meta: dict, objective: Any, classifier: Any,
         seed: int) -> dict[str, Any]:
    """Objective router and (optionally) the classifier replayed on the same draws."""
    from dataclasses import replace

    from core.objective.report import comparison, workload_p95
    from core.simulate.replay import replay

    settings = _settings(meta, seed)
    result = replay(frame, replace(settings, router="objective", objective=objective),
                    pipeline=predictors)
    extra = {}
    if classifier is not None:
        pipeline, threshold = classifier
        other = replay(frame, replace(settings, router="model", threshold=threshold),
                       pipeline=pipeline)
        extra["classifier"] = other.strategies["hybrid"]
    hybrid = result.strategies["hybrid"]
    return {"table": comparison(result.strategies, extra), "describe": objective.describe(),
            "workload_p95": workload_p95(result.strategies, objective),
            "objective": objective.to_dict(), "met": hybrid.get("objective_met"),
            "checks": hybrid["objective"]["checks"], "metrics": metrics_frame(meta["metrics"]),
            "notes": meta["metrics"].get("notes", [])}


def report_summary(frame: pd.DataFrame | None) -> dict[str, Any] | None:
    """What this page last ran on ``frame`` (replay, sweep, decisions) for the report's
    Routing by objective section; None when nothing was replayed here."""
    done = st.session_state.get(RESULT)
    if frame is None or done is None or done[0][0] != id(frame):
        return None
    summary = dict(done[2])
    sweep = st.session_state.get(PARETO)
    if sweep is not None and sweep[0] == done[0]:
        summary["pareto"] = sweep[2]
    decisions = st.session_state.get(DECISIONS)
    if decisions is not None and decisions[0] == done[0]:
        summary["decisions"] = decisions[2].decisions
    return summary


def panel(frame: pd.DataFrame | None) -> None:
    """The whole page below its title."""
    if frame is None:
        st.info("Load data on the **Data** page (or a demo there): a router learns each "
                "platform's latency and cost from it.", icon=":material/upload_file:")
        return
    reg = registry()
    models = reg.list()
    routers = models[models["model_type"] == MODEL_TYPE]
    classifiers = models[models["model_type"] != MODEL_TYPE]
    st.subheader("1. Per-platform predictors")
    c = st.columns([2, 1])
    if c[1].button("Train a router on this data", key="objective.train",
                   help="LightGBM latency p50/p95 and cost predictors per platform, with the "
                        "Data page's cost profile; saved to the registry as a router version.",
                   type="primary" if routers.empty else "secondary",
                   icon=":material/model_training:"):
        with st.spinner("Training latency and cost predictors per platform…"):
            model_id = guarded(_train, frame)
        if model_id is not None:
            st.session_state["objective.router"] = model_id
            st.rerun()
    if routers.empty:
        c[0].info("No router version yet: train one here (or `python -m core train-router "
                  "FILE`).", icon=":material/info:")
        return
    ids = routers["model_id"].tolist()
    if st.session_state.get("objective.router") not in ids:
        st.session_state["objective.router"] = ids[0]
    router_id = c[0].selectbox("Router version", ids, key="objective.router")
    loaded = guarded(_load_router, router_id, state.get(state.REGISTRY_DIR))
    if loaded is None:
        return
    predictors, meta = loaded
    with st.expander("Predictor metrics per workload (held-out rows)"):
        st.dataframe(metrics_frame(meta["metrics"]), hide_index=True, width="stretch")
        for note in meta["metrics"].get("notes", []):
            st.warning(note, icon=":material/warning:")
        st.caption("p95 coverage: share of held-out requests at or under their predicted p95 "
                   "(0.95 when calibrated). Costs from the router's cost profile "
                   f"{((meta.get('extra') or {}).get('cost_profile') or {}).get('name')}.")
    st.subheader("2. Objective")
    spec = controls(predictors, meta)
    try:
        objective = parse_objective(spec, predictors.workloads)
    except UserError as exc:
        st.error(str(exc), icon=":material/error:")
        return
    st.caption(f"Routing by: {objective.describe()}.")
    st.subheader("3. Replay, Pareto chart and decisions")
    extra = meta.get("extra") or {}
    st.caption("A replay calibrated on the loaded data, priced with the router's own cost "
               f"profile ({(extra.get('cost_profile') or {}).get('name', 'default')}, "
               f"{extra.get('view', 'marginal')} view) and latency field "
               f"({extra.get('latency_field', 'default')}): one world from training to replay.")
    c = st.columns([3, 1, 1])
    options = [NONE, *classifiers["model_id"].tolist()]
    chosen = c[0].selectbox("Side by side with the classifier", options,
                            key="objective.classifier",
                            help="A trained classifier replayed on the same draws.")
    seed = int(c[1].number_input("Seed", 0, 2**32 - 1, 1, key="objective.seed"))
    n_explain = int(c[2].number_input("Decisions to explain", 1, 500, 20,
                                      key="objective.n_explain"))
    b = st.columns(3)
    token = (id(frame), router_id)
    if b[0].button("Route and replay", type="primary", key="objective.run"):
        classifier = None
        if chosen != NONE:
            classifier = guarded(_load_classifier, chosen, state.get(state.REGISTRY_DIR))
        with st.spinner("Replaying the loaded requests…"):
            done = guarded(_run, frame, predictors, meta, objective, classifier, seed)
        if done is not None:
            st.session_state[RESULT] = (token, objective.to_dict(), done)
    if b[1].button("Sweep the parameter (Pareto)", key="objective.sweep"):
        from core.objective.pareto import pareto

        classifier = None
        if chosen != NONE:
            classifier = guarded(_load_classifier, chosen, state.get(state.REGISTRY_DIR))
        base = {k: v for k, v in spec.items() if k == "per_workload"}
        with st.spinner("Replaying once per parameter value…"):
            table = guarded(pareto, frame, predictors, kind=objective.kind,
                            settings=_settings(meta, seed), base=base,
                            classifier=None if classifier is None else classifier[0],
                            classifier_threshold=0.5 if classifier is None else classifier[1])
        if table is not None:
            st.session_state[PARETO] = (token, objective.kind, table)
    if b[2].button("Explain decisions", key="objective.explain"):
        from core.objective.explain import explain_decisions

        expl = guarded(explain_decisions, predictors, frame, objective, n=n_explain, seed=seed)
        other = None
        if expl is not None and chosen != NONE:  # the classifier on the same requests
            from core.objective.explain import explain_classifier_decisions

            classifier = guarded(_load_classifier, chosen, state.get(state.REGISTRY_DIR))
            if classifier is not None:
                other = guarded(explain_classifier_decisions, classifier[0], frame,
                                threshold=classifier[1], n=n_explain, seed=seed,
                                model_id=chosen)
        if expl is not None:
            st.session_state[DECISIONS] = (token, objective.to_dict(), expl, other)
    _show(token)
    st.subheader("4. Ship it as a Lambda function")
    st.caption("The same stdlib function as for a classifier: the regressors and this "
               "objective as JSON; the response keeps prediction.platform, confidence and "
               "probabilities and adds prediction.details (predicted latency and cost per "
               "platform).")
    if st.button("Build and invoke function.zip", key="objective.build"):
        built = guarded(_build, predictors, meta, objective, router_id, frame)
        if built is not None:
            st.session_state[BUILT] = (token, objective.to_dict(), built)
    built = st.session_state.get(BUILT)
    if built is not None and built[0] == token:
        info = built[2]
        cols = st.columns(3)
        cols[0].metric("function.zip", f"{info['zip_bytes'] / 1024:.0f} KiB")
        cols[1].metric("Cold init (import + model load)", f"{info['init_ms']:.1f} ms")
        cols[2].download_button("Download function.zip", info["zip"], "function.zip",
                                mime="application/zip", key="objective.download")
        st.json(info["response"], expanded=2)


def _build(predictors: Any, meta: dict, objective: Any, router_id: str,
           frame: pd.DataFrame) -> dict[str, Any]:
    """Build the router's function.zip with this objective and invoke it on the first
    request of the data in a clean interpreter."""
    import tempfile
    from pathlib import Path

    from core.deploy.invoke import invoke_zip
    from core.deploy.lambda_pkg import build_router

    event = {k: (v.item() if hasattr(v, "item") else v)
             for k, v in frame[predictors.input_features].iloc[0].to_dict().items()}
    with tempfile.TemporaryDirectory() as tmp:
        result = build_router(predictors, tmp, objective=objective, model_id=router_id,
                              registry_metadata=meta, with_template=False)
        answer = invoke_zip(result.path, [event])
        data = Path(result.path).read_bytes()
    return {"zip_bytes": result.zip_bytes, "init_ms": answer["init_ms"], "zip": data,
            "response": answer["responses"][0]}


def _show(token: tuple) -> None:
    done = st.session_state.get(RESULT)
    if done is not None and done[0] == token:
        _, spec, result = done
        met = result["met"]
        st.markdown(f"**Objective router vs single platforms, classifier and oracles** "
                    f"({parse_objective(spec).describe()})")
        if met is not None:
            checks = "; ".join(f"{c['what']} {c['value']:,.6g} vs target {c['target']:,.6g}"
                               for c in result["checks"])
            (st.success if met else st.warning)(
                f"Objective {'met' if met else 'not met'} in the replay: {checks}.",
                icon=":material/check_circle:" if met else ":material/warning:")
        st.dataframe(result["table"], hide_index=True, width="stretch", column_config={
            "cost_usd": st.column_config.NumberColumn("cost (USD)", format="%.5f"),
            "cost_per_million": st.column_config.NumberColumn("USD / 1M", format="%.3f"),
            "latency_p50_ms": st.column_config.NumberColumn("p50 (ms)", format="%.1f"),
            "latency_p95_ms": st.column_config.NumberColumn("p95 (ms)", format="%.1f"),
            "lambda_share": st.column_config.NumberColumn("Lambda share", format="percent"),
            "routing_accuracy": st.column_config.NumberColumn("agrees with label rule",
                                                              format="percent")})
        if result.get("workload_p95") is not None:
            st.markdown("**p95 per workload (ms)**")
            st.dataframe(result["workload_p95"], hide_index=True, column_config={
                c: st.column_config.NumberColumn(c, format="%.0f")
                for c in result["workload_p95"].columns if c != "workload_type"})
    sweep = st.session_state.get(PARETO)
    if sweep is not None and sweep[0] == token:
        st.plotly_chart(pareto_figure(sweep[2]), key="objective.pareto_chart")
        st.caption("Each objective point is a full calibrated replay at one parameter value "
                   "(same seed, same draws). Hollow markers are hindsight oracles, not "
                   "reachable by any router.")
    decisions = st.session_state.get(DECISIONS)
    if decisions is not None and decisions[0] == token:
        expl = decisions[2]
        st.markdown("**Why each request went where** (SHAP of the predicted difference the "
                    "objective compared; negative favours Lambda)")
        shown = expl.decisions[["request", "workload_type", "route", "decided_by",
                                "difference", "unit", "reason_1", "reason_2", "reason_3"]]
        st.dataframe(shown, hide_index=True, width="stretch",
                     column_config={"difference": st.column_config.NumberColumn(
                         "difference (Lambda - ECS)", format="%.4g")})
        st.markdown("**Per workload**")
        st.dataframe(expl.summary, hide_index=True, width="stretch", column_config={
            "lambda_share": st.column_config.NumberColumn("Lambda share", format="percent")})
        other = decisions[3] if len(decisions) > 3 else None
        if other is not None:
            st.markdown("**The classifier on the same requests** (SHAP of its P(Lambda), in "
                        f"{other.decisions['unit'].iloc[0]}; positive favours Lambda)")
            st.dataframe(other.decisions[["request", "workload_type", "route",
                                          "lambda_probability", "reason_1", "reason_2",
                                          "reason_3"]], hide_index=True, width="stretch",
                         column_config={"lambda_probability": st.column_config.NumberColumn(
                             "P(Lambda)", format="%.3f")})
