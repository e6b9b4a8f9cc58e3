"""Sweeps over scenarios: break-even request rate per workload, a Lambda memory sweep (like
AWS Lambda Power Tuning: cost vs duration per memory size) and one-at-a-time sensitivity of
the router's savings.

Every point is an independent simulation run through core.parallel: in this process by
default (a sweep of a dozen small points is over before a cluster would start),
`scheduler=None` for a local Dask cluster sized to the machine, or a scheduler address for an
existing cluster. Same points, same results wherever they run.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from core.errors import UserError
from core.parallel import LOCAL, Progress, map_ordered
from core.simulate.routers import RouterModel, prepare_model
from core.simulate.scenario import load_scenario

DEFAULT_RATES = (0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0)
POWER_TUNING_MB = (128, 256, 512, 1024, 1536, 1769, 2048, 3008, 4096, 10240)
SENSITIVITY_PARAMS = ("traffic.rate_per_s", "lambda.memory_mb", "lambda.keep_alive_s",
                      "fargate.min_tasks", "fargate.per_task_concurrency",
                      "fargate.start_delay_s", "router.threshold_kb")
SWEEP_REQUESTS = 20_000
#: Break-even points simulate this long (requests = rate x duration, clipped), so that
#: autoscaling and keep-alive reach their steady state at every rate.
BREAK_EVEN_DURATION_S = 3600.0
BREAK_EVEN_REQUESTS = (1_000, 200_000)


def _set(spec: dict[str, Any], dotted: str, value: Any) -> dict[str, Any]:
    out = copy.deepcopy(spec)
    node = out
    *parents, leaf = dotted.split(".")
    for key in parents:
        node = node.setdefault(key, {})
    node[leaf] = value
    return out


def _point(spec: dict[str, Any], *, strategies: tuple[str, ...],
           model: RouterModel | None = None) -> dict[str, Any]:
    """One simulation, reduced to its per-strategy summaries (small to ship between workers)."""
    from core.simulate.runner import simulate

    return simulate(spec, strategies=strategies, bins=1, pipeline=model).strategies


def _run(specs: list[dict], strategies: tuple[str, ...], scheduler: str | None,
         model: RouterModel | None = None,
         on_progress: Progress | None = None) -> list[dict[str, Any]]:
    results, _ = map_ordered(_point, specs, scheduler=scheduler, on_progress=on_progress,
                             shared={"strategies": strategies, "model": model})
    return results


def _base(spec: dict | None, requests: int) -> dict[str, Any]:
    """Validated copy of the scenario with the sweep's request count."""
    return load_scenario(spec, requests=requests).to_json()


def break_even(spec: dict | None = None, *, rates: Sequence[float] = DEFAULT_RATES,
               workloads: Sequence[str] | None = None,
               duration_s: float = BREAK_EVEN_DURATION_S, scheduler: str | None = LOCAL,
               on_progress: Progress | None = None) -> tuple[pd.DataFrame, dict]:
    """Cost per million of Lambda-only vs ECS-only per workload over Poisson rates, each
    simulated for `duration_s` of traffic.

    Returns the long frame (workload, rate_per_s, platform, cost_per_million, latency_p95_ms,
    error_rate)
    and {workload: break-even rate or None}: the lowest rate at which ECS gets cheaper,
    interpolated in log-rate between the two sweep points around the crossing.
    """
    base = _base(spec, SWEEP_REQUESTS)
    if not rates or min(rates) <= 0:
        raise UserError(f"Sweep rates must be > 0 requests per second; got {list(rates)}.")
    names = list(workloads or load_scenario(base).mix.workloads)
    specs, keys = [], []
    for name in names:
        for rate in rates:
            s = _set(base, "mix", {name: 1.0})
            s["payload_kb"] = None if base.get("payload_kb") is None else \
                {k: v for k, v in base["payload_kb"].items() if k == name} or None
            s["traffic"] = {"kind": "poisson", "rate_per_s": float(rate),
                            "start_hour": base["traffic"]["start_hour"]}
            lo, hi = BREAK_EVEN_REQUESTS
            s["requests"] = int(min(max(rate * duration_s, lo), hi))
            specs.append(s)
            keys.append((name, float(rate)))
    results = _run(specs, ("lambda", "ecs"), scheduler, on_progress=on_progress)
    rows = []
    for (name, rate), res in zip(keys, results, strict=True):
        for platform in ("lambda", "ecs"):
            rows.append({"workload": name, "rate_per_s": rate, "platform": platform,
                         "cost_per_million": res[platform]["cost_per_million"],
                         "latency_p95_ms": res[platform]["latency_p95_ms"],
                         "error_rate": res[platform]["error_rate"]})
    frame = pd.DataFrame(rows)
    return frame, {name: _crossing(frame[frame["workload"] == name]) for name in names}


