"""Small constructed request tables for the diagnostics tests: a clean one (every check
passes) and one variant per finding code, where the answer is known by construction."""

from __future__ import annotations

import numpy as np
import pandas as pd

WORKLOAD_KB = {"lightweight_api": 1.0, "thumbnail_processing": 100.0,
               "medium_processing": 1000.0, "heavy_processing": 3000.0}
TIME_WINDOWS = ("early_morning", "morning_peak", "midday", "evening", "late_night")
LOAD_PATTERNS = ("low_load", "medium_load", "ramp_load", "burst_load")


def clean(n: int = 400, seed: int = 0) -> pd.DataFrame:
    """Label = majority vote of three features (payload level, time window, load pattern):
    it varies inside every workload, no single feature carries it, no duplicate conflicts."""
    rng = np.random.default_rng(seed)
    workload = rng.choice(list(WORKLOAD_KB), n)
    level = rng.integers(0, 5, n)
    window = rng.choice(TIME_WINDOWS, n)
    pattern = rng.choice(LOAD_PATTERNS, n)
    votes = ((level >= 2).astype(int) + np.isin(window, TIME_WINDOWS[1:4])
             + np.isin(pattern, LOAD_PATTERNS[2:]))
    return pd.DataFrame({
        "workload_type": workload,
        "payload_size_kb": np.array([WORKLOAD_KB[w] for w in workload]) * (1 + level),
        "time_window": window,
        "load_pattern": pattern,
        "label": pd.array((votes >= 2).astype(int), dtype="Int64"),
    })


def trigger(code: str, n: int = 400, seed: int = 0) -> tuple[pd.DataFrame, dict]:
    """A variant of `clean` that must raise `code`; returns (frame, diagnose kwargs)."""
    frame = clean(n, seed)
    rng = np.random.default_rng(seed + 1)
    kwargs: dict = {}
    level = (frame["payload_size_kb"] / frame["workload_type"].map(WORKLOAD_KB)).round() - 1
    if code == "DETERMINISTIC_LABEL":
        frame["label"] = (frame["workload_type"] != "lightweight_api").astype("Int64")
    elif code == "CONSTANT_WITHIN_GROUP":
        frame["region"] = frame["workload_type"].map(
            {w: f"eu-{i}" for i, w in enumerate(WORKLOAD_KB)})
    elif code == "OUTCOME_LEAKAGE":
        frame["latency_ms"] = 100.0 + 50.0 * frame["label"].astype(float) + rng.random(n)
    elif code == "GOLDEN_FEATURE":
        noise = rng.random(n) < 0.15
        frame["label"] = pd.array(np.where(noise, 1 - (level >= 2), level >= 2).astype(int),
                                  dtype="Int64")
    elif code == "FEATURE_DOMINANCE":
        a = level >= 2
        b = frame["load_pattern"].eq("burst_load") & frame["time_window"].eq("midday")
        frame["label"] = pd.array((a | b).astype(int), dtype="Int64")
    elif code == "CONFLICTING_DUPLICATES":  # one request (same id) labelled both ways
        frame = with_ids(frame, seed)
        twins = frame.sample(n // 10, random_state=seed)
        twins["label"] = 1 - twins["label"]
        frame = pd.concat([frame, twins], ignore_index=True)
    elif code == "LABEL_NOISE":  # different requests that look alike, labelled differently
        twins = frame.sample(n // 10, random_state=seed)
        twins["label"] = 1 - twins["label"]
        frame = pd.concat([frame, twins], ignore_index=True)
    elif code == "CLASS_IMBALANCE":
        frame["label"] = pd.array((rng.random(n) < 0.05).astype(int), dtype="Int64")
    elif code == "TOO_FEW_LEVELS":
        frame["payload_size_kb"] = frame["workload_type"].map(WORKLOAD_KB) * (1 + (level >= 2))
    elif code == "ID_COLUMN":
        frame["trace"] = [f"t-{i:05d}" for i in rng.permutation(n)]
    else:
        raise KeyError(code)
    return frame, kwargs


def with_ids(frame: pd.DataFrame, seed: int = 0) -> pd.DataFrame:
    """Add what a logged request carries: a request id and a timestamp (both unique)."""
    rng = np.random.default_rng(seed + 7)
    n = len(frame)
    start = pd.Timestamp("2025-11-22T06:00:00Z")
    seconds = np.sort(rng.uniform(0, 6 * 3600, n))
    return frame.assign(
        request_id=[f"req_{i:06d}_{rng.integers(1_000_000):06d}" for i in range(n)],
        timestamp=start + pd.to_timedelta(seconds, unit="s"))


def published(n: int = 400, seed: int = 0) -> pd.DataFrame:
    """The shape of most published datasets: pre-routing columns, a timestamp and a given
    label, and no latency or cost column."""
    frame = with_ids(clean(n, seed), seed).drop(columns=["request_id"])
    return frame[["workload_type", "payload_size_kb", "time_window", "load_pattern",
                  "timestamp", "label"]]


def sorted_by_label(n: int = 400, seed: int = 0) -> pd.DataFrame:
    """A file sorted by label, with a column numbering its rows (outside the features)."""
    frame = clean(n, seed).sort_values("label", kind="stable").reset_index(drop=True)
    return frame.assign(row=np.arange(1, n + 1))


def conflicting_records(n: int = 400, seed: int = 0, share: float = 0.25) -> pd.DataFrame:
    """Exact records (every column equal, id and timestamp included) with opposite labels on
    about `share` of the rows."""
    frame = with_ids(clean(n, seed), seed)
    twins = frame.sample(int(n * share / 2), random_state=seed)
    twins["label"] = 1 - twins["label"]
    return pd.concat([frame, twins], ignore_index=True)
