"""Monte-Carlo seeds of one scenario (preset or calibrated replay): every cost and latency
figure with a 95 % confidence interval over the seeds, run on Dask.

Why: one seed is one draw; a saving of 3 % means little if another seed gives -2 %. The
interval is Student's t on the mean over seeds (scipy.stats), per strategy and figure.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from scipy import stats

from core.errors import UserError
from core.parallel import map_ordered

#: Figures that get an interval (per strategy).
FIGURES = ("cost_usd", "cost_per_million", "latency_mean_ms", "latency_p50_ms",
           "latency_p95_ms", "latency_p99_ms", "cold_start_rate", "error_rate",
           "routing_accuracy")
MAX_SEEDS = 10_000


def check_seeds(n: int) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or not 2 <= n <= MAX_SEEDS:
        raise UserError(f"--seeds must be a whole number from 2 to {MAX_SEEDS:,} (one seed has "
                        f"no interval); got {n!r}.")
    return n


def _preset_run(seed: int, *, spec: dict, pipeline: Any = None, horizon_s: float | None = None,
                chunk_requests: int | None = None) -> dict[str, Any]:
    if horizon_s is not None:  # a long horizon per seed, in chunks on its worker
        from core.simulate.horizon import CHUNK_REQUESTS, simulate_long

        return _figures(simulate_long({**spec, "seed": seed}, horizon_s=horizon_s,
                                      chunk_requests=chunk_requests or CHUNK_REQUESTS,
                                      pipeline=pipeline).strategies)
    from core.simulate.runner import simulate

    return _figures(simulate({**spec, "seed": seed}, pipeline=pipeline).strategies)


def _replay_run(seed: int, *, frame: Any, settings: Any, pipeline: Any = None
                ) -> dict[str, Any]:
    from dataclasses import replace

    from core.simulate.replay import replay

    return _figures(replay(frame, replace(settings, seed=seed), pipeline=pipeline).strategies)


def _figures(strategies: dict[str, dict[str, Any]]) -> dict[str, dict[str, float | None]]:
    return {name: {f: s.get(f) for f in FIGURES} for name, s in strategies.items()}


#: Figures that are shares (0 to 1); every figure is at least 0.
SHARES = ("cold_start_rate", "error_rate", "routing_accuracy")


def interval(values: list[float | None], bounds: tuple[float, float] = (0.0, np.inf)
             ) -> list[float] | None:
    """95 % t-interval of the mean, cut to the figure's possible `bounds` (None when fewer
    than two seeds gave a value).

    Why cut: with few seeds the t-interval is wide (t = 12.7 for two seeds), and a cost
    interval reaching below zero says nothing a user can use; the true mean lies within
    the bounds, so the cut interval covers it whenever the uncut one does."""
    arr = np.array([v for v in values if v is not None], dtype=float)
    if len(arr) < 2:
        return None
    mean = float(arr.mean())
    if np.allclose(arr, mean):
        return [mean, mean]
    low, high = stats.t.interval(0.95, len(arr) - 1, loc=mean, scale=stats.sem(arr))
    return [float(max(low, bounds[0])), float(min(high, bounds[1]))]


def summarise_seeds(runs: list[dict[str, dict[str, Any]]]) -> tuple[dict, dict]:
    """({"strategy.figure": [low, high]}, {"strategy.figure": mean}) over the runs."""
    ci95, mean = {}, {}
    for name in runs[0]:
        for figure in FIGURES:
            values = [r[name][figure] for r in runs]
            key = f"{name}.{figure}"
            ci95[key] = interval(values, (0.0, 1.0) if figure in SHARES else (0.0, np.inf))
            present = [v for v in values if v is not None]
            mean[key] = float(np.mean(present)) if present else None
    return ci95, mean


def monte_carlo(seeds: int, *, base_seed: int = 1, spec: dict | None = None,
                frame: Any = None, settings: Any = None, pipeline: Any = None,
                scheduler: str | None = None, workers: int | None = None,
                on_progress: Callable[[float, str], None] | None = None,
                horizon_s: float | None = None, chunk_requests: int | None = None
                ) -> dict[str, Any]:
    """Seeds base_seed .. base_seed + seeds - 1 of a preset scenario (``spec``; over
    ``horizon_s`` seconds in chunks when given) or of a calibrated replay (``frame`` +
    ``settings``); returns per-seed figures, their means and 95 % intervals, and what ran
    them."""
    check_seeds(seeds)
    items = list(range(base_seed, base_seed + seeds))
    if frame is not None:
        fn: Callable[..., Any] = _replay_run
        shared = {"frame": frame, "settings": settings, "pipeline": pipeline}
    else:
        fn = _preset_run
        shared = {"spec": dict(spec or {}), "pipeline": pipeline, "horizon_s": horizon_s,
                  "chunk_requests": chunk_requests}
    runs, ran_on = map_ordered(fn, items, scheduler=scheduler, workers=workers, shared=shared,
                               on_progress=on_progress)
    ci95, mean = summarise_seeds(runs)
    return {"seeds": items, "runs": runs, "mean": mean, "ci95": ci95, "scheduler": ran_on}
