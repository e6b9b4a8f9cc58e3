"""Calibrated replay speed: 1M requests per strategy, as a ratio to the preset model's run.

The replayed file is the shared real logs (../shared/data/artillery) repeated with shifted
timestamps up to N requests. Prints wall time of a replay (Lambda-only, ECS-only, hybrid with
a LightGBM router, both oracles, summaries) and of the preset simulator on N requests with a
model router, and their ratio (goal <= 1.5), plus peak resident memory.

Run: .venv/bin/python benchmarks/bench_replay.py [--requests N]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import warnings
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.io import read_paths  # noqa: E402
from core.labels import balanced_optimal  # noqa: E402
from core.simulate.replay import ReplaySettings, replay  # noqa: E402
from core.simulate.runner import simulate  # noqa: E402
from core.training import make_pipeline  # noqa: E402

FEATURES = ["workload_type", "payload_size_kb", "time_window", "load_pattern"]


def _logs(n: int) -> pd.DataFrame:
    base = read_paths([ROOT.parent / "shared" / "data" / "artillery"]).frame
    ts = pd.to_datetime(base["timestamp"], errors="coerce", utc=True, format="mixed")
    span = (ts.max() - ts.min()) + pd.Timedelta(hours=1)
    copies = []
    for i in range(-(-n // len(base))):
        copies.append(base.assign(timestamp=ts + i * span))
    return pd.concat(copies, ignore_index=True).iloc[:n]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=1_000_000)
    n = parser.parse_args().requests
    warnings.simplefilter("ignore")
    frame = _logs(n)
    labelled = balanced_optimal(frame.iloc[:30_000], costs="thesis").dropna(subset=["label"])
    model = make_pipeline("lgbm", FEATURES, seed=0).fit(labelled, labelled["label"].astype(int))
    simulate({"requests": 10_000})  # compile the numba kernels outside the timings
    t0 = time.perf_counter()
    result = replay(frame, ReplaySettings(costs="thesis"), pipeline=model)
    replay_s = time.perf_counter() - t0
    preset = {"requests": n, "router": {"kind": "model", "model_id": "bench"}}
    t0 = time.perf_counter()
    simulate(preset, pipeline=model)
    preset_s = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    replayed = result.strategies["hybrid"]["requests"]
    print(f"calibrated replay: {replayed:,} requests x 5 strategies in {replay_s:.2f} s "
          f"({replayed * 3 / replay_s / 1e6:.2f} M requests/s over the three fleets)")
    print(f"preset model:      {n:,} requests x 3 strategies in {preset_s:.2f} s")
    print(f"ratio replay / preset: {replay_s / preset_s:.2f} (goal <= 1.5)")
    print(f"peak resident memory: {peak:,.0f} MB")


if __name__ == "__main__":
    main()
