"""ECS Fargate: tasks of a chosen size with per-task concurrency, one FIFO queue in front of
all slots, target-tracking autoscaling with task start delay and cool-downs, min/max tasks,
per-second billing with a one-minute minimum, and an optional load balancer.

Queueing: each task offers `per_task_concurrency` independent slots (the service is
I/O-bound enough that concurrent requests do not slow each other). Requests are served FIFO:
request i starts at max(arrival, earliest free slot), which is exactly an M/G/c queue when
the fleet is fixed. A request that would wait longer than `queue_timeout_s` is an error (the
load balancer's 504) and takes no slot.

Autoscaling (target tracking on utilisation): every `metric_period_s` the work that arrived
in the period divided by the capacity of the ready tasks (capped at 1, like CPU) is the
metric; desired = ceil(ready * metric / target), clipped to [min, max]. Scale-out waits
`scale_out_cooldown_s` after the last scale-out; scale-in waits `scale_in_cooldown_s` after any
scaling. New tasks serve after `start_delay_s`; removed tasks (newest first) finish their
requests, then stop. With no task at all, a request triggers a task launch (scale from zero).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit

from core.simulate import heap
from core.simulate.pricing import Prices, alb_cost, fargate_cost

BILLING_MINIMUM_S = 60.0
LCU_NEW_CONNECTIONS_PER_S = 25.0
LCU_GB_PER_HOUR = 1.0


@njit(cache=True)
def _grow(arr, size):
    out = np.empty(size, dtype=arr.dtype)
    out[: arr.shape[0]] = arr
    return out


@njit(cache=True)
def _fleet(t, serv, min_tasks, max_tasks, slots, start_delay, target, period, out_cd, in_cd,
           timeout):
    n = t.shape[0]
    cap = 2 * max_tasks + 16
    launch = np.empty(cap)
    ready = np.empty(cap)
    stop = np.full(cap, -1.0)
    draining = np.zeros(cap, dtype=np.bool_)
    busy_until = np.zeros(cap)
    hcap = 2 * max_tasks * slots + slots + 1
    h_keys = np.empty(hcap)
    h_vals = np.empty(hcap, dtype=np.int64)
    h_size = 0
    n_tasks = 0
    active = 0
    for _ in range(min_tasks):
        launch[n_tasks] = 0.0
        ready[n_tasks] = 0.0
        for _s in range(slots):
            h_size = heap.push(h_keys, h_vals, h_size, 0.0, n_tasks)
        n_tasks += 1
        active += 1
    start = np.empty(n)
    error = np.zeros(n, dtype=np.bool_)
    task_of = np.full(n, -1, dtype=np.int64)
    next_eval = period
    work = 0.0
    last_out = -1e300
    last_any = -1e300
    for i in range(n):
        now = t[i]
        while next_eval <= now:
            e = next_eval
            n_ready = 0
            for k in range(n_tasks):
                if not draining[k] and ready[k] <= e:
                    n_ready += 1
            capacity = n_ready * slots * period
            util = min(1.0, work / capacity) if capacity > 0 else (1.0 if work > 0 else 0.0)
            desired = math.ceil(max(n_ready, 1) * util / target - 1e-9)
            desired = max(min_tasks, min(max_tasks, desired))
            if desired > active and e - last_out >= out_cd:
                add = desired - active
                if n_tasks + add > launch.shape[0]:
                    new_cap = 2 * (n_tasks + add)
                    launch = _grow(launch, new_cap)
                    ready = _grow(ready, new_cap)
                    stop = _grow(stop, new_cap)
                    stop[n_tasks:] = -1.0
                    draining = _grow(draining, new_cap)
                    draining[n_tasks:] = False
                    busy_until = _grow(busy_until, new_cap)
                    busy_until[n_tasks:] = 0.0
                for _ in range(add):
                    launch[n_tasks] = e
                    ready[n_tasks] = e + start_delay
                    for _s in range(slots):
                        if h_size + 1 >= h_keys.shape[0]:
                            h_size = _compact(h_keys, h_vals, h_size, draining)
                        h_size = heap.push(h_keys, h_vals, h_size, e + start_delay, n_tasks)
                    n_tasks += 1
                    active += 1
                last_out = e
                last_any = e
            elif desired < active and e - last_any >= in_cd:
                remove = active - desired
                k = n_tasks - 1
                while remove > 0 and k >= 0:
                    if not draining[k]:
                        draining[k] = True
                        stop[k] = max(e, busy_until[k])
                        active -= 1
                        remove -= 1
                    k -= 1
                last_any = e
            work = 0.0
            next_eval += period
        work += serv[i]
        if active == 0:  # scale from zero: the request itself launches a task
            if n_tasks + 1 > launch.shape[0]:
                new_cap = 2 * (n_tasks + 1)
                launch = _grow(launch, new_cap)
                ready = _grow(ready, new_cap)
                stop = _grow(stop, new_cap)
                stop[n_tasks:] = -1.0
                draining = _grow(draining, new_cap)
                draining[n_tasks:] = False
                busy_until = _grow(busy_until, new_cap)
                busy_until[n_tasks:] = 0.0
            launch[n_tasks] = now
            ready[n_tasks] = now + start_delay
            for _s in range(slots):
                if h_size + 1 >= h_keys.shape[0]:
                    h_size = _compact(h_keys, h_vals, h_size, draining)
                h_size = heap.push(h_keys, h_vals, h_size, now + start_delay, n_tasks)
            n_tasks += 1
            active += 1
            last_out = now
            last_any = now
        while draining[h_vals[0]]:
            h_size = heap.pop(h_keys, h_vals, h_size)
        free_at = h_keys[0]
        k = h_vals[0]
        begin = max(free_at, now)
        start[i] = begin
        if begin - now > timeout:
            error[i] = True
            start[i] = now
            continue
        h_size = heap.pop(h_keys, h_vals, h_size)
        finish = begin + serv[i]
        h_size = heap.push(h_keys, h_vals, h_size, finish, k)
        if finish > busy_until[k]:
            busy_until[k] = finish
        task_of[i] = k
    return (start, error, task_of, launch[:n_tasks], ready[:n_tasks], stop[:n_tasks],
            busy_until[:n_tasks])


@njit(cache=True)
def _compact(keys, vals, size, draining):
    """Drop heap entries of draining tasks and re-heapify (keeps the heap bounded)."""
    kept = 0
    for j in range(size):
        if not draining[vals[j]]:
            keys[kept] = keys[j]
            vals[kept] = vals[j]
            kept += 1
    new_size = 0
    tmp_k = keys[:kept].copy()
    tmp_v = vals[:kept].copy()
    for j in range(kept):
        new_size = heap.push(keys, vals, new_size, tmp_k[j], tmp_v[j])
    return new_size


@dataclass
class FargateRun:
    """Per-request outcomes (arrival order) and task lifetimes of one Fargate fleet run."""

    arrival: np.ndarray
    start: np.ndarray        # service start (arrival + FIFO wait); arrival on errors
    busy: np.ndarray         # service seconds (0 on errors)
    error: np.ndarray        # waited longer than queue_timeout_s
    task: np.ndarray
    launch: np.ndarray       # task launch (billing starts)
    ready: np.ndarray        # task ready to serve
    stop: np.ndarray         # task stop (billing ends)

    @property
    def wait(self) -> np.ndarray:
        return self.start - self.arrival

    @property
    def latency(self) -> np.ndarray:
        return self.start + self.busy - self.arrival


def simulate_fleet(arrival: np.ndarray, service_s: np.ndarray, far: dict, *,
                   horizon_s: float | None = None) -> FargateRun:
    """Run the fleet over sorted arrivals with per-request service times (validated `far`)."""
    arrival = np.ascontiguousarray(arrival, dtype=np.float64)
    service = np.ascontiguousarray(service_s, dtype=np.float64)
    start, error, task, launch, ready, stop, busy_until = _fleet(
        arrival, service, int(far["min_tasks"]), int(far["max_tasks"]),
        int(far["per_task_concurrency"]), float(far["start_delay_s"]),
        float(far["target_utilization"]), float(far["metric_period_s"]),
        float(far["scale_out_cooldown_s"]), float(far["scale_in_cooldown_s"]),
        float(far["queue_timeout_s"]))
    busy = np.where(error, 0.0, service)
    end = float(np.max(start + busy)) if len(arrival) else 0.0
    end = max(end, horizon_s or 0.0)
    stop = np.where(stop < 0, np.maximum(end, busy_until), stop)
    return FargateRun(arrival, start, busy, error, task, launch, ready, stop)


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