def _crossing(rows: pd.DataFrame) -> float | None:
    wide = rows.pivot(index="rate_per_s", columns="platform", values="cost_per_million")
    diff = (wide["lambda"] - wide["ecs"]).to_numpy()  # > 0: ECS cheaper
    rates = wide.index.to_numpy(dtype=float)
    for i in range(1, len(diff)):
        if diff[i - 1] <= 0 < diff[i]:
            x0, x1 = np.log(rates[i - 1]), np.log(rates[i])
            frac = -diff[i - 1] / (diff[i] - diff[i - 1])
            return float(np.exp(x0 + frac * (x1 - x0)))
    if len(diff) and diff[0] > 0:
        return float(rates[0])  # ECS cheaper already at the lowest rate swept
    return None


def memory_sweep(spec: dict | None = None, *, memories: Sequence[int] = POWER_TUNING_MB,
                 requests: int = SWEEP_REQUESTS, scheduler: str | None = LOCAL,
                 on_progress: Progress | None = None) -> pd.DataFrame:
    """Lambda-only cost and latency per memory size (Power Tuning's trade-off curve)."""
    base = _base(spec, requests)
    specs = [_set(base, "lambda.memory_mb", int(m)) for m in memories]
    for s in specs:
        load_scenario(s)  # a bad memory size fails before any work starts
    results = _run(specs, ("lambda",), scheduler, on_progress=on_progress)
    return pd.DataFrame([{"memory_mb": int(m),
                          "cost_per_million": r["lambda"]["cost_per_million"],
                          "latency_mean_ms": r["lambda"]["latency_mean_ms"],
                          "latency_p95_ms": r["lambda"]["latency_p95_ms"],
                          "cold_start_rate": r["lambda"]["cold_start_rate"]}
                         for m, r in zip(memories, results, strict=True)])


def sensitivity(spec: dict | None = None, *, params: Sequence[str] = SENSITIVITY_PARAMS,
                factors: Sequence[float] = (0.5, 2.0), requests: int = SWEEP_REQUESTS,
                scheduler: str | None = LOCAL, model: Any = None,
                registry_root: str | None = None,
                on_progress: Progress | None = None) -> pd.DataFrame:
    """Hybrid savings vs each baseline when one parameter is scaled by each factor.

    A model router is loaded (from `registry_root`, default $ROUTING_LAB_MODELS or models/)
    and exported once for the whole sweep, not per point; `model` may pass an already
    loaded pipeline or `routers.RouterModel` instead.
    """
    base = _base(spec, requests)
    router_model = (prepare_model(base["router"], model, registry_root)
                    if base["router"]["kind"] == "model" else None)
    specs, keys = [base], [("baseline", 1.0, None)]
    for param in params:
        value = _get(base, param)
        if not isinstance(value, int | float) or isinstance(value, bool):
            continue  # e.g. memory "profile": nothing to scale
        for f in factors:
            new = type(value)(round(value * f)) if isinstance(value, int) else value * f
            if param == "lambda.memory_mb":
                new = int(min(max(new, 128), 10_240))
            specs.append(_set(base, param, new))
            keys.append((param, float(f), new))
    results = _run(specs, ("lambda", "ecs", "hybrid"), scheduler, router_model, on_progress)
    rows = []
    for (param, f, value), res in zip(keys, results, strict=True):
        hyb = res["hybrid"]
        rows.append({"parameter": param, "factor": f, "value": value,
                     "hybrid_cost_usd": hyb["cost_usd"],
                     "savings_vs_lambda_pct": hyb["vs_lambda"]["savings_pct"],
                     "savings_vs_ecs_pct": hyb["vs_ecs"]["savings_pct"],
                     "hybrid_p95_ms": hyb["latency_p95_ms"]})
    return pd.DataFrame(rows)


def _get(spec: dict[str, Any], dotted: str) -> Any:
    node: Any = spec
    for key in dotted.split("."):
        node = node.get(key) if isinstance(node, dict) else None
    return node
