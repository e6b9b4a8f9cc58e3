"""Simulator speed: one million requests per strategy, against a plain Python loop.

Prints, for the default scenario (Poisson 5 rps, preset mix) at N requests:
- simulated requests per second of each strategy's engine step (SimulationResult.timings_s,
  wall; and CPU seconds) with a model router on the hybrid (a zoo model trained on
  core.synth "variance", prepared once as the page and sweeps do), and in total:
  3N / (sum of the three engine steps), against the goal of 7M requests/s on one core;
- the hybrid's parts (oracle, model batch prediction, portable check, the two platforms);
- draw, summarise and the whole run, wall and CPU;
- the same Lambda pool as a plain per-request Python loop (heapq + list; run on 100k
  requests and scaled to N), and the ratio of the engine's requests/s to the loop's;
- peak resident memory; the model router's batch prediction against per-request portable
  evaluation of all N requests (timed on a slice and scaled).

Run: .venv/bin/python benchmarks/bench_simulate.py [--requests N] [--model rf] [--repeats 2]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.simulate import lambda_platform as lp
from core.simulate import routers
from core.simulate.runner import simulate
from core.simulate.scenario import load_scenario
from core.simulate.workload import draw

LOOP_REQUESTS = 100_000


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _timed(fn, *args, **kwargs):
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - wall, time.process_time() - cpu


GOAL_TOTAL_REQ_S = 7_000_000


def train_router(kind: str):
    """A zoo pipeline trained on synthetic data, as the model router's model."""
    from core.synth import generate
    from core.training import make_pipeline

    features = ["workload_type", "payload_size_kb", "time_window", "load_pattern", "timestamp"]
    frame = generate("variance", rows=3000, seed=0).dropna(subset=["label"])
    return make_pipeline(kind, features, seed=0).fit(frame, frame["label"].astype(int))


def model_router(n: int, kind: str, pipe) -> None:
    """Batch prediction + portable check vs evaluating every request through the evaluator."""
    sc = load_scenario({"requests": n, "router": {"kind": "model", "model_id": kind}})
    router, req = sc.section("router"), draw(sc)
    model, prep_wall, _ = _timed(routers.prepare_model, router, pipe)
    (proba, inverse, rows), batch_wall, _ = _timed(
        routers.model_proba, router, req, sc.mix, start_hour=sc.section("traffic")["start_hour"],
        pipeline=pipe)
    check, check_wall, _ = _timed(routers.portable_check, router, model, proba, inverse, rows,
                                  seed=sc.seed)
    from core.portable.evaluator import loads

    evaluator = loads(model.portable_json)
    m = min(5_000, n)
    records = rows.iloc[inverse[:m]].to_dict("records")
    _, row_wall, _ = _timed(lambda: [evaluator.predict_proba(r) for r in records])
    per_row = row_wall * n / m
    print(f"\nModel router ({kind}, {len(rows):,} distinct feature rows in {n:,} requests)")
    print(f"{'export + load (once)':<28}{prep_wall:>10.3f}")
    print(f"{'library batch prediction':<28}{batch_wall:>10.3f}{n / batch_wall:>14,.0f}")
    print(f"{'portable check':<28}{check_wall:>10.3f}   ({check['rows']:,} sampled, "
          f"{check['distinct_rows']:,} distinct; max |dp| {check['max_abs_diff']:.2g}, "
          f"decisions agree {check['decisions_agree']:.1%})")
    print(f"{'portable per request (scaled)':<28}{per_row:>10.3f}{m / row_wall:>14,.0f}"
          f"   (timed on {m:,})")
    print(f"ratio per-request portable / (batch + check): "
          f"{per_row / (batch_wall + check_wall):,.0f}x")


def python_loop_req_s(n: int) -> tuple[float, float]:
    """Requests/s of the plain Python Lambda pool loop (wall, CPU), on min(n, 100k)
    requests of the default scenario; checked against the compiled pool."""
    sc = load_scenario({"requests": n})
    req = draw(sc)
    m = min(LOOP_REQUESTS, n)
    args = [a[:m] for a in (req.arrival, req.lambda_warm_s, req.lambda_cold_s,
                            req.keep_alive_s)]
    small = lp.simulate_pool(*args)
    lists = [a.tolist() for a in args]
    (ref_cold, _, _), wall, cpu = _timed(lp.reference_pool, *lists)
    assert small.cold.tolist() == ref_cold, "numba pool and Python loop disagree"
    return m / wall, m / cpu


