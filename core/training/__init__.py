"""Train and compare models honestly: zoo, splits, metrics, parallel runner, checks."""

from core.training.zoo import DEFAULT_MODELS, MODEL_NAMES, make_pipeline

__all__ = ["DEFAULT_MODELS", "MODEL_NAMES", "make_pipeline"]
