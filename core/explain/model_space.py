"""From a fitted pipeline and a request frame to the model's own input matrix.

Why: SHAP is computed on the matrix the estimator sees (after one-hot, imputation and scaling)
and summed back to the user's features with `FeatureTransform.source_feature_`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from core.errors import UserError


@dataclass
class ModelSpace:
    """The estimator and what it sees: the matrix and each column's source feature."""

    estimator: Any
    matrix: np.ndarray
    sources: list[str]
    features: list[str]


def split_pipeline(pipeline: Any) -> tuple[Any, Any, Any]:
    """(feature transform, preprocessing steps incl. features, final estimator)."""
    steps = getattr(pipeline, "named_steps", None)
    if steps is None or "features" not in steps or len(pipeline.steps) < 2:
        raise UserError(
            f"Expected a routing-lab Pipeline [features, (scale), model]; got "
            f"{type(pipeline).__name__}. Train the model with the Train page or "
            "`python -m core train`.")
    return steps["features"], pipeline[:-1], pipeline.steps[-1][1]


def input_features(pipeline: Any) -> list[str]:
    """The original feature columns the pipeline reads."""
    transform, _, _ = split_pipeline(pipeline)
    return list(transform.input_features_)


def to_model_space(pipeline: Any, frame: pd.DataFrame) -> ModelSpace:
    """Transform `frame` through every step except the estimator."""
    transform, pre, estimator = split_pipeline(pipeline)
    matrix = np.asarray(pre.transform(frame), dtype=np.float64)
    return ModelSpace(estimator=estimator, matrix=matrix,
                      sources=list(transform.source_feature_),
                      features=list(transform.input_features_))


def positive_index(estimator: Any) -> int:
    """Output column for class 1 (Lambda optimal); the last class when 1 is absent."""
    classes = list(getattr(estimator, "classes_", [0, 1]))
    return classes.index(1) if 1 in classes else len(classes) - 1


def sum_by_source(values: np.ndarray, sources: list[str], features: list[str]) -> np.ndarray:
    """Sum per-column SHAP (n, p) into per-feature SHAP (n, k): one-hot parts back together."""
    out = np.zeros((values.shape[0], len(features)), dtype=np.float64)
    index = {f: i for i, f in enumerate(features)}
    for j, src in enumerate(sources):
        out[:, index[src]] += values[:, j]
    return out
