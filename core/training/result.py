"""What a training run produced: per-model results and the comparison, as frames and JSON.

Heavy work happens once in the runner; these methods only reshape stored numbers, so the
page, the CLI and a notebook read the same figures.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from core.formats import latex_table, plain
from core.training import metrics as m
from core.training.zoo import MODEL_NAMES

TABLE_METRICS = ("accuracy", "precision", "recall", "f1", "roc_auc", "pr_auc", "log_loss",
                 "brier")


@dataclass
class ModelResult:
    """One model of a run. status: ok | error | timed_out | cancelled."""

    kind: str
    status: str
    elapsed_s: float = math.nan
    error: str | None = None
    metrics: dict[str, float] = field(default_factory=dict)
    train_metrics: dict[str, float] = field(default_factory=dict)
    cv_scores: list[dict[str, float]] = field(default_factory=list)
    fit_s: float = math.nan
    predict_ms: float = math.nan
    predict_batch_ms: float = math.nan
    batch_rows: int = 0
    importances: pd.DataFrame = field(default_factory=pd.DataFrame)
    params: dict[str, Any] = field(default_factory=dict)
    search: dict[str, Any] | None = None
    proba_test: np.ndarray | None = None
    pipeline: Any = None
    model_id: str | None = None

    @property
    def name(self) -> str:
        return MODEL_NAMES.get(self.kind, self.kind)

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def train_test_gap(self) -> float:
        """Train accuracy minus test accuracy (positive = overfitting)."""
        if not self.ok:
            return math.nan
        return self.train_metrics["accuracy"] - self.metrics["accuracy"]

    @property
    def cv(self) -> dict[str, dict[str, float]]:
        return m.summarise_folds(self.cv_scores) if self.cv_scores else {}

    def importance_shares(self) -> dict[str, float]:
        """feature -> share, permutation if available else native."""
        imp = self.importances
        if imp is None or imp.empty:
            return {}
        method = "permutation" if (imp["method"] == "permutation").any() else "native"
        part = imp[imp["method"] == method].sort_values("share", ascending=False)
        return {r.feature: round(float(r.share), 4) for r in part.itertuples()}

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"model": self.kind, "name": self.name, "status": self.status,
                               "error": self.error, "model_id": self.model_id,
                               "elapsed_s": _r(self.elapsed_s)}
        if self.ok:
            out.update({k: _r(self.metrics[k]) for k in TABLE_METRICS})
            out.update({
                "train_accuracy": _r(self.train_metrics["accuracy"]),
                "train_test_gap": _r(self.train_test_gap),
                "fit_s": _r(self.fit_s), "predict_ms": _r(self.predict_ms),
                "predict_batch_ms": _r(self.predict_batch_ms), "batch_rows": self.batch_rows,
                "cv": {k: {"mean": _r(v["mean"]), "std": _r(v["std"])}
                       for k, v in self.cv.items()},
                "importances": self.importance_shares(),
                "params": plain(self.params),
            })
            if self.search:
                from core.training.search import to_json as search_json

                out["search"] = search_json(self.search)
        return out


def _r(value: Any, digits: int = 4) -> float | None:
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return round(value, digits) if math.isfinite(value) else None


@dataclass
class TrainRun:
    """A comparison of models on one split of one dataset."""

    results: dict[str, ModelResult]
    features: list[str]
    label: str
    seed: int
    rows: int
    split: dict[str, Any]
    y_test: np.ndarray
    dropped_label_rows: int = 0
    notes: list[str] = field(default_factory=list)
    best: str | None = None
    significance: dict[str, Any] = field(default_factory=dict)
    checks: list[dict[str, Any]] = field(default_factory=list)
    findings: list[dict[str, Any]] = field(default_factory=list)
    diagnosis: dict[str, Any] | None = None
    cancelled: bool = False
    wall_s: float = math.nan
    #: What ran the models: None for this machine's processes, else the Dask cluster's
    #: {"address", "workers"} (as `simulate --seeds` names it).
    scheduler: dict[str, Any] | None = None

    # -- tables ------------------------------------------------------------------------------
    def ok_results(self) -> list[ModelResult]:
        return [r for r in self.results.values() if r.ok]

    def table(self) -> pd.DataFrame:
        """Wide comparison: one row per model (failed ones with their status)."""
        rows = []
        for r in self.results.values():
            row: dict[str, Any] = {"model": r.kind, "name": r.name, "status": r.status}
            if r.ok:
                row.update({k: r.metrics[k] for k in TABLE_METRICS})
                cv = r.cv
                row["cv_accuracy_mean"] = cv.get("accuracy", {}).get("mean", math.nan)
                row["cv_accuracy_std"] = cv.get("accuracy", {}).get("std", math.nan)
                row.update({"train_test_gap": r.train_test_gap, "fit_s": r.fit_s,
                            "predict_ms": r.predict_ms, "predict_batch_ms": r.predict_batch_ms,
                            "model_id": r.model_id})
            else:
                row["error"] = r.error
            rows.append(row)
        cols = ["model", "name", "status", *TABLE_METRICS, "cv_accuracy_mean",
                "cv_accuracy_std", "train_test_gap", "fit_s", "predict_ms", "predict_batch_ms",
                "model_id", "error"]
        return pd.DataFrame(rows).reindex(columns=cols)

    def frame(self) -> pd.DataFrame:
        """Long: model, metric, source (test | train | cv fold i), value, greater_is_better."""
        rows = []
        for r in self.ok_results():
            for k in TABLE_METRICS:
                rows.append((r.kind, k, "test", r.metrics[k]))
                rows.append((r.kind, k, "train", r.train_metrics[k]))
                for i, s in enumerate(r.cv_scores):
                    rows.append((r.kind, k, f"cv fold {i + 1}", s[k]))
        out = pd.DataFrame(rows, columns=["model", "metric", "source", "value"])
        out["greater_is_better"] = out["metric"].map(m.METRICS)
        return out

    def curves(self, kind: str) -> pd.DataFrame:
        """Tidy 'roc', 'pr' or 'calibration' frame for every successful model."""
        make = {"roc": m.roc_frame, "pr": m.pr_frame, "calibration": m.calibration_frame}[kind]
        parts = [make(r.kind, self.y_test, r.proba_test) for r in self.ok_results()]
        parts = [p for p in parts if not p.empty]
        return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()

    def confusion(self) -> dict[str, list[list[int]]]:
        return {r.kind: m.confusion(self.y_test, r.proba_test) for r in self.ok_results()}

    def importances(self) -> pd.DataFrame:
        parts = [r.importances for r in self.ok_results() if not r.importances.empty]
        return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
            columns=["model", "feature", "method", "importance", "share"])

    # -- verdicts ----------------------------------------------------------------------------
    def checks_passed(self) -> bool:
        return bool(self.checks) and all(c["passed"] for c in self.checks)

    def trap_explanation(self) -> str | None:
        """Why a ~100 % score is not a success (None when the best model is not ~perfect)."""
        best = self.results.get(self.best) if self.best else None
        if best is None or best.metrics.get("accuracy", 0) < 0.995:
            return None
        shares = best.importance_shares()
        top, share = next(iter(shares.items()), (None, 0.0))
        text = (f"{best.name} scores {best.metrics['accuracy']:.1%} on held-out data. On "
                "load-test data that is not a success: real latency and cost are noisy, so a "
                "perfect score means the label is a lookup of some column, not a learned "
                "routing decision.")
        if top:
            text += f" Here {top} carries {share:.0%} of the importance."
        codes = {f["code"] for f in self.findings}
        if "DETERMINISTIC_LABEL" in codes:
            text += " Diagnostics found the label fixed within groups (DETERMINISTIC_LABEL)."
        text += (" Vary payload size, time window and load within each workload, and "
                 "re-label; see the Variance page.")
        return text

    # -- exports -----------------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        """The CLI's `train --json` document."""
        return {
            "models": {r.kind: r.to_json() for r in self.results.values()},
            "best": self.best,
            "model_ids": {r.kind: r.model_id for r in self.results.values() if r.model_id},
            "significance": self.significance,
            "checks": self.checks,
            "checks_passed": self.checks_passed(),
            "findings": self.findings,
            "trap_explanation": self.trap_explanation(),
            "split": self.split,
            "features": self.features,
            "label": self.label,
            "rows": self.rows,
            "dropped_label_rows": self.dropped_label_rows,
            "seed": self.seed,
            "notes": self.notes,
            "cancelled": self.cancelled,
            "wall_s": _r(self.wall_s, 2),
            "scheduler": self.scheduler,
        }

    def metrics_csv(self) -> str:
        return self.table().to_csv(index=False)

    #: What `plot` draws: the test-set curves, confusion matrices, importances, CV folds.
    PLOTS = ("roc", "pr", "calibration", "confusion", "importance", "cv")

    def plot(self, kind: str = "roc", *, method: str = "permutation",
             metric: str = "accuracy") -> Any:
        """A plotly figure of this run: "roc", "pr", "calibration" (test-set curves of every
        model), "confusion" (one matrix per model), "importance" (share per input feature,
        `method` permutation or native) or "cv" (per-fold `metric` beside the test score)."""
        from core import figures
        from core.training import figures as train_figures

        figures.check_kind(kind, self.PLOTS, "TrainRun")
        if kind == "roc":
            return figures.roc(self.curves("roc"), MODEL_NAMES)
        if kind == "pr":
            return train_figures.pr(self.curves("pr"))
        if kind == "calibration":
            return train_figures.calibration(self.curves("calibration"))
        if kind == "confusion":
            return train_figures.confusion(self.confusion())
        if kind == "importance":
            return train_figures.importance(self.importances(), method)
        return train_figures.cv_scores(self.frame(), metric)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe: the `train --json` document with NaN and numpy values made plain."""
        return plain(self.to_json())

    def to_latex(self) -> str:
        """A booktabs table for the thesis chapter (test metrics, CV mean ± std, gap)."""
        rows = []
        for r in self.ok_results():
            cv = r.cv.get("accuracy", {})
            acc = f"{r.metrics['accuracy']:.3f}"
            if cv and math.isfinite(cv.get("std", math.nan)):
                acc += rf" ({cv['mean']:.3f} $\pm$ {cv['std']:.3f})"
            rows.append({"Model": r.name, "Accuracy": acc,
                         **{name: r.metrics[k] for name, k in (
                             ("Precision", "precision"), ("Recall", "recall"), ("F1", "f1"),
                             ("ROC-AUC", "roc_auc"))},
                         "Gap": r.train_test_gap})
        columns = ["Model", "Accuracy", "Precision", "Recall", "F1", "ROC-AUC", "Gap"]
        return latex_table(pd.DataFrame(rows, columns=columns), number_format="{:.3f}",
                           raw=("Accuracy",))
