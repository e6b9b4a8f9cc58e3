"""Run a comparison: models in parallel worker processes, progress per model, a time limit
per model, cancellation, partial results, then significance, checks and findings.

Why our own small scheduler instead of a pool: a pool cannot stop one task that is over
its budget. One process per model (at most `n_jobs` at a time, each model single-threaded)
can be terminated without touching the others.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import sys
import threading
import time
import types
from collections.abc import Callable, Sequence
from multiprocessing.connection import wait
from typing import Any

import pandas as pd

from core.decision import DEFAULT_THRESHOLD
from core.errors import UserError
from core.fingerprint import dataset_fingerprint
from core.training import checks as checks_mod
from core.training import importance, procs
from core.training.encoded import encode, shared_file
from core.training.inputs import prepare
from core.training.result import ModelResult, TrainRun
from core.training.search import SPACES
from core.training.significance import corrected_t_test, mcnemar
from core.training.splits import TIME_COLUMN, plan_split
from core.training.worker import child_main, search_folds
from core.training.zoo import DEFAULT_MODELS, check_kinds

log = logging.getLogger(__name__)
#: Slowest first, so two workers finish at about the same time.
COST_ORDER = ("mlp", "rf", "xgb", "lgbm", "logreg", "baseline")
_POLL_S = 0.1
_HEARTBEAT_S = 1.0
_CTX = procs.CTX

ProgressFn = Callable[[dict[str, Any]], None]
_NO_SCRIPT = types.ModuleType("__main__")  # no __file__: children have no script to re-run


@contextlib.contextmanager
def _no_main_script():
    """Start a child without it re-running the caller's script.

    multiprocessing re-imports the parent's `__main__` by path in every child when that module
    has a file but no import name. Streamlit runs each page as such a `__main__`, so every
    model's process ran the whole page again in bare mode (imports, session-state warnings in
    the server log). The CLI's `core.__main__` has a name, and is left as it is."""
    main = sys.modules.get("__main__")
    if main is None or getattr(main, "__spec__", None) is not None \
            or not getattr(main, "__file__", None):
        yield
        return
    sys.modules["__main__"] = _NO_SCRIPT
    try:
        yield
    finally:
        if sys.modules.get("__main__") is _NO_SCRIPT:  # another thread may have set its own
            sys.modules["__main__"] = main


def warm_up() -> None:
    """Start the fork server now (it imports the model libraries in the background), so the
    first run does not wait for them. Safe to call often."""
    procs.start()


def default_jobs() -> int:
    """Worker processes: the machine's cores, at most 2 (the lab's budget)."""
    return max(1, min(2, os.cpu_count() or 1))


