"""SageMaker inference script: model_fn, input_fn, predict_fn, output_fn (seed 004's contract).

Ships in model.tar.gz as code/inference.py next to code/evaluator.py; model.json and
metadata.json sit at the archive root (SageMaker extracts it to /opt/ml/model). Standard
library only, so no pickle and no pinned numpy can break the endpoint.
"""

from __future__ import annotations

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import evaluator  # code/ is not always on sys.path, hence the insert above

JSON = "application/json"
JSON_LINES = "application/jsonlines"


def model_fn(model_dir: str) -> dict:
    """Load model.json and metadata.json from the extracted archive."""
    model = evaluator.load(os.path.join(model_dir, "model.json"))
    meta_path = os.path.join(model_dir, "metadata.json")
    meta = {}
    if os.path.exists(meta_path):
        with open(meta_path, encoding="utf-8") as fh:
            meta = json.load(fh)
    return {"model": model, "metadata": meta}


def input_fn(request_body: bytes | str, request_content_type: str = JSON) -> list[dict]:
    """Requests as a list of dicts: one JSON object, a list, {"instances": [...]} or JSON lines."""
    text = request_body.decode("utf-8") if isinstance(request_body, bytes) else request_body
    content_type = (request_content_type or JSON).split(";")[0].strip().lower()
    if content_type == JSON_LINES:
        data = [json.loads(line) for line in text.splitlines() if line.strip()]
    elif content_type == JSON:
        data = json.loads(text)
    else:
        raise ValueError(f"content type {request_content_type!r} is not supported; send "
                         f"{JSON} or {JSON_LINES}")
    if isinstance(data, dict):
        data = data["instances"] if isinstance(data.get("instances"), list) else [data]
    if not isinstance(data, list) or not all(isinstance(d, dict) for d in data):
        raise ValueError("send a JSON object of request fields, a list of them, or "
                         '{"instances": [...]}')
    return data


def predict_fn(input_data: list[dict], model: dict) -> list[dict]:
    """Platform and probabilities per request, as in the Lambda response's `prediction`."""
    out = []
    for record in input_data:
        p = model["model"].predict_proba(record)
        out.append({"platform": "lambda" if p >= 0.5 else "ecs",
                    "confidence": max(p, 1.0 - p),
                    "lambda_probability": p, "ecs_probability": 1.0 - p})
    return out


def output_fn(prediction: list[dict], accept: str = JSON) -> str:
    """JSON body {"predictions": [...]} (the only format offered)."""
    accept = (accept or JSON).split(";")[0].strip().lower()
    if accept not in (JSON, "*/*"):
        raise ValueError(f"accept type {accept!r} is not supported; ask for {JSON}")
    return json.dumps({"predictions": prediction})
