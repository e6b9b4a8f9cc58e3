"""Widgets and result panels of the Train page. Every number comes from core.training;
this module only lays it out."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from core.registry import Registry
from core.schema import (
    ID_COLUMNS,
    LABEL,
    OPTIMAL_PLATFORM,
    feature_title,
    is_outcome,
    model_features,
)
from core.training import (
    DEFAULT_MODELS,
    MODEL_NAMES,
    ModelResult,
    TrainRun,
    train_and_compare,
    warm_up,
)
from core.training.splits import SPLITS
from core.wording import on_cluster, significance_sentences
from ui import state
from ui.common import guarded
from ui.data_view import features_caption
from ui.model_picker import ACTIVE

PARTIAL = "train_partial"
SPLIT_HELP = {
    "stratified": "Random 20 % test set with the label share kept.",
    "group": "Whole groups (e.g. a time window or load-test run) are held out, so "
             "near-duplicate requests never straddle train and test.",
    "time": "The latest 20 % of requests are the test set; folds train on the past.",
}
NOT_FEATURES = {LABEL, OPTIMAL_PLATFORM, "is_error", *ID_COLUMNS} - {"timestamp"}


def registry() -> Registry:
    return Registry(state.get(state.REGISTRY_DIR))


def _candidates(frame: pd.DataFrame, label: str = LABEL) -> tuple[list[str], list[str]]:
    cols = [c for c in frame.columns if c not in NOT_FEATURES and c != label]
    return [c for c in cols if not is_outcome(c)], [c for c in cols if is_outcome(c)]


def settings(frame: pd.DataFrame) -> dict[str, Any]:
    """The run's settings from widgets; features pre-filled without outcomes."""
    warm_up()  # model libraries load in the background while the user chooses
    roles = state.get(state.ROLES)
    label = roles.label if roles is not None and roles.label in frame.columns else LABEL
    safe, outcomes = _candidates(frame, label)
    preset = state.get(state.FEATURES)
    default = [c for c in (preset or model_features(frame, label=label))
               if c in frame.columns]
    left, right = st.columns([3, 2], gap="large")
    with left:
        allow = st.toggle("Offer outcome columns as features", key="train_allow_outcomes",
                          help="Latency, cost, cold start … are measured after routing.")
        if allow:
            st.warning("Outcome columns are measured **after** a request was routed, so they "
                       "give the label away: a model using them looks perfect and is useless "
                       "for routing. Use them only to demonstrate the leak.",
                       icon=":material/warning:")
        options = safe + (outcomes if allow else [])
        dropped = [c for c in default if c not in options]
        if dropped:
            st.warning(f"Left out {dropped} from the preset features: they are outcomes "
                       "(measured after routing) and leak the label.", icon=":material/warning:")
        source = ("your choice on the Data or Variance page" if preset
                  else "the pre-routing columns")
        features = st.multiselect("Features", options,
                                  default=[c for c in default if c in options],
                                  key="train_features", format_func=feature_title,
                                  help=f"Pre-filled from {source}.")
        st.caption(features_caption(features)
                   + (f" Label: `{label}`." if label != LABEL else ""))
        models = st.multiselect("Models", list(DEFAULT_MODELS), default=list(DEFAULT_MODELS),
                                format_func=lambda k: MODEL_NAMES[k], key="train_models")
    with right:
        split = st.radio("Split", SPLITS, horizontal=True, key="train_split",
                         help="How test rows are held out.")
        st.caption(SPLIT_HELP[split])
        group = None
        if split == "group":
            groups = [c for c in frame.columns if c not in (LABEL, OPTIMAL_PLATFORM)
                      and 2 < frame[c].nunique() <= 200]
            if not groups:
                st.error("No column has between 3 and 200 distinct values to group by; use "
                         "another split.")
            else:
                pick = ["time_window"] if "time_window" in groups else groups[:1]
                group = st.selectbox("Group column", groups, index=groups.index(pick[0]),
                                     key="train_group")
        a, b = st.columns(2)
        cv = a.number_input("CV folds (0 = none)", 0, 10, 5, key="train_cv")
        time_limit = b.number_input("Time limit per model (s)", 5, 3600, 120, step=5,
                                    key="train_time_limit")
        search = a.number_input("Tuning budget per model (s, 0 = off)", 0, 600, 0,
                                key="train_search")
        seed = b.number_input("Seed", 0, 2**31 - 1, 0, key="train_seed")
        save = st.checkbox("Save every model to the registry", value=True, key="train_save")
        scheduler = st.text_input(
            "Dask scheduler (optional)", key="train_scheduler", placeholder="tcp://10.0.0.5:8786",
            help="Empty: one process per model on this machine, stopped at its time limit. "
                 "An address trains each model as a task on that Dask cluster (the rows are "
                 "sent once; same seed, same results).")
    return {"features": features, "models": models, "split": split, "group": group,
            "cv": int(cv), "time_limit_s": float(time_limit),
            "search_budget_s": float(search) or None, "seed": int(seed),
            "allow_outcomes": allow, "save": save, "label": label,
            "scheduler": scheduler.strip() or None}


