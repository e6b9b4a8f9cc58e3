"""Feature engineering as a fitted, serialisable transform: canonical table -> model matrix.

Why its own class: the same transform must run in the library, in SHAP (to sum one-hot parts
back to their feature) and in the dependency-free deployed function (via `to_dict`).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin

from core.errors import UserError
from core.schema import CATEGORICAL_FEATURES, DEFAULT_FEATURES, is_outcome

#: A feature named this is turned into a cyclic hour of day (sin, cos).
TIME_FEATURE = "timestamp"
FORMAT_VERSION = 1


def default_features(frame: pd.DataFrame) -> list[str]:
    """The known pre-routing features present in `frame` (plus the timestamp, as hour)."""
    return [c for c in (*DEFAULT_FEATURES, TIME_FEATURE) if c in frame.columns]


def hour_of_day(values: pd.Series) -> np.ndarray:
    """Fractional hour (0..24) of ISO timestamps; NaN where unparseable."""
    if pd.api.types.is_datetime64_any_dtype(values):
        ts = pd.to_datetime(values, utc=True)
    else:
        try:  # fast path: one ISO-8601 style for the whole column
            ts = pd.to_datetime(values, errors="raise", utc=True, format="ISO8601")
        except (ValueError, TypeError):
            ts = pd.to_datetime(values, errors="coerce", utc=True, format="mixed")
    return (ts.dt.hour + ts.dt.minute / 60.0 + ts.dt.second / 3600.0).to_numpy(dtype=float)


class FeatureTransform(BaseEstimator, TransformerMixin):
    """One-hot categoricals (unseen -> all zeros), numerics with median imputation,
    log1p of payload, cyclic hour from a timestamp. Outcome columns are refused unless
    `allow_outcomes=True` (a visible user override).

    Parameters
    ----------
    features : list of str, default=None
        Input columns; None means the known pre-routing features present in the data.
    allow_outcomes : bool, default=False
        Let outcome columns (latency, cost, ...) in. They leak the label.
    """

    def __init__(self, features: list[str] | None = None, allow_outcomes: bool = False):
        self.features = features
        self.allow_outcomes = allow_outcomes

    # -- fitting -----------------------------------------------------------------------------
    def fit(self, X: pd.DataFrame, y: Any = None) -> FeatureTransform:
        if not isinstance(X, pd.DataFrame):
            raise UserError(f"Expected a pandas DataFrame of requests; got {type(X).__name__}.")
        features = (list(self.features) if self.features is not None
                    else default_features(X))
        if not features:
            raise UserError(
                "No features to train on. Choose at least one pre-routing column such as "
                "workload_type or payload_size_kb."
            )
        missing = [c for c in features if c not in X.columns]
        if missing:
            raise UserError(f"Feature columns {missing} are not in the data; got columns "
                            f"{list(X.columns)}.")
        leaked = [c for c in features if is_outcome(c)]
        if leaked and not self.allow_outcomes:
            raise UserError(
                f"Features {leaked} are outcomes (measured after routing) and leak the label. "
                "Remove them, or allow outcome features explicitly."
            )
        self.input_features_ = features
        self.categories_: dict[str, list[str]] = {}
        self.medians_: dict[str, float] = {}
        self.kinds_: dict[str, str] = {}
        for col in features:
            if col == TIME_FEATURE:
                self.kinds_[col] = "hour"
                continue
            series = X[col]
            if col in CATEGORICAL_FEATURES or not pd.api.types.is_numeric_dtype(series) \
                    or pd.api.types.is_bool_dtype(series):
                self.kinds_[col] = "categorical"
                levels = series.dropna().astype(str).unique().tolist()
                self.categories_[col] = sorted(levels)
            else:
                self.kinds_[col] = "numeric"
                med = pd.to_numeric(series, errors="coerce").median()
                self.medians_[col] = 0.0 if pd.isna(med) else float(med)
        self._build_names()
        return self

    def _build_names(self) -> None:
        names: list[str] = []
        sources: list[str] = []
        for col in self.input_features_:
            kind = self.kinds_[col]
            if kind == "categorical":
                for level in self.categories_[col]:
                    names.append(f"{col}={level}")
                    sources.append(col)
            elif kind == "hour":
                names += ["hour_sin", "hour_cos"]
                sources += [col, col]
            else:
                names.append(col)
                sources.append(col)
                if "payload" in col:
                    names.append(f"log1p_{col}")
                    sources.append(col)
        self.feature_names_out_ = names
        #: output column -> original input feature (SHAP sums one-hot parts with this).
        self.source_feature_ = sources

    # -- transforming ------------------------------------------------------------------------
    def transform(self, X: pd.DataFrame) -> np.ndarray:
        missing = [c for c in self.input_features_ if c not in X.columns]
        if missing:
            raise UserError(f"The data lacks feature columns {missing} that the model needs.")
        out = np.zeros((len(X), len(self.feature_names_out_)), dtype=np.float64)
        j = 0
        for col in self.input_features_:
            kind = self.kinds_[col]
            if kind == "categorical":
                values = X[col].astype("string").to_numpy(dtype=object, na_value=None)
                for level in self.categories_[col]:
                    out[:, j] = values == level
                    j += 1
            elif kind == "hour":
                hours = hour_of_day(X[col])
                hours = np.where(np.isnan(hours), 12.0, hours)
                out[:, j] = np.sin(2 * math.pi * hours / 24.0)
                out[:, j + 1] = np.cos(2 * math.pi * hours / 24.0)
                j += 2
            else:
                values = pd.to_numeric(X[col], errors="coerce").to_numpy(dtype=float)
                values = np.where(np.isfinite(values), values, self.medians_[col])
                out[:, j] = values
                j += 1
                if "payload" in col:
                    out[:, j] = np.log1p(np.clip(values, 0.0, None))
                    j += 1
        return out

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        return np.asarray(self.feature_names_out_, dtype=object)

    # -- serialisation -----------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON description; the portable evaluator re-implements `transform` from it."""
        return {
            "format_version": FORMAT_VERSION,
            "input_features": list(self.input_features_),
            "kinds": dict(self.kinds_),
            "categories": {k: list(v) for k, v in self.categories_.items()},
            "medians": dict(self.medians_),
            "feature_names_out": list(self.feature_names_out_),
            "source_feature": list(self.source_feature_),
            "allow_outcomes": self.allow_outcomes,
        }

    @classmethod
    def from_dict(cls, spec: dict[str, Any]) -> FeatureTransform:
        if spec.get("format_version") != FORMAT_VERSION:
            raise UserError(f"Unsupported feature spec version {spec.get('format_version')}; "
                            f"expected {FORMAT_VERSION}.")
        obj = cls(features=list(spec["input_features"]),
                  allow_outcomes=bool(spec.get("allow_outcomes", False)))
        obj.input_features_ = list(spec["input_features"])
        obj.kinds_ = dict(spec["kinds"])
        obj.categories_ = {k: list(v) for k, v in spec["categories"].items()}
        obj.medians_ = {k: float(v) for k, v in spec["medians"].items()}
        obj._build_names()
        return obj
