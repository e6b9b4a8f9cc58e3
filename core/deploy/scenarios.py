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
