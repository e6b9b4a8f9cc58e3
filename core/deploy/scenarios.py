"""The thesis's six local test scenarios (seeds/000, test_local.py) as request events.

The thesis hard-coded an expected platform per scenario; here the expectation is the
trained library model's own prediction, so a scenario fails only when the deployed
function disagrees with the model it was built from.
"""

from __future__ import annotations

from typing import Any

SCENARIOS: list[dict[str, Any]] = [
    {"name": "Small lightweight API - midday",
     "event": {"workload_type": "lightweight_api", "payload_size_kb": 1.0,
               "time_window": "midday", "load_pattern": "low_load",
               "timestamp": "2025-11-23T12:00:00Z"}},
    {"name": "Large lightweight API - early morning",
     "event": {"workload_type": "lightweight_api", "payload_size_kb": 100.0,
               "time_window": "early_morning", "load_pattern": "low_load",
               "timestamp": "2025-11-23T05:30:00Z"}},
    {"name": "Thumbnail processing - medium load",
     "event": {"workload_type": "thumbnail_processing", "payload_size_kb": 250.0,
               "time_window": "midday", "load_pattern": "medium_load",
               "timestamp": "2025-11-23T13:15:00Z"}},
    {"name": "Large thumbnail - early morning cold starts",
     "event": {"workload_type": "thumbnail_processing", "payload_size_kb": 1024.0,
               "time_window": "early_morning", "load_pattern": "burst_load",
               "timestamp": "2025-11-23T06:00:00Z"}},
    {"name": "Heavy processing - medium payload",
     "event": {"workload_type": "heavy_processing", "payload_size_kb": 500.0,
               "time_window": "evening", "load_pattern": "medium_load",
               "timestamp": "2025-11-23T19:00:00Z"}},
    {"name": "Medium processing - large payload",
     "event": {"workload_type": "medium_processing", "payload_size_kb": 2048.0,
               "time_window": "morning_peak", "load_pattern": "ramp_load",
               "timestamp": "2025-11-23T08:30:00Z"}},
]


def scenario_events() -> list[dict[str, Any]]:
    """The six request events, in the thesis's order."""
    return [dict(s["event"]) for s in SCENARIOS]


def compare_with_library(pipeline: Any, events: list[dict[str, Any]],
                         responses: list[dict[str, Any]], *, names: list[str] | None = None,
                         invoke_ms: list[float] | None = None, tolerance: float = 1e-6
                         ) -> list[dict[str, Any]]:
    """One row per event: the function's answer next to the library model's predict_proba.

    `match` is False when the status is not 200, the fallback route was used, or the
    probabilities differ by more than `tolerance`.
    """
    import json

    import pandas as pd

    columns = list(pipeline.named_steps["features"].input_features_)
    frame = pd.DataFrame([{c: e.get(c) for c in columns} for e in events], columns=columns)
    library = pipeline.predict_proba(frame)[:, 1]
    rows = []
    for i, (event, response, ref) in enumerate(zip(events, responses, library, strict=True)):
        body = response.get("body")
        body = json.loads(body) if isinstance(body, str) else (body or {})
        pred = body.get("prediction") or {}
        p = pred.get("lambda_probability")
        diff = abs(p - float(ref)) if isinstance(p, float | int) else None
        rows.append({
            "scenario": names[i] if names else f"event {i + 1}",
            "workload_type": event.get("workload_type"),
            "payload_size_kb": event.get("payload_size_kb"),
            "status": response.get("statusCode"),
            "platform": pred.get("platform"),
            "lambda_probability": p,
            "library_probability": float(ref),
            "abs_diff": diff,
            "invoke_ms": invoke_ms[i] if invoke_ms else None,
            "match": response.get("statusCode") == 200 and not body.get("fallback")
            and diff is not None and diff <= tolerance,
        })
    return rows
