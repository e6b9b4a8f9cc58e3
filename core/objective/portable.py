"""An objective router -> the portable JSON document, evaluated by the same stdlib evaluator
and Lambda handler as a classifier.

Why the same format: one evaluator file, one handler, one build and invoke path. The document
holds the shared feature transform, the six regressors (raw LightGBM trees) and the objective;
``core.portable.evaluator.Model.route`` predicts and decides with the standard library only.
"""

from __future__ import annotations

from typing import Any

from core.objective.objectives import PREDICTION_KEYS, Objective
from core.objective.predictors import COST_UNIT, MODEL_TYPE, PlatformPredictors
from core.portable.evaluator import FORMAT, FORMAT_VERSION
from core.portable.export import lightgbm_regressor


def export_router(predictors: PlatformPredictors, objective: Objective, *,
                  metadata: dict[str, Any] | None = None) -> dict[str, Any]:
    """The portable document of a router deciding by ``objective``."""
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "model_type": MODEL_TYPE,
        "features": predictors.transform.to_dict(),
        "scale": None,
        "estimator": {"kind": "router", "cost_unit": COST_UNIT,
                      "objective": objective.to_dict(),
                      "regressors": {key: lightgbm_regressor(predictors.models[key])
                                     for key in PREDICTION_KEYS}},
        "metadata": {"latency_field": predictors.latency_field,
                     "workloads": predictors.workloads, **(metadata or {})},
    }
