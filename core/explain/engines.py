"""SHAP engines, one per model family, all returning values in the same shape.

- XGBoost / LightGBM: the libraries' native exact TreeSHAP (`pred_contribs` / `pred_contrib`),
  faster than re-parsing the trees in shap. Output space: log-odds.
- Random forest (sklearn trees): `shap.TreeExplainer` (exact, probability space).
- Logistic regression: exact linear SHAP against a background mean (log-odds).
- Anything else with `predict_proba` (MLP, baseline): Shapley values over the *original*
  features (one-hot parts move together) against a background sample, all feature orders when
  few, otherwise sampled orders under a time budget. Probability space.
Every engine returns (values per original feature, base value, the model's own margin).
"""

from __future__ import annotations

import itertools
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from core.errors import UserError
from core.explain.model_space import ModelSpace, positive_index, sum_by_source

LOG_ODDS = "log-odds"
PROBABILITY = "probability"
#: Rows of the masked matrix evaluated per model call (bounds memory of the sampled engine).
CHUNK_ROWS = 200_000
_EXPLAINERS: OrderedDict[int, tuple[Any, Any]] = OrderedDict()
_EXPLAINERS_MAX = 8
_EXPLAINERS_LOCK = threading.Lock()


@dataclass
class RawShap:
    """Per-feature SHAP for unique model rows plus what is needed for the additivity check."""

    values: np.ndarray          # (m, k) per original feature
    base_value: float
    margin: np.ndarray          # (m,) the model's own output in `output` space
    output: str                 # LOG_ODDS | PROBABILITY
    method: str
    notes: list[str] = field(default_factory=list)


def family(estimator: Any) -> str:
    """xgb | lgbm | forest | linear | agnostic."""
    name = type(estimator).__name__
    if name == "XGBClassifier":
        return "xgb"
    if name == "LGBMClassifier":
        return "lgbm"
    from sklearn.ensemble import ExtraTreesClassifier, RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.tree import DecisionTreeClassifier

    if isinstance(estimator, RandomForestClassifier | ExtraTreesClassifier
                  | DecisionTreeClassifier):
        return "forest"
    if isinstance(estimator, LogisticRegression):
        return "linear"
    return "agnostic"


def needs_background(estimator: Any) -> bool:
    """Linear and model-agnostic SHAP compare against background data; trees do not."""
    return family(estimator) in ("linear", "agnostic")


def _one_output(arr: np.ndarray, width: int, k: int) -> tuple[np.ndarray, float]:
    """Rows x width for output k, and the sign to apply (a single-output binary model
    scores class index 1; explaining class index 0 flips it)."""
    arr = np.asarray(arr, dtype=np.float64)
    if arr.ndim == 2 and arr.shape[1] == width:
        return arr, (1.0 if k == 1 else -1.0)
    if arr.ndim == 2:
        arr = arr.reshape(arr.shape[0], -1, width)
    return arr[:, k, :], 1.0


def _one_margin(margin: np.ndarray, k: int) -> np.ndarray:
    margin = np.asarray(margin, dtype=np.float64)
    return margin if margin.ndim == 1 else margin[:, k]


def _from_contribs(space: ModelSpace, x: np.ndarray, contribs: np.ndarray, margin: np.ndarray,
                   method: str) -> RawShap:
    k = positive_index(space.estimator)
    width = x.shape[1] + 1
    contribs, sign = _one_output(contribs, width, k)
    contribs = contribs * sign
    margin = _one_margin(margin, k) * sign
    values = sum_by_source(contribs[:, :-1], space.sources, space.features)
    return RawShap(values, float(contribs[0, -1]), margin, LOG_ODDS, method)


def _xgb(space: ModelSpace, x: np.ndarray) -> RawShap:
    import xgboost

    model = space.estimator
    try:
        iteration_range = (0, int(model.best_iteration) + 1)
    except AttributeError:
        iteration_range = (0, 0)
    dmatrix = xgboost.DMatrix(x)
    booster = model.get_booster()
    contribs = booster.predict(dmatrix, pred_contribs=True, iteration_range=iteration_range)
    margin = booster.predict(dmatrix, output_margin=True, iteration_range=iteration_range)
    return _from_contribs(space, x, contribs, margin, "exact TreeSHAP (xgboost pred_contribs)")


def _lgbm(space: ModelSpace, x: np.ndarray) -> RawShap:
    model = space.estimator
    contribs = model.predict(x, pred_contrib=True)
    margin = model.predict(x, raw_score=True)
    return _from_contribs(space, x, contribs, margin, "exact TreeSHAP (lightgbm pred_contrib)")


def _tree_explainer(model: Any) -> Any:
    """shap.TreeExplainer per fitted model, reused (building it converts every tree)."""
    import shap

    with _EXPLAINERS_LOCK:
        hit = _EXPLAINERS.get(id(model))
        if hit is not None and hit[0] is model:
            _EXPLAINERS.move_to_end(id(model))
            return hit[1]
    explainer = shap.TreeExplainer(model)
    with _EXPLAINERS_LOCK:
        _EXPLAINERS[id(model)] = (model, explainer)
        while len(_EXPLAINERS) > _EXPLAINERS_MAX:
            _EXPLAINERS.popitem(last=False)
    return explainer


def _forest(space: ModelSpace, x: np.ndarray) -> RawShap:
    model = space.estimator
    k = positive_index(model)
    explainer = _tree_explainer(model)
    values = explainer.shap_values(x, check_additivity=False)
    if isinstance(values, list):
        values = np.stack(values, axis=-1)
    values = np.asarray(values, dtype=np.float64)
    if values.ndim == 3:
        values = values[:, :, k]
    base = np.atleast_1d(np.asarray(explainer.expected_value, dtype=np.float64))
    base_k = float(base[k] if base.size > 1 else base[0])
    margin = model.predict_proba(x)[:, k]
    per_feature = sum_by_source(values, space.sources, space.features)
    return RawShap(per_feature, base_k, margin, PROBABILITY, "exact TreeSHAP (shap TreeExplainer)")