def train_and_compare(
    frame: pd.DataFrame, *, features: list[str] | None = None, label: str = "label",
    models: Sequence[str] = DEFAULT_MODELS, split: str = "stratified",
    group: str | None = None, cv: int = 5, seed: int = 0, time_limit_s: float | None = None,
    on_progress: ProgressFn | None = None, cancel: threading.Event | None = None,
    registry: Any = None, search_budget_s: float | None = None,
    model_params: dict[str, dict[str, Any]] | None = None, allow_outcomes: bool = False,
    n_jobs: int | None = None, search_trials: int | None = None,
    scheduler: str | None = None,
) -> TrainRun:
    """Train `models` on one split of `frame` and compare them honestly.

    Each model runs in its own process (n_jobs at a time). A model over `time_limit_s` is
    reported 'timed_out', one that raises 'error'; the others are kept. Setting `cancel`
    stops the running models and keeps the finished ones. `on_progress` gets event dicts
    (event: queued | started | search | fold | heartbeat | done | error | timed_out |
    cancelled | saved); a heartbeat every second lists the running models and their time.
    With a `registry`, each successful model is saved as a version. `search_budget_s` turns
    on an Optuna search per model (at most `search_trials` trials, default 50).
    `scheduler` (a Dask scheduler's address) trains the models as tasks on that cluster
    instead of this machine's processes.
    """
    started_at = time.perf_counter()
    kinds = check_kinds(list(models))
    if scheduler is None:
        warm_up()  # the fork server imports the model libraries while this process prepares
    if time_limit_s is not None and time_limit_s <= 0:
        raise UserError(f"time_limit_s == {time_limit_s}, must be > 0 (or None for no limit).")
    keep = (group if split == "group" else None,
            TIME_COLUMN if split == "time" else None,
            "time_window" if split == "group" and group is None else None)
    prep = prepare(frame, features=features, label=label, allow_outcomes=allow_outcomes,
                   keep=keep)
    plan = plan_split(prep.frame, prep.y, split=split, group=group, cv=cv, seed=seed)
    notify = _notifier(on_progress, total=len(kinds))
    base_task = {"y": prep.y, "features": prep.features,
                 "train": plan.train, "test": plan.test, "folds": plan.folds, "seed": seed,
                 "allow_outcomes": allow_outcomes, "search_budget_s": search_budget_s,
                 "search_trials": search_trials}
    fit_sets = [plan.train[a] for a, _ in plan.folds]
    if search_budget_s and not plan.folds and any(k in SPACES for k in kinds):
        base_task["search_folds"] = search_folds([], prep.y[plan.train], seed)
        fit_sets += [plan.train[a] for a, _ in base_task["search_folds"]]
    enc = encode(prep.frame, prep.features, allow_outcomes=allow_outcomes, train=plan.train,
                 test=plan.test, fit_sets=fit_sets)
    # After the encoding, so the diagnosis does not hold the GIL while it is timed.
    diagnosis = _Diagnosis(frame, label, prep.features, seed)
    if enc is None:  # the frame as it is; each model fits its own transform
        base_task["frame"] = prep.frame
    else:
        base_task.update(x=enc.x, transform=enc.transform, groups=enc.groups, probe=enc.probe,
                         transform_ms=enc.transform_ms)
    tasks = {k: {**base_task, "kind": k, "params": (model_params or {}).get(k)}
             for k in sorted(kinds, key=COST_ORDER.index)}
    for k in kinds:
        notify({"event": "queued", "model": k})

    results: dict[str, ModelResult] = {}
    fingerprint = dataset_fingerprint(frame) if registry is not None else None

    def finished(result: ModelResult) -> None:
        results[result.kind] = result
        if result.ok and registry is not None:
            result.model_id = _save(registry, result, prep, seed, plan.describe(),
                                    frame.attrs.get("label_rule"), fingerprint)
            notify({"event": "saved", "model": result.kind, "model_id": result.model_id})
        notify({"event": result.status if result.status != "ok" else "done",
                "model": result.kind, "result": result, "error": result.error,
                "elapsed_s": result.elapsed_s})

    ran_on = None
    if scheduler is None:
        with contextlib.ExitStack() as stack:
            if enc is not None:  # the workers memory-map one file instead of a pickled copy
                path = stack.enter_context(shared_file(enc.x))
                tasks = {k: {**{n: v for n, v in t.items() if n != "x"}, "x_path": path}
                         for k, t in tasks.items()}
            cancelled = _schedule(tasks, n_jobs or default_jobs(), time_limit_s, cancel,
                                  notify, finished)
    else:
        from core.training import dask_runner

        cancelled, ran_on = dask_runner.schedule(tasks, scheduler, time_limit_s, cancel,
                                                 notify, finished, _to_result)
    run = TrainRun(
        results={k: results[k] for k in kinds}, features=prep.features, label=label,
        seed=seed, rows=len(prep.y), split=plan.describe(), y_test=prep.y[plan.test],
        dropped_label_rows=prep.dropped_label_rows, notes=[*prep.notes, *plan.notes],
        cancelled=cancelled, scheduler=ran_on)
    _assess(run, diagnosis)
    run.wall_s = time.perf_counter() - started_at
    return run


def _notifier(on_progress: ProgressFn | None, total: int) -> ProgressFn:
    done: set[str] = set()

    def notify(event: dict[str, Any]) -> None:
        if event["event"] in ("done", "error", "timed_out", "cancelled"):
            done.add(event["model"])
        event = {**event, "completed": len(done), "total": total}
        if on_progress is not None:
            on_progress(event)
    return notify


