"""Entry points: explain many rows (sampled, cached) or one request (what-if).

SHAP libraries are not thread-safe, so every computation runs under one lock; results are
kept in a small in-process LRU keyed by model version and a hash of the explained rows.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

import joblib
import numpy as np
import pandas as pd

from core.errors import UserError
from core.explain import engines
from core.explain.model_space import (
    input_features,
    positive_index,
    split_pipeline,
    to_model_space,
)
from core.explain.result import WORKLOAD, Explanation, RequestExplanation

DEFAULT_SAMPLE = 2000
DEFAULT_BACKGROUND = 50
DEFAULT_TIME_BUDGET_S = 20.0
#: All feature orders up to 5 features (120); beyond that, sampled orders.
DEFAULT_MAX_PERMUTATIONS = 120
CACHE_SIZE = 16

_LOCK = threading.Lock()
_CACHE: OrderedDict[tuple, tuple[Any, Explanation]] = OrderedDict()


def clear_cache() -> None:
    """Forget cached explanations (tests, or after retraining in place)."""
    with _LOCK:
        _CACHE.clear()


def sample_positions(n_rows: int, sample: int | None, seed: int) -> np.ndarray:
    """Sorted positions of a seeded sample of at most `sample` rows (all rows when None)."""
    if sample is None or n_rows <= sample:
        return np.arange(n_rows)
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(n_rows, size=sample, replace=False))


def _check_inputs(frame: Any, sample: int | None, background: int) -> pd.DataFrame:
    if not isinstance(frame, pd.DataFrame):
        raise UserError(f"Expected a table of requests (DataFrame); got {type(frame).__name__}.")
    if frame.empty:
        raise UserError("The data to explain has no rows; load a dataset with requests.")
    if sample is not None and int(sample) < 1:
        raise UserError(f"sample must be >= 1 row (or None for all rows); got {sample}. "
                        "Use --sample 2000 for a quick, representative explanation.")
    if int(background) < 1:
        raise UserError(f"background must be >= 1 row; got {background}.")
    return frame


def _data_notes(pipeline: Any, data: pd.DataFrame) -> list[str]:
    """Say how many rows had unseen categories or missing values (explained anyway)."""
    transform, _, _ = split_pipeline(pipeline)
    unseen, missing = 0, 0
    for col in transform.input_features_:
        values = data[col]
        missing += int(values.isna().sum())
        levels = transform.categories_.get(col)
        if levels is not None:
            text = values.astype("string")
            unseen += int((text.notna() & ~text.isin(levels)).sum())
    notes = []
    if unseen:
        notes.append(f"{unseen} value(s) are categories the model never saw in training; they "
                     "are explained as 'none of the known levels'.")
    if missing:
        notes.append(f"{missing} value(s) are missing; the model fills them (median for "
                     "numbers, no level for categories) and they are explained that way.")
    return notes


def _background(matrix: np.ndarray, size: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    take = rng.choice(len(matrix), size=min(size, len(matrix)), replace=False)
    return matrix[np.sort(take)]


def explain(pipeline: Any, frame: pd.DataFrame, *, model_id: str | None = None,
            sample: int | None = DEFAULT_SAMPLE, seed: int = 0,
            background: int = DEFAULT_BACKGROUND, time_budget_s: float = DEFAULT_TIME_BUDGET_S,
            max_permutations: int = DEFAULT_MAX_PERMUTATIONS) -> Explanation:
    """SHAP values per original feature for (a seeded sample of) `frame`.

    Large data is sampled (default 2,000 rows) so memory and time stay bounded; the result
    says so. Identical model rows are explained once. Cached per model and data hash.
    """
    frame = _check_inputs(frame, sample, background)
    features = input_features(pipeline)
    missing = [c for c in features if c not in frame.columns]
    if missing:
        raise UserError(f"The data lacks feature columns {missing} that the model needs; got "
                        f"columns {list(frame.columns)}. Load data with those columns.")
    extra = [WORKLOAD] if WORKLOAD in frame.columns and WORKLOAD not in features else []
    positions = sample_positions(len(frame), sample, seed)
    data = frame.iloc[positions][features + extra].copy()
    data.index = pd.RangeIndex(len(frame))[positions]
    key = (("model", model_id) if model_id else ("object", id(pipeline)),
           joblib.hash(data), len(frame), seed, int(background), float(time_budget_s),
           int(max_permutations))
    with _LOCK:
        hit = _CACHE.get(key)
        if hit is not None and (model_id or hit[0] is pipeline):
            _CACHE.move_to_end(key)
            return hit[1]
        result = _compute(pipeline, data, features, model_id=model_id, rows_total=len(frame),
                          seed=seed, background=int(background), time_budget_s=time_budget_s,
                          max_permutations=max_permutations)
        _CACHE[key] = (pipeline, result)
        while len(_CACHE) > CACHE_SIZE:
            _CACHE.popitem(last=False)
    return result


def _compute(pipeline: Any, data: pd.DataFrame, features: list[str], *, model_id: str | None,
             rows_total: int, seed: int, background: int, time_budget_s: float,
             max_permutations: int) -> Explanation:
    space = to_model_space(pipeline, data)
    unique, inverse = np.unique(space.matrix, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    bg = _background(space.matrix, background, seed) \
        if engines.needs_background(space.estimator) else None
    raw = engines.compute(space, unique, bg, seed=seed, time_budget_s=time_budget_s,
                          max_permutations=max_permutations)
    values = raw.values[inverse]
    margin = raw.margin[inverse]
    error = float(np.max(np.abs(raw.base_value + values.sum(axis=1) - margin)))
    notes = [f"{len(unique):,} distinct model inputs among {len(data):,} rows; each explained "
             "once.", *raw.notes, *_data_notes(pipeline, data)]
    return Explanation(
        shap=pd.DataFrame(values, index=data.index, columns=features),
        data=data, base_value=raw.base_value, margin=margin, output=raw.output,
        method=raw.method, model_type=type(space.estimator).__name__, model_id=model_id,
        rows_total=rows_total, seed=seed, additivity_error=error, notes=notes)


def _request_frame(pipeline: Any, request: Mapping[str, Any] | pd.Series) -> pd.DataFrame:
    features = input_features(pipeline)
    request = dict(request)
    missing = [f for f in features if f not in request]
    if missing:
        raise UserError(f"The request lacks {missing}; the model needs {features}. "
                        f"Got {sorted(request)}. Fill in every field.")
    row = {f: request[f] for f in features}
    for f, value in row.items():
        if "payload" in f and value is not None and not pd.isna(value):
            number = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
            if pd.isna(number) or number < 0:
                raise UserError(f"{f} must be a number of kilobytes >= 0; got {value!r}.")
            row[f] = float(number)
    return pd.DataFrame([row])


def explain_request(pipeline: Any, request: Mapping[str, Any] | pd.Series, *,
                    background: pd.DataFrame | None = None, model_id: str | None = None,
                    seed: int = 0, background_size: int = DEFAULT_BACKGROUND,
                    time_budget_s: float = DEFAULT_TIME_BUDGET_S,
                    max_permutations: int = DEFAULT_MAX_PERMUTATIONS) -> RequestExplanation:
    """One request's contributions (a waterfall) and the model's prediction for it.

    `background` (the dataset the request comes from) is needed for logistic regression and
    model-agnostic SHAP; tree models use their own training statistics.
    """
    row = _request_frame(pipeline, request)
    _, pre, estimator = split_pipeline(pipeline)
    bg = None
    if engines.needs_background(estimator):
        if background is None or background.empty:
            raise UserError(f"{type(estimator).__name__} explains a request against the data "
                            "it comes from; load a dataset (or pass --data FILE) first.")
        positions = sample_positions(len(background), background_size, seed)
        bg = np.asarray(pre.transform(background.iloc[positions]), dtype=np.float64)
    with _LOCK:
        space = to_model_space(pipeline, row)
        raw = engines.compute(space, space.matrix, bg, seed=seed, time_budget_s=time_budget_s,
                              max_permutations=max_permutations)
    probability = float(pipeline.predict_proba(row)[0, positive_index(estimator)])
    output_value = float(raw.base_value + raw.values[0].sum())
    explained = float(1 / (1 + np.exp(-output_value))) if raw.output == engines.LOG_ODDS \
        else output_value
    contributions = pd.DataFrame({"feature": space.features,
                                  "value": [row[f].iloc[0] for f in space.features],
                                  "shap": raw.values[0]})
    order = contributions["shap"].abs().sort_values(ascending=False, kind="stable").index
    return RequestExplanation(
        request=row.iloc[0].to_dict(), contributions=contributions.loc[order].reset_index(
            drop=True), base_value=raw.base_value, output_value=output_value,
        margin=float(raw.margin[0]), output=raw.output, probability=probability,
        explained_probability=explained, model_type=type(estimator).__name__,
        model_id=model_id, notes=[*raw.notes, *_data_notes(pipeline, row)])


def explain_row(pipeline: Any, frame: pd.DataFrame, row: int, *, model_id: str | None = None,
                seed: int = 0, **kw: Any) -> RequestExplanation:
    """Explain the request at position `row` of `frame` (the rest is its background)."""
    frame = _check_inputs(frame, None, 1)
    if not 0 <= int(row) < len(frame):
        raise UserError(f"Row {row} is outside the data (rows 0 to {len(frame) - 1}); pick a "
                        "row number in that range.")
    return explain_request(pipeline, frame.iloc[int(row)], background=frame,
                           model_id=model_id, seed=seed, **kw)
