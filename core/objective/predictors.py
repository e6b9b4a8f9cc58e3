"""Per-platform predictors: latency p50 / p95 and cost of a request on Lambda and on ECS.

Why per platform: unpaired logs measure each request on one platform only, so each
platform's own rows train its own regressors (paired rows would give both). LightGBM with a
quantile objective gives the median and the 95th percentile; cost is a mean regression of
the cost profile's price of each row (core.cost_profile.request_costs, as the label and the
simulator price it), learned in micro-USD so the trees see well-scaled numbers.

The fitted object (:class:`PlatformPredictors`) is what a router version pickles in the
registry: it has ``named_steps["features"]`` like a classifier pipeline, so the replay finds
its input columns the same way.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from core.errors import UserError
from core.features import FeatureTransform
from core.objective.objectives import PLATFORMS, PREDICTION_KEYS, TARGETS

ROUTER_FEATURES = ("workload_type", "payload_size_kb", "time_window", "load_pattern")
#: Regressors learn cost in micro-USD (a request costs 1e-7 .. 1e-4 USD).
COST_UNIT = 1e-6
MODEL_TYPE = "router"
#: LightGBM settings: single-threaded like the classifier zoo, small trees (the inputs are a
#: few categorical levels and a payload size), so the exported zip stays small.
PARAMS = {"n_estimators": 120, "num_leaves": 15, "learning_rate": 0.1, "max_bin": 63,
          "min_child_samples": 10, "n_jobs": 1, "verbose": -1}
QUANTILES = {"latency_p50_ms": 0.5, "latency_p95_ms": 0.95}
TEST_SHARE = 0.25
MIN_ROWS = 20


_NOT_A_CLASSIFIER = ("This model is an objective router (train-router): it predicts each "
                     "platform's latency and cost and decides by an objective, so it has no "
                     "P(Lambda) to explain or compare. Use it with `simulate --data ... --router "
                     "ID --objective ...`, `predict`, `build-lambda` or the Route by objective "
                     "page; pass a classifier here.")


def _regressor(target: str, seed: int) -> Any:
    from lightgbm import LGBMRegressor

    if target in QUANTILES:
        return LGBMRegressor(objective="quantile", alpha=QUANTILES[target], random_state=seed,
                             **PARAMS)
    return LGBMRegressor(objective="regression", random_state=seed, **PARAMS)


class PlatformPredictors:
    """Fitted regressors per (platform, target) over one shared feature transform."""

    def __init__(self, transform: FeatureTransform, models: dict[str, Any], *,
                 latency_field: str, workloads: list[str]):
        self.transform = transform
        self.models = models  # "{platform}_{target}" -> fitted LGBMRegressor
        self.latency_field = latency_field
        self.workloads = list(workloads)

    @property
    def named_steps(self) -> dict[str, Any]:
        return {"features": self.transform}

    @property
    def steps(self) -> list:
        raise UserError(_NOT_A_CLASSIFIER)

    def predict_proba(self, frame: Any) -> np.ndarray:
        """A router decides by an objective; it has no P(Lambda) (a clear exit 2 for commands
        that need a classifier, such as explain and drift)."""
        raise UserError(_NOT_A_CLASSIFIER)

    @property
    def input_features(self) -> list[str]:
        return list(self.transform.input_features_)

    def matrix(self, frame: pd.DataFrame) -> np.ndarray:
        return self.transform.transform(frame)

    def predict(self, frame: pd.DataFrame | None = None, *, matrix: np.ndarray | None = None
                ) -> dict[str, np.ndarray]:
        """``{platform}_{target}`` -> predictions (latency in ms, cost in USD) per row."""
        x = self.matrix(frame) if matrix is None else matrix
        out = {}
        for key in PREDICTION_KEYS:
            raw = self.models[key].predict(x)
            out[key] = raw * COST_UNIT if key.endswith("cost_usd") else raw
        return out

    def contributions(self, frame: pd.DataFrame) -> dict[str, np.ndarray]:
        """TreeSHAP contributions per model: key -> (rows, input features + 1 bias column),
        one-hot parts summed back to their input feature (same units as ``predict``)."""
        x = self.matrix(frame)
        sources = list(self.transform.source_feature_)
        inputs = self.input_features
        fold = np.zeros((len(sources), len(inputs)))
        for j, src in enumerate(sources):
            fold[j, inputs.index(src)] = 1.0
        out = {}
        for key in PREDICTION_KEYS:
            contrib = np.asarray(self.models[key].predict(x, pred_contrib=True))
            folded = np.column_stack([contrib[:, :-1] @ fold, contrib[:, -1]])
            out[key] = folded * COST_UNIT if key.endswith("cost_usd") else folded
        return out


@dataclass
class TrainedRouter:
    """What train-router returns: the predictors, their held-out metrics and the data used."""

    predictors: PlatformPredictors
    metrics: dict[str, Any]
    rows: int
    fit_s: float
    default_objective: dict[str, Any]


def training_rows(frame: pd.DataFrame, *, costs: Any = None, view: str = "marginal",
                  latency_col: str | None = None) -> tuple[pd.DataFrame, str]:
    """Usable rows (no errors, a platform, a latency and a cost) with ``_latency`` and
    ``_cost`` columns; the latency field is the label rule's (execution_time_ms by default).
    Paired rows give one row per platform (their given costs)."""
    from core.cost_profile import error_rows
    from core.labels import (
        PAIRED,
        _latency_column,
        objective_costs,
        platform_codes,
    )

    if all(c in frame.columns for c in PAIRED) and "workload_type" in frame.columns:
        return _paired_rows(frame, latency_col, error_rows(frame))
    for col in ("platform", "workload_type"):
        if col not in frame.columns:
            raise UserError(f"Training a router needs a {col!r} column; got "
                            f"{sorted(map(str, frame.columns))}. Load request logs.")
    field = _latency_column(frame, latency_col)
    latency = pd.to_numeric(frame[field], errors="coerce").to_numpy(dtype=float)
    cost = objective_costs(frame, costs, view)
    side = platform_codes(frame["platform"])
    ok = (~error_rows(frame) & (side >= 0) & ~np.isnan(latency) & ~np.isnan(cost)
          & frame["workload_type"].notna().to_numpy())
    keep = [c for c in (*ROUTER_FEATURES, "platform") if c in frame.columns]
    rows = frame.loc[ok, keep].reset_index(drop=True)
    rows["platform"] = np.array(PLATFORMS)[side[ok]]
    rows["_latency"], rows["_cost"] = latency[ok], cost[ok]
    return rows, field


def _paired_rows(frame: pd.DataFrame, latency_col: str | None, errors: np.ndarray
                 ) -> tuple[pd.DataFrame, str]:
    """Paired rows (``lambda_*`` / ``ecs_*`` columns, as the label rule reads them): each
    request gives one row per platform, with that platform's latency and given cost."""
    from core.labels import _latency_column

    field = _latency_column(frame, latency_col, "lambda_").removeprefix("lambda_")
    keep = [c for c in ROUTER_FEATURES if c in frame.columns]
    parts = []
    for platform in PLATFORMS:
        part = frame[keep].copy()
        part["platform"] = platform
        part["_latency"] = pd.to_numeric(frame[f"{platform}_{field}"], errors="coerce")
        part["_cost"] = pd.to_numeric(frame[f"{platform}_cost_usd"], errors="coerce")
        parts.append(part[~errors])
    rows = pd.concat(parts, ignore_index=True)
    ok = rows["_latency"].notna() & rows["_cost"].notna() & rows["workload_type"].notna()
    return rows[ok].reset_index(drop=True), field


