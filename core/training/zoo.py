"""The model zoo: one sklearn Pipeline per model kind, sharing the feature transform.

Why fixed settings instead of library defaults: each model runs single-threaded (the run
parallelises across models and folds) and the settings are sized for tabular data with a
dozen columns, which makes them several times faster than the defaults at equal accuracy.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from core.errors import UserError
from core.features import FeatureTransform

#: Display names, in the order the page and the CLI list them.
MODEL_NAMES = {
    "baseline": "Majority baseline",
    "logreg": "Logistic regression",
    "rf": "Random forest",
    "xgb": "XGBoost",
    "lgbm": "LightGBM",
    "mlp": "Neural network (MLP)",
}
#: Models that need standardised inputs.
SCALED = frozenset({"logreg", "mlp"})
DEFAULT_MODELS = ("baseline", "logreg", "rf", "xgb", "lgbm", "mlp")


def _baseline(seed: int, **kw: Any):
    return DummyClassifier(strategy="prior", **kw)


def _logreg(seed: int, **kw: Any):
    return LogisticRegression(max_iter=500, random_state=seed, **kw)


def _rf(seed: int, **kw: Any):
    from sklearn.ensemble import RandomForestClassifier

    params = {"n_estimators": 80, "max_depth": 10, "min_samples_leaf": 10, "max_samples": 0.5,
              "max_features": "sqrt", "n_jobs": 1, "random_state": seed}
    return RandomForestClassifier(**{**params, **kw})


def _xgb(seed: int, **kw: Any):
    from xgboost import XGBClassifier

    # Library defaults (depth 6, 100 trees, learning rate 0.3) are already good on this data.
    params = {"tree_method": "hist", "n_jobs": 1, "random_state": seed,
              "eval_metric": "logloss"}
    return XGBClassifier(**{**params, **kw})


def _lgbm(seed: int, **kw: Any):
    from lightgbm import LGBMClassifier

    params = {"n_estimators": 150, "num_leaves": 31, "learning_rate": 0.1, "max_bin": 63,
              "n_jobs": 1, "random_state": seed, "verbose": -1}
    return LGBMClassifier(**{**params, **kw})


def _mlp(seed: int, **kw: Any):
    params = {"hidden_layer_sizes": (32, 16), "early_stopping": True, "max_iter": 200,
              "n_iter_no_change": 5, "random_state": seed}
    return MLPClassifier(**{**params, **kw})


ESTIMATORS: dict[str, Callable[..., Any]] = {
    "baseline": _baseline, "logreg": _logreg, "rf": _rf, "xgb": _xgb, "lgbm": _lgbm,
    "mlp": _mlp,
}


def check_kinds(kinds: list[str] | tuple[str, ...]) -> list[str]:
    """Validated, de-duplicated model kinds (order kept)."""
    out: list[str] = []
    for kind in kinds:
        name = str(kind).strip().lower()
        if name not in ESTIMATORS:
            raise UserError(f"Unknown model {kind!r}; choose from {sorted(ESTIMATORS)} "
                            "(for example --models rf,xgb,lgbm).")
        if name not in out:
            out.append(name)
    if not out:
        raise UserError("No models chosen; pick at least one of "
                        f"{sorted(ESTIMATORS)}.")
    return out


def make_pipeline(kind: str, features: list[str] | None, *, seed: int = 0,
                  allow_outcomes: bool = False, params: dict[str, Any] | None = None
                  ) -> Pipeline:
    """Unfitted pipeline [features, (scale), model] for one model kind.

    `params` overrides estimator settings (the hyper-parameter search uses it).
    """
    transform = FeatureTransform(features=None if features is None else list(features),
                                 allow_outcomes=allow_outcomes)
    return attach(transform, make_head(kind, seed=seed, params=params))


def make_head(kind: str, *, seed: int = 0, params: dict[str, Any] | None = None) -> Pipeline:
    """Unfitted [(scale), model] for one model kind: what follows the feature transform.

    Why apart: the runner encodes the rows once and fits only this part in each worker."""
    (kind,) = check_kinds([kind])
    steps: list[tuple[str, Any]] = []
    if kind in SCALED:
        steps.append(("scale", StandardScaler()))
    steps.append(("model", ESTIMATORS[kind](seed, **(params or {}))))
    return Pipeline(steps)


def attach(transform: FeatureTransform, head: Pipeline) -> Pipeline:
    """[features, (scale), model]: `head`'s steps (fitted or not) behind `transform`."""
    return Pipeline([("features", transform), *head.steps])
