"""Synthetic load tests from a physical model of Lambda and Fargate (not random labels).

Each row is one request of a load-test run (a time window x a load pattern). Its latency and
cost come from the workload's compute model and the platform it ran on; the label then comes
from `core.labels.balanced_optimal`, exactly as for real logs, so labels vary only as much as
the physics makes them vary.

Model (all vectorised, one seeded ``np.random.default_rng``):

* Workload: ``service_ms = io_ms + (base_ms + ms_per_mb * payload_mb) / vcpu``: a CPU part
  measured at one vCPU plus waiting that no CPU speeds up.
* Lambda: ``vcpu = memory_mb / 1769`` (1,769 MB buys one vCPU); every request has its own
  instance, so load does not slow it down. Cold starts happen when the warm pool has to grow:
  after the idle gap before each run and whenever the arrival rate reaches a new high (ramp,
  burst); a cold request adds ``init_ms`` to its latency and bill.
* Fargate: ``tasks`` tasks of ``vcpu`` share all ECS traffic; utilisation
  ``rho = rate * ecs_share * mean_cpu_s / (tasks * vcpu)`` (capped at ``rho_max``) stretches
  the CPU part by ``1 / (1 - rho)`` (processor sharing), so ECS slows down under load.
* Traffic: time windows scale the arrival rate (morning peak busiest, late night quietest);
  load patterns shape it over a run (low, medium, ramp 1x to 5x, burst 6x in the middle third).
* Measurement: log-normal noise on execution time and on the client's network time, upload
  time proportional to payload, a client timeout that turns slow requests into 504 errors.
* Cost: `core.pricing` (Lambda billed duration incl. init; Fargate the request's
  share of its task's vCPU- and GB-hours).

Presets:

* ``variance``: realistic. Six 0.5-vCPU / 2-GB Fargate tasks whose utilisation follows the
  traffic, four or five payload sizes per workload, cold starts, 10 % noise. Labels move with
  payload (bigger payloads need more CPU, where the memory-limited Lambda falls behind), with load
  pattern and time window (busy ECS tasks favour Lambda). Three of four workloads have a
  Lambda-optimal share in 20–80 %; lightweight_api stays mostly ECS (its Lambda gets 0.07
  vCPU), as in the real logs' client-side view.
* ``trap``: the thesis's 100 %-accuracy trap. One payload per workload (the seeds' 1.05 /
  200 / 2730.67 / 5461.34 KB), Fargate steadily 90 % busy, no cold starts, 2 % noise: the
  label is a function of the workload (lightweight_api -> ECS, the others -> Lambda), and the
  latency and cost columns that produced it are all there to leak.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from core.errors import UserError
from core.labels import balanced_optimal
from core.pricing import fargate_cost, get_prices, lambda_cost
from core.schema import CANONICAL_COLUMNS, LOAD_PATTERNS, OPTIMAL_PLATFORM, TIME_WINDOWS, WORKLOADS

LAMBDA_MB_PER_VCPU = 1769.0
RUN_SECONDS = 600.0
_GRID = 1000


@dataclass(frozen=True)
class WorkloadProfile:
    """Compute model of one workload type (the simulator reuses these)."""

    name: str
    base_ms: float                        # CPU time at 1 vCPU, independent of payload
    ms_per_mb: float                      # extra CPU time at 1 vCPU per MB of payload
    io_ms: float                          # waiting (storage, network) not sped up by CPU
    payload_kb: tuple[float, ...]         # payload sizes a load test sends
    lambda_memory_mb: int                 # configured Lambda memory
    init_ms: float                        # Lambda cold-start init duration

    @property
    def ms_per_kb(self) -> float:
        """The payload term per KB (for models that count payload in KB)."""
        return self.ms_per_mb / 1024.0

    def cpu_ms(self, payload_kb: np.ndarray | float) -> np.ndarray | float:
        """CPU time at one vCPU for a payload."""
        return self.base_ms + self.ms_per_mb * np.asarray(payload_kb, dtype=float) / 1024.0

    def service_ms(self, payload_kb: np.ndarray | float, vcpu: float = 1.0):
        """Execution time on ``vcpu`` CPUs without contention or noise."""
        return self.io_ms + self.cpu_ms(payload_kb) / vcpu


#: Payload sets mirror the real logs (../shared/data/artillery/README.md).
WORKLOAD_PROFILES: dict[str, WorkloadProfile] = {
    "lightweight_api": WorkloadProfile("lightweight_api", 2.0, 150.0, 95.0,
                                       (0.5, 1.0, 5.0, 10.0), 128, 180.0),
    "thumbnail_processing": WorkloadProfile("thumbnail_processing", 12.0, 60.0, 50.0,
                                            (50.0, 100.0, 200.0, 500.0, 1024.0), 256, 250.0),
    "medium_processing": WorkloadProfile("medium_processing", 40.0, 90.0, 40.0,
                                         (1024.0, 2048.0, 3072.0, 4096.0), 512, 300.0),
    "heavy_processing": WorkloadProfile("heavy_processing", 80.0, 150.0, 40.0,
                                        (2048.0, 3072.0, 4096.0, 5120.0), 512, 350.0),
}

#: Arrival-rate multiplier of each time window.
WINDOW_RATE = {"early_morning": 0.6, "morning_peak": 1.4, "midday": 1.0, "evening": 1.2,
               "late_night": 0.5}
WINDOW_HOUR = {"early_morning": 6, "morning_peak": 9, "midday": 12, "evening": 18,
               "late_night": 23}


@dataclass(frozen=True)
class Scenario:
    """Knobs of a preset."""

    base_rate: float = 5.0            # requests/s of a low_load run at multiplier 1
    ecs_share: float = 0.5            # fraction of requests sent to ECS
    fargate_vcpu: float = 0.5
    fargate_memory_gb: float = 2.0
    tasks: int = 6
    rho_max: float = 0.9
    load_effects: bool = True         # False: utilisation fixed at rho_fixed
    rho_fixed: float = 0.9
    cold_starts: bool = True
    noise: float = 0.10               # log-normal sigma of execution time
    net_ms: float = 350.0             # median client network time
    upload_kb_per_s: float = 2500.0
    timeout_ms: float | None = 10_200.0
    single_payload: dict | None = None  # workload -> the one payload sent
    prices: str = "aws-2026"


PRESETS = {
    "variance": Scenario(),
    "trap": Scenario(fargate_vcpu=1.0, fargate_memory_gb=2.0, load_effects=False,
                     cold_starts=False, noise=0.02, timeout_ms=None,
                     single_payload={"lightweight_api": 1.05, "thumbnail_processing": 200.0,
                                     "medium_processing": 2730.67,
                                     "heavy_processing": 5461.34}),
}


def _rate_shape(pattern: str, u: np.ndarray) -> np.ndarray:
    """Arrival rate over a run (u in [0, 1)), relative to a low_load run."""
    if pattern == "low_load":
        return np.ones_like(u)
    if pattern == "medium_load":
        return np.full_like(u, 2.5)
    if pattern == "ramp_load":
        return 1.0 + 4.0 * u
    return np.where((u >= 1 / 3) & (u < 2 / 3), 6.0, 1.0)  # burst_load


def _pattern_tables() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per pattern on a grid: rate, CDF (rows are spread like the traffic), cold-start driver.

    The driver is ``d(max rate so far)/dt / rate``: the share of requests that need a new
    instance per second of service time (the pool starts empty after the idle gap).
    """
    u = (np.arange(_GRID) + 0.5) / _GRID
    dt = RUN_SECONDS / _GRID
    rates, cdfs, drivers = [], [], []
    for pattern in LOAD_PATTERNS:
        rate = _rate_shape(pattern, u)
        cdf = np.concatenate([[0.0], np.cumsum(rate)])
        rates.append(rate)
        cdfs.append(cdf / cdf[-1])
        peak = np.maximum.accumulate(rate)
        drivers.append(np.diff(np.concatenate([[0.0], peak])) / dt / rate)
    return np.array(rates), np.array(cdfs), np.array(drivers)


