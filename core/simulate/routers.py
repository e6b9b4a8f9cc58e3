"""Routers: which platform each request goes to (True = Lambda), plus their own overhead.

Kinds: `lambda`, `ecs` (everything to one platform), `rule` (payload threshold), `random`,
`oracle` (hindsight: the platform where `cost + value_of_time * latency` was lower in the two
baseline runs), and `model` (a registry model: P(Lambda) >= probability_threshold). The model
predicts each distinct feature row once (workload, payload, time window, load pattern, minute
of day when it uses the timestamp), so a million requests cost a few thousand predictions.
Those batch predictions come from the library pipeline (fast); every run also scores a seeded
sample through the portable evaluator, i.e. exactly as the deployed function decides, and
fails if the two differ by more than 1e-6 (`portable_check`).
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numba import njit

from core.decision import DEFAULT_THRESHOLD
from core.errors import UserError
from core.pricing import Prices, lambda_cost
from core.schema import LOAD_PATTERNS, TIME_WINDOWS
from core.simulate.scenario import Mix
from core.simulate.workload import Requests

#: Default latency a router adds per request (ms): a model's portable evaluation.
DEFAULT_INFERENCE_MS = {"model": 2.0, "rule": 0.05, "random": 0.01, "oracle": 0.0,
                        "lambda": 0.0, "ecs": 0.0}
ROUTER_MEMORY_MB = 512
TRACE_DATE = dt.datetime(2025, 11, 22, tzinfo=dt.UTC)
#: Requests per run that a model router also scores through the portable evaluator, and the
#: largest |P_portable - P_library| accepted (core.portable's contract).
PORTABLE_SAMPLE = 1000
PORTABLE_TOLERANCE = 1e-6
#: What a router model reads when its pipeline does not say.
ROUTER_FEATURES = ("workload_type", "payload_size_kb", "time_window", "load_pattern")


@dataclass(frozen=True)
class Overhead:
    """What routing itself costs per request."""

    latency_s: float
    cost_usd: float


def overhead(router: dict, prices: Prices) -> Overhead:
    """Inference latency and cost. In process at the front door (the default) a router adds
    its evaluation time and no bill; placed as its own Lambda call, a model router is billed
    as a 512 MB invocation of that duration."""
    kind = router["kind"]
    ms = router["inference_ms"]
    ms = DEFAULT_INFERENCE_MS[kind] if ms is None else float(ms)
    cost = router["inference_cost_usd"]
    if cost is None:
        billed = kind == "model" and router.get("placement") == "lambda_call"
        cost = float(lambda_cost(ms, ROUTER_MEMORY_MB, prices)) if billed else 0.0
    return Overhead(latency_s=ms / 1000.0, cost_usd=float(cost))


def oracle(lambda_score: np.ndarray, ecs_score: np.ndarray) -> np.ndarray:
    """Hindsight choice: Lambda where its score (cost + value of time x latency) is not worse."""
    return lambda_score <= ecs_score


def route(router: dict, req: Requests, mix: Mix, *, seed: int, start_hour: float,
          oracle_choice: np.ndarray | None = None) -> np.ndarray:
    """Boolean per request: True = send to Lambda."""
    kind = router["kind"]
    n = len(req)
    if kind == "lambda":
        return np.ones(n, dtype=bool)
    if kind == "ecs":
        return np.zeros(n, dtype=bool)
    if kind == "rule":
        small = req.payload_kb <= router["threshold_kb"]
        return small if router["lambda_when"] == "small" else ~small
    if kind == "random":
        rng = np.random.default_rng([seed, 7])
        return rng.random(n) < router["p_lambda"]
    if kind == "oracle":
        if oracle_choice is None:
            raise ValueError("the oracle router needs the baseline outcomes")
        return oracle_choice
    raise ValueError("model routers decide in core.simulate.runner (batch prediction)")


def load_model(model_id: str, root: str | None = None) -> tuple[Any, float]:
    """The registry's pipeline for a model id or alias and its decision threshold (UserError
    if it is not there)."""
    from core.decision import decision_threshold
    from core.registry import Registry

    try:
        loaded = Registry(root).load(model_id)
    except UserError:
        raise
    except (FileNotFoundError, KeyError) as exc:
        raise UserError(f"Model {model_id!r} is not in the registry. Train one on the Train "
                        "page (or `python -m core train`) and use its model_id.") from exc
    return loaded.pipeline, decision_threshold(loaded.metadata)


@dataclass(frozen=True)
class RouterModel:
    """A model router's library pipeline plus its portable export (the JSON document the
    deployed function evaluates) and its decision threshold, prepared once and reused by
    every run of a sweep."""

    pipeline: Any
    portable_json: str | None
    not_applicable: str | None = None   # why the pipeline cannot be exported
    threshold: float = DEFAULT_THRESHOLD


def prepare_model(router: dict, model: Any = None, root: str | None = None) -> RouterModel:
    """Load (unless given) and export the router's model. `model` may be a pipeline or an
    already prepared RouterModel; `root` is the registry folder (default as the registry's)."""
    if isinstance(model, RouterModel):
        return model
    threshold = DEFAULT_THRESHOLD
    if model is None:
        model, threshold = load_model(router["model_id"], root)
    from core.portable.export import dumps, export_pipeline

    try:
        return RouterModel(model, dumps(export_pipeline(model)), threshold=threshold)
    except UserError as exc:
        return RouterModel(model, None, str(exc), threshold=threshold)


def threshold_of(router: dict, model: RouterModel) -> float:
    """The scenario's probability_threshold when set, else the model's own."""
    value = router.get("probability_threshold")
    return model.threshold if value is None else float(value)


#: Largest key space (distinct feature combinations) counted in a dense table; above it the
#: distinct rows come from a sort (np.unique).
DENSE_KEYS = 1 << 24


@njit(cache=True, error_model="numpy")
def _row_keys(workload, payload_idx, time_window, load_pattern, arrival, n_pay, n_windows,
              n_patterns, start_minute, uses_time):
    """Each request's feature-row key (and its minute of day when the model reads time)."""
    n = workload.shape[0]
    key = np.empty(n, dtype=np.int64)
    minute = np.zeros(n, dtype=np.int64)
    for i in range(n):
        k = ((np.int64(workload[i]) * n_pay + payload_idx[i]) * n_windows
             + time_window[i]) * n_patterns + load_pattern[i]
        if uses_time:
            x = start_minute + arrival[i] / 60.0
            # for x >= 0, floor(x % 1440) is exactly floor(x) mod 1440 (fmod is exact)
            m = (np.int64(math.floor(x)) % 1440 if x >= 0.0
                 else np.int64(math.floor(x % 1440.0)))
            minute[i] = m
            k = k * 1440 + m
        key[i] = k
    return key, minute


@njit(cache=True, error_model="numpy")
def _distinct_dense(key, size):
    """np.unique(key, return_index=True, return_inverse=True) for keys in [0, size), by a
    table instead of a sort: the distinct keys ascending, each one's first request, and each
    request's rank among them."""
    n = key.shape[0]
    first = np.full(size, -1, dtype=np.int64)
    for i in range(n):
        if first[key[i]] < 0:
            first[key[i]] = i
    rank = np.empty(size, dtype=np.int64)
    m = 0
    for k in range(size):
        if first[k] >= 0:
            rank[k] = m
            m += 1
    firsts = np.empty(m, dtype=np.int64)
    for k in range(size):
        if first[k] >= 0:
            firsts[rank[k]] = first[k]
    inverse = np.empty(n, dtype=np.int64)
    for i in range(n):
        inverse[i] = rank[key[i]]
    return firsts, inverse


@functools.lru_cache(maxsize=1)
def _minute_stamps() -> pd.Index:
    """The trace-day timestamp text of each minute of the day (built once)."""
    stamps = pd.Timestamp(TRACE_DATE) + pd.to_timedelta(np.arange(1440), unit="min")
    return stamps.strftime("%Y-%m-%dT%H:%M:%S")


def model_proba(router: dict, req: Requests, mix: Mix, *, start_hour: float,
                pipeline) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    """P(Lambda) of each distinct feature row, predicted in one batch.

    Returns (proba per distinct row, index of each request's row, the rows as the library
    saw them); `proba[inverse]` is the per-request probability.
    """
    wanted = input_features(pipeline)
    uses_time = "timestamp" in wanted
    n_pay = max(len(v) for v in mix.payload_values)
    size = len(mix.workloads) * n_pay * len(TIME_WINDOWS) * len(LOAD_PATTERNS) \
        * (1440 if uses_time else 1)
    key, minute = _row_keys(req.workload, req.payload_idx, req.time_window, req.load_pattern,
                            np.ascontiguousarray(req.arrival, dtype=np.float64), n_pay,
                            len(TIME_WINDOWS), len(LOAD_PATTERNS), start_hour * 60.0,
                            uses_time)
    if size <= DENSE_KEYS:
        first, inverse = _distinct_dense(key, size)
    else:
        _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    rows = pd.DataFrame({
        "workload_type": np.asarray(mix.workloads, dtype=object)[req.workload[first]],
        "payload_size_kb": req.payload_kb[first],
        "time_window": np.asarray(TIME_WINDOWS, dtype=object)[req.time_window[first]],
        "load_pattern": np.asarray(LOAD_PATTERNS, dtype=object)[req.load_pattern[first]],
    })
    if uses_time:
        rows["timestamp"] = _minute_stamps()[minute[first]]
    for col in wanted:
        if col not in rows.columns:
            rows[col] = np.nan
    try:
        proba = np.asarray(pipeline.predict_proba(rows))[:, 1]
    except Exception as exc:  # a model trained on other columns: say which
        raise UserError(f"Model {router['model_id']!r} could not score simulated requests "
                        f"({type(exc).__name__}: {exc}). The simulator provides "
                        f"{sorted(rows.columns)}; use a model trained on those features."
                        ) from exc
    return proba, inverse.ravel(), rows


def portable_check(router: dict, model: RouterModel, proba: np.ndarray, inverse: np.ndarray,
                   rows: pd.DataFrame, *, seed: int,
                   sample: int = PORTABLE_SAMPLE) -> dict[str, Any]:
    """Score a seeded sample of requests with the portable evaluator (as the deployed
    function would) and compare with the library's batch probabilities.

    Returns {"rows", "max_abs_diff", "decisions_agree"} (agreement as a fraction), or
    {"applicable": False, "reason"} when the model cannot be exported. Raises UserError if
    the two disagree by more than PORTABLE_TOLERANCE: the simulated router would then not
    be the deployed one.
    """
    if model.portable_json is None:
        return {"applicable": False, "reason": model.not_applicable}
    from core.portable.evaluator import loads

    evaluator = loads(model.portable_json)
    n = len(inverse)
    take = np.sort(np.random.default_rng([seed, 11]).choice(n, size=min(n, sample),
                                                            replace=False))
    distinct = np.unique(inverse[take])
    records = rows.iloc[distinct].to_dict("records")
    portable = np.array([evaluator.predict_proba(r) for r in records], dtype=float)
    library = proba[distinct]
    per_row = np.searchsorted(distinct, inverse[take])  # each sampled request's row
    diff = np.abs(portable - library)[per_row]
    threshold = threshold_of(router, model)
    agree = ((portable >= threshold) == (library >= threshold))[per_row]
    check = {"applicable": True, "rows": len(take), "distinct_rows": len(distinct),
             "max_abs_diff": float(diff.max()) if len(diff) else 0.0,
             "decisions_agree": float(agree.mean()) if len(agree) else 1.0}
    if not check["max_abs_diff"] <= PORTABLE_TOLERANCE:
        raise UserError(f"Model {router['model_id']!r}: the portable evaluator (what the "
                        f"deployed function runs) differs from the library prediction by up to "
                        f"{check['max_abs_diff']:.3g} on {check['rows']} sampled requests; the "
                        f"rule is at most {PORTABLE_TOLERANCE:g}. Do not deploy this model; "
                        "retrain it or report the mismatch (core.portable).")
    return check


def describe_check(check: dict[str, Any]) -> str:
    """One line for the page and the CLI: does the simulated router decide as deployed?"""
    if not check.get("applicable", True):
        return f"Portable evaluator check: not applicable ({check['reason']})"
    return (f"Portable evaluator check (as deployed): {check['rows']:,} sampled requests, "
            f"max |Δp| = {check['max_abs_diff']:.2g}, decisions agree "
            f"{check['decisions_agree']:.1%}")


def input_features(pipeline, fallback: tuple[str, ...] = ROUTER_FEATURES) -> list[str]:
    """The request columns a pipeline reads (its feature transform's inputs), else
    ``fallback``."""
    steps = getattr(pipeline, "named_steps", {})
    transform = steps.get("features") if hasattr(steps, "get") else None
    for attr in ("input_features_", "features"):
        value = getattr(transform, attr, None)
        if value:
            return list(value)
    return list(fallback)
