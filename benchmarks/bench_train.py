"""Benchmark: five models + baseline, 5-fold CV, 88,000 rows of `variance` data, 2 cores.

Ours: core.training.train_and_compare (models in parallel processes, single-threaded tuned
settings, plus permutation importance, latency, curves and checks it does on top).
Reference: the notebook way, in the same script: the same five models with library defaults,
one after another, 5-fold CV then a final fit, same features and same test rows.

Each side runs in its own subprocess; this driver samples the resident memory of that
process tree (parent + workers) every 0.1 s. Prints wall time, peak memory, best test
accuracy and the ratio ours / reference (goal: <= 0.5 at equal or better accuracy).

Usage: .venv/bin/python benchmarks/bench_train.py [--rows 88000] [--folds 5]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FEATURES = ["workload_type", "payload_size_kb", "time_window", "load_pattern", "timestamp"]
MODELS = ["logreg", "rf", "xgb", "lgbm", "mlp"]


def _data(rows: int):
    from core import synth

    frame = synth.generate("variance", rows, seed=0)
    return frame[frame["label"].notna()].reset_index(drop=True)


def ours(rows: int, folds: int) -> dict:
    from core.training import train_and_compare

    frame = _data(rows)
    start = time.perf_counter()
    run = train_and_compare(frame, features=FEATURES, models=["baseline", *MODELS], cv=folds,
                            seed=0, n_jobs=2)
    wall = time.perf_counter() - start
    accs = {k: r.metrics["accuracy"] for k, r in run.results.items() if r.ok}
    return {"wall_s": wall, "test_accuracy": accs, "best": run.best,
            "status": {k: r.status for k, r in run.results.items()}}


def reference(rows: int, folds: int) -> dict:
    """Library defaults, sequential, like the thesis notebook (same features and test rows)."""
    import numpy as np
    from lightgbm import LGBMClassifier
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_score, train_test_split
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler
    from xgboost import XGBClassifier

    from core.features import FeatureTransform

    frame = _data(rows)
    y = frame["label"].astype(int).to_numpy()
    train, test = train_test_split(np.arange(len(y)), test_size=0.2, stratify=y,
                                   random_state=0)
    train, test = np.sort(train), np.sort(test)
    estimators = {
        "logreg": [("scale", StandardScaler()), ("model", LogisticRegression())],
        "rf": [("model", RandomForestClassifier(random_state=0))],
        "xgb": [("model", XGBClassifier(random_state=0))],
        "lgbm": [("model", LGBMClassifier(random_state=0, verbose=-1))],
        "mlp": [("scale", StandardScaler()), ("model", MLPClassifier(random_state=0))],
    }
    start = time.perf_counter()
    accs = {}
    for name, steps in estimators.items():
        pipe = Pipeline([("features", FeatureTransform(FEATURES)), *steps])
        cross_val_score(pipe, frame.iloc[train], y[train],
                        cv=StratifiedKFold(folds, shuffle=True, random_state=0))
        pipe.fit(frame.iloc[train], y[train])
        accs[name] = float((pipe.predict(frame.iloc[test]) == y[test]).mean())
        print(f"  reference {name}: {time.perf_counter() - start:.1f} s", file=sys.stderr)
    return {"wall_s": time.perf_counter() - start, "test_accuracy": accs,
            "best": max(accs, key=accs.get)}


def _measure(part: str, rows: int, folds: int) -> dict:
    """Run one side in a subprocess; sample the RSS of its whole process tree."""
    import psutil

    proc = subprocess.Popen([sys.executable, __file__, "--part", part, "--rows", str(rows),
                             "--folds", str(folds)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    parent = psutil.Process(proc.pid)
    peak = 0
    while proc.poll() is None:
        total = 0
        try:
            for p in [parent, *parent.children(recursive=True)]:
                try:
                    total += p.memory_info().rss
                except psutil.Error:
                    continue
        except psutil.Error:
            pass
        peak = max(peak, total)
        time.sleep(0.1)
    out = proc.stdout.read()
    if proc.returncode:
        raise SystemExit(f"{part} failed with exit code {proc.returncode}")
    result = json.loads(out.strip().splitlines()[-1])
    result["peak_mb"] = peak / 1024**2
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=88_000)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--part", choices=["ours", "reference"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    if args.part:
        fn = ours if args.part == "ours" else reference
        print(json.dumps(fn(args.rows, args.folds)))
        return
    print(f"bench_train: {args.rows:,} rows of variance data, {args.folds}-fold CV, "
          f"models baseline + {', '.join(MODELS)}")
    mine = _measure("ours", args.rows, args.folds)
    ref = _measure("reference", args.rows, args.folds)
    for name, r in (("ours", mine), ("reference", ref)):
        best = r["best"]
        print(f"{name:<10} wall {r['wall_s']:7.1f} s   peak memory {r['peak_mb']:7.0f} MB   "
              f"best {best} test accuracy {r['test_accuracy'][best]:.4f}")
        print("           per model: " + ", ".join(f"{k} {v:.4f}"
                                                   for k, v in r["test_accuracy"].items()))
    ratio = mine["wall_s"] / ref["wall_s"]
    top_ours, top_ref = max(mine["test_accuracy"].values()), max(ref["test_accuracy"].values())
    print(f"ratio wall ours/reference = {ratio:.2f} (goal <= 0.5); "
          f"memory ratio = {mine['peak_mb'] / ref['peak_mb']:.2f}")
    print(f"highest test accuracy over the models: ours {top_ours:.4f} vs reference "
          f"{top_ref:.4f} ({(top_ours - top_ref) * 100:+.2f} points). Ours picks its best by "
          "CV mean, not by the test set; the reference's 'best' is the notebook's test-set pick.")
    deltas = {k: (mine["test_accuracy"][k] - v) * 100 for k, v in ref["test_accuracy"].items()}
    print("per model, ours minus reference (points): "
          + ", ".join(f"{k} {d:+.2f}" for k, d in deltas.items()))

if __name__ == "__main__":
    main()