def _schedule(tasks: dict[str, dict[str, Any]], n_jobs: int, time_limit_s: float | None,
              cancel: threading.Event | None, notify: ProgressFn,
              finished: Callable[[ModelResult], None]) -> bool:
    """Run tasks in at most n_jobs processes; returns True when cancelled."""
    pending = list(tasks)
    running: dict[str, tuple[Any, Any, float]] = {}  # kind -> (process, conn, start)

    def stop(kind: str) -> float:
        proc, conn, start = running.pop(kind)
        proc.terminate()
        proc.join(5)
        if proc.is_alive():
            proc.kill()
            proc.join()
        conn.close()
        return time.perf_counter() - start

    beat = time.perf_counter()
    try:
        while pending or running:
            if time.perf_counter() - beat >= _HEARTBEAT_S:
                beat = time.perf_counter()
                notify({"event": "heartbeat", "model": None,
                        "running": {k: beat - v[2] for k, v in running.items()}})
            if cancel is not None and cancel.is_set():
                for kind in list(running):
                    finished(ModelResult(kind, "cancelled", elapsed_s=stop(kind),
                                         error="Cancelled while training."))
                for kind in pending:
                    finished(ModelResult(kind, "cancelled", elapsed_s=0.0,
                                         error="Cancelled before it started."))
                return True
            while pending and len(running) < n_jobs:
                kind = pending.pop(0)
                recv, send = _CTX.Pipe(duplex=False)
                proc = _CTX.Process(target=child_main, args=(send, tasks[kind]), daemon=True,
                                    name=f"train-{kind}")
                with _no_main_script():
                    proc.start()
                send.close()
                running[kind] = (proc, recv, time.perf_counter())
                notify({"event": "started", "model": kind})
            conns = {running[k][1]: k for k in running}
            for conn in wait(list(conns), timeout=_POLL_S):
                kind = conns[conn]
                _receive(kind, conn, running, finished, notify)
            now = time.perf_counter()
            for kind in list(running):
                if time_limit_s is not None and now - running[kind][2] > time_limit_s:
                    finished(ModelResult(
                        kind, "timed_out", elapsed_s=stop(kind),
                        error=f"Stopped after the time limit of {time_limit_s:g} s."))
    finally:
        for kind in list(running):
            stop(kind)
    return False


def _receive(kind: str, conn: Any, running: dict, finished: Callable[[ModelResult], None],
             notify: ProgressFn) -> None:
    proc, _, start = running[kind]
    try:
        message = conn.recv()
    except (EOFError, OSError):
        proc.join(5)
        running.pop(kind)
        conn.close()
        finished(ModelResult(kind, "error", elapsed_s=time.perf_counter() - start,
                             error=f"The worker process died (exit code {proc.exitcode})."))
        return
    if message[0] == "progress":
        notify({**message[1], "model": kind})
        return
    running.pop(kind)
    conn.close()
    proc.join(5)
    finished(_to_result(kind, message, time.perf_counter() - start))


def _to_result(kind: str, message: tuple, elapsed: float) -> ModelResult:
    """A worker's ('result', dict) or ('error', text, traceback) as a ModelResult."""
    if message[0] == "error":
        log.debug("model %s failed:\n%s", kind, message[2])
        return ModelResult(kind, "error", elapsed_s=elapsed, error=message[1])
    data = message[1]
    return ModelResult(
        kind, "ok", elapsed_s=elapsed, metrics=data["metrics"],
        train_metrics=data["train_metrics"], cv_scores=data["cv_scores"], fit_s=data["fit_s"],
        predict_ms=data["predict_ms"], predict_batch_ms=data["predict_batch_ms"],
        batch_rows=data["batch_rows"], importances=data["importances"],
        params=data["params"], search=data["search"], proba_test=data["proba_test"],
        pipeline=data["pipeline"])


def _save(registry: Any, result: ModelResult, prep: Any, seed: int, split: dict,
          label_rule: dict | None = None, fingerprint: str | None = None) -> str:
    """Save one trained model with what it needs downstream: metrics, its decision
    threshold and the label rule (margin, latency field, cost profile, view) it learned."""
    metrics = {**result.metrics, "train_test_gap": result.train_test_gap,
               "fit_s": result.fit_s, "predict_ms": result.predict_ms,
               "cv": result.cv}
    train_frame = prep.frame.assign(label=prep.y)
    return registry.save(result.pipeline, model_type=result.kind, metrics=metrics,
                         features=prep.features, train_frame=train_frame, seed=seed,
                         extra={"split": split, "params": result.params,
                                "decision_threshold": DEFAULT_THRESHOLD,
                                "label_rule": label_rule,
                                "dataset_fingerprint": fingerprint,
                                "importances": result.importance_shares()})