def train_predictors(frame: pd.DataFrame, *, costs: Any = None, view: str = "marginal",
                     latency_col: str | None = None, features: list[str] | None = None,
                     seed: int = 0) -> TrainedRouter:
    """Fit latency p50/p95 and cost regressors per platform on that platform's rows.

    A seeded 25 % of each platform's rows is held out for the metrics (per workload: MAE of
    the median and of the cost, coverage of the p95 — the share of held-out requests at or
    under their predicted p95, 0.95 when calibrated); the saved regressors are fitted on the
    other 75 %.
    """
    started = time.perf_counter()
    rows, field = training_rows(frame, costs=costs, view=view, latency_col=latency_col)
    wanted = list(features) if features else [c for c in ROUTER_FEATURES if c in rows.columns]
    if "workload_type" not in wanted:
        raise UserError("A router's features must include workload_type (objectives and "
                        "per-workload SLOs are per workload).")
    missing = [c for c in wanted if c not in rows.columns]
    if missing:
        raise UserError(f"Feature columns {missing} are not in the data; got "
                        f"{sorted(map(str, frame.columns))}.")
    for platform in PLATFORMS:
        n = int((rows["platform"] == platform).sum())
        if n < MIN_ROWS:
            raise UserError(f"A router needs at least {MIN_ROWS} usable {platform} rows (with a "
                            f"latency and a cost); got {n}. Load logs of both platforms.")
    transform = FeatureTransform(features=wanted).fit(rows)
    x_all = transform.transform(rows)
    rng = np.random.default_rng(seed)
    test = rng.random(len(rows)) < TEST_SHARE
    models, metrics = {}, {"latency_field": field, "platforms": {}}
    for platform in PLATFORMS:
        mine = (rows["platform"] == platform).to_numpy()
        train, held = mine & ~test, mine & test
        y = {"latency_p50_ms": rows["_latency"].to_numpy(),
             "latency_p95_ms": rows["_latency"].to_numpy(),
             "cost_usd": rows["_cost"].to_numpy() / COST_UNIT}
        preds = {}
        for target in TARGETS:
            model = _regressor(target, seed).fit(x_all[train], y[target][train])
            models[f"{platform}_{target}"] = model
            preds[target] = model.predict(x_all[held])
        metrics["platforms"][platform] = _metrics(rows[held], preds, int(train.sum()))
    workloads = sorted(rows["workload_type"].astype(str).unique())
    metrics["notes"] = _coverage_notes(rows, workloads)
    predictors = PlatformPredictors(transform, models, latency_field=field, workloads=workloads)
    return TrainedRouter(predictors=predictors, metrics=metrics, rows=len(rows),
                         fit_s=time.perf_counter() - started,
                         default_objective=_default_objective(rows))


