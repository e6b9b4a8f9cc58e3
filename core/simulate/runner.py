"""The engine: one scenario -> Lambda-only, ECS-only and router-driven hybrid outcomes.

Every strategy replays the same drawn requests (core.simulate.workload); each platform is an
event loop compiled by numba over its share of the requests (core.simulate.lambda_platform,
fargate_platform); everything else is vectorised numpy. Seeded and reproducible.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence

import numpy as np
from numba import njit

from core.pricing import fargate_cost
from core.simulate import fargate_platform as fp
from core.simulate import lambda_platform as lp
from core.simulate import routers
from core.simulate.results import Outcome, SimulationResult, summarise
from core.simulate.scenario import Scenario, load_scenario
from core.simulate.workload import Requests, draw

STRATEGIES = ("lambda", "ecs", "hybrid")
Progress = Callable[[float, str], None]


@njit(cache=True, error_model="numpy")
def _fill_lambda(index, start, busy, arrival, extra, error, attempts, cold, instance, memory,
                 request_usd, gb_second_usd, provisioned_gb_second_usd, ovh_latency, ovh_cost,
                 latency_out, cold_out, error_out, throttled_out, cost_out):
    """Scatter one Lambda pool run into the strategy's per-request arrays (index[j] is the
    request of the run's j-th row) in one pass: latency (+ router overhead; NaN on error),
    flags and the bill with lp.request_costs' arithmetic. Returns the last finish time."""
    end = -np.inf
    for j in range(start.shape[0]):
        r = index[j]
        finish = start[j] + busy[j]
        if finish > end:
            end = finish
        err = error[j]
        error_out[r] = err
        cold_out[r] = cold[j]
        throttled_out[r] = attempts[j] > 0
        latency_out[r] = np.nan if err else (finish - arrival[j]) + extra[j] + ovh_latency
        if err:
            cost = 0.0
        else:
            gb_s = math.ceil(busy[j] * 1000.0 + 0.0) / 1000.0 * (memory[j] / 1024.0)
            price = provisioned_gb_second_usd if instance[j] == lp.PROVISIONED else gb_second_usd
            cost = request_usd + gb_s * price
        cost_out[r] = cost + ovh_cost
    return end


@njit(cache=True, error_model="numpy")
def _fill_fargate(index, start, busy, arrival, extra, error, ovh_latency, ovh_cost,
                  latency_out, cold_out, error_out, throttled_out, cost_out):
    """The same for a Fargate fleet run (no per-request bill: tasks are billed as a fleet)."""
    for j in range(start.shape[0]):
        r = index[j]
        err = error[j]
        error_out[r] = err
        cold_out[r] = False
        throttled_out[r] = False
        latency_out[r] = (np.nan if err
                          else (start[j] + busy[j] - arrival[j]) + extra[j] + ovh_latency)
        cost_out[r] = 0.0 + ovh_cost


