"""Train and compare models honestly: zoo, splits, metrics, parallel runner, checks."""

from core.training.result import ModelResult, TrainRun
from core.training.runner import train_and_compare, warm_up
from core.training.zoo import DEFAULT_MODELS, MODEL_NAMES, make_pipeline

__all__ = ["DEFAULT_MODELS", "MODEL_NAMES", "ModelResult", "TrainRun", "make_pipeline",
           "train_and_compare", "warm_up"]
