"""The engine: one scenario -> Lambda-only, ECS-only and router-driven hybrid outcomes.

Every strategy replays the same drawn requests (core.simulate.workload); each platform is an
event loop compiled by numba over its share of the requests (core.simulate.lambda_platform,
fargate_platform); everything else is vectorised numpy. Seeded and reproducible.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import numpy as np

from core.simulate import fargate_platform as fp
from core.simulate import lambda_platform as lp
from core.simulate import routers
from core.simulate.results import Outcome, SimulationResult, summarise
from core.simulate.scenario import Scenario, load_scenario
from core.simulate.workload import Requests, draw

STRATEGIES = ("lambda", "ecs", "hybrid")
Progress = Callable[[float, str], None]


def run_strategy(name: str, sc: Scenario, req: Requests, to_lambda: np.ndarray,
                 ovh: routers.Overhead | None = None) -> Outcome:
    """Simulate one routing of the requests: Lambda pool for True, Fargate fleet for False."""
    lam, far = sc.section("lambda"), sc.section("fargate")
    n = len(req)
    latency = np.full(n, np.nan)
    cold = np.zeros(n, dtype=bool)
    error = np.zeros(n, dtype=bool)
    throttled = np.zeros(n, dtype=bool)
    cost = np.zeros(n)
    fixed: dict[str, float] = {}
    horizon = float(req.arrival[-1]) if n else 0.0
    lrun = frun = None
    if to_lambda.any():
        sub = req.subset(to_lambda)
        lrun = lp.simulate_pool(sub.arrival, sub.lambda_warm_s, sub.lambda_cold_s,
                                sub.keep_alive_s, concurrency_limit=lam["concurrency_limit"],
                                provisioned=lam["provisioned"],
                                retry=lam["on_throttle"] == "retry",
                                max_retries=lam["max_retries"],
                                retry_delay_s=lam["retry_delay_s"])
        latency[to_lambda] = lrun.latency + sub.lambda_extra_s
        cold[to_lambda] = lrun.cold
        error[to_lambda] = lrun.error
        throttled[to_lambda] = lrun.attempts > 0
        cost[to_lambda] = lp.request_costs(lrun, sub.memory_mb, sc.lambda_prices)
        horizon = max(horizon, float(np.max(lrun.start + lrun.busy)))
    to_ecs = ~to_lambda
    if to_ecs.any():
        sub = req.subset(to_ecs)
        frun = fp.simulate_fleet(sub.arrival, sub.fargate_io_s, far, cpu_s=sub.fargate_cpu_s,
                                 horizon_s=horizon)
        latency[to_ecs] = frun.latency + sub.fargate_extra_s
        error[to_ecs] = frun.error
        horizon = max(horizon, float(np.max(frun.stop)) if len(frun.stop) else horizon)
        fixed["fargate_tasks_usd"] = fp.fleet_cost(frun, far, sc.fargate_prices)
        if far["alb"]:
            fixed["alb_usd"] = fp.load_balancer_cost(int(to_ecs.sum()),
                                                     float(sub.payload_kb.sum()), horizon,
                                                     sc.fargate_prices)
    if lrun is not None and lam["provisioned"]:
        mem = float(np.max(req.memory_mb))
        fixed["lambda_provisioned_usd"] = lp.provisioned_cost(lam["provisioned"], mem, horizon,
                                                             sc.lambda_prices)
    if ovh is not None:
        latency += ovh.latency_s
        cost += ovh.cost_usd
    latency[error] = np.nan
    return Outcome(name, to_lambda, latency, cold, error, throttled, cost, fixed, horizon,
                   lrun, frun)


def oracle_choice(sc: Scenario, req: Requests, lam: Outcome, ecs: Outcome) -> np.ndarray:
    """Hindsight: per request, the platform whose cost + value_of_time x latency was lower in
    the two baselines (an ECS request's cost is its share of a task slot)."""
    vot = sc.section("router")["value_of_time_usd_per_s"]
    far = sc.section("fargate")
    alone_s = req.fargate_io_s + req.fargate_cpu_s / min(1.0, float(far["vcpu"]))
    ecs_cost = fp.request_cost_share(alone_s, far, sc.fargate_prices)
    lam_score = np.where(lam.error, np.inf, lam.request_cost + vot * lam.latency_s)
    ecs_score = np.where(ecs.error, np.inf, ecs_cost + vot * ecs.latency_s)
    return routers.oracle(lam_score, ecs_score)


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
    req = draw(sc)
    n = len(req)
    timings: dict[str, float] = {}
    outcomes: dict[str, Outcome] = {}
    steps = [s for s in STRATEGIES if s in wanted]
    for i, name in enumerate(steps):
        progress(0.05 + 0.85 * i / len(steps), f"simulating {name}")
        t0 = time.perf_counter()
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
    progress(0.92, "summarising")
    best = outcomes["hybrid"].extra["oracle"] if "hybrid" in outcomes else (
        oracle_choice(sc, req, outcomes["lambda"], outcomes["ecs"])
        if {"lambda", "ecs"} <= set(outcomes) else None)
    result = summarise(sc, req, {k: v for k, v in outcomes.items() if k in strategies},
                       oracle=best, bins=bins, timings=timings)
    result.elapsed_s = time.perf_counter() - started
    progress(1.0, "done")
    return result
