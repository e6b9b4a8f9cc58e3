"""The guided tour: the thesis's story in eight steps, from the 100 %-accuracy trap to a
deployable Lambda function and a report.

Each step sets the session state it needs (demo data, diagnosis, a quick champion model,
a simulation) before it is shown, so any step can be opened directly (Home?tour=N) and the
page it links to opens ready. Heavy results are computed once per process (cached) through
core.pipeline, the same steps the report command runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from core import pipeline as steps
from core.registry import Registry
from core.wording import versus_sentences
from ui import state
from ui.common import guarded, load_demo
from ui.model_picker import ACTIVE

STEP_KEY = "tour_step"
ACTIVE_KEY = "tour_active"
QUICK_MODELS = ("baseline", "logreg", "xgb")
TOUR_REQUESTS = 20_000


@dataclass(frozen=True)
class Step:
    title: str
    page: str          # the page the step opens
    page_title: str
    text: str
    prepare: Callable[[], None]  # sets the state the step needs and shows what it found


# -- state each step needs (cached heavy work) ---------------------------------------------------
def _ensure_demo(name: str) -> None:
    if state.get(state.DATASET_NAME) != f"demo: {name}":
        load_demo(name)


def _registry() -> Registry:
    return Registry(state.get(state.REGISTRY_DIR))


@st.cache_resource(show_spinner="Diagnosing the trap data…", max_entries=2)
def _diagnosis(name: str, _frame):
    story = steps.from_frame(_frame, f"demo: {name}")
    steps.diagnose(story)
    return story.diagnosis


@st.cache_resource(show_spinner="Training a quick champion (logistic regression, XGBoost; "
                                "2-fold CV)…", max_entries=2)
def _trained(root: str, _frame) -> steps.Story:
    """One quick comparison on the variance demo, saved in the registry; its best model
    becomes the registry's champion unless one exists already."""
    story = steps.from_frame(_frame, "demo: variance")
    reg = Registry(root)
    steps.train(story, models=QUICK_MODELS, cv=2, registry=reg,
                promote="champion" not in reg.aliases())
    return story


def _story() -> steps.Story:
    """The variance demo with a trained champion (training once per process)."""
    _ensure_demo("variance")
    reg = _registry()
    trained = _trained(str(reg.root), state.get(state.DATASET))
    if state.get(state.TRAIN_RUN) is None:
        state.put(state.TRAIN_RUN, trained.train_run)
    return trained


@st.cache_resource(show_spinner="Loading the champion…", max_entries=2)
def _with_model(root: str, model_id: str, _frame) -> steps.Story:
    story = steps.from_frame(_frame, "demo: variance")
    steps.use_model(story, model_id, Registry(root))
    return story


def _champion_story() -> steps.Story:
    """The variance demo with the registry's champion, or a quick one trained once. The
    champion becomes the session's active model, so the page a step opens (Explain,
    Simulate, Deploy) shows the model the step talks about."""
    _ensure_demo("variance")
    reg = _registry()
    if "champion" in reg.aliases():
        story = _with_model(str(reg.root), reg.resolve("champion"), state.get(state.DATASET))
    else:
        story = _story()
    state.put(ACTIVE, story.champion.model_id)
    return story


@st.cache_resource(show_spinner="Explaining the champion (SHAP)…", max_entries=2)
def _explained(model_id: str, _story: steps.Story):
    steps.explain(_story)
    return _story.explanation


@st.cache_resource(show_spinner="Simulating Lambda-only, ECS-only and the routed hybrid…",
                   max_entries=2)
def _simulated(model_id: str, _story: steps.Story):
    steps.simulate(_story, requests=TOUR_REQUESTS)
    return _story.simulation


@st.cache_resource(show_spinner="Building function.zip and invoking it…", max_entries=2)
def _deployed(model_id: str, _story: steps.Story):
    import tempfile

    steps.deploy(_story, Path(tempfile.mkdtemp(prefix="routing-lab-tour-")))
    return _story.deployment


# -- the steps -----------------------------------------------------------------------------------
def _trap() -> None:
    _ensure_demo("trap")
    frame = state.get(state.DATASET)
    st.caption(f"Loaded **demo: trap** ({len(frame):,} requests).")


def _trap_diagnosis() -> None:
    _ensure_demo("trap")
    diagnosis = _diagnosis("trap", state.get(state.DATASET))
    state.put(state.DIAGNOSIS, diagnosis)
    st.warning(f"Verdict **{diagnosis.verdict.upper()}**: {diagnosis.headline}",
               icon=":material/report:")


def _variance() -> None:
    _ensure_demo("variance")
    shares = _diagnosis("variance", state.get(state.DATASET)).label_shares
    st.caption(f"Loaded **demo: variance**: {int(shares['in_band'].sum())} of {len(shares)} "
               "workloads have a Lambda-optimal share inside the 20–80 % band.")


def _comparison() -> None:
    from core.wording import significance_sentences

    run = _story().train_run
    state.put(state.TRAIN_RUN, run)
    for line in significance_sentences(run.significance,
                                       {k: r.name for k, r in run.results.items()}):
        st.markdown(f"- {line}")


def _shap() -> None:
    story = _champion_story()
    expl = _explained(story.champion.model_id, story)
    st.markdown(expl.dominance()["message"])


