"""Arrival times: Poisson, diurnal, ramp, burst, the thesis's load phases, or a replayed trace.

Non-constant rates use the time-rescaling theorem: unit-rate Poisson points are mapped
through the inverse of the cumulative rate Λ(t), computed once per period on a fine grid.
That is exact for a Poisson process with rate r(t) up to the grid's linear interpolation
and costs O(n) numpy work for any n.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.schema import LOAD_PATTERNS, TIME_WINDOWS

#: The thesis's Artillery phases (seed 000/002 and the shared Artillery logs).
THESIS_PHASES = ("low_load", "medium_load", "ramp_load", "burst_load")
THESIS_LOW, THESIS_MEDIUM, THESIS_RAMP, THESIS_BURST = 5.0, 15.0, (5.0, 25.0), (5.0, 30.0)
#: Local hour at which each time window starts (the load generator's clock), in TIME_WINDOWS
#: order: early_morning 4-8, morning_peak 8-11, midday 11-17, evening 17-22, late_night 22-4.
WINDOW_START_HOURS = (4.0, 8.0, 11.0, 17.0, 22.0)
_GRID_POINTS = 20_000


@dataclass(frozen=True)
class Arrivals:
    """Sorted arrival times (s from 0) and the load-pattern code (index into LOAD_PATTERNS)."""

    times: np.ndarray
    load_pattern: np.ndarray


def _default_pattern(traffic: dict) -> int:
    if traffic.get("load_pattern"):
        return LOAD_PATTERNS.index(traffic["load_pattern"])
    kind = traffic["kind"]
    if kind == "ramp":
        return LOAD_PATTERNS.index("ramp_load")
    if kind == "burst":
        return LOAD_PATTERNS.index("burst_load")
    if kind == "poisson" and traffic["rate_per_s"] <= 10:
        return LOAD_PATTERNS.index("low_load")
    return LOAD_PATTERNS.index("medium_load")


def period_of(traffic: dict) -> float | None:
    """Length of one period of the rate curve (None: constant, or not periodic)."""
    kind = traffic["kind"]
    if kind in ("diurnal", "burst"):
        return float(traffic["period_s"])
    if kind == "thesis":
        return 4.0 * float(traffic["phase_s"])
    return None


def rate_at(traffic: dict, t: np.ndarray) -> np.ndarray:
    """Arrival rate (requests/s) at times t for a non-trace traffic spec."""
    t = np.asarray(t, dtype=float)
    kind = traffic["kind"]
    base = float(traffic.get("rate_per_s", 0.0))
    if kind == "poisson":
        return np.full_like(t, base)
    if kind == "diurnal":
        hour = (traffic["start_hour"] + t / 3600.0) % 24.0
        phase = 2 * np.pi * (hour - traffic["peak_hour"]) * 3600.0 / traffic["period_s"]
        return base * (1.0 + traffic["amplitude"] * np.cos(phase))
    if kind == "ramp":
        frac = np.clip(t / traffic["ramp_s"], 0.0, 1.0)
        return base + (traffic["to_rate_per_s"] - base) * frac
    if kind == "burst":
        pos = t % traffic["period_s"]
        start, length = traffic["burst_start_s"], traffic["burst_s"]
        inside = (pos >= start) & (pos < start + length)
        return np.where(inside, traffic["burst_rate_per_s"], base)
    if kind == "thesis":
        return _thesis_rate(t, float(traffic["phase_s"]))
    raise ValueError(f"no rate curve for traffic kind {kind!r}")


def _thesis_rate(t: np.ndarray, phase_s: float) -> np.ndarray:
    phase = (t // phase_s).astype(np.int64) % 4
    pos = (t % phase_s) / phase_s
    ramp = THESIS_RAMP[0] + (THESIS_RAMP[1] - THESIS_RAMP[0]) * pos
    burst = np.where((pos >= 1 / 3) & (pos < 2 / 3), THESIS_BURST[1], THESIS_BURST[0])
    return np.select([phase == 0, phase == 1, phase == 2], [THESIS_LOW, THESIS_MEDIUM, ramp],
                     burst)


def _cumulative(traffic: dict, span: float) -> tuple[np.ndarray, np.ndarray]:
    """A time grid over [0, span] and the cumulative rate Λ on it (trapezoid rule)."""
    grid = np.linspace(0.0, span, _GRID_POINTS + 1)
    rate = rate_at(traffic, grid)
    cum = np.concatenate([[0.0], np.cumsum((rate[1:] + rate[:-1]) * 0.5 * np.diff(grid))])
    return grid, cum


def arrivals(traffic: dict, n: int, rng: np.random.Generator,
             trace_times: np.ndarray | None = None) -> Arrivals:
    """n arrival times for a validated traffic section (see core.simulate.scenario)."""
    if traffic["kind"] == "trace":
        return _replay(trace_times, n, _default_pattern(traffic))
    return from_units(traffic, np.cumsum(rng.exponential(1.0, size=n)))


def from_units(traffic: dict, units: np.ndarray) -> Arrivals:
    """Arrival times of unit-rate Poisson points `units` (sorted) under the traffic's rate
    curve. A long run continues a process by passing its next points (last unit + more
    exponential gaps): the rate curve's phase carries on across chunks."""
    kind = traffic["kind"]
    n = len(units)
    pattern = np.full(n, _default_pattern(traffic), dtype=np.int8)
    if kind == "poisson":
        return Arrivals(units / float(traffic["rate_per_s"]), pattern)
    period = period_of(traffic)
    if period is not None:
        grid, cum = _cumulative(traffic, period)
        per_period = cum[-1]
        k = np.floor(units / per_period)
        times = k * period + np.interp(units - k * per_period, cum, grid)
        if kind == "thesis":
            phase = (times // float(traffic["phase_s"])).astype(np.int64) % 4
            codes = np.array([LOAD_PATTERNS.index(p) for p in THESIS_PHASES], dtype=np.int8)
            pattern = codes[phase]
        return Arrivals(times, pattern)
    # ramp: grid over the ramp, constant rate afterwards
    ramp_s = float(traffic["ramp_s"])
    grid, cum = _cumulative(traffic, ramp_s)
    after = units > cum[-1]
    times = np.interp(units, cum, grid)
    times[after] = ramp_s + (units[after] - cum[-1]) / float(traffic["to_rate_per_s"])
    return Arrivals(times, pattern)


def expected_requests(traffic: dict, horizon_s: float) -> float:
    """Mean number of arrivals in [0, horizon_s] (the cumulative rate Λ(horizon))."""
    kind = traffic["kind"]
    if kind == "poisson":
        return float(traffic["rate_per_s"]) * horizon_s
    period = period_of(traffic)
    if period is not None:
        grid, cum = _cumulative(traffic, period)
        whole, rest = divmod(horizon_s, period)
        return float(whole * cum[-1] + np.interp(rest, grid, cum))
    ramp_s = float(traffic["ramp_s"])
    grid, cum = _cumulative(traffic, ramp_s)
    if horizon_s <= ramp_s:
        return float(np.interp(horizon_s, grid, cum))
    return float(cum[-1] + (horizon_s - ramp_s) * float(traffic["to_rate_per_s"]))


def _replay(trace: np.ndarray | None, n: int, pattern: int) -> Arrivals:
    """The trace's offsets; tiled back to back (period = span + mean gap) when n is larger."""
    if trace is None or len(trace) == 0:
        raise ValueError("trace traffic needs trace times (validated by the scenario)")
    gap = float(np.mean(np.diff(trace))) if len(trace) > 1 else 1.0
    period = float(trace[-1]) + max(gap, 1e-6)
    reps = -(-n // len(trace))
    times = (trace[None, :] + period * np.arange(reps)[:, None]).ravel()[:n]
    return Arrivals(times, np.full(n, pattern, dtype=np.int8))


def time_window_codes(times: np.ndarray, start_hour: float) -> np.ndarray:
    """Index into TIME_WINDOWS of each arrival's local hour (clock starts at start_hour)."""
    hour = (start_hour + np.asarray(times) / 3600.0) % 24.0
    starts = np.asarray(WINDOW_START_HOURS)
    idx = np.searchsorted(starts, hour, side="right") - 1  # -1: before 4h -> late_night
    idx[idx < 0] = len(TIME_WINDOWS) - 1
    return idx.astype(np.int8)


def rate_curve(traffic: dict, points: int = 400) -> tuple[np.ndarray, np.ndarray]:
    """(t_s, requests/s) over two periods of the curve (an hour when it is not periodic), to
    preview a traffic shape; a trace has no curve (empty arrays)."""
    if traffic.get("kind") == "trace":
        return np.array([]), np.array([])
    period = period_of(traffic)
    span = 2.0 * period if period else max(3600.0, 2.0 * float(traffic.get("ramp_s", 0.0)))
    t = np.linspace(0.0, span, points)
    return t, rate_at(traffic, t)
