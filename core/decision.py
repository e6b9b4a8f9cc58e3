"""The decision threshold: P(Lambda) at or above it routes to Lambda.

Why one place: `core predict`, the simulator and the deployed handler must make the same
decision for the same request. The threshold is stored with each model version (registry
metadata, written at training) and copied into the Lambda zip's metadata.json, which the
handler reads; every reader goes through :func:`decision_threshold`.
"""

from __future__ import annotations

import math
from typing import Any

from core.errors import UserError

DEFAULT_THRESHOLD = 0.5


def decision_threshold(metadata: dict[str, Any] | None) -> float:
    """The threshold a model version was saved with (top level or under ``extra``), else
    DEFAULT_THRESHOLD. A stored value outside [0, 1] is a UserError (a tampered version)."""
    meta = metadata or {}
    value = meta.get("decision_threshold", (meta.get("extra") or {}).get("decision_threshold"))
    if value is None:
        return DEFAULT_THRESHOLD
    if isinstance(value, bool) or not isinstance(value, int | float) or not (
            math.isfinite(value) and 0.0 <= value <= 1.0):
        raise UserError(f"The model's decision_threshold must be a number in [0, 1]; got "
                        f"{value!r}. Retrain the model or fix its metadata.")
    return float(value)


def platform_for(probability: float, threshold: float = DEFAULT_THRESHOLD) -> str:
    """"lambda" when P(Lambda) >= threshold, else "ecs"."""
    return "lambda" if probability >= threshold else "ecs"
