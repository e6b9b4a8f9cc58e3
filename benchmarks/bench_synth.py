"""Synth speed: 100,000 rows with core.synth (goal < 1 s) against a pure-Python per-row loop
of the same model (run on 10,000 rows and scaled x10). Also checks that both give the same
label shares, so the reference really is the same model.

Run: .venv/bin/python benchmarks/bench_synth.py
"""

from __future__ import annotations

import math
import random
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.labels import label_shares
from core.pricing import get_prices
from core.schema import LOAD_PATTERNS, TIME_WINDOWS, WORKLOADS
from core.synth import (
    LAMBDA_MB_PER_VCPU,
    PRESETS,
    RUN_SECONDS,
    WINDOW_RATE,
    WORKLOAD_PROFILES,
    generate,
)

ROWS, LOOP_ROWS, GRID = 100_000, 10_000, 1000


def shape(pattern: str, u: float) -> float:
    if pattern == "low_load":
        return 1.0
    if pattern == "medium_load":
        return 2.5
    if pattern == "ramp_load":
        return 1.0 + 4.0 * u
    return 6.0 if 1 / 3 <= u < 2 / 3 else 1.0


def python_generate(rows: int, seed: int) -> list[dict]:
    """The variance preset, one request at a time, with the standard library only."""
    sc, rng, prices = PRESETS["variance"], random.Random(seed), get_prices("aws-2026")
    profiles = [WORKLOAD_PROFILES[w] for w in WORKLOADS]
    mean_cpu_s = statistics.mean(statistics.mean(p.base_ms + p.ms_per_mb * kb / 1024
                                                 for kb in p.payload_kb) for p in profiles) / 1e3
    runs = [(w, p) for w in TIME_WINDOWS for p in LOAD_PATTERNS]
    weights = [WINDOW_RATE[w] * statistics.mean(shape(p, (i + 0.5) / GRID) for i in range(GRID))
               for w, p in runs]
    dt = RUN_SECONDS / GRID
    out = []
    for i in range(rows):
        window, pattern = rng.choices(runs, weights)[0]
        while True:  # position in the run, spread like the traffic (rejection sampling)
            u = rng.random()
            if rng.random() * 6.0 < shape(pattern, u):
                break
        cell = min(int(u * GRID), GRID - 1)
        rate_now = shape(pattern, (cell + 0.5) / GRID)
        peak_now = max(shape(pattern, (c + 0.5) / GRID) for c in range(cell + 1)) \
            if pattern in ("ramp_load", "burst_load") else rate_now
        peak_before = 0.0 if cell == 0 else (
            max(shape(pattern, (c + 0.5) / GRID) for c in range(cell))
            if pattern in ("ramp_load", "burst_load") else rate_now)
        driver = (peak_now - peak_before) / dt / rate_now
        rate = sc.base_rate * WINDOW_RATE[window] * rate_now
        prof = rng.choice(profiles)
        payload = rng.choice(prof.payload_kb)
        is_ecs = rng.random() < sc.ecs_share
        cpu = prof.cpu_ms(payload)
        noise = rng.lognormvariate(0.0, sc.noise)
        if is_ecs:
            rho = min(rate * sc.ecs_share * mean_cpu_s / (sc.tasks * sc.fargate_vcpu), sc.rho_max)
            execution = (prof.io_ms + cpu / (sc.fargate_vcpu * (1 - rho))) * noise
            init = 0.0
        else:
            execution = (prof.io_ms + cpu / (prof.lambda_memory_mb / LAMBDA_MB_PER_VCPU)) * noise
            cold = rng.random() < min(1.0, execution / 1e3 * driver)
            init = prof.init_ms * rng.lognormvariate(0.0, 0.2) if cold else 0.0
        network = sc.net_ms * rng.lognormvariate(0.0, 0.25) + (10.0 if is_ecs else 30.0)
        latency = execution + init + network + payload / sc.upload_kb_per_s * 1e3
        status = 504 if latency > sc.timeout_ms else 200
        if is_ecs:
            hourly = (sc.fargate_vcpu * prices.fargate_vcpu_hour_usd
                      + sc.fargate_memory_gb * prices.fargate_gb_hour_usd)
            cost = execution / 1e3 / 3600 * hourly
        else:
            billed = math.ceil(execution + init)
            cost = (prices.lambda_request_usd + billed / 1000 * prof.lambda_memory_mb / 1024
                    * prices.lambda_gb_second_usd)
        out.append({"request_id": f"variance_{seed}_{i:07d}",
                    "platform": "ecs" if is_ecs else "lambda",
                    "workload_type": prof.name, "payload_size_kb": payload,
                    "execution_time_ms": execution, "latency_ms": min(latency, sc.timeout_ms),
                    "http_status": status, "cost_usd": cost})
    medians = defaultdict(list)
    for r in out:
        if r["http_status"] < 400:
            medians[r["workload_type"], r["platform"]].append(r)
    med = {k: (statistics.median(x["execution_time_ms"] for x in v),
               statistics.median(x["cost_usd"] for x in v)) for k, v in medians.items()}
    for r in out:
        if r["http_status"] >= 400:
            r["label"] = None
            continue
        lat, cost = r["execution_time_ms"], r["cost_usd"]
        if r["platform"] == "lambda":
            o_lat, o_cost = med[r["workload_type"], "ecs"]
            r["label"] = int(lat < 0.9 * o_lat and cost < 0.9 * o_cost)
        else:
            o_lat, o_cost = med[r["workload_type"], "lambda"]
            r["label"] = int(o_lat < 0.9 * lat and o_cost < 0.9 * cost)
    return out


def main() -> None:
    generate("variance", rows=1000, seed=0)  # warm imports
    times = []
    for seed in range(3):
        start = time.perf_counter()
        frame = generate("variance", rows=ROWS, seed=seed)
        times.append(time.perf_counter() - start)
    best = min(times)
    start = time.perf_counter()
    loop_rows = python_generate(LOOP_ROWS, seed=0)
    loop_s = time.perf_counter() - start
    loop_scaled = loop_s * ROWS / LOOP_ROWS
    print(f"core.synth.generate('variance', {ROWS:,}): best {best:.3f} s of 3 "
          f"({', '.join(f'{t:.3f}' for t in times)}); goal < 1 s: "
          f"{'met' if best < 1 else 'MISSED'}")
    print(f"pure-Python per-row loop, {LOOP_ROWS:,} rows: {loop_s:.3f} s -> scaled to "
          f"{ROWS:,}: {loop_scaled:.2f} s")
    print(f"speed-up vectorised vs loop: {loop_scaled / best:.1f}x")
    trap_start = time.perf_counter()
    generate("trap", rows=ROWS, seed=0)
    print(f"core.synth.generate('trap', {ROWS:,}): {time.perf_counter() - trap_start:.3f} s")
    loop_frame = pd.DataFrame(loop_rows)
    loop_frame["label"] = loop_frame["label"].astype("Int64")
    same = pd.concat({"vectorised": label_shares(frame).set_index("workload_type")
                      ["lambda_optimal_share"],
                      "loop": label_shares(loop_frame).set_index("workload_type")
                      ["lambda_optimal_share"]}, axis=1)
    print("Lambda-optimal share per workload (same model, different random streams):")
    print(same.round(3).to_string())


if __name__ == "__main__":
    main()
