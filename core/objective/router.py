"""An objective router: stored predictors + an objective -> a route per request.

Why here and not in the replay: the simulator, the CLI, the page and the benchmarks route the
same way, predicting each distinct input row once (a million logged requests have a few
thousand distinct feature rows).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from core.errors import UserError
from core.objective.objectives import Objective, decide, parse_objective
from core.objective.predictors import MODEL_TYPE, PlatformPredictors, TrainedRouter


def is_router(loaded_or_metadata: Any) -> bool:
    """A registry version (or its metadata) that holds per-platform predictors."""
    meta = getattr(loaded_or_metadata, "metadata", loaded_or_metadata) or {}
    return meta.get("model_type") == MODEL_TYPE


def save_router(registry: Any, trained: TrainedRouter, *, train_frame: pd.DataFrame,
                seed: int, extra: dict[str, Any] | None = None) -> str:
    """Save the predictors as one registry version (model type "router")."""
    from core.fingerprint import dataset_fingerprint

    p = trained.predictors
    return registry.save(p, model_type=MODEL_TYPE, metrics=trained.metrics,
                         features=p.input_features, train_frame=train_frame, seed=seed,
                         extra={"router": True, "latency_field": p.latency_field,
                                "workloads": p.workloads,
                                "default_objective": trained.default_objective,
                                "dataset_fingerprint": dataset_fingerprint(train_frame),
                                **(extra or {})})


def load_router(registry: Any, ref: str) -> tuple[PlatformPredictors, dict[str, Any]]:
    """The predictors and metadata of a router version; UserError for a classifier."""
    loaded = registry.load(ref)
    if not is_router(loaded) or not isinstance(loaded.pipeline, PlatformPredictors):
        raise UserError(f"Model {loaded.model_id} is a {loaded.metadata.get('model_type')} "
                        "classifier, not a router; train one with `python -m core "
                        "train-router FILE` and pass its id.")
    return loaded.pipeline, loaded.metadata


def objective_for(spec: Any, predictors: PlatformPredictors,
                  metadata: dict[str, Any] | None = None) -> Objective:
    """The objective to route by: ``spec`` (JSON or object), else the version's default."""
    if spec is None:
        spec = ((metadata or {}).get("extra") or {}).get("default_objective")
        if spec is None:
            raise UserError("No objective given and the router has no default; pass "
                            "--objective '{\"kind\": \"min_cost\", \"p95_ms\": 1500}'.")
    return parse_objective(spec, predictors.workloads)


def distinct_rows(frame: pd.DataFrame, columns: list[str]) -> tuple[pd.DataFrame, np.ndarray]:
    """The distinct rows over ``columns`` and, per row of ``frame``, its distinct row."""
    codes = np.zeros(len(frame), dtype=np.int64)
    for col in columns:
        col_codes, uniques = pd.factorize(frame[col], use_na_sentinel=False)
        codes = pd.factorize(codes * (len(uniques) + 1) + col_codes)[0]  # compact, in order
    first = np.unique(codes, return_index=True)[1]  # code k first appears at first[k]
    return frame.iloc[first][columns].reset_index(drop=True), codes


def _check_inputs(predictors: PlatformPredictors, frame: pd.DataFrame) -> None:
    missing = [c for c in predictors.input_features if c not in frame.columns]
    if missing:
        raise UserError(f"The router reads {predictors.input_features}; the data lacks "
                        f"{missing}. Use a router trained on this data's columns.")


def predict_rows(predictors: PlatformPredictors, frame: pd.DataFrame
                 ) -> dict[str, np.ndarray]:
    """Predictions per request, each distinct input row predicted once."""
    _check_inputs(predictors, frame)
    distinct, inverse = distinct_rows(frame, predictors.input_features)
    pred = predictors.predict(distinct)
    return {k: v[inverse] for k, v in pred.items()}


def route(predictors: PlatformPredictors, frame: pd.DataFrame, objective: Objective, *,
          predictions: bool = True) -> tuple[np.ndarray, dict[str, np.ndarray] | None]:
    """(True where the request goes to Lambda, the predictions behind it or None).

    Each distinct input row is predicted and decided once (the decision is a function of the
    row's predictions and workload, both the same for equal rows)."""
    _check_inputs(predictors, frame)
    distinct, inverse = distinct_rows(frame, predictors.input_features)
    pred = predictors.predict(distinct)
    workload = distinct["workload_type"].astype(str).to_numpy(dtype=object)
    choice = decide(objective, pred, workload)[inverse]
    if not predictions:
        return choice, None
    return choice, {k: v[inverse] for k, v in pred.items()}
