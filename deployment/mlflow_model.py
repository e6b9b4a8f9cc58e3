"""MLflow "models from code" file: the portable JSON router as an MLflow python_function model.

`core export-mlflow` saves this file as the model (MLflow copies it into the model folder)
with the portable JSON as the artifact `model` and the standard-library evaluator as code, so
loading the model runs this file and reads JSON: no pickle, no scikit-learn, no core package.
Input: a DataFrame of requests (the model's feature columns). Output: platform,
lambda_probability and ecs_probability per row, the same numbers `core predict` gives.
"""

from __future__ import annotations

import math

import mlflow
import pandas as pd
from mlflow.pyfunc import PythonModel

try:  # the copy shipped beside this file in the model folder (code/evaluator.py)
    import evaluator
except ImportError:  # pragma: no cover - run from a source checkout
    from core.portable import evaluator

THRESHOLD = 0.5


def _plain(value: object) -> object:
    """A DataFrame cell as the evaluator expects it: None for missing, str for times."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalar
        return value.item()
    return value


class PortableRouter(PythonModel):
    """Lambda-or-ECS router read from the portable JSON document."""

    def load_context(self, context) -> None:
        self.model = evaluator.load(context.artifacts["model"])

    def predict(self, context, model_input: pd.DataFrame, params=None) -> pd.DataFrame:
        if not isinstance(model_input, pd.DataFrame):
            model_input = pd.DataFrame(model_input)
        columns = [c for c in self.model.input_features if c in model_input.columns]
        records = model_input[columns].to_dict(orient="records")
        proba = [self.model.predict_proba({k: _plain(v) for k, v in r.items()})
                 for r in records]
        return pd.DataFrame({
            "platform": ["lambda" if p >= THRESHOLD else "ecs" for p in proba],
            "lambda_probability": proba,
            "ecs_probability": [1.0 - p for p in proba],
        }, index=model_input.index)


mlflow.models.set_model(PortableRouter())
