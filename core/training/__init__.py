"""Train and compare models honestly: zoo, splits, metrics, parallel runner, checks.

The names load on first use (PEP 562): asking for `train_and_compare` or `warm_up` first
starts the fork server of the model processes, which then imports the model libraries while
this process imports scikit-learn and prepares the data.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from core.training.result import ModelResult, TrainRun
    from core.training.runner import train_and_compare, warm_up
    from core.training.zoo import DEFAULT_MODELS, MODEL_NAMES, make_pipeline

__all__ = ["DEFAULT_MODELS", "MODEL_NAMES", "ModelResult", "TrainRun", "make_pipeline",
           "train_and_compare", "warm_up"]
_HOMES = {"ModelResult": "result", "TrainRun": "result", "train_and_compare": "runner",
          "warm_up": "runner", "DEFAULT_MODELS": "zoo", "MODEL_NAMES": "zoo",
          "make_pipeline": "zoo"}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    if home == "runner":
        from core.training import procs

        procs.start()
    value = getattr(importlib.import_module(f"core.training.{home}"), name)
    globals()[name] = value
    return value
