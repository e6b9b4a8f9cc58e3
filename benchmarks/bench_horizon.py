"""Long horizons: requests vs wall time vs peak memory, chunked against in memory, and seeds
of a long horizon on 1 vs 2 Dask workers.

Each run is its own `python -m core simulate ... --json` process, so its peak resident memory
is its own (read from the run's long_horizon.peak_rss_mb, or the process's VmHWM for the
in-memory reference). Prints, per request count: wall time, simulated requests/s (3
strategies), peak RSS, and the ratio chunked / in memory where both ran.

Run: .venv/bin/python benchmarks/bench_horizon.py [--rate 1000] [--hours 0.28,2.8,24]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _scenario(rate: float, tmp: Path) -> Path:
    path = tmp / "bench_horizon_scenario.json"
    path.write_text(json.dumps({"traffic": {"kind": "diurnal", "rate_per_s": rate},
                                "fargate": {"max_tasks": 400},
                                "lambda": {"concurrency_limit": 5000}}))
    return path


#: Runs `python -m core` and prints the process's own peak RSS (KB) last on stderr.
_WRAPPER = ("import runpy, sys\n"
            "from core.simulate.horizon import peak_rss_mb\n"
            "sys.argv = ['core', *sys.argv[1:]]\n"
            "try:\n    runpy.run_module('core', run_name='__main__')\n"
            "finally:\n"
            "    print(peak_rss_mb() * 1024, file=sys.stderr)\n")


def _run(args: list[str]) -> tuple[dict, float, float]:
    """(JSON, wall s, peak RSS MB) of one CLI run in its own process."""
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", _WRAPPER, "simulate", *args, "--json"],
                         cwd=ROOT, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - t0
    peak_kb = float(out.stderr.strip().splitlines()[-1])
    return json.loads(out.stdout), wall, peak_kb / 1024.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=1000.0, help="mean requests/s (diurnal)")
    parser.add_argument("--hours", default="0.28,2.8,24",
                        help="horizons in hours (comma-separated)")
    parser.add_argument("--in-memory-max", type=int, default=10_000_000,
                        help="also run the in-memory simulator up to this many requests")
    parser.add_argument("--seeds", type=int, default=4)
    parser.add_argument("--seed-hours", type=float, default=0.5)
    opts = parser.parse_args()
    config = _scenario(opts.rate, Path("/tmp"))
    _run(["--config", str(config), "--requests", "2000"])  # numba cache warm
    print(f"diurnal traffic, mean {opts.rate:,.0f} requests/s, three strategies per request")
    print(f"{'horizon':>9}{'requests':>15}{'mode':>11}{'wall s':>9}{'req/s (x3)':>13}"
          f"{'peak RSS MB':>13}")
    for hours in (float(h) for h in opts.hours.split(",")):
        doc, wall, rss = _run(["--config", str(config), "--horizon", f"{hours * 3600:.0f}"])
        n = doc["long_horizon"]["requests"]
        print(f"{hours:>8.2f}h{n:>15,}{'chunked':>11}{wall:>9.1f}{3 * n / wall:>13,.0f}"
              f"{rss:>13,.0f}")
        if n <= opts.in_memory_max:
            _, mem_wall, mem_rss = _run(["--config", str(config), "--requests", str(n)])
            print(f"{'':>9}{n:>15,}{'in memory':>11}{mem_wall:>9.1f}{3 * n / mem_wall:>13,.0f}"
                  f"{mem_rss:>13,.0f}   chunked/in-memory: wall {wall / mem_wall:.2f}, "
                  f"memory {rss / mem_rss:.2f}")
    month = 30 * 86_400 * opts.rate
    per_request = wall / n
    print(f"a 30-day month at this rate: {month:,.0f} requests, about "
          f"{month * per_request / 3600:,.1f} h on one core at the last row's speed, memory "
          "as the last row (bounded by the chunk)")

    from core.parallel import local_cluster
    from core.simulate.montecarlo import monte_carlo

    spec = json.loads(config.read_text())
    horizon = opts.seed_hours * 3600
    times = {}
    for workers in (1, 2):
        with local_cluster(workers) as cluster:
            address = cluster.scheduler_address
            monte_carlo(max(2, workers), spec={**spec, "requests": 1000}, scheduler=address)
            t0 = time.perf_counter()
            monte_carlo(opts.seeds, spec=spec, scheduler=address, horizon_s=horizon,
                        chunk_requests=500_000)
            times[workers] = time.perf_counter() - t0
    print(f"\n{opts.seeds} seeds x {opts.seed_hours:g} h long horizons: 1 worker "
          f"{times[1]:.1f} s, 2 workers {times[2]:.1f} s, speed-up {times[1] / times[2]:.2f}x")


if __name__ == "__main__":
    main()
