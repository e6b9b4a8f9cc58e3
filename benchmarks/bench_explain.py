"""Benchmark: SHAP for RF, XGBoost and LightGBM on 2,000 rows of `variance` data.

Ours: core.explain.explain (native xgboost/lightgbm TreeSHAP, shap.TreeExplainer for the
forest, identical model rows explained once, per-feature aggregation and the additivity
check included). Reference, on the same rows and model: `shap.TreeExplainer(model)
.shap_values(X)` on the model matrix. Each measurement runs in a fresh subprocess (cold
caches), ours and the reference interleaved; a thread samples resident memory every 5 ms.
Prints CPU and wall time, peak extra memory and the CPU-time ratio ours / reference (goal:
<= 1.0; CPU time, because the machine is shared), median of --repeats runs. A last line explains
100,000 rows with the default 2,000-row sample to show that memory stays bounded.

Usage: .venv/bin/python benchmarks/bench_explain.py [--rows 2000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
MODELS = ["rf", "xgb", "lgbm"]
#: Feature sets: the Train page's default (timestamp -> hour of day makes nearly every row
#: distinct) and the four request fields alone (rows repeat, and repeats are explained once).
METHODS = {"rf": "shap TreeExplainer (same algorithm as the reference)",
           "xgb": "xgboost pred_contribs", "lgbm": "lightgbm pred_contrib"}
FEATURE_SETS = {"default (with hour of day)": None,
                "four request fields": ["workload_type", "payload_size_kb", "time_window",
                                        "load_pattern"]}


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1024**2


class PeakMemory:
    """Peak resident memory above the level at entry, sampled every 5 ms."""

    def __enter__(self) -> PeakMemory:
        self.base = self.peak = _rss_mb()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, _rss_mb())

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss_mb())

    @property
    def extra_mb(self) -> float:
        return self.peak - self.base


def child(side: str, kind: str, rows: int, explain_rows: int, features: list[str] | None
          ) -> dict:
    import shap

    from core import synth
    from core.explain import explain
    from core.training import make_pipeline

    train = synth.generate("variance", rows, seed=0)
    train = train[train["label"].notna()].reset_index(drop=True)
    pipe = make_pipeline(kind, features, seed=0).fit(train, train["label"].astype(int))
    data = train if explain_rows == rows else synth.generate("variance", explain_rows, seed=1)
    matrix = pipe[:-1].transform(data) if side == "reference" else None
    with PeakMemory() as mem:
        start, cpu = time.perf_counter(), time.process_time()
        if side == "ours":
            result = explain(pipe, data)
            extra = {"additivity_error": result.additivity_error,
                     "rows_explained": result.rows_explained,
                     "distinct": result.notes[0].split(" distinct")[0]}
        else:
            shap.TreeExplainer(pipe[-1]).shap_values(matrix)
            extra = {}
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    return {"seconds": seconds, "cpu_s": cpu, "extra_mb": mem.extra_mb, **extra}


def measure(side: str, kind: str, rows: int, explain_rows: int,
            features: list[str] | None = None) -> dict:
    proc = subprocess.run(
        [sys.executable, __file__, "--child", side, "--model", kind, "--rows", str(rows),
         "--explain-rows", str(explain_rows), "--features", json.dumps(features)],
        cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--child", choices=["ours", "reference"])
    parser.add_argument("--model", choices=MODELS)
    parser.add_argument("--explain-rows", type=int)
    parser.add_argument("--features", default="null", help="JSON list (child only)")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.model, args.rows,
                               args.explain_rows or args.rows, json.loads(args.features))))
        return
    print(f"SHAP on {args.rows:,} rows of variance data, median of {args.repeats} cold runs")
    print("ours: " + "; ".join(f"{k}: {v}" for k, v in METHODS.items()))
    for title, features in FEATURE_SETS.items():
        print(f"\nfeatures: {title}")
        print(f"{'model':<6}{'ours cpu':>10}{'ref cpu':>9}{'ratio':>7}{'ours wall':>11}"
              f"{'ref wall':>10}{'ours MB':>9}{'ref MB':>8}{'additivity':>12}  distinct rows")
        for kind in MODELS:
            runs: dict[str, list[dict]] = {"ours": [], "reference": []}
            for _ in range(args.repeats):  # interleaved, so load from others hits both sides
                for side in runs:
                    runs[side].append(measure(side, kind, args.rows, args.rows, features))
            med = {side: {k: statistics.median(r[k] for r in rs) for k in ("seconds", "cpu_s")}
                   for side, rs in runs.items()}
            mem = {side: max(r["extra_mb"] for r in rs) for side, rs in runs.items()}
            last = runs["ours"][-1]
            print(f"{kind:<6}{med['ours']['cpu_s']:10.3f}{med['reference']['cpu_s']:9.3f}"
                  f"{med['ours']['cpu_s'] / med['reference']['cpu_s']:7.2f}"
                  f"{med['ours']['seconds']:11.3f}{med['reference']['seconds']:10.3f}"
                  f"{mem['ours']:9.1f}{mem['reference']:8.1f}{last['additivity_error']:12.1e}"
                  f"  {last['distinct']}")
    big = measure("ours", "xgb", args.rows, 100_000)
    print(f"xgb on 100,000 rows with the default sample: {big['rows_explained']:,} rows "
          f"explained in {big['seconds']:.3f} s, peak extra memory {big['extra_mb']:.1f} MB")


if __name__ == "__main__":
    main()
