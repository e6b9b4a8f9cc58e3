"""Per-request draws shared by every strategy: arrivals, workload, payload, service times.

Why drawn once: the Lambda-only, ECS-only and routed runs then see the very same requests
(common random numbers), so differences between strategies are the strategies', not noise,
and routing everything to Lambda reproduces the Lambda baseline exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.simulate import lambda_platform, traffic
from core.simulate.scenario import DEFAULT_NOISE_SIGMA, Scenario

#: Payload transfer rate between client and platform (100 Mbit/s = 12.5 KB per ms).
TRANSFER_KB_PER_MS = 12.5
INIT_NOISE_SIGMA = 0.25
DEFAULT_INIT_MS = 250.0


@dataclass
class Requests:
    """One row per request, arrival order. Times in seconds, sizes in KB, memory in MB."""

    arrival: np.ndarray
    load_pattern: np.ndarray     # index into core.schema.LOAD_PATTERNS
    time_window: np.ndarray      # index into core.schema.TIME_WINDOWS
    workload: np.ndarray         # index into mix.workloads
    payload_idx: np.ndarray      # index into that workload's payload values
    payload_kb: np.ndarray
    memory_mb: np.ndarray        # Lambda memory of the request's function
    lambda_warm_s: np.ndarray
    lambda_cold_s: np.ndarray    # cold service incl. init (billed)
    fargate_io_s: np.ndarray     # Fargate time no CPU shortens (I/O, waiting)
    fargate_cpu_s: np.ndarray    # Fargate CPU time at one full vCPU (shared when crowded)
    keep_alive_s: np.ndarray     # keep-alive of the idle period that follows this request
    lambda_extra_s: np.ndarray   # network + gateway on the Lambda path (latency only)
    fargate_extra_s: np.ndarray  # network + load balancer on the Fargate path

    def __len__(self) -> int:
        return len(self.arrival)

    def subset(self, mask: np.ndarray) -> Requests | _Subset:
        """The requests where mask is True (self when it is all True: no copies). Fields are
        taken on first use: a platform reads five of the fourteen."""
        if mask.all():
            return self
        return _Subset(self, np.flatnonzero(mask))

    def take(self, index: np.ndarray) -> Requests | _Subset:
        """The requests at `index` (sorted, distinct positions; self when that is all)."""
        if len(index) == len(self):
            return self
        return _Subset(self, index)


class _Subset:
    """Lazy rows of a Requests: each field is indexed once, when first read."""

    def __init__(self, parent: Requests, index: np.ndarray):
        self._parent, self._index = parent, index

    def __len__(self) -> int:
        return len(self._index)

    def __getattr__(self, name: str) -> np.ndarray:
        if name.startswith("_"):
            raise AttributeError(name)
        values = getattr(self._parent, name)[self._index]
        setattr(self, name, values)
        return values


def draw(scenario: Scenario, *, n: int | None = None) -> Requests:
    """All per-request randomness of a scenario, from its seed."""
    n = scenario.requests if n is None else n
    rng = np.random.default_rng(scenario.seed)
    tr, lam, far = (scenario.section(k) for k in ("traffic", "lambda", "fargate"))
    arr = traffic.arrivals(tr, n, rng, scenario.trace_times)
    mix = scenario.mix
    workload = rng.choice(len(mix.workloads), size=n, p=mix.probs).astype(np.int16)
    payload_idx, payload_kb = _payloads(mix, workload, rng)
    profiles = [scenario.profiles[name] for name in mix.workloads]
    w = workload.astype(np.intp)  # one cast: every per-workload lookup below gathers with it

    def per_workload(values: list[float]) -> np.ndarray:
        return np.asarray(values, dtype=float)[w]

    base = per_workload([p["base_ms"] for p in profiles])
    per_kb = per_workload([p["ms_per_kb"] for p in profiles])
    sigma = per_workload([p.get("noise_sigma", DEFAULT_NOISE_SIGMA) for p in profiles])
    io = per_workload([p.get("io_ms", 0.0) for p in profiles])
    init_table = np.asarray([p.get("init_ms", DEFAULT_INIT_MS) for p in profiles], dtype=float)
    memory_table = np.asarray([p["lambda_memory_mb"] if lam["memory_mb"] == "profile"
                               else lam["memory_mb"] for p in profiles], dtype=float)
    memory = memory_table[w]
    noise = rng.standard_normal(n)
    init_noise = np.exp(INIT_NOISE_SIGMA * rng.standard_normal(n) - INIT_NOISE_SIGMA**2 / 2)
    service = scenario.section("service_time")
    if service is None:
        factor = np.exp(sigma * noise - sigma**2 / 2)
        cpu_ms = (base + per_kb * payload_kb) * factor
        io_ms = io * factor
        warm = lambda_platform.duration_ms(cpu_ms, io_ms, memory) / 1000.0
        # init_ms per workload (noise 1.0 leaves it unchanged), then each request's noise:
        # the same operations on the same values as init_ms over every request
        init_per_workload = lambda_platform.init_ms(init_table, lam["runtime"],
                                                    lam["package_mb"], memory_table, 1.0)
        init = init_per_workload[w] * init_noise / 1000.0
        cold = warm + init
        fargate_io, fargate_cpu = io_ms / 1000.0, cpu_ms / 1000.0
    else:
        warm, cold = _service_override(service, n, rng)
        fargate_io, fargate_cpu = warm, np.zeros(n)
    transfer = payload_kb / TRANSFER_KB_PER_MS / 1000.0
    return Requests(
        arrival=arr.times, load_pattern=arr.load_pattern,
        time_window=traffic.time_window_codes(arr.times, tr["start_hour"]),
        workload=workload, payload_idx=payload_idx, payload_kb=payload_kb, memory_mb=memory,
        lambda_warm_s=warm, lambda_cold_s=cold,
        fargate_io_s=fargate_io, fargate_cpu_s=fargate_cpu,
        keep_alive_s=lambda_platform.keep_alive_draws(lam, n, rng),
        lambda_extra_s=transfer + lam["overhead_ms"] / 1000.0,
        fargate_extra_s=transfer + far["overhead_ms"] / 1000.0,
    )


def _payloads(mix, workload: np.ndarray, rng: np.random.Generator):
    """Payload index and size per request from its workload's size distribution, in one
    vectorised step: workload w's CDF is shifted by w, so searchsorted(cdfs, w + u) lands in
    w's block."""
    sizes = [len(v) for v in mix.payload_values]
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    cdfs = np.concatenate([w + np.cumsum(p) for w, p in enumerate(mix.payload_probs)])
    for w, off in enumerate(offsets):  # guard against rounding: each block ends at w + 1
        cdfs[off + sizes[w] - 1] = w + 1.0
    flat = np.searchsorted(cdfs, workload + rng.random(len(workload)), side="right")
    w = workload.astype(np.intp)
    offset = offsets[w]
    flat = np.minimum(flat, offset + np.asarray(sizes)[w] - 1)
    values = np.concatenate(mix.payload_values)
    return (flat - offset).astype(np.int16), values[flat]


def _service_override(service: dict, n: int, rng: np.random.Generator):
    """What-if service times: exponential (or constant) warm and cold totals."""
    if service["kind"] == "constant":
        return np.full(n, service["warm_mean_s"]), np.full(n, service["cold_mean_s"])
    return (rng.exponential(service["warm_mean_s"], size=n),
            rng.exponential(service["cold_mean_s"], size=n))
