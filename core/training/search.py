"""Hyper-parameter search per model: Optuna's TPE within a time budget and a trial budget,
pruning a candidate as soon as its cross-validation folds fall behind.

Why Optuna: a Bayesian sampler finds good settings in fewer fits than a grid, and its
pruner stops a poor candidate after one or two folds instead of all of them. The first
trial is always the zoo's own setting, so a search never returns something worse than no
search on the same folds. A fixed seed gives the same trials in the same order; the time
budget can cut a search short, the trial budget (50 by default, as seed 001) cannot vary.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from core.errors import UserError
from core.formats import plain
from core.training.metrics import classification_metrics
from core.training.zoo import make_head, make_pipeline

#: The "thorough" preset: seed 001 tuned each model with a 50-job Bayesian search.
DEFAULT_TRIALS = 50
PRESETS = {"quick": 10, "thorough": DEFAULT_TRIALS}
#: Trials before the pruner starts comparing (it needs a median to compare with).
PRUNER_STARTUP = 5

_MLP_LAYERS = {"16": (16,), "64": (64,), "32,16": (32, 16), "64,32": (64, 32)}


def _logreg(trial: Any) -> dict[str, Any]:
    return {"C": trial.suggest_float("C", 1e-3, 1e2, log=True)}


def _rf(trial: Any) -> dict[str, Any]:
    return {"n_estimators": trial.suggest_int("n_estimators", 40, 200, step=20),
            "max_depth": trial.suggest_int("max_depth", 3, 20),
            "min_samples_leaf": trial.suggest_int("min_samples_leaf", 1, 50, log=True),
            "max_features": trial.suggest_categorical("max_features", ["sqrt", "log2", 1.0])}


def _xgb(trial: Any) -> dict[str, Any]:
    return {"max_depth": trial.suggest_int("max_depth", 2, 10),
            "learning_rate": trial.suggest_float("learning_rate", 0.01, 0.3, log=True),
            "n_estimators": trial.suggest_int("n_estimators", 50, 400, step=50),
            "min_child_weight": trial.suggest_float("min_child_weight", 1.0, 20.0, log=True),
            "subsample": trial.suggest_float("subsample", 0.5, 1.0)}


def _lgbm(trial: Any) -> dict[str, Any]:
    return {"num_leaves": trial.suggest_int("num_leaves", 8, 128, log=True),
            "learning_rate": trial.suggest_float("learning_rate", 0.01, 0.3, log=True),
            "n_estimators": trial.suggest_int("n_estimators", 50, 400, step=50),
            "min_child_samples": trial.suggest_int("min_child_samples", 5, 100, log=True)}


def _mlp(trial: Any) -> dict[str, Any]:
    layers = trial.suggest_categorical("hidden_layer_sizes", list(_MLP_LAYERS))
    return {"hidden_layer_sizes": _MLP_LAYERS[layers],
            "alpha": trial.suggest_float("alpha", 1e-6, 1e-1, log=True),
            "learning_rate_init": trial.suggest_float("learning_rate_init", 1e-4, 1e-2,
                                                      log=True)}


#: Search space per model kind (the baseline has nothing to tune).
SPACES: dict[str, Callable[[Any], dict[str, Any]]] = {
    "logreg": _logreg, "rf": _rf, "xgb": _xgb, "lgbm": _lgbm, "mlp": _mlp}
#: The zoo's settings in each space: trial 0 of every search.
DEFAULTS: dict[str, dict[str, Any]] = {
    "logreg": {"C": 1.0},
    "rf": {"n_estimators": 80, "max_depth": 10, "min_samples_leaf": 10,
           "max_features": "sqrt"},
    "xgb": {"max_depth": 6, "learning_rate": 0.3, "n_estimators": 100,
            "min_child_weight": 1.0, "subsample": 1.0},
    "lgbm": {"num_leaves": 31, "learning_rate": 0.1, "n_estimators": 150,
             "min_child_samples": 20},
    "mlp": {"hidden_layer_sizes": "32,16", "alpha": 1e-4, "learning_rate_init": 1e-3},
}


def trials_from(value: int | str | None) -> int:
    """A trial budget from a number or a preset name (quick = 10, thorough = 50)."""
    if value is None:
        return DEFAULT_TRIALS
    if isinstance(value, str) and value.strip().lower() in PRESETS:
        return PRESETS[value.strip().lower()]
    try:
        n = int(value)
    except (TypeError, ValueError):
        raise UserError(f"trials = {value!r}; give a whole number >= 1 or a preset "
                        f"{sorted(PRESETS)}.") from None
    if n < 1:
        raise UserError(f"trials = {n}; give at least 1 trial.")
    return n


def take(x: pd.DataFrame | np.ndarray, rows: np.ndarray) -> pd.DataFrame | np.ndarray:
    """Rows by position of a raw frame or of an encoded matrix."""
    return x.iloc[rows] if isinstance(x, pd.DataFrame) else x[rows]


def search(kind: str, features: list[str], x: pd.DataFrame | np.ndarray, y: np.ndarray,
           folds: list[tuple[np.ndarray, np.ndarray]], *, seed: int, budget_s: float,
           n_trials: int = DEFAULT_TRIALS, allow_outcomes: bool = False,
           on_trial: Callable[[dict[str, Any]], None] | None = None) -> dict[str, Any]:
    """TPE search of `kind`'s space on `folds` (indices into x, y), by mean ROC-AUC.

    `x` is the raw frame, or the rows already encoded by the run's feature transform (then
    only the scaler and the model are fitted per candidate).

    Stops at `n_trials` or when `budget_s` has passed (a running trial is pruned at its
    next fold). Returns {"params", "best_value", "history": [{"number", "state", "params",
    "roc_auc", "folds", "s"}], "tried" (the completed trials), "trials", "pruned",
    "sampler", "seed", "wall_s"}.
    """
    import optuna

    if kind not in SPACES:
        raise UserError(f"Model {kind!r} has nothing to tune; searchable: {sorted(SPACES)}.")
    if not folds:
        raise UserError("The search needs at least one validation fold.")
    if not (budget_s > 0 and math.isfinite(budget_s)):
        raise UserError(f"search budget = {budget_s!r} s; give a positive number of seconds.")
    n_trials = trials_from(n_trials)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(
        # Random start-up trials: TPE's default of 10 would leave a 10-trial search random.
        direction="maximize", sampler=optuna.samplers.TPESampler(
            seed=seed, n_startup_trials=min(10, max(3, n_trials // 5))),
        pruner=optuna.pruners.MedianPruner(n_startup_trials=PRUNER_STARTUP,
                                           n_warmup_steps=0))
    study.enqueue_trial(DEFAULTS[kind])
    started = time.perf_counter()
    deadline = started + budget_s
    history: list[dict[str, Any]] = []
    space = SPACES[kind]
    encoded = isinstance(x, np.ndarray)  # rows already through the feature transform

    def objective(trial: Any) -> float:
        t0 = time.perf_counter()
        params = space(trial)
        scores: list[float] = []
        record = {"number": trial.number, "params": params, "state": "running",
                  "roc_auc": math.nan, "folds": 0, "s": 0.0}
        history.append(record)
        try:
            for step, (a, b) in enumerate(folds):
                if trial.number > 0 and time.perf_counter() >= deadline:
                    record["state"] = "pruned"
                    raise optuna.TrialPruned("time budget spent")
                if encoded:
                    pipe = make_head(kind, seed=seed, params=params)
                else:
                    pipe = make_pipeline(kind, features, seed=seed,
                                         allow_outcomes=allow_outcomes, params=params)
                pipe.fit(take(x, a), y[a])
                auc = classification_metrics(y[b], pipe.predict_proba(take(x, b))[:, 1])[
                    "roc_auc"]
                scores.append(float(np.nan_to_num(auc, nan=0.5)))
                record.update(roc_auc=float(np.mean(scores)), folds=len(scores))
                trial.report(float(np.mean(scores)), step)
                if step < len(folds) - 1 and trial.should_prune():  # the last fold: done
                    record["state"] = "pruned"
                    raise optuna.TrialPruned()
            record["state"] = "complete"
            return float(np.mean(scores))
        finally:
            record["s"] = time.perf_counter() - t0
            if on_trial is not None:
                on_trial({"trial": trial.number + 1, "trials": n_trials,
                          "state": record["state"], "roc_auc": record["roc_auc"],
                          "best": max((h["roc_auc"] for h in history
                                       if h["state"] == "complete"), default=math.nan)})

    study.optimize(objective, n_trials=n_trials, timeout=budget_s, gc_after_trial=False)
    done = [h for h in history if h["state"] == "complete"]
    best = max(done, key=lambda h: (h["roc_auc"], -h["number"]))
    return {"params": best["params"], "best_value": best["roc_auc"],
            "best_trial": best["number"], "history": history, "tried": done,
            "trials": len(history), "pruned": sum(h["state"] == "pruned" for h in history),
            "n_trials": n_trials, "budget_s": budget_s, "sampler": "TPE", "seed": seed,
            "folds": len(folds), "wall_s": time.perf_counter() - started}


def _show(value: Any) -> str:
    """A setting for display: floats to 4 significant digits."""
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, tuple):
        return ",".join(map(str, value))
    return str(value)


def to_json(info: dict[str, Any] | None) -> dict[str, Any] | None:
    """The search as plain JSON (history rounded) for `train --json`, the page and report."""
    if not info:
        return None
    history = [{"number": h["number"], "state": h["state"],
                "roc_auc": plain(round(h["roc_auc"], 5) if math.isfinite(h["roc_auc"])
                                  else math.nan),
                "folds": h["folds"], "s": round(h["s"], 3),
                "params": {k: plain(v) for k, v in h["params"].items()}}
               for h in info.get("history", [])]
    keep = ("best_value", "best_trial", "trials", "pruned", "n_trials", "budget_s", "sampler",
            "seed", "folds", "wall_s")
    out = {k: plain(info[k]) for k in keep if k in info}
    out["params"] = {k: plain(v) for k, v in info["params"].items()}
    out["history"] = history
    return out


def history_frame(searches: dict[str, dict[str, Any]]) -> pd.DataFrame:
    """model, trial, state, roc_auc, best_so_far, folds, s, params: one row per trial of each
    model's search (the page's chart and table, the report's figure)."""
    rows = []
    for model, info in searches.items():
        best = -math.inf
        for h in (info or {}).get("history", []):
            if h["state"] == "complete" and h["roc_auc"] > best:
                best = h["roc_auc"]
            rows.append({"model": model, "trial": h["number"], "state": h["state"],
                         "roc_auc": h["roc_auc"], "best_so_far": best if best > -math.inf
                         else math.nan, "folds": h["folds"], "s": h["s"],
                         "params": ", ".join(f"{k}={_show(v)}" for k, v in
                                             h["params"].items())})
    return pd.DataFrame(rows, columns=["model", "trial", "state", "roc_auc", "best_so_far",
                                       "folds", "s", "params"])


def summary_frame(searches: dict[str, dict[str, Any]]) -> pd.DataFrame:
    """One row per tuned model: trials, pruned, best CV ROC-AUC, its trial and settings."""
    rows = []
    for model, info in searches.items():
        if not info:
            continue
        rows.append({"model": model, "trials": info.get("trials"), "pruned": info.get("pruned"),
                     "best_roc_auc": info.get("best_value"), "best_trial": info.get("best_trial"),
                     "seconds": round(float(info.get("wall_s", math.nan)), 2),
                     "params": ", ".join(f"{k}={_show(v)}" for k, v in
                                         info.get("params", {}).items())})
    return pd.DataFrame(rows, columns=["model", "trials", "pruned", "best_roc_auc",
                                       "best_trial", "seconds", "params"])
