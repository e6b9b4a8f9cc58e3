"""Portable Lambda router vs the thesis's approach (pickle + xgboost + sklearn + pandas).

Prints, for a 300-tree depth-6 XGBoost trained on synthetic data:
- function.zip size (goal <= 1 MB);
- cold init in a clean interpreter (python -I -S: import handler + load model) minus the
  bare interpreter start (goal <= 50 ms), and the ratio against importing xgboost +
  scikit-learn + pandas and unpickling the same model (same subtraction);
- warm single-request latency p50/p99 (the whole handler, and the evaluator alone) and the
  ratio against the native single-row predict_proba (pipeline on a one-row DataFrame, and
  the bare XGBClassifier on a prepared numpy row), all measured in this run.

Run: .venv/bin/python benchmarks/bench_portable.py [--rows N] [--repeat N]
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import joblib
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core import synth  # noqa: E402
from core.deploy.invoke import unpack  # noqa: E402
from core.deploy.lambda_pkg import build_from_pipeline  # noqa: E402
from core.deploy.scenarios import scenario_events  # noqa: E402
from core.training import make_pipeline  # noqa: E402

FEATURES = ["workload_type", "payload_size_kb", "time_window", "load_pattern", "timestamp"]


def _run_ms(cmd: list[str], repeat: int, cwd: Path) -> tuple[list[float], list[float]]:
    """(wall ms, CPU ms) per run of a fresh process. CPU time (user + sys of the child) is
    what the process itself costs and moves much less than wall time on a busy machine."""
    wall, cpu = [], []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, check=True, capture_output=True)
        wall.append((time.perf_counter() - t0) * 1000.0)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append((after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
                   * 1000.0)
    return wall, cpu


def _pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q))


def _timed(fn, args_list: list, loops: int) -> list[float]:
    """Per-call microseconds, cycling through args_list."""
    out = []
    n = len(args_list)
    for i in range(loops):
        arg = args_list[i % n]
        t0 = time.perf_counter()
        fn(arg)
        out.append((time.perf_counter() - t0) * 1e6)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=15, help="cold starts per variant")
    parser.add_argument("--loops", type=int, default=2_000, help="warm requests per variant")
    args = parser.parse_args()

    frame = synth.generate("variance", rows=args.rows, seed=0)
    frame = frame[frame["label"].notna()].reset_index(drop=True)
    # requests arrive as JSON: the timestamp is an ISO 8601 string
    frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True).dt.strftime(
        "%Y-%m-%dT%H:%M:%S.%fZ")
    t0 = time.perf_counter()
    pipe = make_pipeline("xgb", FEATURES, seed=0,
                         params={"n_estimators": 300, "max_depth": 6, "max_bin": 256})
    pipe.fit(frame, frame["label"].astype(int))
    booster_nodes = sum(len(t.splitlines()) for t in
                        pipe.named_steps["model"].get_booster().get_dump())
    print(f"trained XGBoost 300 trees, depth 6, {booster_nodes:,} nodes on {len(frame):,} rows "
          f"in {time.perf_counter() - t0:.1f} s")

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        built = build_from_pipeline(pipe, tmp, model_id="bench-xgb", with_template=False)
        files = {f["name"]: f for f in built.files}
        print(f"\nfunction.zip: {built.zip_bytes / 1024:.1f} KiB ({built.zip_bytes:,} B; goal "
              f"<= 1 MB: {'PASS' if built.zip_bytes <= 1_000_000 else 'FAIL'}); model.json "
              f"{files['model.json']['bytes'] / 1024:.0f} KiB raw, "
              f"{files['model.json']['compressed_bytes'] / 1024:.0f} KiB deflated")
        task = unpack(built.path, tmp / "task")
        pkl = tmp / "model.pkl"
        joblib.dump(pipe, pkl)
        print(f"reference pickle (joblib): {pkl.stat().st_size / 1024:.1f} KiB plus ~700 MB of "
              "libraries")

        # -- cold init ---------------------------------------------------------------------
        py = sys.executable
        ref_code = (f"import sys; sys.path.insert(0, {str(ROOT)!r}); import pandas, sklearn, "
                    f"xgboost, joblib; joblib.load({str(pkl)!r})")
        runs = {
            "bare_clean": _run_ms([py, "-I", "-S", "-c", "pass"], args.repeat, task),
            "ours": _run_ms([py, "-I", "-S", "-c",
                             "import sys; sys.path.insert(0, '.'); import lambda_function"],
                            args.repeat, task),
            "bare_site": _run_ms([py, "-c", "pass"], args.repeat, task),
            "ref": _run_ms([py, "-c", ref_code], max(5, args.repeat // 3), task),
        }
        med = {k: (statistics.median(w), statistics.median(c)) for k, (w, c) in runs.items()}
        print(f"\ncold init, median of {args.repeat} fresh processes, minus the bare "
              "interpreter start:")
        print(f"  {'':36}{'wall ms':>10}{'CPU ms':>10}")
        ours = [med["ours"][i] - med["bare_clean"][i] for i in (0, 1)]
        ref = [med["ref"][i] - med["bare_site"][i] for i in (0, 1)]
        rows = [ours, ref]
        print(f"  {'portable handler (python -I -S)':36}{rows[0][0]:10.1f}{rows[0][1]:10.1f}"
              f"   goal <= 50 ms: wall {'PASS' if ours[0] <= 50 else 'FAIL'}, "
              f"CPU {'PASS' if ours[1] <= 50 else 'FAIL'}")
        print(f"  {'pandas+sklearn+xgboost+unpickle':36}{rows[1][0]:10.1f}{rows[1][1]:10.1f}")
        print(f"  {'ratio portable / reference':36}{rows[0][0] / rows[1][0]:10.3f}"
              f"{rows[0][1] / rows[1][1]:10.3f}")
        print(f"  (bare start: -I -S {med['bare_clean'][0]:.1f} ms wall, with site "
              f"{med['bare_site'][0]:.1f} ms wall; load average {os.getloadavg()[0]:.1f} on "
              f"{os.cpu_count()} CPUs)")

        # -- warm predict ------------------------------------------------------------------
        sys.path.insert(0, str(task))
        handler = importlib.import_module("lambda_function")
        sys.path.remove(str(task))
        sample = frame.sample(200, random_state=0)[FEATURES]
        events = sample.to_dict("records") + scenario_events()
        rows = [pd.DataFrame([e], columns=FEATURES) for e in events]
        matrix = pipe[:-1].transform(pd.DataFrame(events, columns=FEATURES))
        np_rows = [matrix[i:i + 1] for i in range(len(matrix))]
        est = pipe.named_steps["model"]
        model = handler.MODEL
        with contextlib.redirect_stdout(io.StringIO()):  # the handler's log lines
            for e, r, x in zip(events, rows, np_rows, strict=True):  # warm everything once
                handler.lambda_handler(e, None)
                pipe.predict_proba(r)
                est.predict_proba(x)
            t_handler = _timed(lambda e: handler.lambda_handler(e, None), events, args.loops)
        t_eval = _timed(model.predict_proba, events, args.loops)
        t_pipe = _timed(pipe.predict_proba, rows, max(200, args.loops // 4))
        t_est = _timed(est.predict_proba, np_rows, max(200, args.loops // 4))
        mine = np.array([model.predict_proba(e) for e in events])
        gap = np.max(np.abs(mine - pipe.predict_proba(pd.DataFrame(events, columns=FEATURES))
                            [:, 1]))
        print(f"\nwarm single request (us; {len(events)} distinct requests; max |p - library| "
              f"= {gap:.1e}):")
        print(f"  {'':38}{'p50':>9}{'p99':>9}")
        for name, vals in [("portable handler (validate+predict+log)", t_handler),
                           ("portable evaluator.predict_proba", t_eval),
                           ("native pipeline.predict_proba(1-row df)", t_pipe),
                           ("native XGBClassifier.predict_proba(1 row)", t_est)]:
            print(f"  {name:38}{_pct(vals, 50):9.1f}{_pct(vals, 99):9.1f}")
        for label, ref_vals in [("pipeline", t_pipe), ("bare XGBClassifier", t_est)]:
            print(f"  ratio handler / native {label}: p50 "
                  f"{_pct(t_handler, 50) / _pct(ref_vals, 50):.3f}, p99 "
                  f"{_pct(t_handler, 99) / _pct(ref_vals, 99):.3f} (goal <= 1.0)")


if __name__ == "__main__":
    main()
