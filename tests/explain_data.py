"""Small synthetic request tables for the explain tests (known drivers, fast to fit)."""

from __future__ import annotations

import numpy as np
import pandas as pd

FEATURES = ["workload_type", "payload_size_kb", "time_window", "load_pattern"]
WORKLOADS = ["lightweight_api", "thumbnail_processing", "medium_processing", "heavy_processing"]


def variance_frame(rows: int = 600, seed: int = 0) -> pd.DataFrame:
    """Labels vary within workloads: payload and load pattern matter, and interact."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({
        "workload_type": rng.choice(WORKLOADS, rows),
        "payload_size_kb": rng.choice([1.0, 10.0, 100.0, 500.0, 1000.0], rows),
        "time_window": rng.choice(["morning_peak", "midday", "evening"], rows),
        "load_pattern": rng.choice(["low_load", "burst_load"], rows),
    })
    burst = (frame["load_pattern"] == "burst_load").to_numpy()
    logit = (1.5 * (frame["workload_type"] == "lightweight_api").to_numpy()
             - 0.6 * np.log1p(frame["payload_size_kb"].to_numpy()) * burst + 1.0)
    frame["label"] = (rng.random(rows) < 1 / (1 + np.exp(-logit))).astype(int)
    return frame


def trap_frame(rows: int = 600, seed: int = 0) -> pd.DataFrame:
    """The thesis's trap: label fixed per workload, one payload size per workload."""
    rng = np.random.default_rng(seed)
    workload = rng.choice(WORKLOADS, rows)
    payload = {w: p for w, p in zip(WORKLOADS, [1.0, 50.0, 200.0, 1000.0], strict=True)}
    frame = pd.DataFrame({
        "workload_type": workload,
        "payload_size_kb": [payload[w] for w in workload],
        "time_window": rng.choice(["morning_peak", "midday", "evening"], rows),
        "load_pattern": rng.choice(["low_load", "burst_load"], rows),
    })
    frame["label"] = np.isin(workload, WORKLOADS[:2]).astype(int)
    return frame
