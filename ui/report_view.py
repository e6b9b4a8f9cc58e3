"""Report page pieces: the session's results as a core.report Story, a preview of its
sections, the build with a progress bar, and the downloads. Every number comes from core."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import streamlit as st

from core.errors import UserError
from core.parallel import LOCAL
from core.pipeline import SIM_REQUESTS, Champion, Story, from_frame, run_story
from core.report import exports
from core.report.builder import build_sections
from ui import model_picker, state

BUILT = "report_built"  # {"token", "story", "files", "out"} of the last build


def _token() -> tuple[int, int, int]:
    """Identity of the session's results; a new dataset, run or simulation voids a build."""
    return (id(state.get(state.DATASET)), id(state.get(state.TRAIN_RUN)),
            id(state.get(state.SIMULATION)))


def session_story() -> Story:
    """The session's dataset, diagnosis, training run, model (the session's active model;
    else the run's best; else the registry's champion) and that model's simulation, with the
    reason for each part that is missing."""
    report = state.get(state.INGEST_REPORT)
    story = from_frame(state.get(state.DATASET), state.get(state.DATASET_NAME) or "session data",
                       report.summary() if hasattr(report, "summary") else None)
    story.diagnosis = state.get(state.DIAGNOSIS)
    run = state.get(state.TRAIN_RUN)
    story.train_run = run
    has_best = run is not None and run.best and run.results[run.best].pipeline is not None
    if _active_champion(story):
        pass  # the model every other page shows
    elif has_best:
        best = run.results[run.best]
        story.champion = Champion(best.model_id or f"{best.kind} (unsaved)", best.kind,
                                  best.pipeline, "trained in this session")
    else:
        _registry_champion(story)
    story.simulation = _simulation_of(story.champion)
    from ui.objective_view import report_summary

    story.objective = report_summary(state.get(state.DATASET))
    if story.simulation is None:
        story.missing["simulate"] = ("no simulation with this report's model was run in this "
                                     "session: run one on the Simulate page, or tick 'Run a "
                                     "quick simulation' below")
    return story


def _active_champion(story: Story) -> bool:
    """The session's active model (ui.model_picker) becomes the report's model."""
    active = state.get(model_picker.ACTIVE)
    if not active:
        return False
    try:
        loaded = model_picker.registry().load(active)
    except (UserError, OSError):
        return False
    story.champion = Champion(loaded.model_id, str(loaded.metadata.get("model_type", "model")),
                              loaded.pipeline, "the session's active model")
    return True


def _simulation_of(champion: Champion | None) -> Any:
    """The session's simulation when its router is the report's model (a calibrated replay
    first), else None: a simulation of another model is never reported as this one's."""
    if champion is None:
        return None
    replayed = state.get(state.REPLAY)
    if replayed is not None and replayed[0] == champion.model_id:
        return replayed[1]
    result = state.get(state.SIMULATION)
    router = ((getattr(result, "scenario", None) or {}).get("router") or {})
    if result is not None and router.get("model_id") == champion.model_id:
        return result
    return None


def _registry_champion(story: Story) -> None:
    from core.registry import Registry

    story.missing["train"] = ("no model was trained in this session and the registry has no "
                              "champion: train models on the Train & compare page")
    try:
        reg = Registry(state.get(state.REGISTRY_DIR))
        if "champion" in reg.aliases():
            loaded = reg.load("champion")
            story.champion = Champion(loaded.model_id,
                                      str(loaded.metadata.get("model_type", "model")),
                                      loaded.pipeline, "registry")
            story.missing["train"] = ("no models were trained in this session; the registry's "
                                      f"champion {loaded.model_id} is used")
    except (UserError, OSError) as exc:
        story.missing["train"] += f" (registry: {exc})"


def current_story() -> Story:
    """The last built story when it matches the session's results, else a fresh one."""
    built = st.session_state.get(BUILT)
    if built and built["token"] == _token():
        return built["story"]
    return session_story()