def _savings() -> None:
    story = _champion_story()
    result = _simulated(story.champion.model_id, story)
    state.put(state.SIMULATION, result)
    hybrid = result.strategies["hybrid"]
    against = ("the label rule it was trained on (a replay calibrated on the demo data)"
               if getattr(result, "calibration", None) is not None else "the hindsight oracle")
    st.markdown(f"Hybrid routed by **{story.champion.model_id}** over {hybrid['requests']:,} "
                f"requests; routing accuracy {hybrid['routing_accuracy']:.1%} against "
                f"{against}.")
    for sentence in versus_sentences(hybrid):
        st.markdown(f"- {sentence}")


def _lambda() -> None:
    story = _champion_story()
    dep = _deployed(story.champion.model_id, story)
    matched = sum(r["match"] for r in dep["scenarios"])
    st.markdown(f"function.zip is **{dep['build']['zip_bytes'] / 1024:.1f} KiB** (standard "
                f"library only); {matched} of {len(dep['scenarios'])} thesis scenarios answer "
                "exactly as the library model does.")
    st.download_button("Download function.zip", Path(dep["build"]["path"]).read_bytes(),
                       "function.zip", "application/zip", key="tour_zip",
                       icon=":material/download:", on_click="ignore")


def _report() -> None:
    _story()


STEPS = [
    Step("The trap data", "pages/data.py", "Data",
         "The thesis's setup: each workload always had the same best platform, the payload "
         "size was fixed per workload, and latency and cost sat among the features. A model "
         "scored 100 %: too good to be true.", _trap),
    Step("Its fail diagnosis", "pages/variance.py", "Variance & leakage",
         "Before any training, the lab checks whether the label really varies. On the trap "
         "data it fails: the label is a lookup of workload_type, and outcome columns leak it.",
         _trap_diagnosis),
    Step("Variance data", "pages/data.py", "Data",
         "The fix: vary payload size, time window and load inside each workload, then label "
         "each request by what was really cheaper and faster.", _variance),
    Step("An honest model comparison", "pages/train.py", "Train & compare",
         "Several models on one split with cross-validation, a majority baseline and a "
         "significance test: a realistic accuracy, not 100 %.", _comparison),
    Step("SHAP of the champion", "pages/explain.py", "Explain (SHAP)",
         "Why does the champion pick Lambda or Fargate? SHAP shows which features drive it.",
         _shap),
    Step("Hybrid routing savings", "pages/simulate.py", "Simulate",
         "Replay the same requests on a Lambda-only fleet, an ECS-only fleet and a hybrid the "
         "champion routes: what would it cost, how fast would it be?", _savings),
    Step("Build and test the Lambda function", "pages/deploy.py", "Deploy",
         "The champion ships as JSON plus a standard-library evaluator: a few KiB instead of "
         "700 MB, tested in a clean interpreter against the library model.", _lambda),
    Step("Write it up", "pages/report.py", "Report",
         "One offline HTML report with every table as CSV and LaTeX and every figure as PNG "
         "and SVG, ready for the thesis.", _report),
]


def current() -> int:
    """The open step (0-based): session state, else ?tour=N (1-based) in the URL, else 0."""
    if STEP_KEY not in st.session_state:
        try:
            st.session_state[STEP_KEY] = min(max(int(st.query_params.get("tour", 1)) - 1, 0),
                                             len(STEPS) - 1)
        except ValueError:
            st.session_state[STEP_KEY] = 0
    return st.session_state[STEP_KEY]


def active() -> bool:
    """The tour changes the session's data only once started (button, or ?tour=N in the
    URL), so coming back to Home never replaces data the user loaded."""
    if ACTIVE_KEY not in st.session_state:
        st.session_state[ACTIVE_KEY] = "tour" in st.query_params
    return st.session_state[ACTIVE_KEY]


def _go(index: int) -> None:
    st.session_state[STEP_KEY] = index
    st.session_state[ACTIVE_KEY] = True
    st.query_params["tour"] = str(index + 1)


def render() -> None:
    """The tour: a start button, then the stepper, the open step's story and state,
    previous/next and a button to the step's page."""
    st.subheader("Guided tour: the 100 % trap and its fix", divider="gray")
    index = current()
    if not active():
        st.markdown("Five minutes, eight steps: " + " → ".join(s.title for s in STEPS) + ". "
                    "Each step loads the demo data and results it needs.")
        if st.button("Start the tour", key="tour_start", type="primary",
                     icon=":material/play_circle:"):
            _go(index)
            st.rerun()
        return
    picked = st.segmented_control(
        "Step", list(range(len(STEPS))), default=index, key=f"tour_pick_{index}",
        format_func=lambda i: f"{i + 1}", label_visibility="collapsed")
    if picked is not None and picked != index:
        _go(picked)
        st.rerun()
    step = STEPS[index]
    st.markdown(f"**Step {index + 1} of {len(STEPS)}: {step.title}**")
    st.markdown(step.text)
    guarded(step.prepare)
    prev_col, next_col, open_col = st.columns([1, 1, 2])
    if prev_col.button("Previous", key="tour_prev", disabled=index == 0,
                       icon=":material/arrow_back:", width="stretch"):
        _go(index - 1)
        st.rerun()
    if next_col.button("Next", key="tour_next", disabled=index == len(STEPS) - 1,
                       icon=":material/arrow_forward:", width="stretch"):
        _go(index + 1)
        st.rerun()
    if open_col.button(
            f"Open {step.page_title}", key="tour_open", type="primary",
            icon=":material/open_in_new:", width="stretch"):
        st.switch_page(step.page)