def _row(result: ModelResult) -> dict[str, Any]:
    doc = result.to_json()
    return {k: doc.get(k) for k in ("name", "status", "accuracy", "f1", "roc_auc",
                                    "train_test_gap", "elapsed_s", "error")}


def train(frame: pd.DataFrame, options: dict[str, Any]) -> TrainRun | None:
    """Run core.training with live progress; keeps finished models if the user stops."""
    opts = dict(options)
    save = opts.pop("save")
    finished: list[ModelResult] = []
    st.session_state[PARTIAL] = finished
    status = st.status("Training…", expanded=True)
    with status:
        st.button("Stop training", key="train_stop", icon=":material/stop_circle:",
                  help="Stops the running models; finished ones are kept below.")
        bar = st.progress(0.0, text="Starting worker processes…")
        live = st.empty()

    def on_progress(event: dict[str, Any]) -> None:
        share = event["completed"] / event["total"]
        kind = event["event"]
        if kind == "heartbeat":
            running = ", ".join(f"{MODEL_NAMES[k]} {t:.0f} s"
                                for k, t in event["running"].items())
            bar.progress(share, text=f"{event['completed']} of {event['total']} models done"
                         + (f"; running: {running}" if running else ""))
        elif kind in ("done", "error", "timed_out", "cancelled"):
            finished.append(event["result"])
            bar.progress(share, text=f"{event['completed']} of {event['total']} models done")
            live.dataframe(pd.DataFrame([_row(r) for r in finished]), hide_index=True)

    run = guarded(train_and_compare, frame, on_progress=on_progress,
                  registry=registry() if save else None, **opts)
    if run is None:
        status.update(label="Training did not start", state="error", expanded=False)
        st.session_state.pop(PARTIAL, None)
        return None
    failed = [r.name for r in run.results.values() if not r.ok]
    where = f" {on_cluster(run.scheduler)}" if run.scheduler else ""
    status.update(label=f"Trained {len(run.ok_results())} of {len(run.results)} models{where} "
                  f"in {run.wall_s:.0f} s" + (f" ({', '.join(failed)} did not finish)"
                                              if failed else ""),
                  state="complete", expanded=False)
    st.session_state.pop(PARTIAL, None)
    return run


def partial_results(earlier: TrainRun | None = None) -> None:
    """After a stop: say so (never bring the earlier results back silently) and show what
    finished before it. The notice stays until the next training starts."""
    finished = st.session_state.get(PARTIAL)
    if finished is None:
        return
    done = (f"{len(finished)} model(s) had finished (below)" if finished
            else "no model had finished")
    shown = (f"; the results further down are from the earlier run "
             f"({len(earlier.results)} models)" if earlier is not None else "")
    st.warning(f"Training was stopped; {done}{shown}. Press **Train models** to start again.",
               icon=":material/stop_circle:")
    if finished:
        st.dataframe(pd.DataFrame([_row(r) for r in finished]), hide_index=True)


def verdict(run: TrainRun) -> None:
    """The trap box, the success checks and the significance statement."""
    trap = run.trap_explanation()
    if trap:
        with st.container(border=True):
            st.error(f"**~100 % accuracy is NOT a success here.** {trap}",
                     icon=":material/report:")
            codes = [f for f in run.findings if f["code"] != "FEATURE_DOMINANCE"
                     and f["severity"] in ("fail", "warn")]
            for f in codes:
                st.markdown(f"- **{f['code']}**: {f['message']}")
            st.page_link("pages/variance.py", label="See why on the Variance & leakage page",
                         icon=":material/troubleshoot:")
    for note in run.notes:
        st.caption(note)
    if run.checks:
        st.subheader("Success checks (thesis criteria, best model)")
        for c in run.checks:
            icon = ":material/check_circle:" if c["passed"] else ":material/cancel:"
            st.markdown(f"{icon} **{c['check']}**: {c['reason']}")
    sig = run.significance
    if run.best and "baseline" in sig:
        text = " ".join(significance_sentences(sig, {k: r.name for k, r in
                                                     run.results.items()}))
        st.info(text, icon=":material/functions:")