def _profile_arrays(scenario: Scenario):
    profiles = [WORKLOAD_PROFILES[w] for w in WORKLOADS]
    sets = [(scenario.single_payload[p.name],) if scenario.single_payload else p.payload_kb
            for p in profiles]
    counts = np.array([len(s) for s in sets])
    offsets = np.concatenate([[0], np.cumsum(counts)[:-1]])
    flat = np.concatenate([np.asarray(s, dtype=float) for s in sets])
    field = {name: np.array([getattr(p, name) for p in profiles], dtype=float)
             for name in ("base_ms", "ms_per_mb", "io_ms", "lambda_memory_mb", "init_ms")}
    mean_cpu_s = np.mean([np.mean(p.cpu_ms(np.asarray(s))) for p, s in zip(profiles, sets,
                                                                          strict=True)]) / 1e3
    return counts, offsets, flat, field, mean_cpu_s


def _check(preset: str, rows: int, seed: int) -> Scenario:
    if preset not in PRESETS:
        raise UserError(f"preset must be one of {sorted(PRESETS)}; got {preset!r}. "
                        "Use 'variance' (realistic) or 'trap' (the 100 %-accuracy trap).")
    if isinstance(rows, bool) or not isinstance(rows, int | np.integer) or not 1 <= rows <= 10**7:
        raise UserError(f"rows must be a whole number from 1 to 10,000,000; got {rows!r}. "
                        "Pass e.g. --rows 6000.")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise UserError(f"seed must be a whole number >= 0; got {seed!r}. Pass e.g. --seed 0.")
    return PRESETS[preset]