def hybrid_parts(n: int, kind: str, model) -> dict[str, float]:
    """CPU seconds of the hybrid step's parts, called one by one."""
    from core.simulate import runner

    sc = load_scenario({"requests": n, "router": {"kind": "model", "model_id": kind}})
    req = draw(sc)
    router = sc.section("router")
    lam = runner.run_strategy("lambda", sc, req, np.ones(n, dtype=bool))
    ecs = runner.run_strategy("ecs", sc, req, np.zeros(n, dtype=bool))
    _, _, oracle_cpu = _timed(runner.oracle_choice, sc, req, lam, ecs)
    (proba, inverse, rows), _, proba_cpu = _timed(
        routers.model_proba, router, req, sc.mix, start_hour=sc.section("traffic")["start_hour"],
        pipeline=model.pipeline)
    _, _, check_cpu = _timed(routers.portable_check, router, model, proba, inverse, rows,
                             seed=sc.seed)
    choice = (proba >= routers.threshold_of(router, model))[inverse]
    _, _, run_cpu = _timed(runner.run_strategy, "hybrid", sc, req, choice,
                           routers.overhead(router, sc.lambda_prices))
    return {"oracle": oracle_cpu, "model batch prediction": proba_cpu,
            "portable check": check_cpu, "platforms (run_strategy)": run_cpu,
            "lambda share": float(choice.mean())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--model", default="rf", help="zoo model kind for the model router")
    parser.add_argument("--repeats", type=int, default=2, help="timed runs (best is reported)")
    opts = parser.parse_args()
    n = opts.requests
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs "
          "(shared machine: CPU times are the steadier figure)")
    pipe = train_router(opts.model)
    spec = {"requests": n, "router": {"kind": "model", "model_id": opts.model}}
    model, prep_wall, _ = _timed(routers.prepare_model, spec["router"], pipe)
    # load numba's compiled cache, warm imports (a different seed: nothing is reused)
    simulate({**spec, "requests": 2_000, "seed": 99}, pipeline=model)
    rss_before = _rss_mb()
    runs = []
    for _ in range(max(1, opts.repeats)):
        result, wall, cpu = _timed(simulate, spec, pipeline=model)
        runs.append((result, wall, cpu))
    rss_peak = _rss_mb()
    loop_wall_rs, loop_cpu_rs = python_loop_req_s(n)

    print(f"\nN = {n:,} requests, default scenario, hybrid routed by a {opts.model} model "
          f"(exported once: {prep_wall:.3f} s, not in the steps); {len(runs)} runs")
    print(f"{'engine step':<26}{'wall s':>16}{'CPU s':>16}{'req/s (CPU, best)':>20}")
    for name in runs[0][0].timings_s:
        walls = [r.timings_s[name] for r, _, _ in runs]
        cpus = [r.cpu_s[name] for r, _, _ in runs]
        print(f"{name:<26}{_range(walls):>16}{_range(cpus):>16}{n / min(cpus):>20,.0f}")
    tot_wall = [sum(r.timings_s.values()) for r, _, _ in runs]
    tot_cpu = [sum(r.cpu_s[k] for k in r.timings_s) for r, _, _ in runs]
    best_wall, best_cpu = 3 * n / min(tot_wall), 3 * n / min(tot_cpu)
    print(f"{'total (3 strategies)':<26}{_range(tot_wall):>16}{_range(tot_cpu):>16}"
          f"{best_cpu:>20,.0f}")
    print(f"total engine requests/s: {3 * n / max(tot_wall):,.0f}-{best_wall:,.0f} wall, "
          f"{3 * n / max(tot_cpu):,.0f}-{best_cpu:,.0f} CPU")
    print(f"plain Python Lambda loop: {loop_wall_rs:,.0f} req/s wall, {loop_cpu_rs:,.0f} CPU; "
          f"ratio total engine / loop: {best_wall / loop_wall_rs:,.0f}x wall, "
          f"{best_cpu / loop_cpu_rs:,.0f}x CPU")
    goal = "met" if best_wall >= GOAL_TOTAL_REQ_S else "NOT met"
    print(f"goal >= 7M req/s total engine on one core: {goal} "
          f"(best {best_wall / 1e6:.2f}M wall, {best_cpu / 1e6:.2f}M CPU)")
    for step in ("draw", "summarise"):
        print(f"{step:<26}{'':>16}{_range([r.cpu_s[step] for r, _, _ in runs]):>16}")
    print(f"{'whole run':<26}{_range([w for _, w, _ in runs]):>16}"
          f"{_range([c for _, _, c in runs]):>16}")

    parts = hybrid_parts(n, opts.model, model)
    share = parts.pop("lambda share")
    print(f"\nhybrid step's parts (CPU s, called one by one; {share:.1%} of requests to Lambda)")
    for name, seconds in parts.items():
        print(f"  {name:<32}{seconds:>8.3f}")

    base, wall, cpu = _timed(simulate, {"requests": n})
    print("\npreset router (rule), one run: engine CPU "
          + ", ".join(f"{k} {v:.3f}" for k, v in base.cpu_s.items() if k in base.timings_s)
          + f" -> {3 * n / sum(base.cpu_s[k] for k in base.timings_s):,.0f} req/s; whole run "
          f"{wall:.3f} s wall, {cpu:.3f} s CPU")
    print(f"\npeak RSS {rss_peak:,.0f} MB (grew {rss_peak - rss_before:,.0f} MB during the "
          f"{n:,}-request runs; goal < 1,024 MB)")
    lam = runs[0][0].strategies["lambda"]
    print(f"Lambda-only: cold-start rate {lam['cold_start_rate']:.4%}, "
          f"p95 {lam['latency_p95_ms']:.0f} ms, cost ${lam['cost_usd']:.2f}")
    model_router(n, opts.model, pipe)


def _range(values: list[float]) -> str:
    return f"{min(values):.3f}-{max(values):.3f}" if len(values) > 1 else f"{values[0]:.3f}"


if __name__ == "__main__":
    main()