def comparison(run: TrainRun) -> None:
    """Sortable table and the charts, one tab each."""
    st.subheader("Comparison (test set; click a header to sort)")
    table = run.table().dropna(axis=1, how="all")  # e.g. CV columns when folds = 0
    pct = st.column_config.NumberColumn(format="%.3f")
    st.dataframe(
        table.drop(columns=["model"]), hide_index=True, key="train_table",
        column_config={
            "name": "Model", "status": "Status",
            **{k: pct for k in ("accuracy", "precision", "recall", "f1", "roc_auc", "pr_auc",
                                "log_loss", "brier", "cv_accuracy_mean", "cv_accuracy_std",
                                "train_test_gap")},
            "fit_s": st.column_config.NumberColumn("fit s", format="%.2f"),
            "predict_ms": st.column_config.NumberColumn("1-row predict ms", format="%.2f"),
            "predict_batch_ms": st.column_config.NumberColumn("test-set predict ms",
                                                              format="%.1f"),
        })
    if not run.ok_results():
        return
    tabs = st.tabs(["ROC", "Precision-recall", "Calibration", "Confusion matrices",
                    "Importance", "CV folds"])
    for tab, kind in zip(tabs[:3], ("roc", "pr", "calibration"), strict=True):
        if run.curves(kind).empty:
            tab.info("Undefined: the test set holds one class only.")
        else:
            tab.plotly_chart(run.plot(kind), key=f"train_fig_{kind}")
    tabs[3].plotly_chart(run.plot("confusion"), key="train_fig_confusion")
    imp = run.importances()
    with tabs[4]:
        for method in ("permutation", "native"):
            if (imp["method"] == method).any():
                st.plotly_chart(run.plot("importance", method=method),
                                key=f"train_fig_imp_{method}")
        dominance = [f for f in run.findings if f["code"] == "FEATURE_DOMINANCE"]
        for f in dominance:
            st.warning(f"FEATURE_DOMINANCE: {f['message']}", icon=":material/warning:")
    if run.frame()["source"].str.startswith("cv").any():
        tabs[5].plotly_chart(run.plot("cv"), key="train_fig_cv")
    else:
        tabs[5].info("No cross-validation in this run (folds = 0).")


def _saved(run: TrainRun) -> dict[str, str]:
    return {r.model_id: r.kind for r in run.ok_results() if r.model_id}


def promote(run: TrainRun) -> None:
    """Mark a saved version as champion or challenger."""
    saved = _saved(run)
    st.subheader("Registry")
    if not saved:
        st.caption("Models of this run were not saved; tick 'Save every model' to promote one.")
        return
    reg = registry()
    ids = list(saved)
    best_id = next((i for i, k in saved.items() if k == run.best), ids[0])
    pick = st.selectbox("Version", ids, index=ids.index(best_id), key="train_promote_pick",
                        format_func=lambda i: f"{MODEL_NAMES[saved[i]]} — {i}")
    row = st.container(horizontal=True)
    for alias in ("champion", "challenger"):
        clicked = row.button(f"Make {alias}", key=f"train_make_{alias}")
        if clicked and guarded(lambda a=alias: reg.set_alias(a, pick) or True):
            if alias == "champion":  # the promoted model is the one the other pages use
                state.put(ACTIVE, pick)
            st.success(f"{pick} is now the {alias}"
                       + (" and the active model on every page." if alias == "champion"
                          else "."), icon=":material/military_tech:")
    aliases = reg.aliases()
    if aliases:
        st.caption("Current: " + ", ".join(f"{a} = {i}" for a, i in sorted(aliases.items())))


def downloads(run: TrainRun) -> None:
    st.subheader("Downloads")
    row = st.container(horizontal=True)
    row.download_button("Metrics (CSV)", run.metrics_csv(), "metrics.csv", "text/csv",
                        icon=":material/download:", on_click="ignore")
    row.download_button("LaTeX table", run.to_latex(), "model_comparison.tex", "text/x-tex",
                        icon=":material/download:", on_click="ignore")
    saved = _saved(run)
    if saved:
        pick = st.session_state.get("train_promote_pick") or next(iter(saved))
        if pick in saved:
            reg = registry()
            row.download_button(f"Model bundle ({saved[pick]}, zip)",
                                lambda: reg.bundle(pick), f"{pick}.zip", "application/zip",
                                icon=":material/download:", on_click="ignore")
            row.download_button("Thesis layout (zip)", lambda: reg.thesis_bundle(pick),
                                f"{pick}-thesis.zip", "application/zip",
                                icon=":material/download:", on_click="ignore",
                                help="variance_model_best.pkl, feature_columns.json, "
                                     "model_metadata.json, as the thesis notebook saved them")

