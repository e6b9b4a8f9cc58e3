"""ui.data_figures: each builder returns a plotly figure with the data it was given."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from core import figures, profile
from ui import data_figures as figs


def _frame() -> pd.DataFrame:
    return pd.DataFrame({
        "platform": ["lambda", "ecs", "lambda", "ecs"],
        "workload_type": ["heavy_processing", "heavy_processing", "lightweight_api", "custom"],
        "payload_size_kb": [2048.0, 4096.0, 1.0, 5.0],
        "latency_ms": [900.0, 800.0, 12.0, 15.0],
        "timestamp": ["2025-11-23T08:00:00", "2025-11-23T08:00:01Z", "bad", None],
        "load_pattern": ["ramp_load", "ramp_load", "low_load", "low_load"],
    })


def test_latency_figures_are_log_scaled_and_ordered():
    frame = _frame()
    box = figs.latency_box(profile.box_stats(frame, "latency_ms"), "latency_ms")
    assert isinstance(box, go.Figure) and box.layout.yaxis.type == "log"
    order = box.layout.xaxis.categoryarray
    assert list(order) == ["lightweight_api", "heavy_processing", "custom"]
    scatter = figs.latency_vs_payload(frame, "latency_ms")
    assert scatter.layout.xaxis.type == "log"
    over_time = figs.latency_over_time(frame, "latency_ms")
    assert {t.name for t in over_time.data} == {"ramp_load", "low_load"}


def test_share_bars_show_band_and_percentages():
    shares = pd.DataFrame({"workload_type": ["lightweight_api", "heavy_processing"],
                           "rows": [10, 10], "lambda_optimal_share": [0.5, 0.95],
                           "in_band": [True, False]})
    fig = figures.label_shares(shares)
    assert fig.layout.shapes[0].y0 == 0.2 and fig.layout.shapes[0].y1 == 0.8
    assert fig.layout.yaxis.tickformat == ".0%"
    cold = pd.DataFrame({"workload_type": ["lightweight_api"], "lambda_requests": [4],
                         "cold_starts": [1], "cold_start_share": [0.25]})
    assert figs.cold_start_bars(cold).data[0].y[0] == 0.25


def test_latency_over_time_gives_each_load_pattern_its_own_time_axis():
    fig = figs.latency_over_time(_frame(), "latency_ms")
    assert {a.text for a in fig.layout.annotations} == {"ramp_load", "low_load"}
    assert fig.layout.xaxis2.matches is None  # separate runs do not share one clock
    assert "%Y" not in fig.layout.xaxis.tickformat  # short ticks: no overlap on a phone
    one = figs.latency_over_time(_frame().assign(load_pattern="low_load"), "latency_ms")
    assert not one.layout.annotations