# -- after training: best model, significance, checks, findings ---------------------------------
def _rank_key(result: ModelResult) -> float:
    cv = result.cv.get("accuracy", {}).get("mean", math.nan)
    return cv if math.isfinite(cv) else result.metrics["accuracy"]


def _assess(run: TrainRun, diagnosis: _Diagnosis) -> None:
    contenders = sorted((r for r in run.ok_results() if r.kind != "baseline"),
                        key=_rank_key, reverse=True)
    run.findings = diagnosis.findings(run)
    if not contenders:
        return
    best = contenders[0]
    run.best = best.kind
    y = run.y_test
    pred = {r.kind: (r.proba_test >= 0.5).astype(int) for r in run.ok_results()}
    sig: dict[str, Any] = {"best": best.kind, "ranked_by": "cv accuracy mean"
                           if best.cv_scores else "test accuracy"}
    if len(contenders) > 1:
        second = contenders[1]
        test_fraction = 1 / max(len(best.cv_scores) - 1, 1)
        sig["runner_up"] = {
            "model": second.kind,
            "accuracy_difference": best.metrics["accuracy"] - second.metrics["accuracy"],
            "mcnemar": mcnemar(y, pred[best.kind], pred[second.kind]),
            "corrected_t_test": corrected_t_test(
                [s["accuracy"] for s in best.cv_scores],
                [s["accuracy"] for s in second.cv_scores], test_fraction=test_fraction),
        }
    base = run.results.get("baseline")
    if base is not None and base.ok:
        test = mcnemar(y, pred[best.kind], pred["baseline"])
        diff = best.metrics["accuracy"] - base.metrics["accuracy"]
        sig["baseline"] = {
            "baseline_accuracy": base.metrics["accuracy"],
            "beats_baseline_by": diff, "mcnemar": test,
            "significant": bool(diff > 0 and test["p_value"] < 0.05),
        }
    run.significance = sig
    run.checks = checks_mod.success_checks(best.kind, best.metrics, best.train_test_gap,
                                           best.importances)
    dominance = []
    for r in contenders:
        shares = r.importances
        if not shares.empty:
            method = "permutation" if (shares["method"] == "permutation").any() else "native"
            dominance += importance.dominance_findings(shares[shares["method"] == method])
    run.findings = dominance + run.findings


class _Diagnosis:
    """core.diagnostics on the features this run trains on, in a thread that starts before
    the models (it overlaps the fork server's imports and the first fits), or the same
    diagnosis from the cache when the Variance page or an earlier run already made it."""

    def __init__(self, frame: pd.DataFrame, label: str, features: list[str], seed: int):
        self._doc: dict[str, Any] | None = None
        self._error: Exception | None = None
        self._thread = threading.Thread(target=self._run, args=(frame, label, features, seed),
                                        name="train-diagnosis", daemon=True)
        self._thread.start()

    def _run(self, frame: pd.DataFrame, label: str, features: list[str], seed: int) -> None:
        from core.diagnostics import cached_diagnose

        try:
            # A timestamp feature is diagnosed as the hour of day the model sees.
            self._doc = cached_diagnose(frame, label=label, features=features, seed=seed,
                                        fast=True).to_dict()
        except Exception as exc:  # diagnostics must never break training
            self._error = exc

    def findings(self, run: TrainRun) -> list[dict[str, Any]]:
        """Its findings (FEATURE_DOMINANCE comes from the trained models instead); sets
        run.diagnosis, or a note when the diagnosis failed."""
        self._thread.join()
        if self._error is not None or self._doc is None:
            log.warning("diagnostics failed: %s", self._error)
            run.notes.append(f"Diagnostics could not run: {self._error}")
            return []
        run.diagnosis = self._doc
        return [f for f in self._doc.get("findings", []) if f.get("code") != "FEATURE_DOMINANCE"]