def generate(preset: str = "variance", rows: int = 5000, seed: int = 0) -> pd.DataFrame:
    """A labelled canonical request table from the physical model (same seed, same frame)."""
    sc = _check(preset, rows, seed)
    rng = np.random.default_rng(seed)
    n = int(rows)
    rates, cdfs, drivers = _pattern_tables()
    counts, offsets, flat, field, mean_cpu_s = _profile_arrays(sc)

    # Which run (window x pattern) each request belongs to: busier runs log more requests.
    win_mult = np.array([WINDOW_RATE[w] for w in TIME_WINDOWS])
    run_weight = (win_mult[:, None] * rates.mean(axis=1)[None, :]).ravel()
    run = rng.choice(run_weight.size, size=n, p=run_weight / run_weight.sum())
    window, pattern = run // len(LOAD_PATTERNS), run % len(LOAD_PATTERNS)
    # Position in the run, spread like the traffic (inverse CDF of the rate).
    draw = rng.random(n)
    cell = _inverse_cdf(cdfs, pattern, draw)
    u = (cell + rng.random(n)) / _GRID
    rate = sc.base_rate * win_mult[window] * rates[pattern, cell]

    workload = rng.integers(0, len(WORKLOADS), n)
    payload = flat[offsets[workload] + (rng.random(n) * counts[workload]).astype(int)]
    is_ecs = rng.random(n) < sc.ecs_share
    cpu_ms = field["base_ms"][workload] + field["ms_per_mb"][workload] * payload / 1024.0
    io_ms = field["io_ms"][workload]
    noise = rng.lognormal(0.0, sc.noise, n)

    # Lambda: own instance, CPU share by memory; cold start when the pool must grow.
    memory = field["lambda_memory_mb"][workload]
    lam_exec = (io_ms + cpu_ms / (memory / LAMBDA_MB_PER_VCPU)) * noise
    p_cold = np.clip(lam_exec / 1e3 * drivers[pattern, cell], 0.0, 1.0)
    cold = ~is_ecs & (rng.random(n) < p_cold) if sc.cold_starts else np.zeros(n, dtype=bool)
    init_ms = np.where(cold, field["init_ms"][workload] * rng.lognormal(0.0, 0.2, n), 0.0)

    # Fargate: all ECS traffic shares the tasks; contention stretches the CPU part.
    if sc.load_effects:
        rho = rate * sc.ecs_share * mean_cpu_s / (sc.tasks * sc.fargate_vcpu)
        rho = np.minimum(rho, sc.rho_max)
    else:
        rho = np.full(n, sc.rho_fixed)
    ecs_exec = (io_ms + cpu_ms / (sc.fargate_vcpu * (1.0 - rho))) * noise

    execution = np.where(is_ecs, ecs_exec, lam_exec)
    network = sc.net_ms * rng.lognormal(0.0, 0.25, n) + np.where(is_ecs, 10.0, 30.0)
    latency = execution + init_ms + network + payload / sc.upload_kb_per_s * 1e3
    status = np.full(n, 200)
    if sc.timeout_ms is not None:
        status[latency > sc.timeout_ms] = 504
        latency = np.minimum(latency, sc.timeout_ms)

    prices = get_prices(sc.prices)
    cost = np.where(is_ecs,
                    fargate_cost(execution / 1e3, sc.fargate_vcpu, sc.fargate_memory_gb, prices),
                    lambda_cost(execution, memory, prices, init_ms=init_ms))
    start = (pd.Timestamp("2025-11-22") + pd.to_timedelta(pattern, unit="D")
             + pd.to_timedelta(np.array([WINDOW_HOUR[w] for w in TIME_WINDOWS])[window],
                               unit="h"))
    cpu_pct = np.where(is_ecs, np.clip(100 * rho * rng.lognormal(0.0, 0.05, n), 0, 100), np.nan)
    frame = pd.DataFrame({
        "timestamp": start + pd.to_timedelta(np.round(u * RUN_SECONDS, 3), unit="s"),
        "platform": _pick(("lambda", "ecs"), is_ecs.astype(int)),
        "workload_type": _pick(WORKLOADS, workload),
        "payload_size_kb": payload,
        "time_window": _pick(TIME_WINDOWS, window),
        "load_pattern": _pick(LOAD_PATTERNS, pattern),
        "latency_ms": np.round(latency, 3),
        "execution_time_ms": np.round(execution, 3),
        "cold_start": pd.array(np.where(is_ecs, None, cold), dtype="boolean"),
        "memory_mb": np.where(is_ecs, sc.fargate_memory_gb * 1024.0, memory),
        "cpu_percent": np.round(cpu_pct, 2),
        "http_status": status,
        "cost_usd": cost,
        "is_error": status >= 400,
    })
    frame = frame.sort_values("timestamp", kind="stable", ignore_index=True)
    frame.insert(0, "request_id", [f"{preset}_{seed}_{i:07d}" for i in range(n)])
    labelled = balanced_optimal(frame)
    return labelled[[*CANONICAL_COLUMNS, "is_error", OPTIMAL_PLATFORM]]


def _pick(names: tuple[str, ...], codes: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """names[codes] as a string array, without a slow per-row object conversion."""
    return pd.Series(list(names), dtype="str").take(codes).array


def _inverse_cdf(cdfs: np.ndarray, pattern: np.ndarray, draw: np.ndarray) -> np.ndarray:
    """Grid cell of each draw under its pattern's CDF (vectorised per pattern)."""
    cell = np.empty(draw.size, dtype=int)
    for p in range(cdfs.shape[0]):
        mask = pattern == p
        cell[mask] = np.searchsorted(cdfs[p], draw[mask], side="right") - 1
    return np.clip(cell, 0, _GRID - 1)


def write_demo_data(out_dir: str | Path, *, rows: int = 6000, seed: int = 0) -> dict[str, Path]:
    """Write ``variance.csv`` and ``trap.csv`` into ``out_dir``; returns preset -> path."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {}
    for preset in ("variance", "trap"):
        path = out / f"{preset}.csv"
        generate(preset, rows=rows, seed=seed).to_csv(path, index=False)
        paths[preset] = path
    return paths