def run_strategy(name: str, sc: Scenario, req: Requests, to_lambda: np.ndarray,
                 ovh: routers.Overhead | None = None, *, states: dict | None = None,
                 final: bool = True, horizon_s: float | None = None) -> Outcome:
    """Simulate one routing of the requests: Lambda pool for True, Fargate fleet for False.

    A long horizon (core.simulate.horizon) calls it chunk after chunk with the strategy's
    `states` ({"pool": ..., "fleet": ...}, updated in place), `final` on the last chunk and
    the whole `horizon_s`; fleet-level costs are then left to the caller (they belong to the
    whole horizon, not to a chunk)."""
    lam, far = sc.section("lambda"), sc.section("fargate")
    n = len(req)
    # every request is written by exactly one of the two fills below
    latency = np.empty(n)
    cold = np.empty(n, dtype=bool)
    error = np.empty(n, dtype=bool)
    throttled = np.empty(n, dtype=bool)
    cost = np.empty(n)
    outputs = (latency, cold, error, throttled, cost)
    ovh_latency, ovh_cost = (0.0, 0.0) if ovh is None else (ovh.latency_s, ovh.cost_usd)
    fixed: dict[str, float] = {}
    horizon = float(req.arrival[-1]) if n else 0.0
    lrun = frun = None
    to_lambda = np.asarray(to_lambda, dtype=bool)
    on_lambda = np.flatnonzero(to_lambda)
    on_ecs = np.arange(n) if not len(on_lambda) else np.flatnonzero(~to_lambda)
    chunked = states is not None
    # a final chunk closes a pool or fleet that earlier chunks started, requests or not
    close_pool = chunked and final and states.get("pool") is not None
    close_fleet = chunked and final and states.get("fleet") is not None
    if len(on_lambda) or close_pool:
        sub = req.take(on_lambda)
        lrun = lp.simulate_pool(sub.arrival, sub.lambda_warm_s, sub.lambda_cold_s,
                                sub.keep_alive_s, concurrency_limit=lam["concurrency_limit"],
                                provisioned=lam["provisioned"],
                                retry=lam["on_throttle"] == "retry",
                                max_retries=lam["max_retries"],
                                retry_delay_s=lam["retry_delay_s"],
                                state=states.get("pool") if chunked else None, final=final)
        if chunked:
            states["pool"] = lrun.state
        prices = sc.lambda_prices
        end = _fill_lambda(on_lambda, lrun.start, lrun.busy, lrun.arrival,
                           _f64(sub.lambda_extra_s), lrun.error, lrun.attempts, lrun.cold,
                           lrun.instance, _f64(sub.memory_mb), prices.lambda_request_usd,
                           prices.lambda_gb_second_usd,
                           prices.lambda_provisioned_duration_gb_second_usd,
                           ovh_latency, ovh_cost, *outputs)
        horizon = max(horizon, float(end))
    if len(on_ecs) or close_fleet:
        sub = req.take(on_ecs)
        frun = fp.simulate_fleet(sub.arrival, sub.fargate_io_s, far, cpu_s=sub.fargate_cpu_s,
                                 horizon_s=horizon_s if chunked else horizon,
                                 state=states.get("fleet") if chunked else None, final=final)
        _fill_fargate(on_ecs, frun.start, frun.busy, frun.arrival, _f64(sub.fargate_extra_s),
                      frun.error, ovh_latency, ovh_cost, *outputs)
        if chunked:
            states["fleet"] = frun.state
        else:
            horizon = max(horizon, float(np.max(frun.stop)) if len(frun.stop) else horizon)
            fixed["fargate_tasks_usd"] = fp.fleet_cost(frun, far, sc.fargate_prices)
        if far["alb"] and not chunked:
            fixed["alb_usd"] = fp.load_balancer_cost(len(on_ecs), float(sub.payload_kb.sum()),
                                                     horizon, sc.fargate_prices)
    if chunked:
        return Outcome(name, to_lambda, latency, cold, error, throttled, cost, fixed,
                       horizon_s, lrun, frun)
    if lrun is not None and lam["provisioned"]:
        mem = float(np.max(req.memory_mb))
        fixed["lambda_provisioned_usd"] = lp.provisioned_cost(lam["provisioned"], mem, horizon,
                                                             sc.lambda_prices)
    return Outcome(name, to_lambda, latency, cold, error, throttled, cost, fixed, horizon,
                   lrun, frun)


