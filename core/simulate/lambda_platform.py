"""AWS Lambda: memory -> CPU share -> duration, an instance pool with keep-alive, cold starts,
a concurrency limit with throttling (error or retry), provisioned concurrency, and billing.

Pool rule (DESIGN.md): an idle instance expires `keep_alive_s` after its last request
finished (each idle period draws its own keep-alive from the configured distribution); the
most recently freed idle instance serves the next request. Provisioned instances are used
first and never expire. The loop is one pass over the requests in time order with a min-heap
of busy instances and a stack of idle ones, compiled by numba: O(n log c) for c busy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit

from core.pricing import Prices, lambda_cost
from core.simulate import heap
from core.simulate.scenario import INIT_MS_PER_PACKAGE_MB, RUNTIMES

#: Memory at which a function gets one full vCPU (AWS documentation).
MB_PER_VCPU = 1769.0
#: AWS bills provisioned concurrency from enabling to disabling, rounded up to 5 minutes.
PROVISIONED_BILLING_S = 300.0
PROVISIONED = -2  # instance id of requests served by a provisioned instance
THROTTLED = -1


def cpu_share(memory_mb: np.ndarray | float) -> np.ndarray:
    """vCPU share a Lambda of this memory gets (1,769 MB = one vCPU; single-threaded code
    gains nothing above one vCPU)."""
    return np.minimum(np.asarray(memory_mb, dtype=float) / MB_PER_VCPU, 1.0)


def duration_ms(cpu_ms: np.ndarray, io_ms: np.ndarray | float,
                memory_mb: np.ndarray | float) -> np.ndarray:
    """Handler duration: waiting time plus CPU time at one vCPU stretched by the memory's
    CPU share."""
    return np.asarray(io_ms, dtype=float) + np.asarray(cpu_ms, dtype=float) / cpu_share(memory_mb)


def init_ms(workload_init_ms: np.ndarray | float, runtime: str, package_mb: float,
            memory_mb: np.ndarray | float, noise: np.ndarray) -> np.ndarray:
    """Cold-start (init) time: the workload's init scaled to the runtime, plus package size;
    slower on small CPU shares (square-root law: init is partly I/O); lognormal noise."""
    base = np.asarray(workload_init_ms, dtype=float) * RUNTIMES[runtime] \
        + INIT_MS_PER_PACKAGE_MB * package_mb
    return base / np.sqrt(cpu_share(memory_mb)) * noise


@njit(cache=True, error_model="numpy")
def _pool(t, warm, cold, ka, limit, provisioned, retry, max_retries, retry_delay, init_busy,
          init_busy_inst, init_prov, init_stack_inst, init_stack_exp, init_ka, init_created,
          init_expires, final):
    n = t.shape[0]
    carried = init_ka.shape[0]
    start = np.empty(n)
    busy = np.zeros(n)
    is_cold = np.zeros(n, dtype=np.bool_)
    error = np.zeros(n, dtype=np.bool_)
    attempts = np.zeros(n, dtype=np.int16)
    instance = np.full(n, -1, dtype=np.int64)
    cap = min(limit, n + carried) + 1
    b_keys = np.empty(cap)
    b_vals = np.empty(cap, dtype=np.int64)
    b_size = 0
    for j in range(init_busy.shape[0]):  # carried state: pushed in heap order, layout kept
        b_keys[j] = init_busy[j]
        b_vals[j] = init_busy_inst[j]
        b_size += 1
    p_keys = np.empty(provisioned + 1)
    p_vals = np.empty(provisioned + 1, dtype=np.int64)
    p_size = 0
    for j in range(init_prov.shape[0]):
        p_keys[j] = init_prov[j]
        p_vals[j] = -1
        p_size += 1
    r_keys = np.empty(n + 1)
    r_vals = np.empty(n + 1, dtype=np.int64)
    r_size = 0
    stack_inst = np.empty(n + carried + 1, dtype=np.int64)
    stack_exp = np.empty(n + carried + 1)
    top = 0
    for j in range(init_stack_inst.shape[0]):
        stack_inst[j] = init_stack_inst[j]
        stack_exp[j] = init_stack_exp[j]
        top += 1
    created = np.empty(n + carried + 1)
    expires = np.empty(n + carried + 1)
    inst_ka = np.empty(n + carried + 1)
    for j in range(carried):
        created[j] = init_created[j]
        expires[j] = init_expires[j]
        inst_ka[j] = init_ka[j]
    n_inst = carried
    i = 0
    while i < n or r_size > 0:
        if r_size > 0 and (i >= n or r_keys[0] < t[i]):
            now = r_keys[0]
            r = r_vals[0]
            r_size = heap.pop(r_keys, r_vals, r_size)
        else:
            now = t[i]
            r = i
            i += 1
        while p_size > 0 and p_keys[0] <= now:
            p_size = heap.pop(p_keys, p_vals, p_size)
        while b_size > 0 and b_keys[0] <= now:
            k = b_vals[0]
            free_at = b_keys[0]
            b_size = heap.pop(b_keys, b_vals, b_size)
            stack_inst[top] = k
            stack_exp[top] = free_at + inst_ka[k]
            expires[k] = free_at + inst_ka[k]
            top += 1
        start[r] = now
        if p_size < provisioned:
            busy[r] = warm[r]
            instance[r] = -2
            p_size = heap.push(p_keys, p_vals, p_size, now + warm[r], r)
            continue
        while top > 0 and stack_exp[top - 1] <= now:
            top -= 1
        if top > 0:
            top -= 1
            k = stack_inst[top]
            dur = warm[r]
        elif b_size + provisioned < limit:
            k = n_inst
            n_inst += 1
            created[k] = now
            is_cold[r] = True
            dur = cold[r]
        else:
            attempts[r] += 1
            if retry and attempts[r] <= max_retries:
                delay = retry_delay * 2.0 ** (attempts[r] - 1)
                r_size = heap.push(r_keys, r_vals, r_size, now + delay, r)
            else:
                error[r] = True
            continue
        busy[r] = dur
        instance[r] = k
        inst_ka[k] = ka[r]
        b_size = heap.push(b_keys, b_vals, b_size, now + dur, k)
    if final:
        while b_size > 0:
            k = b_vals[0]
            expires[k] = b_keys[0] + inst_ka[k]
            b_size = heap.pop(b_keys, b_vals, b_size)
    return (start, busy, is_cold, error, attempts, instance, created[:n_inst], expires[:n_inst],
            inst_ka[:n_inst], b_keys[:b_size], b_vals[:b_size], p_keys[:p_size],
            stack_inst[:top], stack_exp[:top])


@dataclass
class PoolState:
    """A Lambda pool between two time chunks: busy instances (a heap of free times, kept in
    its array layout so ties resolve as in one long run), provisioned instances' free times,
    the idle stack (most recent on top) and each live instance's creation, keep-alive and
    current expiry. Instance ids are 0..len(created)-1."""

    busy_until: np.ndarray
    busy_instance: np.ndarray
    provisioned_until: np.ndarray
    idle_instance: np.ndarray
    idle_expires: np.ndarray
    keep_alive: np.ndarray
    created: np.ndarray
    expires: np.ndarray

    @classmethod
    def empty(cls) -> PoolState:
        f, i = np.empty(0), np.empty(0, dtype=np.int64)
        return cls(f, i, f, i, f, f, f, f)


def _carry(out: tuple, last_arrival: float) -> tuple[PoolState, np.ndarray]:
    """The state after a chunk, with instances that can never serve again dropped (idle and
    expired by the chunk's last arrival: every later request comes after it); returns it and
    the ids of the dropped ones, whose lifetimes are final."""
    created, expires, ka, b_keys, b_vals, p_keys, s_inst, s_exp = out[6:]
    live_idle = s_exp > last_arrival
    alive = np.zeros(len(created), dtype=bool)
    alive[b_vals] = True
    alive[s_inst[live_idle]] = True
    new_id = np.cumsum(alive) - 1
    state = PoolState(b_keys.copy(), new_id[b_vals], p_keys.copy(), new_id[s_inst[live_idle]],
                      s_exp[live_idle].copy(), ka[alive], created[alive], expires[alive])
    return state, np.flatnonzero(~alive)


@dataclass
class LambdaRun:
    """Per-request outcomes (arrival order) and instance lifetimes of one Lambda pool run.

    In a run over time chunks (`state` given), `created`/`expires` hold the instances whose
    life ended in this chunk (all of them in the final chunk), `new_instances` those created
    in it, and `state` what the next chunk starts from (None after the final chunk)."""

    arrival: np.ndarray
    start: np.ndarray        # when the served attempt began (arrival, or a retry)
    busy: np.ndarray         # seconds on the instance (billed; includes init when cold)
    cold: np.ndarray
    error: np.ndarray        # throttled and not (successfully) retried
    attempts: np.ndarray     # throttles suffered
    instance: np.ndarray     # instance id; -2 provisioned; -1 throttled
    created: np.ndarray      # instance creation times
    expires: np.ndarray      # instance expiry times (after its last idle period)
    provisioned: int
    new_instances: int = 0
    state: PoolState | None = None

    @property
    def latency(self) -> np.ndarray:
        """Seconds from first arrival to the response (throttle waits included)."""
        return self.start + self.busy - self.arrival


def simulate_pool(arrival: np.ndarray, warm_s: np.ndarray, cold_s: np.ndarray,
                  keep_alive_s: np.ndarray, *, concurrency_limit: int = 1000,
                  provisioned: int = 0, retry: bool = False, max_retries: int = 2,
                  retry_delay_s: float = 1.0, state: PoolState | None = None,
                  final: bool = True) -> LambdaRun:
    """Run the instance pool over sorted arrivals; per-request warm and cold service times
    (cold includes init) and per-request keep-alive draws (used for the idle period after).

    Long horizons run in time chunks: pass the previous chunk's `state` and `final=False`
    for every chunk but the last; the chunks together give exactly the one long run. Retries
    cannot cross a chunk boundary, so chunked runs refuse `retry`.
    """
    if retry and (state is not None or not final):
        raise ValueError("a chunked Lambda pool cannot carry pending retries")
    carry = state or PoolState.empty()
    arrival = np.ascontiguousarray(arrival, dtype=np.float64)
    out = _pool(arrival, np.ascontiguousarray(warm_s, dtype=np.float64),
                np.ascontiguousarray(cold_s, dtype=np.float64),
                np.ascontiguousarray(keep_alive_s, dtype=np.float64),
                int(concurrency_limit), int(provisioned), bool(retry), int(max_retries),
                float(retry_delay_s), carry.busy_until, carry.busy_instance,
                carry.provisioned_until, carry.idle_instance, carry.idle_expires,
                carry.keep_alive, carry.created, carry.expires, bool(final))
    new = len(out[6]) - len(carry.created)
    if final:
        return LambdaRun(arrival, *out[:8], provisioned=int(provisioned), new_instances=new)
    last = float(arrival[-1]) if len(arrival) else -np.inf
    next_state, ended = _carry(out, last)
    return LambdaRun(arrival, *out[:6], out[6][ended], out[7][ended],
                     provisioned=int(provisioned), new_instances=new, state=next_state)


def keep_alive_draws(lam: dict, n: int, rng: np.random.Generator) -> np.ndarray:
    """Keep-alive of each idle period: constant, uniform(min, max) or exponential(mean)."""
    ka = float(lam["keep_alive_s"])
    dist = lam["keep_alive_dist"]
    if dist == "uniform":
        return rng.uniform(float(lam["keep_alive_min_s"]), ka, size=n)
    if dist == "exponential":
        return rng.exponential(ka, size=n) if ka > 0 else np.zeros(n)
    return np.full(n, ka)


def request_costs(run: LambdaRun, memory_mb: np.ndarray | float, prices: Prices) -> np.ndarray:
    """Per-request bill: request fee + GB-s at 1 ms (init included); throttled: 0;
    requests on provisioned instances pay the provisioned duration price
    (`Prices.lambda_provisioned_duration_gb_second_usd`, see core.pricing)."""
    cost = np.asarray(lambda_cost(run.busy * 1000.0, memory_mb, prices), dtype=float)
    prov = run.instance == PROVISIONED
    if prov.any():
        gb_s = np.ceil(run.busy * 1000.0) / 1000.0 * (np.broadcast_to(memory_mb, cost.shape)
                                                     / 1024.0)
        discounted = prices.lambda_request_usd \
            + gb_s * prices.lambda_provisioned_duration_gb_second_usd
        cost = np.where(prov, discounted, cost)
    return np.where(run.error, 0.0, cost)


def provisioned_cost(provisioned: int, memory_mb: float, horizon_s: float,
                     prices: Prices) -> float:
    """Holding provisioned concurrency for the whole horizon: instances x GB x seconds
    (rounded up to 5 minutes, as AWS bills) x `Prices.lambda_provisioned_gb_second_usd`."""
    gb = provisioned * memory_mb / 1024.0
    held_s = math.ceil(horizon_s / PROVISIONED_BILLING_S) * PROVISIONED_BILLING_S
    return gb * held_s * prices.lambda_provisioned_gb_second_usd


def reference_pool(arrival, warm_s, cold_s, keep_alive_s, *, concurrency_limit: int = 1000,
                   provisioned: int = 0) -> tuple[list[bool], list[bool], list[float]]:
    """Plain per-request Python version of the pool (no retries): cold, error and latency per
    request. It is the benchmark's baseline and the tests' second opinion on `_pool`."""
    import heapq

    busy: list[tuple[float, int]] = []
    prov_busy: list[float] = []
    idle: list[tuple[int, float]] = []   # (instance, expires); the end is the most recent
    inst_ka: dict[int, float] = {}
    cold, error, latency = [], [], []
    n_inst = 0
    for i, now in enumerate(arrival):
        while prov_busy and prov_busy[0] <= now:
            heapq.heappop(prov_busy)
        while busy and busy[0][0] <= now:
            free_at, k = heapq.heappop(busy)
            idle.append((k, free_at + inst_ka[k]))
        if len(prov_busy) < provisioned:
            heapq.heappush(prov_busy, now + warm_s[i])
            cold.append(False)
            error.append(False)
            latency.append(warm_s[i])
            continue
        while idle and idle[-1][1] <= now:
            idle.pop()
        if idle:
            k, _ = idle.pop()
            dur, is_cold = warm_s[i], False
        elif len(busy) + provisioned < concurrency_limit:
            k, n_inst = n_inst, n_inst + 1
            dur, is_cold = cold_s[i], True
        else:
            cold.append(False)
            error.append(True)
            latency.append(float("nan"))
            continue
        inst_ka[k] = keep_alive_s[i]
        heapq.heappush(busy, (now + dur, k))
        cold.append(is_cold)
        error.append(False)
        latency.append(dur)
    return cold, error, latency