def preview(story: Story) -> None:
    """Each section in an expander: its text, tables and figures, or why it is missing."""
    sections = build_sections(story)
    ready = sum(s.missing is None for s in sections)
    st.caption(f"{ready} of {len(sections)} sections ready.")
    for i, sec in enumerate(sections):
        icon = ":material/check_circle:" if sec.missing is None else ":material/pending:"
        with st.expander(sec.title, icon=icon, expanded=False):
            if sec.missing:
                st.info(f"Missing: {sec.missing}", icon=":material/info:")
            for j, block in enumerate(sec.blocks):
                if block.kind == "text":
                    st.markdown(block.text)
                elif block.kind == "table":
                    st.dataframe(block.table, hide_index=True, width="stretch")
                elif block.kind == "figure":
                    st.plotly_chart(block.figure, key=f"report_fig_{i}_{j}")


def options(story: Story) -> dict[str, Any]:
    """Which missing parts the build may compute (cheap ones on by default)."""
    has_model = story.champion is not None
    c1, c2, c3 = st.columns(3)
    fill = c1.checkbox("Fill in missing steps", value=True, key="report_fill",
                       help="Diagnosis, SHAP of the champion, the Lambda build and routing "
                            "by objective, when the session has none; each takes a few "
                            "seconds.")
    sim = c2.checkbox("Quick simulation if none", value=has_model, key="report_sim",
                      disabled=not has_model,
                      help=f"{SIM_REQUESTS:,} requests routed by the champion, with the "
                           "request mix of the data.")
    static = c3.checkbox("PNG and SVG figures", value=True, key="report_static",
                         help="Through kaleido and Chromium, ~1–2 s per figure. The HTML "
                              "report has every figure either way.")
    seeds = int(c2.number_input(
        "Seeds for 95 % intervals", 0, 1000, 0, key="report_seeds", disabled=not sim,
        help="With a simulation made here: also run this many seeds and add each figure's "
             "mean and 95 % interval. 0: one run, no intervals."))
    scheduler = c3.text_input(
        "Dask scheduler for the seeds (optional)", key="report_scheduler",
        placeholder="tcp://10.0.0.5:8786", disabled=not sim or seeds < 2,
        help="Empty: the seeds run one by one in this process. An address runs them on that "
             "Dask cluster (same seeds, same numbers).")
    steps = (["diagnose", "explain", "deploy", "objective"] if fill else []) + (
        ["simulate"] if sim else [])
    return {"steps": steps, "static": static, "seeds": seeds if seeds >= 2 else None,
            "scheduler": scheduler.strip() or LOCAL}


def build(story: Story, opts: dict[str, Any]) -> bool:
    """Run the chosen steps and write the report into a temp folder, with a progress bar."""
    out = Path(tempfile.mkdtemp(prefix="routing-lab-report-"))
    bar = st.progress(0.0, text="Starting…")
    try:
        story, files = run_story(out, story=story, steps=opts["steps"],
                                 static=opts["static"], seeds=opts.get("seeds"),
                                 scheduler=opts.get("scheduler", LOCAL),
                                 on_progress=lambda f, msg: bar.progress(min(f, 1.0), text=msg))
    finally:
        bar.empty()
    st.session_state[BUILT] = {"token": _token(), "story": story, "files": files,
                               "out": str(out), "static": opts["static"]}
    return True


def downloads() -> None:
    """The HTML and the zip of tables and figures of the last build, with what is missing."""
    built = st.session_state.get(BUILT)
    if not built:
        return
    if built["token"] != _token():
        st.caption("The session's results changed since the last build: build the report "
                   "again to include them.")
        return
    files, out = built["files"], Path(built["out"])
    st.success(f"Report written: {len(files['tables'])} table files, {len(files['figures'])} "
               f"figure files, report.html {files['html_bytes'] / 1024:,.0f} KiB (works "
               "offline).", icon=":material/task_alt:")
    if not built["static"]:
        st.caption("PNG/SVG figures were switched off; the HTML report holds every figure.")
    elif files["static_error"]:
        st.warning(f"PNG/SVG figures were not written: {files['static_error']}. The HTML "
                   "report still holds every figure.", icon=":material/image_not_supported:")
    for title, why in files["missing"].items():
        st.info(f"**{title}** is missing: {why}", icon=":material/info:")
    c1, c2 = st.columns(2)
    c1.download_button("Download report (HTML)", Path(files["html"]).read_bytes(),
                       "report.html", "text/html", key="report_dl_html", type="primary",
                       icon=":material/download:", on_click="ignore")
    c2.download_button("Download tables and figures (zip)", exports.zip_outputs(out),
                       "report.zip", "application/zip", key="report_dl_zip",
                       icon=":material/folder_zip:", on_click="ignore")
