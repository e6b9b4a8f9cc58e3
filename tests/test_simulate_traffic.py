"""Arrival processes: long-run rates match their curves; load patterns and time windows."""

import numpy as np
import pytest

from core.schema import LOAD_PATTERNS, TIME_WINDOWS
from core.simulate import traffic
from core.simulate.scenario import load_scenario


def _arrivals(spec: dict, n: int = 60_000):
    tr = load_scenario({"traffic": spec}).section("traffic")
    return tr, traffic.arrivals(tr, n, np.random.default_rng(0))


@pytest.mark.parametrize(("spec", "mean_rate"), [
    ({"kind": "poisson", "rate_per_s": 4.0}, 4.0),
    ({"kind": "diurnal", "rate_per_s": 4.0, "period_s": 600.0}, 4.0),
    ({"kind": "burst", "rate_per_s": 5.0}, (5 * 240 + 30 * 60) / 300),
    ({"kind": "thesis", "phase_s": 60.0}, (5 + 15 + 15 + (5 + 30 + 5) / 3) / 4),
])
def test_long_run_rate_matches_the_curve(spec, mean_rate):
    _, arr = _arrivals(spec)
    assert np.all(np.diff(arr.times) >= 0)
    assert len(arr.times) / arr.times[-1] == pytest.approx(mean_rate, rel=0.03)


def test_ramp_counts_follow_the_integral_then_hold():
    _, arr = _arrivals({"kind": "ramp", "rate_per_s": 5.0, "to_rate_per_s": 25.0,
                        "ramp_s": 600.0})
    in_ramp = np.sum(arr.times < 600.0)
    assert in_ramp == pytest.approx((5 + 25) / 2 * 600, rel=0.03)
    late = arr.times[arr.times > 700]
    assert len(late) / (late[-1] - late[0]) == pytest.approx(25.0, rel=0.03)
    assert set(arr.load_pattern) == {LOAD_PATTERNS.index("ramp_load")}


def test_thesis_phases_label_their_load_patterns():
    _, arr = _arrivals({"kind": "thesis", "phase_s": 60.0}, n=5000)
    first = arr.load_pattern[arr.times < 60.0]
    assert set(first) == {LOAD_PATTERNS.index("low_load")}
    assert set(arr.load_pattern) == {LOAD_PATTERNS.index(p) for p in traffic.THESIS_PHASES}


def test_trace_is_replayed_and_tiled():
    sc = load_scenario({"traffic": {"kind": "trace", "timestamps": [0, 2, 3]}, "requests": 7})
    arr = traffic.arrivals(sc.section("traffic"), 7, np.random.default_rng(0), sc.trace_times)
    assert arr.times.tolist() == [0, 2, 3, 4.5, 6.5, 7.5, 9.0]


def test_time_windows_follow_the_clock():
    hours = np.array([5.0, 9.0, 12.0, 18.0, 23.0, 2.0]) - 5.0
    codes = traffic.time_window_codes(hours * 3600.0, start_hour=5.0)
    assert [TIME_WINDOWS[c] for c in codes] == ["early_morning", "morning_peak", "midday",
                                                "evening", "late_night", "late_night"]


def test_rate_curve_previews_two_periods():
    tr = load_scenario({"traffic": {"kind": "burst"}}).section("traffic")
    t, rate = traffic.rate_curve(tr)
    assert t[-1] == 600.0 and rate.max() == 30.0 and rate.min() == 5.0