def _coverage_notes(rows: pd.DataFrame, workloads: list[str]) -> list[str]:
    """Workloads with few or no rows on a platform: that platform's predictions for them
    are extrapolated from other workloads (said, not hidden)."""
    notes = []
    counts = rows.groupby(["workload_type", "platform"]).size()
    for name in workloads:
        for platform in PLATFORMS:
            n = int(counts.get((name, platform), 0))
            if n < MIN_ROWS:
                notes.append(f"Workload {name!r} has {n} usable {platform} rows: {platform} "
                             "predictions for it are extrapolated from other workloads. Load "
                             f"{platform} logs of {name!r} for real predictions.")
    return notes


def _scores(actual: np.ndarray, p50: np.ndarray, p95: np.ndarray, cost: np.ndarray,
            cost_pred: np.ndarray) -> dict[str, Any]:
    if len(actual) == 0:
        return {"rows": 0}
    return {"rows": len(actual),
            "latency_p50_mae_ms": float(np.mean(np.abs(actual - p50))),
            "latency_p95_coverage": float(np.mean(actual <= p95)),
            "cost_mae_usd": float(np.mean(np.abs(cost - cost_pred))),
            "measured_p50_ms": float(np.median(actual)),
            "measured_p95_ms": float(np.percentile(actual, 95))}


def _metrics(held: pd.DataFrame, preds: dict[str, np.ndarray], train_rows: int
             ) -> dict[str, Any]:
    actual, cost = held["_latency"].to_numpy(), held["_cost"].to_numpy()
    p50, p95 = preds["latency_p50_ms"], preds["latency_p95_ms"]
    cost_pred = preds["cost_usd"] * COST_UNIT
    workload = held["workload_type"].astype(str).to_numpy()
    per = {name: _scores(actual[workload == name], p50[workload == name], p95[workload == name],
                         cost[workload == name], cost_pred[workload == name])
           for name in sorted(set(workload))}
    return {"train_rows": train_rows, "test_rows": len(held),
            "overall": _scores(actual, p50, p95, cost, cost_pred), "workloads": per}


def _default_objective(rows: pd.DataFrame) -> dict[str, Any]:
    """The objective a router version ships with unless told otherwise: least cost at the
    p95 of the faster single platform, each platform's p95 taken over the whole log's
    workload mix (unpaired logs measure each platform on its own mix)."""
    mix = rows["workload_type"].astype(str).value_counts(normalize=True)
    p95 = []
    for platform in PLATFORMS:
        mine = rows[rows["platform"] == platform]
        own = mine["workload_type"].astype(str)
        weight = own.map(mix / own.value_counts(normalize=True)).to_numpy(dtype=float)
        p95.append(weighted_percentile(mine["_latency"].to_numpy(), weight, 95))
    return {"kind": "min_cost", "p95_ms": round(min(p95), 1)}


def weighted_percentile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The q-th percentile of ``values`` with sampling weights (the first value whose
    cumulative weight reaches q %)."""
    order = np.argsort(values, kind="stable")
    cum = np.cumsum(weights[order])
    return float(values[order][np.searchsorted(cum, q / 100.0 * cum[-1])])


def metrics_frame(metrics: dict[str, Any]) -> pd.DataFrame:
    """Per platform x workload: rows, p50 MAE, p95 coverage, cost MAE (the page's table)."""
    records = []
    for platform, figures in metrics["platforms"].items():
        for name, scores in figures["workloads"].items():
            records.append({"platform": platform, "workload_type": name, **scores})
    return pd.DataFrame(records)