def _linear(space: ModelSpace, x: np.ndarray, background: np.ndarray) -> RawShap:
    model = space.estimator
    k = positive_index(model)
    coef = np.asarray(model.coef_, dtype=np.float64)
    intercept = np.asarray(model.intercept_, dtype=np.float64)
    sign = 1.0
    if coef.shape[0] == 1:
        sign = 1.0 if k == 1 else -1.0
        w, b = coef[0] * sign, float(intercept[0]) * sign
    else:
        w, b = coef[k], float(intercept[k])
    mean = background.mean(axis=0)
    contribs = (x - mean) * w
    margin = _one_margin(model.decision_function(x), k) * sign
    values = sum_by_source(contribs, space.sources, space.features)
    return RawShap(values, float(b + w @ mean), margin, LOG_ODDS,
                   f"exact linear SHAP (background mean of {len(background)} rows)")


def _groups(space: ModelSpace) -> list[np.ndarray]:
    return [np.array([j for j, s in enumerate(space.sources) if s == f], dtype=int)
            for f in space.features]


def _agnostic(space: ModelSpace, x: np.ndarray, background: np.ndarray, *, seed: int,
              time_budget_s: float, max_permutations: int) -> RawShap:
    model = space.estimator
    if not hasattr(model, "predict_proba"):
        raise UserError(f"Model {type(model).__name__} has no predict_proba, so it cannot be "
                        "explained. Retrain it with one of the zoo's model kinds.")
    k = positive_index(model)

    def predict(z: np.ndarray) -> np.ndarray:
        return np.asarray(model.predict_proba(z), dtype=np.float64)[:, k]

    values, base, margin, note = grouped_shapley(
        predict, x, background, _groups(space), seed=seed, time_budget_s=time_budget_s,
        max_permutations=max_permutations)
    return RawShap(values, base, margin, PROBABILITY,
                   "model-agnostic Shapley values over features "
                   f"(background {len(background)} rows)", [note])


def grouped_shapley(predict: Callable[[np.ndarray], np.ndarray], x: np.ndarray,
                    background: np.ndarray, groups: list[np.ndarray], *, seed: int,
                    time_budget_s: float, max_permutations: int
                    ) -> tuple[np.ndarray, float, np.ndarray, str]:
    """Interventional Shapley values of feature groups (columns of a group move together).

    Each feature order contributes marginal gains that sum exactly to f(x) - E[f(background)],
    so additivity holds whatever the number of orders; with few features every order is used
    (exact), else seeded antithetic orders until `max_permutations` or the time budget.
    """
    started = time.monotonic()
    m, p = x.shape
    n_groups = len(groups)
    cache: dict[int, np.ndarray] = {}
    full = (1 << n_groups) - 1
    cache[full] = predict(x)
    base = float(predict(background).mean())
    cache[0] = np.full(m, base)
    per_chunk = max(1, CHUNK_ROWS // len(background))

    def value(mask: int) -> np.ndarray:
        if mask not in cache:
            cols = np.concatenate([groups[g] for g in range(n_groups) if mask >> g & 1])
            out = np.empty(m)
            for start in range(0, m, per_chunk):
                rows = x[start:start + per_chunk]
                z = np.repeat(background[None, :, :], len(rows), axis=0)
                z[:, :, cols] = rows[:, None, cols]
                out[start:start + len(rows)] = predict(z.reshape(-1, p)).reshape(
                    len(rows), -1).mean(axis=1)
            cache[mask] = out
        return cache[mask]

    rng = np.random.default_rng(seed)
    exact = math.factorial(n_groups) <= max_permutations
    if exact:
        orders = [list(o) for o in itertools.permutations(range(n_groups))]
        orders = [orders[i] for i in rng.permutation(len(orders))]
    else:
        orders = []
        for _ in range(max(1, max_permutations // 2)):
            order = list(rng.permutation(n_groups))
            orders += [order, order[::-1]]
    phi = np.zeros((m, n_groups))
    used = 0
    for i, order in enumerate(orders):
        if i >= 2 and i % 2 == 0 and time.monotonic() - started > time_budget_s:
            exact = False
            break
        mask, prev = 0, cache[0]
        for g in order:
            mask |= 1 << g
            cur = value(mask)
            phi[:, g] += cur - prev
            prev = cur
        used += 1
    phi /= used
    how = ("exact: all" if exact else "sampled:") + f" {used} of {math.factorial(n_groups)} " \
          f"feature orders, {len(cache) - 2} coalitions x {len(background)} background rows, " \
          f"{time.monotonic() - started:.1f} s (budget {time_budget_s:g} s)"
    return phi, base, cache[full], how


def compute(space: ModelSpace, x: np.ndarray, background: np.ndarray | None, *, seed: int,
            time_budget_s: float, max_permutations: int) -> RawShap:
    """SHAP of model rows `x` with the engine for the estimator's family."""
    kind = family(space.estimator)
    if kind == "xgb":
        return _xgb(space, x)
    if kind == "lgbm":
        return _lgbm(space, x)
    if kind == "forest":
        return _forest(space, x)
    if background is None or len(background) == 0:
        raise UserError(f"{type(space.estimator).__name__} is explained against background "
                        "data; pass the dataset the request comes from (--data FILE).")
    if kind == "linear":
        return _linear(space, x, background)
    return _agnostic(space, x, background, seed=seed, time_budget_s=time_budget_s,
                     max_permutations=max_permutations)
