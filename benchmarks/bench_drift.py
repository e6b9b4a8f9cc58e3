"""Drift on 1,000,000 current rows against an 88,000-row reference: time and peak memory.

Data: the `variance` synthetic preset (core.synth), reference seed 0, current seed 1 with a
planted shift (heavy_processing payload x3, which must be found). Timed, best of --repeat:
  features   core.drift.compare(reference, current) (PSI / KS per feature and per workload,
             label drift from the outcomes, 24 time windows)
  with model the same plus a LightGBM router predicting both files (prediction drift,
             realised routing accuracy)
  read       core.drift.read_table of the current file as Parquet (core.io's canonicalisation)
Peak memory: tracemalloc's peak of Python + numpy allocations during one call (separate run,
as tracing slows it), and the process's max RSS at the end.
Reference (same process, same rows): reading the Parquet file with pandas plus one
scipy.stats.ks_2samp on the payload column, the least any drift check has to do.

Run: .venv/bin/python benchmarks/bench_drift.py [--rows 1000000] [--reference-rows 88000]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
import tracemalloc
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402
from scipy import stats  # noqa: E402

from core import synth  # noqa: E402
from core.drift import compare, read_table  # noqa: E402
from core.registry import LoadedModel  # noqa: E402
from core.training import make_pipeline  # noqa: E402

FEATURES = ["workload_type", "payload_size_kb", "time_window", "load_pattern"]


def best_of(repeat: int, fn) -> tuple[float, object]:
    """Smallest wall time of `repeat` calls (the machine is shared) and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def peak_mb(fn) -> float:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--reference-rows", type=int, default=88_000)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    reference = synth.generate("variance", rows=args.reference_rows, seed=0)
    current = synth.generate("variance", rows=args.rows, seed=1)
    heavy = current["workload_type"] == "heavy_processing"
    current.loc[heavy, "payload_size_kb"] *= 3
    train = reference[reference["label"].notna()]
    pipe = make_pipeline("lgbm", FEATURES, seed=0).fit(train, train["label"].astype(int))
    model = LoadedModel(model_id="lgbm-bench", pipeline=pipe,
                        metadata={"features": FEATURES})
    print(f"reference {len(reference):,} rows, current {len(current):,} rows "
          f"({current.memory_usage(deep=True).sum() / 1e6:.0f} MB in pandas)")

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "current.parquet"
        current.to_parquet(path, index=False)

        def baseline():
            frame = pd.read_parquet(path)
            return stats.ks_2samp(reference["payload_size_kb"], frame["payload_size_kb"])

        base_s, _ = best_of(args.repeat, baseline)
        feat_s, report = best_of(args.repeat, lambda: compare(reference, current))
        model_s, with_model = best_of(args.repeat, lambda: compare(reference, current,
                                                                   model=model))
        read_s, _ = best_of(1, lambda: read_table(path))
        feat_mb = peak_mb(lambda: compare(reference, current))
        model_mb = peak_mb(lambda: compare(reference, current, model=model))

    found = [f for f in report.features if f["drift"]]
    print(f"reference run (read Parquet + one KS): {base_s:.2f} s")
    print(f"drift, features only: {feat_s:.2f} s ({feat_s / base_s:.1f}x reference), "
          f"peak traced memory {feat_mb:.0f} MB")
    print(f"drift, with a LightGBM model: {model_s:.2f} s ({model_s / base_s:.1f}x), "
          f"peak traced memory {model_mb:.0f} MB")
    print(f"read_table of the 1M-row Parquet (core.io): {read_s:.2f} s")
    print(f"process max RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    print(f"verdict {report.verdict}; drifted: "
          + ", ".join(f"{f['feature']}/{f['statistic']} [{f.get('segment')}]" for f in found))
    print(f"with model: lambda share {with_model.prediction['lambda_share']['reference']:.3f}"
          f" -> {with_model.prediction['lambda_share']['current']:.3f}; windows "
          f"{len(report.windows)}")
    ok = report.verdict == "drift" and all(
        f["feature"] == "payload_size_kb" and f.get("segment") == "heavy_processing"
        for f in found) and found
    print("planted shift found, nothing else flagged" if ok else "UNEXPECTED drift result")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
