"""The whole story in one call: data -> labels -> diagnosis -> models -> champion -> SHAP ->
simulated hybrid fleet -> Lambda package -> report.

Why one module of small steps: the CLI (`python -m core report`), the Report page and the
guided tour run the same steps, and each step fills one part of a `Story`
(core.report.records). A step that can
not run records why in `Story.missing`; the report then names the missing section and the
reason instead of failing as a whole.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from core.errors import UserError
from core.report.records import Champion, Story

__all__ = [
    "ALL_STEPS",
    "QUICK_CV",
    "QUICK_MODELS",
    "SIM_REQUESTS",
    "Champion",
    "Story",
    "deploy",
    "diagnose",
    "explain",
    "from_frame",
    "load",
    "objective",
    "run_step",
    "run_story",
    "simulate",
    "train",
    "use_model",
]

log = logging.getLogger(__name__)

#: The quick model set: fast, different families, and the baseline for the significance test.
QUICK_MODELS = ("baseline", "logreg", "rf", "xgb", "lgbm")
QUICK_CV = 3
SIM_REQUESTS = 20_000
EXPLAIN_SAMPLE = 1_000
#: Share of the progress bar each step takes (roughly its wall time on the real logs).
WEIGHTS = {"ingest": 0.10, "diagnose": 0.05, "train": 0.40, "explain": 0.05,
           "simulate": 0.15, "deploy": 0.05, "objective": 0.05, "report": 0.15}
Progress = Callable[[float, str], None]


# -- steps -------------------------------------------------------------------------------------
def load(paths: Sequence[str | Path], *, costs: Any = None, view: str | None = None) -> Story:
    """Read logs or a table through core.io and label it (balanced_optimal when unlabelled,
    priced by ``costs``/``view`` when given)."""
    from core import io, labels

    result = io.read_paths([str(p) for p in paths])
    kw = {k: v for k, v in (("costs", costs), ("view", view)) if v is not None}
    frame = labels.ensure_labels(result.frame, **kw)
    return from_frame(frame, ", ".join(str(p) for p in paths), result.summary())


def from_frame(frame: pd.DataFrame, source: str, ingest: dict[str, Any] | None = None,
               label_rule: dict[str, Any] | None = None) -> Story:
    """A story around an already loaded, labelled dataset (the page's session data)."""
    return Story(source=source, frame=frame, ingest=ingest,
                 label_rule=label_rule or frame.attrs.get("label_rule"))


def diagnose(story: Story) -> None:
    """Label variance and leakage findings (the 100 %-accuracy trap check)."""
    from core.diagnostics import diagnose as run

    story.diagnosis = run(_frame(story), seed=story.seed, fast=True)


def train(story: Story, *, models: Sequence[str] = QUICK_MODELS, cv: int = QUICK_CV,
          registry: Any = None, promote: bool = False,
          on_progress: Progress | None = None) -> None:
    """Compare `models` on one split; the best (by CV accuracy) becomes the champion."""
    from core.training import train_and_compare

    kinds = ["baseline", *[m for m in models if m != "baseline"]]

    def event(e: dict[str, Any]) -> None:
        if on_progress and e["event"] in ("done", "error", "timed_out"):
            on_progress(e["completed"] / max(e["total"], 1), f"trained {e['model']}")

    run = train_and_compare(_frame(story), models=kinds, cv=cv, seed=story.seed,
                            registry=registry, on_progress=event)
    story.train_run = run
    if run.best is None:
        raise UserError("No model trained successfully; see the model comparison for each "
                        "model's error.")
    best = run.results[run.best]
    story.champion = Champion(best.model_id or f"{best.kind}-unsaved", best.kind,
                              best.pipeline, "trained in this run")
    if promote and registry is not None and best.model_id:
        registry.set_alias("champion", best.model_id)


def use_model(story: Story, ref: str, registry: Any) -> None:
    """Take a registry version (id or alias) as the champion instead of training."""
    loaded = registry.load(ref)
    story.champion = Champion(loaded.model_id, str(loaded.metadata.get("model_type", "model")),
                              loaded.pipeline, "registry")


def explain(story: Story, *, sample: int = EXPLAIN_SAMPLE) -> None:
    """SHAP values of the champion on (a seeded sample of) the data."""
    from core.explain import explain as run

    champ = _champion(story)
    story.explanation = run(champ.pipeline, _frame(story), model_id=champ.model_id,
                            sample=sample, seed=story.seed)


def simulate(story: Story, *, requests: int = SIM_REQUESTS, seeds: int | None = None,
             scheduler: str | None = None, on_progress: Progress | None = None) -> None:
    """Lambda-only vs ECS-only vs hybrid routed by the champion: a replay calibrated on the
    data, scored against the label's own rule, when the data allows it (both platforms,
    timestamps, measurements); else the preset model with the data's request mix. With
    `seeds`, also that many seeds on Dask (`scheduler`: an address, None for a local
    cluster, "local" for this process): a 95 % interval on every figure."""
    champ = _champion(story)
    progress = on_progress or (lambda _f, _m: None)
    if story.frame is not None:
        try:
            progress(0.1, "replaying the data's requests (calibrated)")
            story.simulation = replay_story(story, champ)
        except UserError as exc:
            story.missing["simulate_calibration"] = (
                f"not calibrated on the data ({exc}); the preset physical model was used")
        else:
            if seeds:
                _seeds(story, seeds, scheduler, progress, frame=_frame(story),
                       settings=replay_settings(story), pipeline=champ.pipeline)
            progress(1.0, "calibrated replay done")
            return
    from core.simulate.runner import simulate as run
    from core.simulate.scenario import mix_from_frame

    spec: dict[str, Any] = {"requests": int(requests), "seed": story.seed + 1,
                            "router": {"kind": "model", "model_id": champ.model_id}}
    if story.frame is not None:
        try:
            spec["mix"], spec["payload_kb"] = mix_from_frame(story.frame)
        except UserError as exc:  # no known workloads in the data: preset mix, said so
            story.missing["simulate_mix"] = f"request mix from presets: {exc}"
    story.simulation = run(spec, pipeline=champ.pipeline, on_progress=on_progress)
    if seeds:
        from core.simulate.routers import prepare_model

        _seeds(story, seeds, scheduler, progress, spec=spec,
               pipeline=prepare_model(spec["router"], champ.pipeline))


def _seeds(story: Story, seeds: int, scheduler: str | None, progress: Progress,
           **kwargs: Any) -> None:
    """Monte-Carlo seeds of the simulation just made; a failure (no scheduler) is recorded
    beside the single run, which stands."""
    from core.simulate.montecarlo import monte_carlo

    settings = kwargs.get("settings")
    base = settings.seed if settings is not None else kwargs["spec"]["seed"]
    try:
        story.simulation_seeds = monte_carlo(
            seeds, base_seed=base, scheduler=scheduler,
            on_progress=lambda f, m: progress(0.5 + 0.5 * f, f"seeds: {m}"), **kwargs)
    except UserError as exc:
        story.missing["simulate_seeds"] = f"no intervals over seeds: {exc}"


def replay_settings(story: Story) -> Any:
    """How the story's data is replayed: its label rule, the champion as router."""
    from core.decision import DEFAULT_THRESHOLD
    from core.simulate.replay import ReplaySettings

    rule = story.label_rule or {}
    latency = rule.get("latency_field")
    return ReplaySettings(
        costs=rule.get("cost_profile"), view=rule.get("view", "marginal"),
        margin=rule.get("margin", 0.10),
        latency_col=latency if latency in ("execution_time_ms", "latency_ms") else None,
        router="model", threshold=DEFAULT_THRESHOLD, seed=story.seed + 1)


def replay_story(story: Story, champ: Champion) -> Any:
    """The calibrated replay of the story's data with the champion as router."""
    from core.simulate.replay import replay

    return replay(_frame(story), replay_settings(story), pipeline=champ.pipeline)


def deploy(story: Story, out_dir: str | Path) -> None:
    """Build function.zip for the champion and invoke the six thesis scenarios through it."""
    from core.deploy.invoke import invoke_zip
    from core.deploy.lambda_pkg import build_from_pipeline
    from core.deploy.scenarios import SCENARIOS, compare_with_library, scenario_events

    champ = _champion(story)
    built = build_from_pipeline(champ.pipeline, out_dir, model_id=champ.model_id)
    events = scenario_events()
    result = invoke_zip(built.path, events)
    rows = compare_with_library(champ.pipeline, events, result["responses"],
                                names=[s["name"] for s in SCENARIOS],
                                invoke_ms=result["invoke_ms"])
    story.deployment = {"build": built.to_dict(), "init_ms": result.get("init_ms"),
                        "process_ms": result.get("process_ms"), "scenarios": rows}


def objective(story: Story) -> None:
    """Routing by objective: a router trained on the data (the label rule's cost profile),
    replayed with its default objective, swept, a few decisions explained."""
    from core.objective.report import summarise

    story.objective = summarise(_frame(story), label_rule=story.label_rule,
                                seed=story.seed + 1)


def _frame(story: Story) -> pd.DataFrame:
    if story.frame is None:
        raise UserError("No dataset: load logs or a table first (Data page, or --logs DIR / "
                        "--data FILE).")
    return story.frame


def _champion(story: Story) -> Champion:
    if story.champion is None:
        reason = story.missing.get("train") or "no model was trained or chosen"
        raise UserError(f"Needs a trained model, and there is none ({reason}). Train models on "
                        "the Train & compare page, or pass --model REF.")
    return story.champion


# -- the one-command path ----------------------------------------------------------------------
def run_step(story: Story, name: str, fn: Callable[..., None], *args: Any, **kwargs: Any) -> bool:
    """Run one step; on failure record why (the report names it) and carry on."""
    started = time.perf_counter()
    try:
        fn(story, *args, **kwargs)
        return True
    except UserError as exc:
        story.missing[name] = str(exc)
    except Exception as exc:  # one broken step must not lose the rest of the report
        log.debug("story step %s failed", name, exc_info=True)  # users see the reason only
        story.missing[name] = f"{name} failed ({type(exc).__name__}: {exc})"
    finally:
        story.timings_s[name] = round(time.perf_counter() - started, 3)
    return False


ALL_STEPS = ("diagnose", "train", "explain", "simulate", "deploy", "objective")


def run_story(out_dir: str | Path, *, paths: Sequence[str | Path] | None = None,
              story: Story | None = None, steps: Sequence[str] = ALL_STEPS,
              model: str | None = None, models: Sequence[str] = QUICK_MODELS,
              cv: int = QUICK_CV, requests: int = SIM_REQUESTS, seed: int = 0,
              registry: Any = None, promote: bool = False, static: bool = True,
              on_progress: Progress | None = None, costs: Any = None,
              view: str | None = None, seeds: int | None = None,
              scheduler: str | None = None) -> tuple[Story, dict[str, Any]]:
    """Load (or take) data, run `steps` whose result is still missing, write the report.

    Returns the story and what was written (see `core.report.exports.write_report`). Only
    loading can fail the whole run (UserError); later steps record why they could not run.
    """
    from core.report.exports import write_report  # plotly and the builder: not at CLI start

    progress = _Tracker(on_progress)
    out = Path(out_dir)
    if story is None:
        if not paths:
            raise UserError("Nothing to report on: give --logs DIR or --data FILE (or load "
                            "data in the app).")
        progress.start("ingest", "reading and labelling the data")
        started = time.perf_counter()
        story = load(paths, costs=costs, view=view)
        story.timings_s["ingest"] = round(time.perf_counter() - started, 3)
        story.seed = seed
    todo = set(steps)
    if "diagnose" in todo and story.diagnosis is None:
        progress.start("diagnose", "diagnosing label variance and leakage")
        run_step(story, "diagnose", diagnose)
    if "train" in todo and story.champion is None:
        if model:
            progress.start("train", f"loading model {model}")
            run_step(story, "train", use_model, model, registry)
        else:
            progress.start("train", f"training {', '.join(models)} ({cv}-fold CV)")
            run_step(story, "train", train, models=models, cv=cv, registry=registry,
                     promote=promote, on_progress=progress.within("train"))
    if "explain" in todo and story.explanation is None:
        progress.start("explain", "SHAP values of the champion")
        run_step(story, "explain", explain)
    if "simulate" in todo and story.simulation is None:
        progress.start("simulate", "simulating Lambda-only, ECS-only and the routed hybrid")
        run_step(story, "simulate", simulate, requests=requests, seeds=seeds,
                 scheduler=scheduler, on_progress=progress.within("simulate"))
    if "deploy" in todo and story.deployment is None:
        progress.start("deploy", "building and invoking the Lambda package")
        run_step(story, "deploy", deploy, out / "deploy")
    if "objective" in todo and story.objective is None:
        progress.start("objective", "routing by objective: per-platform predictors")
        run_step(story, "objective", objective)
    progress.start("report", "writing the report, tables and figures")
    started = time.perf_counter()
    files = write_report(story, out, static=static)
    story.timings_s["report"] = round(time.perf_counter() - started, 3)
    progress.finish("report written")
    return story, files


class _Tracker:
    """Turns step starts and in-step fractions into one 0..1 progress value."""

    def __init__(self, on_progress: Progress | None):
        self.emit = on_progress or (lambda _f, _m: None)
        self.offsets: dict[str, float] = {}
        total = 0.0
        for step, weight in WEIGHTS.items():
            self.offsets[step] = total
            total += weight

    def start(self, step: str, message: str) -> None:
        self.emit(self.offsets[step], message)

    def within(self, step: str) -> Progress:
        def report(fraction: float, message: str) -> None:
            self.emit(self.offsets[step] + WEIGHTS[step] * min(max(fraction, 0.0), 1.0),
                      f"{step}: {message}")
        return report

    def finish(self, message: str) -> None:
        self.emit(1.0, message)
