"""Diagnose 100,000 rows with 20 extra columns vs one RandomForestClassifier fit.

The table is the `variance` preset plus 20 columns of every kind a real export carries
(measured floats, small integers, categories, flags, a row number, a UUID, a 50-level text,
an outcome by name). Reference (same run, same rows): `RandomForestClassifier(
n_estimators=100, random_state=0)` fitted on the default features (core.schema.
model_features through core.features.FeatureTransform) of the same labelled rows; the ratio
to a fit on the four thesis features is printed too. Goal (issues 9, 13): diagnose / RF fit
< 0.5, so the check feels instant. Also times fast mode and the trap preset (with the same
extra columns), and the best of `--repeat` runs of each.

Run: .venv/bin/python benchmarks/bench_diagnose.py [--rows 100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from sklearn.ensemble import RandomForestClassifier  # noqa: E402

from core import synth  # noqa: E402
from core.diagnostics import diagnose  # noqa: E402
from core.features import FeatureTransform  # noqa: E402
from core.schema import DEFAULT_FEATURES, model_features  # noqa: E402

GOAL = 0.5
EXTRA = 20


def with_extra_columns(frame: pd.DataFrame, seed: int = 0) -> pd.DataFrame:
    """The frame plus EXTRA columns of mixed kinds (seeded)."""
    rng = np.random.default_rng(seed)
    n = len(frame)
    extra = {}
    for i in range(6):
        extra[f"measure_{i}"] = rng.normal(100, 15, n).round(3)
    for i in range(4):
        extra[f"count_{i}"] = rng.integers(0, 12, n)
    for i in range(4):
        extra[f"category_{i}"] = rng.choice([f"c{j}" for j in range(3 + 2 * i)], n)
    extra["flag_0"] = rng.random(n) < 0.3
    extra["flag_1"] = rng.random(n) < 0.5
    extra["row_number"] = np.arange(n)
    extra["trace_id"] = [f"{v:016x}" for v in rng.integers(0, 2**62, n)]
    extra["host"] = rng.choice([f"host-{j:02d}" for j in range(50)], n)
    extra["queue_duration_ms"] = rng.exponential(20, n).round(2)  # an outcome by name
    assert len(extra) == EXTRA
    return pd.concat([frame.reset_index(drop=True), pd.DataFrame(extra)], axis=1)


def best_of(repeat: int, fn) -> tuple[float, object]:
    """Smallest wall time of `repeat` calls (the machine is shared) and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    frames = {p: with_extra_columns(synth.generate(p, rows=args.rows, seed=0))
              for p in ("variance", "trap")}
    frame = frames["variance"]
    labelled = frame[frame["label"].notna()]
    y = labelled["label"].astype(int).to_numpy()
    features = model_features(frame)
    reference = {}
    for name, cols in (("default features", features), ("four thesis features",
                                                         list(DEFAULT_FEATURES))):
        X = FeatureTransform(cols).fit_transform(labelled)
        reference[name], _ = best_of(args.repeat, lambda X=X: RandomForestClassifier(
            n_estimators=100, random_state=0).fit(X, y))
        print(f"reference RandomForestClassifier(n_estimators=100).fit on {name} "
              f"({len(cols)} columns, matrix {X.shape}): {reference[name]:.2f} s")
    rf_s = reference["default features"]
    print(f"rows: {len(frame):,} ({len(labelled):,} labelled), {frame.shape[1]} columns "
          f"({EXTRA} extra)")
    ok = True
    for name, kwargs in (("variance", {}), ("variance", {"fast": True}), ("trap", {})):
        secs, d = best_of(args.repeat, lambda n=name, k=kwargs: diagnose(frames[n], **k))
        ratio = secs / rf_s
        tag = f"{name}{' fast' if kwargs else ''}"
        print(f"diagnose {tag:<13} {secs:6.2f} s  ratio {ratio:.3f} (vs four-feature fit "
              f"{secs / reference['four thesis features']:.3f})  verdict {d.verdict:<4} "
              f"codes {[f.code for f in d.findings]}")
        if not kwargs:
            ok &= ratio < GOAL
    print(f"goal: ratio < {GOAL} -> {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
