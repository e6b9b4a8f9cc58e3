"""ECS Fargate: tasks of a chosen size with per-task concurrency, one FIFO queue in front of
all slots, target-tracking autoscaling with task start delay and cool-downs, min/max tasks,
per-second billing with a one-minute minimum, and an optional load balancer.

Queueing: each task offers `per_task_concurrency` slots. Requests are served FIFO: request i
starts at max(arrival, earliest free slot), which is exactly an M/G/c queue when the fleet is
fixed. Inside a slot a request does half its I/O, then its CPU part, then the other half;
the CPU part runs on one of the task's vCPUs (first come, first served; a fractional task is
one slower CPU), so requests crowding a task wait for CPU and the work is conserved. A
request that would wait longer than `queue_timeout_s` is an error (the load balancer's 504)
and takes no slot.

Autoscaling (target tracking on utilisation): every `metric_period_s` the metric is the
larger of slot and CPU utilisation of the work that arrived in the period over the capacity
of the ready tasks (capped at 1, like CPU); desired = ceil(ready * metric / target), clipped
to [min, max]. Scale-out waits `scale_out_cooldown_s` after the last scale-out; scale-in
waits `scale_in_cooldown_s` after any scaling. New tasks serve after `start_delay_s`; removed
tasks (newest first) finish their requests, then stop. With no task at all, a request
triggers a task launch (scale from zero).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit

from core.pricing import Prices, alb_cost, fargate_cost
from core.simulate import heap

BILLING_MINIMUM_S = 60.0
LCU_NEW_CONNECTIONS_PER_S = 25.0
LCU_GB_PER_HOUR = 1.0


LAUNCH, READY, STOP, BUSY_UNTIL = 0, 1, 2, 3  # columns of the kernel's task table


@njit(cache=True, error_model="numpy")
def _launch(tasks, draining, cpu_free, n_tasks, when, start_delay, slots, ncpu, h_keys, h_vals,
            h_size):
    """Add one task (growing the tables when full); its slots and CPUs free up when ready."""
    if n_tasks == tasks.shape[0]:
        grown = np.full((2 * n_tasks, 4), -1.0)
        grown[:n_tasks] = tasks
        tasks = grown
        more = np.zeros(2 * n_tasks, dtype=np.bool_)
        more[:n_tasks] = draining
        draining = more
        free = np.zeros(2 * n_tasks * ncpu)
        free[: n_tasks * ncpu] = cpu_free
        cpu_free = free
    tasks[n_tasks, LAUNCH] = when
    tasks[n_tasks, READY] = when + start_delay
    tasks[n_tasks, STOP] = -1.0
    tasks[n_tasks, BUSY_UNTIL] = 0.0
    for c in range(ncpu):
        cpu_free[n_tasks * ncpu + c] = when + start_delay
    for s in range(slots):
        if h_size + 1 >= h_keys.shape[0]:
            h_size = _compact(h_keys, h_vals, h_size, draining, slots)
        h_size = heap.push(h_keys, h_vals, h_size, when + start_delay, n_tasks * slots + s)
    return tasks, draining, cpu_free, h_size


#: Scalars a fleet carries between time chunks (the kernel's `scal` vector, in this order).
N_TASKS, ACTIVE, NEXT_EVAL, WORK, CPU_WORK, LAST_OUT, LAST_ANY, READY_SEEN, READY_COUNT = range(9)


@njit(cache=True, error_model="numpy")
def _fleet(t, io, cpu, vcpu, min_tasks, max_tasks, slots, start_delay, target, period, out_cd,
           in_cd, timeout, init_tasks, init_draining, init_cpu_free, init_h_keys, init_h_vals,
           scal):
    n = t.shape[0]
    ncpu = max(1, int(vcpu))       # CPU servers per task, each at `speed` vCPU
    speed = min(1.0, vcpu)
    rows = max(2 * max_tasks, 16, init_tasks.shape[0])
    tasks = np.full((rows, 4), -1.0)
    draining = np.zeros(rows, dtype=np.bool_)
    cpu_free = np.zeros(rows * ncpu)
    tasks[:init_tasks.shape[0]] = init_tasks
    draining[:init_draining.shape[0]] = init_draining
    cpu_free[:init_cpu_free.shape[0]] = init_cpu_free
    hcap = 2 * max_tasks * slots + slots + 1
    h_keys = np.empty(hcap)
    h_vals = np.empty(hcap, dtype=np.int64)
    h_size = init_h_keys.shape[0]  # carried heap: copied in its array layout
    h_keys[:h_size] = init_h_keys
    h_vals[:h_size] = init_h_vals
    n_tasks = int(scal[N_TASKS])
    active = int(scal[ACTIVE])
    if n_tasks == 0 and scal[NEXT_EVAL] < 0:  # a new fleet: the minimum is ready at time 0
        for _ in range(min_tasks):
            tasks, draining, cpu_free, h_size = _launch(tasks, draining, cpu_free, n_tasks, 0.0,
                                                        0.0, slots, ncpu, h_keys, h_vals, h_size)
            n_tasks += 1
            active += 1
        next_eval = period
    else:
        next_eval = scal[NEXT_EVAL]
    start = np.empty(n)
    busy = np.zeros(n)
    error = np.zeros(n, dtype=np.bool_)
    task_of = np.full(n, -1, dtype=np.int64)
    work = scal[WORK]
    cpu_work = scal[CPU_WORK]
    last_out = scal[LAST_OUT]
    last_any = scal[LAST_ANY]
    # tasks are launched in time order, so ready times never decrease with the index: the
    # ready, not draining tasks are counted once each as the metric's clock passes them
    ready_seen = int(scal[READY_SEEN])
    ready_count = int(scal[READY_COUNT])
    for i in range(n):
        now = t[i]
        while next_eval <= now:
            e = next_eval
            while ready_seen < n_tasks and tasks[ready_seen, READY] <= e:
                if not draining[ready_seen]:
                    ready_count += 1
                ready_seen += 1
            n_ready = ready_count
            if n_ready > 0:  # the busier of slots and CPUs, capped like a CPU metric
                util = min(1.0, max(work / (n_ready * slots * period),
                                    cpu_work / (n_ready * vcpu * period)))
            else:
                util = 1.0 if work > 0 else 0.0
            desired = math.ceil(max(n_ready, 1) * util / target - 1e-9)
            desired = max(min_tasks, min(max_tasks, desired))
            if desired > active and e - last_out >= out_cd:
                for _ in range(desired - active):
                    tasks, draining, cpu_free, h_size = _launch(
                        tasks, draining, cpu_free, n_tasks, e, start_delay, slots, ncpu, h_keys,
                        h_vals, h_size)
                    n_tasks += 1
                    active += 1
                last_out = e
                last_any = e
            elif desired < active and e - last_any >= in_cd:
                remove = active - desired
                k = n_tasks - 1
                while remove > 0 and k >= 0:  # newest tasks go first
                    if not draining[k]:
                        draining[k] = True
                        if k < ready_seen:
                            ready_count -= 1
                        tasks[k, STOP] = max(e, tasks[k, BUSY_UNTIL])
                        active -= 1
                        remove -= 1
                    k -= 1
                last_any = e
            work = 0.0
            cpu_work = 0.0
            next_eval += period
        work += io[i] + cpu[i] / speed
        cpu_work += cpu[i]
        if active == 0:  # scale from zero: the request itself launches a task
            tasks, draining, cpu_free, h_size = _launch(tasks, draining, cpu_free, n_tasks,
                                                        now, start_delay, slots, ncpu, h_keys,
                                                        h_vals, h_size)
            n_tasks += 1
            active += 1
            last_out = now
            last_any = now
        while draining[h_vals[0] // slots]:
            h_size = heap.pop(h_keys, h_vals, h_size)
        slot = h_vals[0]
        k = slot // slots
        begin = max(h_keys[0], now)
        start[i] = begin
        if begin - now > timeout:
            error[i] = True
            start[i] = now
            continue
        # half the I/O, then the CPU part on the task's earliest free CPU (FCFS), then the rest
        c_best = k * ncpu
        for c in range(k * ncpu + 1, (k + 1) * ncpu):
            if cpu_free[c] < cpu_free[c_best]:
                c_best = c
        cpu_start = max(begin + 0.5 * io[i], cpu_free[c_best])
        cpu_end = cpu_start + cpu[i] / speed
        if cpu[i] > 0:
            cpu_free[c_best] = cpu_end
        service = cpu_end + 0.5 * io[i] - begin
        finish = begin + service  # exactly start + busy, as the caller recomputes it
        h_size = heap.pop(h_keys, h_vals, h_size)
        h_size = heap.push(h_keys, h_vals, h_size, finish, slot)
        busy[i] = service
        if finish > tasks[k, BUSY_UNTIL]:
            tasks[k, BUSY_UNTIL] = finish
        task_of[i] = k
    out = np.array([n_tasks, active, next_eval, work, cpu_work, last_out, last_any, ready_seen,
                    ready_count], dtype=np.float64)
    return (start, busy, error, task_of, tasks[:n_tasks].copy(), draining[:n_tasks].copy(),
            cpu_free[:n_tasks * ncpu].copy(), h_keys[:h_size].copy(), h_vals[:h_size].copy(),
            out)


@njit(cache=True, error_model="numpy")
def _compact(keys, vals, size, draining, slots):
    """Drop heap entries of draining tasks and re-heapify (keeps the heap bounded)."""
    kept = 0
    for j in range(size):
        if not draining[vals[j] // slots]:
            keys[kept] = keys[j]
            vals[kept] = vals[j]
            kept += 1
    tmp_k = keys[:kept].copy()
    tmp_v = vals[:kept].copy()
    new_size = 0
    for j in range(kept):
        new_size = heap.push(keys, vals, new_size, tmp_k[j], tmp_v[j])
    return new_size


@dataclass
class FleetState:
    """A Fargate fleet between two time chunks: every task so far (launch, ready, stop,
    busy-until; draining flags; per-vCPU free times), the slot heap in its array layout (so
    ties resolve as in one long run) and the autoscaler's clock and counters. Its size grows
    with the tasks launched, not with the requests."""

    tasks: np.ndarray
    draining: np.ndarray
    cpu_free: np.ndarray
    heap_keys: np.ndarray
    heap_slots: np.ndarray
    scalars: np.ndarray

    @classmethod
    def empty(cls) -> FleetState:
        scal = np.zeros(9)
        scal[NEXT_EVAL] = -1.0  # marks a new fleet
        scal[LAST_OUT] = scal[LAST_ANY] = -1e300
        return cls(np.empty((0, 4)), np.empty(0, dtype=np.bool_), np.empty(0), np.empty(0),
                   np.empty(0, dtype=np.int64), scal)


@dataclass
class FargateRun:
    """Per-request outcomes (arrival order) and task lifetimes of one Fargate fleet run.

    In a run over time chunks, `state` is what the next chunk starts from; the task arrays
    (launch, ready, stop) are those of the final chunk, which hold every task of the run."""

    arrival: np.ndarray
    start: np.ndarray        # service start (arrival + FIFO wait); arrival on errors
    busy: np.ndarray         # service seconds (0 on errors)
    error: np.ndarray        # waited longer than queue_timeout_s
    task: np.ndarray
    launch: np.ndarray       # task launch (billing starts)
    ready: np.ndarray        # task ready to serve
    stop: np.ndarray         # task stop (billing ends)
    state: FleetState | None = None

    @property
    def wait(self) -> np.ndarray:
        return self.start - self.arrival

    @property
    def latency(self) -> np.ndarray:
        return self.start + self.busy - self.arrival


def simulate_fleet(arrival: np.ndarray, service_s: np.ndarray, far: dict, *,
                   cpu_s: np.ndarray | None = None, horizon_s: float | None = None,
                   state: FleetState | None = None, final: bool = True) -> FargateRun:
    """Run the fleet over sorted arrivals (validated `far`).

    `service_s` is the time a request takes that no CPU can shorten (I/O, waiting);
    `cpu_s` its CPU time at one full vCPU, queued on the task's vCPUs (none: pure service
    times, an M/G/c queue). Long horizons run in time chunks: pass the previous chunk's
    `state` and `final=False` for every chunk but the last; together they are exactly the
    one long run.
    """
    arrival = np.ascontiguousarray(arrival, dtype=np.float64)
    io = np.ascontiguousarray(service_s, dtype=np.float64)
    cpu = np.zeros_like(io) if cpu_s is None else np.ascontiguousarray(cpu_s, dtype=np.float64)
    carry = state or FleetState.empty()
    (start, busy, error, task, tasks, draining, cpu_free, h_keys, h_vals, scal) = _fleet(
        arrival, io, cpu, float(far["vcpu"]), int(far["min_tasks"]), int(far["max_tasks"]),
        int(far["per_task_concurrency"]), float(far["start_delay_s"]),
        float(far["target_utilization"]), float(far["metric_period_s"]),
        float(far["scale_out_cooldown_s"]), float(far["scale_in_cooldown_s"]),
        float(far["queue_timeout_s"]), carry.tasks, carry.draining, carry.cpu_free,
        carry.heap_keys, carry.heap_slots, carry.scalars.copy())
    next_state = FleetState(tasks, draining, cpu_free, h_keys, h_vals, scal)
    if not final:
        return FargateRun(arrival, start, busy, error, task, tasks[:, LAUNCH].copy(),
                          tasks[:, READY].copy(), tasks[:, STOP].copy(), state=next_state)
    end = float(np.max(start + busy)) if len(arrival) else 0.0
    end = max(end, horizon_s or 0.0, float(np.max(tasks[:, BUSY_UNTIL], initial=0.0)))
    stop = tasks[:, STOP]
    stop = np.where(stop < 0, np.maximum(end, tasks[:, BUSY_UNTIL]), stop)
    return FargateRun(arrival, start, busy, error, task, tasks[:, LAUNCH].copy(),
                      tasks[:, READY].copy(), stop)


def task_billed_seconds(run: FargateRun) -> np.ndarray:
    """Per task: whole seconds from launch to stop, at least one minute."""
    return np.maximum(BILLING_MINIMUM_S, np.ceil(run.stop - run.launch - 1e-9))


def fleet_cost(run: FargateRun, far: dict, prices: Prices) -> float:
    """Tasks (per second, one-minute minimum)."""
    billed = task_billed_seconds(run)
    return float(np.sum(fargate_cost(billed, far["vcpu"], far["memory_gb"], prices)))


def load_balancer_cost(requests: int, payload_kb_total: float, horizon_s: float,
                       prices: Prices) -> float:
    """ALB hours plus LCUs (new connections at 25/s per LCU, or processed GB per hour)."""
    hours = max(horizon_s, 1.0) / 3600.0
    lcus = max(requests / max(horizon_s, 1.0) / LCU_NEW_CONNECTIONS_PER_S,
               payload_kb_total / 1024.0**2 / hours / LCU_GB_PER_HOUR)
    return float(alb_cost(hours, lcus, prices))


def request_cost_share(service_s: np.ndarray, far: dict, prices: Prices) -> np.ndarray:
    """A request's share of its task: service seconds of one slot (for the oracle)."""
    per_task = fargate_cost(np.asarray(service_s, dtype=float), far["vcpu"], far["memory_gb"],
                            prices)
    return np.asarray(per_task) / far["per_task_concurrency"]
