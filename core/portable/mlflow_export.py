"""Registry version -> MLflow model folder (python_function flavour), without pickle.

Why models-from-code: a pickled `python_model` ties the folder to exact library versions and
runs arbitrary code on load (MLflow itself warns against it). The folder instead holds
deployment/mlflow_model.py as the model, the portable JSON as its artifact and the
standard-library evaluator as code, so it loads with mlflow and pandas only and predicts
what `core predict` predicts (the evaluator matches the library model within 1e-6).
mlflow-skinny is an optional extra: only this module imports it.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from core.errors import UserError
from core.portable import evaluator
from core.portable.export import dumps, export_pipeline

PROJECT_ROOT = Path(__file__).resolve().parents[2]
MODEL_CODE = PROJECT_ROOT / "deployment" / "mlflow_model.py"
EXAMPLE_TIME = "2025-11-23T12:00:00Z"


def _mlflow() -> Any:
    try:
        import mlflow
    except ImportError:
        raise UserError("MLflow is not installed; install the optional extra with "
                        "`pip install -r requirements-dev.txt` (mlflow-skinny).") from None
    return mlflow


def input_example(feature_spec: dict[str, Any], rows: int = 2) -> pd.DataFrame:
    """A few valid requests built from the fitted feature spec (known levels, medians)."""
    data: dict[str, list[Any]] = {}
    for col in feature_spec["input_features"]:
        kind = feature_spec["kinds"][col]
        if kind == "categorical":
            levels = feature_spec["categories"].get(col) or ["unknown"]
            data[col] = [str(levels[i % len(levels)]) for i in range(rows)]
        elif kind == "hour":
            data[col] = [EXAMPLE_TIME] * rows
        else:
            median = float(feature_spec["medians"].get(col, 0.0))
            data[col] = [median * (1 + i) for i in range(rows)]
    return pd.DataFrame(data)


def _predict_frame(model: evaluator.Model, frame: pd.DataFrame) -> pd.DataFrame:
    proba = [model.predict_proba(r) for r in frame.to_dict(orient="records")]
    return pd.DataFrame({"platform": ["lambda" if p >= 0.5 else "ecs" for p in proba],
                         "lambda_probability": proba,
                         "ecs_probability": [1.0 - p for p in proba]})


def _signature(feature_spec: dict[str, Any], outputs: Any) -> Any:
    """Inputs typed as the evaluator reads them: categories are strings, numbers doubles,
    and a timestamp (read as hour of day) an optional ISO string, as in the Lambda handler."""
    from mlflow.models import ModelSignature
    from mlflow.types import ColSpec, Schema

    cols = []
    for col in feature_spec["input_features"]:
        kind = feature_spec["kinds"][col]
        cols.append(ColSpec("double" if kind == "numeric" else "string", col,
                            required=kind != "hour"))
    return ModelSignature(inputs=Schema(cols), outputs=outputs)


def export_mlflow(model_ref: str, out_dir: str | Path, *, registry: str | Path | None = None
                  ) -> dict[str, Any]:
    """Write the MLflow model folder for a registry version; returns what was written."""
    mlflow = _mlflow()
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    logging.getLogger("mlflow").setLevel(logging.WARNING)
    from mlflow.models import infer_signature

    from core.registry import Registry

    out = Path(out_dir)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise UserError(f"--out {out} already exists and is not an empty folder; give a new "
                        "folder (MLflow writes a whole model directory).")
    loaded = Registry(registry, create=False).load(model_ref)
    meta = loaded.metadata
    if meta.get("model_type") == "router":
        raise UserError(f"{loaded.model_id} is an objective router (per-platform predictors); "
                        "the MLflow export holds classifiers. Export a classifier version, or "
                        "ship the router with `python -m core build-lambda`.")
    doc = export_pipeline(loaded.pipeline, metadata={
        "model_id": loaded.model_id, "model_type": meta.get("model_type"),
        "created_at": meta.get("created_at"), "features": meta.get("features")})
    portable = evaluator.Model(doc)
    example = input_example(doc["features"])
    signature = _signature(doc["features"], infer_signature(
        example, _predict_frame(portable, example)).outputs)
    import pandas

    requirements = [f"mlflow-skinny=={mlflow.__version__}", f"pandas=={pandas.__version__}"]
    if out.exists():
        out.rmdir()  # empty: MLflow wants to create it
    with tempfile.TemporaryDirectory() as tmp:
        model_json = Path(tmp) / "model.json"
        model_json.write_text(dumps(doc), encoding="utf-8")
        mlflow.pyfunc.save_model(
            path=str(out), python_model=str(MODEL_CODE),
            artifacts={"model": str(model_json)}, code_paths=[evaluator.__file__],
            signature=signature, input_example=example, pip_requirements=requirements,
            metadata={"model_id": loaded.model_id, "model_type": meta.get("model_type"),
                      "portable_format": doc["format"],
                      "portable_format_version": doc["format_version"]})
    files = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    pickles = [f for f in files if f.endswith((".pkl", ".pickle", ".joblib"))]
    if pickles:  # the promise of this format; fail loudly if MLflow ever adds one
        shutil.rmtree(out, ignore_errors=True)
        raise RuntimeError(f"MLflow wrote pickled files {pickles}; refusing to keep them.")
    return {"model_id": loaded.model_id, "model_type": meta.get("model_type"),
            "out": str(out), "flavor": "python_function", "mlflow": mlflow.__version__,
            "requirements": requirements, "signature": json.loads(
                json.dumps(signature.to_dict())), "files": files}
