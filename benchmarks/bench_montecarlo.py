"""Monte-Carlo seeds on Dask: 32 seeds of one scenario on 1 worker vs 2 workers (speed-up),
and the one-by-one run in this process as the reference.

Run: .venv/bin/python benchmarks/bench_montecarlo.py [--seeds 32] [--requests 200000]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.simulate.montecarlo import monte_carlo


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=32)
    parser.add_argument("--requests", type=int, default=200_000)
    opts = parser.parse_args()
    spec = {"requests": opts.requests, "router": {"kind": "random"}}
    monte_carlo(2, spec={"requests": 1000}, scheduler="local")  # compile numba kernels
    timings = {}
    t0 = time.perf_counter()
    monte_carlo(opts.seeds, spec=spec, scheduler="local")
    timings["in process"] = time.perf_counter() - t0
    from core.parallel import local_cluster

    for workers in (1, 2):
        with local_cluster(workers) as cluster:
            address = cluster.scheduler_address
            # each worker imports the simulator and compiles its kernels once: not timed
            monte_carlo(max(2, workers), spec={"requests": 1000}, scheduler=address)
            t0 = time.perf_counter()
            result = monte_carlo(opts.seeds, spec=spec, scheduler=address)
            timings[f"{workers} worker(s)"] = time.perf_counter() - t0
    for label, seconds in timings.items():
        print(f"{label:<11} {opts.seeds} seeds x {opts.requests:,} requests x 3 strategies: "
              f"{seconds:.1f} s")
    print(f"hybrid cost 95 % CI: {result['ci95']['hybrid.cost_usd']}")
    print(f"speed-up 2 workers vs 1 worker: "
          f"{timings['1 worker(s)'] / timings['2 worker(s)']:.2f}x; vs in process: "
          f"{timings['in process'] / timings['2 worker(s)']:.2f}x")


if __name__ == "__main__":
    main()
