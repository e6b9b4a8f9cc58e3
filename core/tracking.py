"""Log training runs to a local MLflow tracking store (`train --mlflow-uri DIR`).

Optional, like the MLflow export: only this module imports mlflow, and only when asked. One
MLflow run per trained model: its settings as params, its test and CV metrics, the registry
model id as a tag, and the search history (when there was a search) as a JSON artifact.
"""

from __future__ import annotations

import logging
import math
import os
from pathlib import Path
from typing import Any

from core.errors import UserError

EXPERIMENT = "serverless-routing-lab"
_METRICS = ("accuracy", "precision", "recall", "f1", "roc_auc", "log_loss", "brier",
            "train_test_gap", "fit_s", "predict_ms")


def tracking_uri(value: str) -> str:
    """A URI MLflow accepts: a folder becomes an SQLite store inside it, a URI is kept."""
    if "://" in value or value.startswith("file:"):
        return value
    folder = Path(value).expanduser().resolve()
    if folder.exists() and not folder.is_dir():
        raise UserError(f"--mlflow-uri {value} is a file; give a folder or a tracking URI.")
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'mlflow.db'}"


def log_training(doc: dict[str, Any], uri: str, *, source: str | None = None
                 ) -> list[dict[str, str]]:
    """One MLflow run per successful model of a `train --json` document; returns
    [{"model", "run_id"}]."""
    try:
        from mlflow.entities import Metric, Param, RunTag
        from mlflow.tracking import MlflowClient
    except ImportError:
        raise UserError("--mlflow-uri needs MLflow: install the optional extra with "
                        "`pip install -r requirements-dev.txt` (mlflow-skinny).") from None
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    logging.getLogger("mlflow").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    client = MlflowClient(tracking_uri=tracking_uri(uri))
    exp = client.get_experiment_by_name(EXPERIMENT)
    artifacts = None
    if "://" not in uri and not uri.startswith("file:"):  # a folder: artifacts beside the db
        artifacts = (Path(uri).expanduser().resolve() / "artifacts").as_uri()
    exp_id = exp.experiment_id if exp else client.create_experiment(
        EXPERIMENT, artifact_location=artifacts)
    logged = []
    for name, m in doc["models"].items():
        if m.get("status") != "ok":
            continue
        run = client.create_run(exp_id, run_name=f"{name} {m.get('model_id') or ''}".strip())
        params = {"model": name, "seed": doc.get("seed"), "split": doc["split"].get("split"),
                  "cv_folds": doc["split"].get("folds"), "rows": doc.get("rows"),
                  "features": ",".join(doc.get("features", [])),
                  **{f"param.{k}": v for k, v in (m.get("params") or {}).items()}}
        metrics = {k: m.get(k) for k in _METRICS}
        metrics.update({f"cv_{k}_mean": v.get("mean") for k, v in (m.get("cv") or {}).items()})
        search = m.get("search")
        if search:
            metrics["search_best_roc_auc"] = search.get("best_value")
            params.update({"search_trials": search.get("trials"),
                           "search_sampler": search.get("sampler")})
        client.log_batch(
            run.info.run_id,
            metrics=[Metric(k, float(v), 0, 0) for k, v in metrics.items()
                     if isinstance(v, int | float) and math.isfinite(v)],
            params=[Param(k, str(v)[:500]) for k, v in params.items() if v is not None],
            tags=[RunTag(k, str(v)) for k, v in {"model_id": m.get("model_id"),
                                                 "source": source}.items() if v])
        if search:
            client.log_dict(run.info.run_id, search, "search_history.json")
        client.set_terminated(run.info.run_id)
        logged.append({"model": name, "run_id": run.info.run_id})
    return logged
