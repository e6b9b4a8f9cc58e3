"""Diagnose 100,000 rows: core.diagnostics.diagnose vs one RandomForestClassifier fit.

Reference (same run, same rows): `RandomForestClassifier(n_estimators=100, random_state=0)`
fitted on the default features (core.features.FeatureTransform) of the same labelled
`variance` preset. Goal (issue 9): diagnose / RF fit < 0.5, so the check feels instant.
Also times the trap preset and fast mode, and the best of `--repeat` runs of each.

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

from sklearn.ensemble import RandomForestClassifier  # noqa: E402

from core import synth  # noqa: E402
from core.diagnostics import diagnose  # noqa: E402
from core.features import FeatureTransform  # noqa: E402

GOAL = 0.5


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
    frames = {p: synth.generate(p, rows=args.rows, seed=0) for p in ("variance", "trap")}
    frame = frames["variance"]
    labelled = frame[frame["label"].notna()]
    X = FeatureTransform().fit_transform(labelled)
    y = labelled["label"].astype(int).to_numpy()
    rf_s, _ = best_of(args.repeat, lambda: RandomForestClassifier(
        n_estimators=100, random_state=0).fit(X, y))
    print(f"rows: {len(frame):,} ({len(labelled):,} labelled), RF matrix {X.shape}")
    print(f"reference RandomForestClassifier(n_estimators=100).fit: {rf_s:.2f} s")
    ok = True
    for name, kwargs in (("variance", {}), ("variance", {"fast": True}), ("trap", {})):
        secs, d = best_of(args.repeat, lambda n=name, k=kwargs: diagnose(frames[n], **k))
        ratio = secs / rf_s
        tag = f"{name}{' fast' if kwargs else ''}"
        print(f"diagnose {tag:<13} {secs:6.2f} s  ratio {ratio:.3f}  verdict {d.verdict:<4} "
              f"codes {[f.code for f in d.findings]}")
        if not kwargs:
            ok &= ratio < GOAL
    print(f"goal: ratio < {GOAL} -> {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