def _f64(values: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(values, dtype=np.float64)


@njit(cache=True, error_model="numpy")
def _oracle(io, cpu, speed, hourly, slots, vot, lam_error, lam_cost, lam_latency, ecs_error,
            ecs_latency):
    """Per request: Lambda's cost + vot x latency <= ECS's (inf where a platform failed),
    with an ECS request costing its slot's share of the task (fp.request_cost_share)."""
    n = io.shape[0]
    out = np.empty(n, dtype=np.bool_)
    for i in range(n):
        lam_score = np.inf if lam_error[i] else lam_cost[i] + vot * lam_latency[i]
        ecs_cost = (io[i] + cpu[i] / speed) / 3600.0 * hourly / slots
        ecs_score = np.inf if ecs_error[i] else ecs_cost + vot * ecs_latency[i]
        out[i] = lam_score <= ecs_score
    return out


def oracle_choice(sc: Scenario, req: Requests, lam: Outcome, ecs: Outcome) -> np.ndarray:
    """Hindsight: per request, the platform whose cost + value_of_time x latency was lower in
    the two baselines (an ECS request's cost is its share of a task slot)."""
    vot = float(sc.section("router")["value_of_time_usd_per_s"])
    far = sc.section("fargate")
    # a task-hour's price: fargate_cost of 3,600 s is exactly 1.0 x the hourly rate
    hourly = float(fargate_cost(3600.0, far["vcpu"], far["memory_gb"], sc.fargate_prices))
    return _oracle(_f64(req.fargate_io_s), _f64(req.fargate_cpu_s),
                   min(1.0, float(far["vcpu"])), hourly, float(far["per_task_concurrency"]),
                   vot, lam.error, _f64(lam.request_cost), _f64(lam.latency_s), ecs.error,
                   _f64(ecs.latency_s))


def _model_choice(sc: Scenario, req: Requests, model: routers.RouterModel
                  ) -> tuple[np.ndarray, dict]:
    """A model router's decisions (library batch) and their portable-evaluator check."""
    router = sc.section("router")
    proba, inverse, rows = routers.model_proba(router, req, sc.mix,
                                               start_hour=sc.section("traffic")["start_hour"],
                                               pipeline=model.pipeline)
    check = routers.portable_check(router, model, proba, inverse, rows, seed=sc.seed)
    return (proba >= routers.threshold_of(router, model))[inverse], check


def simulate(spec: dict | str | Scenario | None = None, *, requests: int | None = None,
             strategies: Sequence[str] = STRATEGIES, on_progress: Progress | None = None,
             bins: int = 120, pipeline=None, registry_root: str | None = None
             ) -> SimulationResult:
    """Run a scenario; returns summaries, time series and latency CDFs per strategy.

    The hybrid's routing accuracy is measured against the hindsight oracle, so asking for
    `hybrid` also runs both baselines. For router kind `model`, `pipeline` lets a caller pass
    an already-loaded pipeline or a `routers.RouterModel` (the page and sweeps prepare it
    once); otherwise the model is loaded from the registry at `registry_root` (default:
    $ROUTING_LAB_MODELS or models/).
    """
    started = time.perf_counter()
    progress = on_progress or (lambda _f, _m: None)
    sc = load_scenario(spec, requests=requests)
    unknown = sorted(set(strategies) - set(STRATEGIES))
    if unknown:
        raise ValueError(f"unknown strategies {unknown}")
    wanted = set(strategies) | ({"lambda", "ecs"} if "hybrid" in strategies else set())
    progress(0.02, "drawing requests")
    cpu: dict[str, float] = {}
    c0 = time.process_time()
    req = draw(sc)
    cpu["draw"] = time.process_time() - c0
    n = len(req)
    timings: dict[str, float] = {}
    outcomes: dict[str, Outcome] = {}
    steps = [s for s in STRATEGIES if s in wanted]
    for i, name in enumerate(steps):
        progress(0.05 + 0.85 * i / len(steps), f"simulating {name}")
        t0, c0 = time.perf_counter(), time.process_time()
        if name == "lambda":
            outcomes[name] = run_strategy(name, sc, req, np.ones(n, dtype=bool))
        elif name == "ecs":
            outcomes[name] = run_strategy(name, sc, req, np.zeros(n, dtype=bool))
        else:
            router = sc.section("router")
            best = oracle_choice(sc, req, outcomes["lambda"], outcomes["ecs"])
            check = None
            if router["kind"] == "model":
                choice, check = _model_choice(sc, req, routers.prepare_model(
                    router, pipeline, registry_root))
            else:
                choice = routers.route(router, req, sc.mix, seed=sc.seed,
                                       start_hour=sc.section("traffic")["start_hour"],
                                       oracle_choice=best)
            ovh = routers.overhead(router, sc.lambda_prices)
            outcomes[name] = run_strategy(name, sc, req, choice, ovh)
            outcomes[name].extra.update(oracle=best, overhead=ovh)
            if check is not None:
                outcomes[name].extra["portable_check"] = check
        timings[name] = time.perf_counter() - t0
        cpu[name] = time.process_time() - c0
    progress(0.92, "summarising")
    c0 = time.process_time()
    best = outcomes["hybrid"].extra["oracle"] if "hybrid" in outcomes else (
        oracle_choice(sc, req, outcomes["lambda"], outcomes["ecs"])
        if {"lambda", "ecs"} <= set(outcomes) else None)
    result = summarise(sc, req, {k: v for k, v in outcomes.items() if k in strategies},
                       oracle=best, bins=bins, timings=timings)
    cpu["summarise"] = time.process_time() - c0
    result.cpu_s = cpu
    result.elapsed_s = time.perf_counter() - started
    progress(1.0, "done")
    return result
