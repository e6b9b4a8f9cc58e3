"""Simulator speed: one million requests per strategy, against a plain Python loop.

Prints, for the default scenario (Poisson 5 rps, preset mix) at N requests:
- wall and CPU time of each strategy's engine step and of the whole run (draw + three
  strategies + summaries), requests per second;
- the same Lambda pool as a plain per-request Python loop (heapq + list; run on 100k
  requests and scaled to N), and the ratio;
- peak resident memory of the process and its growth during the run;
- a model router (a zoo model trained on synthetic data): its batch library prediction, the
  portable-evaluator check on a 1,000-request sample, and per-request portable evaluation of
  all N requests (timed on a slice and scaled) as the reference the check avoids.

Run: .venv/bin/python benchmarks/bench_simulate.py [--requests N] [--model rf]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

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


def model_router(n: int, kind: str) -> None:
    """Batch prediction + portable check vs evaluating every request through the evaluator."""
    from core.synth import generate
    from core.training import make_pipeline

    features = ["workload_type", "payload_size_kb", "time_window", "load_pattern", "timestamp"]
    frame = generate("variance", rows=3000, seed=0).dropna(subset=["label"])
    pipe = make_pipeline(kind, features, seed=0).fit(frame, frame["label"].astype(int))
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--model", default="rf", help="zoo model kind for the model router")
    opts = parser.parse_args()
    n = opts.requests
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs "
          "(shared machine: CPU times are the steadier figure)")
    simulate({"requests": 2_000})  # load numba's compiled cache, warm imports
    rss_before = _rss_mb()
    result, wall, cpu = _timed(simulate, {"requests": n})
    rss_peak = _rss_mb()
    print(f"\nN = {n:,} requests, default scenario, all three strategies")
    print(f"{'step':<28}{'wall s':>10}{'req/s':>14}")
    for name, seconds in result.timings_s.items():
        print(f"{'engine: ' + name:<28}{seconds:>10.3f}{n / seconds:>14,.0f}")
    print(f"{'whole run (3 strategies)':<28}{wall:>10.3f}{3 * n / wall:>14,.0f}"
          f"   (CPU {cpu:.3f} s; per strategy {wall / 3:.3f} s wall, {cpu / 3:.3f} s CPU)")

    sc = load_scenario({"requests": n})
    req = draw(sc)
    args = (req.arrival, req.lambda_warm_s, req.lambda_cold_s, req.keep_alive_s)
    _, pool_wall, pool_cpu = _timed(lp.simulate_pool, *args)
    m = min(LOOP_REQUESTS, n)
    head = [a[:m] for a in args]
    small, small_wall, _ = _timed(lp.simulate_pool, *head)
    lists = [a.tolist() for a in head]
    (ref_cold, _, _), loop_wall, loop_cpu = _timed(lp.reference_pool, *lists)
    assert small.cold.tolist() == ref_cold, "numba pool and Python loop disagree"
    scale = n / m
    print(f"\nLambda pool alone (same requests; Python loop on {m:,} scaled x{scale:g})")
    print(f"{'numba pool':<28}{pool_wall:>10.3f}{n / pool_wall:>14,.0f}   (CPU {pool_cpu:.3f} s)")
    print(f"{'Python loop (scaled)':<28}{loop_wall * scale:>10.3f}"
          f"{m / loop_wall:>14,.0f}   (CPU {loop_cpu * scale:.3f} s)")
    print(f"ratio Python loop / numba pool: {loop_wall * scale / pool_wall:,.0f}x wall, "
          f"{loop_cpu * scale / max(pool_cpu, 1e-9):,.0f}x CPU "
          f"(same {m:,} requests: {loop_wall / small_wall:,.0f}x)")
    lam_engine = result.timings_s["lambda"]
    print(f"ratio Python loop / whole Lambda strategy step (pool + bill): "
          f"{loop_wall * scale / lam_engine:,.0f}x")
    print(f"\npeak RSS {rss_peak:,.0f} MB (grew {rss_peak - rss_before:,.0f} MB during the "
          f"{n:,}-request run; goal < 1,024 MB)")
    goal = "met" if wall / 3 < 2.0 else "NOT met"
    print(f"goal 1M requests < 2 s per strategy: {goal} ({wall / 3:.2f} s wall per strategy)")
    lam = result.strategies["lambda"]
    print(f"Lambda-only: cold-start rate {lam['cold_start_rate']:.4%}, "
          f"p95 {lam['latency_p95_ms']:.0f} ms, cost ${lam['cost_usd']:.2f}")
    model_router(n, opts.model)


if __name__ == "__main__":
    main()
