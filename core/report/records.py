"""What a report can show: the `Story` a run fills step by step, and its `Champion`.

Why a module of its own: the report builder reads a Story and the pipeline (core.pipeline)
fills one; keeping the data here lets both import it without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd


@dataclass
class Champion:
    """The model the rest of the story uses: the run's best, or a registry version."""

    model_id: str
    kind: str
    pipeline: Any
    origin: str  # "trained in this run" | "registry"


@dataclass
class Story:
    """Everything a report can show. Any part may be None; `missing[step]` says why."""

    source: str = ""
    frame: pd.DataFrame | None = None
    ingest: dict[str, Any] | None = None
    diagnosis: Any = None
    train_run: Any = None
    champion: Champion | None = None
    explanation: Any = None
    simulation: Any = None
    simulation_seeds: dict[str, Any] | None = None  # Monte-Carlo 95 % intervals
    deployment: dict[str, Any] | None = None
    missing: dict[str, str] = field(default_factory=dict)
    timings_s: dict[str, float] = field(default_factory=dict)
    seed: int = 0
    label_rule: dict[str, Any] | None = None  # how labels were computed (None: given)
    objective: dict[str, Any] | None = None  # routing by objective (core.objective.report)
