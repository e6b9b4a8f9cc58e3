"""Objective router speed: training on the real rows as a ratio to one classifier, routing 1M
requests as a ratio to the classifier router, and the router zip's cold init.

* training: the six per-platform LightGBM regressors (latency p50 / p95 quantile and cost, on
  each platform's own rows, held-out metrics included) vs one LightGBM classifier from the
  zoo fitted on the same rows' labels (label computation excluded);
* routing: 1M requests (the real logs resampled with a seed) decided by the router
  (predictions of each distinct input row + the objective's decision) vs the classifier
  router as the replay uses it (P(Lambda) of each distinct row + threshold); both also
  without the distinct-row shortcut (every row predicted);
* cold init: `invoke` of each function.zip in a clean interpreter (import + model load).

Run: .venv/bin/python benchmarks/bench_router.py [--requests N] [--rows N]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.deploy.invoke import invoke_zip  # noqa: E402
from core.deploy.lambda_pkg import build_from_pipeline, build_router  # noqa: E402
from core.io import read_paths  # noqa: E402
from core.labels import balanced_optimal  # noqa: E402
from core.objective.objectives import decide, parse_objective  # noqa: E402
from core.objective.predictors import train_predictors  # noqa: E402
from core.objective.router import route  # noqa: E402
from core.simulate.replay import _model_choice  # noqa: E402
from core.training import make_pipeline  # noqa: E402

FEATURES = ["workload_type", "payload_size_kb", "time_window", "load_pattern"]
EVENT = {"workload_type": "heavy_processing", "payload_size_kb": 4096, "time_window": "evening",
         "load_pattern": "burst_load"}


def _best(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--rows", type=int, default=0,
                        help="train on the real rows repeated up to N rows (0 = as they are)")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    real = read_paths([ROOT.parent / "shared" / "data" / "artillery"]).frame
    rows = real if not args.rows else pd.concat(
        [real] * -(-args.rows // len(real)), ignore_index=True).iloc[:args.rows]
    labelled = balanced_optimal(rows, costs="thesis").dropna(subset=["label"])
    y = labelled["label"].astype(int)
    classifier_s = _best(lambda: make_pipeline("lgbm", FEATURES, seed=0).fit(labelled, y))
    router_s = _best(lambda: train_predictors(rows, costs="thesis", seed=0))
    print(f"training on {len(rows):,} rows: router {router_s:.2f} s, one LightGBM classifier "
          f"{classifier_s:.2f} s, ratio {router_s / classifier_s:.2f}")

    trained = train_predictors(rows, costs="thesis", seed=0)
    classifier = make_pipeline("lgbm", FEATURES, seed=0).fit(labelled, y)
    objective = parse_objective(trained.default_objective)
    rng = np.random.default_rng(0)
    big = real.iloc[rng.integers(0, len(real), args.requests)].reset_index(drop=True)
    routed_s = _best(lambda: route(trained.predictors, big, objective, predictions=False))
    model_s = _best(lambda: _model_choice(classifier, big, 0.5))
    print(f"routing {len(big):,} requests (distinct rows predicted once): objective router "
          f"{routed_s:.2f} s, classifier router {model_s:.2f} s, ratio {routed_s / model_s:.2f}")
    workload = big["workload_type"].astype(str).to_numpy(dtype=object)
    full_router = _best(lambda: decide(objective, trained.predictors.predict(big), workload), 1)
    full_model = _best(lambda: classifier.predict_proba(big)[:, 1] >= 0.5, 1)
    print(f"routing {len(big):,} requests (every row predicted): objective router "
          f"{full_router:.2f} s, classifier {full_model:.2f} s, ratio "
          f"{full_router / full_model:.2f}")

    with tempfile.TemporaryDirectory() as tmp:
        r = build_router(trained.predictors, Path(tmp) / "router", objective=objective,
                         with_template=False)
        c = build_from_pipeline(classifier, Path(tmp) / "clf", with_template=False)
        r_init = min(invoke_zip(r.path, [EVENT])["init_ms"] for _ in range(5))
        c_init = min(invoke_zip(c.path, [EVENT])["init_ms"] for _ in range(5))
    print(f"function.zip: router {r.zip_bytes / 1024:.0f} KiB, cold init {r_init:.1f} ms; "
          f"classifier {c.zip_bytes / 1024:.0f} KiB, {c_init:.1f} ms; init ratio "
          f"{r_init / c_init:.2f} (goals: zip <= 1 MB, init <= 50 ms)")


if __name__ == "__main__":
    main()
