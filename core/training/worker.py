"""One model's whole job, run in its own process: optional search, CV folds, final fit,
test metrics, latency and importance.

Why a process per model: a process can be stopped when it exceeds its time limit or the
run is cancelled, and a model that crashes cannot take the others down.
"""

from __future__ import annotations

import statistics
import time
import traceback
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from core.training import importance
from core.training.encoded import load
from core.training.metrics import classification_metrics
from core.training.search import SPACES, search, take
from core.training.zoo import attach, make_head, make_pipeline

LATENCY_CALLS = 15


def _latency_ms(pipe: Any, row: pd.DataFrame) -> float:
    """Median wall time of one single-row predict_proba (what one routed request pays)."""
    pipe.predict_proba(row)
    times = []
    for _ in range(LATENCY_CALLS):
        start = time.perf_counter()
        pipe.predict_proba(row)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def search_folds(folds: list, y_train: np.ndarray, seed: int) -> list:
    """Where the search scores candidates: the run's CV folds, or without CV one stratified
    hold-out of the training rows (positions into the training rows)."""
    return folds or [train_test_split(np.arange(len(y_train)), test_size=0.2,
                                      stratify=y_train, random_state=seed)]


def run_model(task: dict[str, Any], report: Callable[[dict[str, Any]], None]
              ) -> dict[str, Any]:
    """Train and evaluate one model kind on the planned split; returns a plain dict.

    The task holds the raw `frame`, or the rows encoded once by the run (`x`, or `x_path` to
    memory-map, with the fitted `transform`): then only the scaler and the model are fitted
    here and the transform is put in front of them, which gives the same pipeline."""
    kind, seed = task["kind"], task["seed"]
    y = task["y"]
    encoded = "frame" not in task
    data = (task["frame"] if not encoded
            else task["x"] if "x" in task else load(task["x_path"]))
    features, allow = task["features"], task["allow_outcomes"]
    x_train, y_train = take(data, task["train"]), y[task["train"]]
    x_test, y_test = take(data, task["test"]), y[task["test"]]
    folds = task["folds"]
    params = dict(task.get("params") or {})
    search_info = None
    if task.get("search_budget_s") and kind in SPACES:
        # The search scores candidates on the run's CV folds (pruned fold by fold); without
        # CV, on one stratified hold-out of the training rows.
        search_info = search(kind, features, x_train, y_train,
                             task.get("search_folds") or search_folds(folds, y_train, seed),
                             seed=seed, budget_s=task["search_budget_s"],
                             n_trials=task.get("search_trials") or 50, allow_outcomes=allow,
                             on_trial=lambda e: report({"event": "search", **e}))
        params = {**search_info["params"], **params}
        report({"event": "search", "tried": len(search_info["tried"]), "params": params})

    def fresh():
        if encoded:
            return make_head(kind, seed=seed, params=params)
        return make_pipeline(kind, features, seed=seed, allow_outcomes=allow, params=params)

    cv_scores = []
    for i, (a, b) in enumerate(folds):
        pipe = fresh().fit(take(x_train, a), y_train[a])
        cv_scores.append(classification_metrics(y_train[b],
                                                pipe.predict_proba(take(x_train, b))[:, 1]))
        report({"event": "fold", "fold": i + 1, "folds": len(folds)})

    pipe = fresh()
    start = time.perf_counter()
    pipe.fit(x_train, y_train)
    fit_s = time.perf_counter() - start
    start = time.perf_counter()
    proba_test = pipe.predict_proba(x_test)[:, 1]
    # Encoded rows: the batch time adds the run's encoding of the test rows, measured once.
    batch_ms = (time.perf_counter() - start) * 1000 + (task["transform_ms"] if encoded else 0)
    proba_train = pipe.predict_proba(x_train)[:, 1]
    whole = attach(task["transform"], pipe) if encoded else pipe
    parts = [importance.native(kind, whole)]
    if kind != "baseline":
        parts.insert(0, importance.permutation_encoded(kind, pipe, x_test, y_test,
                                                       task["groups"], seed=seed)
                     if encoded else importance.permutation(kind, pipe, x_test, y_test,
                                                            seed=seed))
    parts = [p for p in parts if not p.empty]
    return {
        "pipeline": whole,
        "params": params,
        "search": search_info,
        "cv_scores": cv_scores,
        "metrics": classification_metrics(y_test, proba_test),
        "train_metrics": classification_metrics(y_train, proba_train),
        "proba_test": proba_test,
        "fit_s": fit_s,
        "predict_ms": _latency_ms(whole, task["probe"] if encoded else x_test.iloc[[0]]),
        "predict_batch_ms": batch_ms,
        "batch_rows": len(x_test),
        "importances": (pd.concat(parts, ignore_index=True) if parts
                        else pd.DataFrame(columns=importance.COLUMNS)),
    }


def child_main(conn: Any, task: dict[str, Any]) -> None:
    """Process entry point: progress, then ('result', dict) or ('error', text, traceback)."""
    from threadpoolctl import threadpool_limits

    try:
        with threadpool_limits(limits=1):
            result = run_model(task, lambda event: conn.send(("progress", event)))
        conn.send(("result", result))
    except Exception as exc:  # reported to the parent; the other models go on
        conn.send(("error", f"{type(exc).__name__}: {exc}", traceback.format_exc()))
    finally:
        conn.close()
