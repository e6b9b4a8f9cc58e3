"""`python -m core predict MODEL_ID --data FILE --json`: the trained library model's
predictions in row order (the reference the deployed function must match)."""

from __future__ import annotations

import argparse

import numpy as np

from core.cli.args import add_model_ref, add_registry, input_path, json_or_file
from core.decision import DEFAULT_THRESHOLD, decision_threshold, platform_for
from core.errors import UserError
from core.io import read_paths
from core.registry import Registry

HELP = ("Predict the optimal platform for each request with a saved model (an id or the "
        "alias champion / challenger).")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_model_ref(parser)
    parser.add_argument("--data", required=True, metavar="FILE", type=input_path,
                        help="requests to score (CSV/JSON/JSONL/Parquet)")
    add_registry(parser)
    parser.add_argument("--objective", metavar="JSON_OR_FILE", type=json_or_file,
                        help="a router version (train-router) only: the objective it decides "
                             "by (default: the router's stored one)")


def predict_frame(pipeline, frame, threshold: float = DEFAULT_THRESHOLD) -> list[dict]:
    """One {platform, lambda_probability, ecs_probability} per row, in row order; the
    platform by the model's own decision threshold (core.decision)."""
    proba = np.asarray(pipeline.predict_proba(frame)[:, 1], dtype=float)
    return [{"platform": platform_for(p, threshold),
             "lambda_probability": float(p), "ecs_probability": float(1.0 - p)}
            for p in proba]


def run(args: argparse.Namespace) -> dict:
    loaded = Registry(args.registry, create=False).load(args.model_id)
    ingest = read_paths([args.data], need_latency=False)
    if ingest.frame.empty:
        raise UserError(f"No requests could be read from {args.data} "
                        f"({len(ingest.rejected)} rows rejected); check the file format.")
    from core.objective.router import is_router

    if is_router(loaded):
        predictions = route_frame(loaded, ingest.frame, args.objective)
    elif args.objective is not None:
        raise UserError(f"--objective needs a router version; {loaded.model_id} is a "
                        f"{loaded.metadata.get('model_type')} classifier.")
    else:
        predictions = predict_frame(loaded.pipeline, ingest.frame,
                                    decision_threshold(loaded.metadata))
    return {"model_id": loaded.model_id, "rows": len(ingest.frame),
            "rejected_rows": len(ingest.rejected), "predictions": predictions}


def route_frame(loaded, frame, objective=None) -> list[dict]:
    """An objective router's decisions in row order, as the deployed function answers them:
    lambda_probability 1 or 0 and details (objective, predicted latency and cost)."""
    from core.objective.objectives import PLATFORMS, TARGETS
    from core.objective.router import objective_for, route

    chosen = objective_for(objective, loaded.pipeline, loaded.metadata)
    choice, pred = route(loaded.pipeline, frame, chosen)
    spec = chosen.to_dict()
    out = []
    for i, lam in enumerate(choice.tolist()):
        details = {"objective": spec}
        for p in PLATFORMS:
            details[p] = {t: float(pred[f"{p}_{t}"][i]) for t in TARGETS}
        out.append({"platform": "lambda" if lam else "ecs",
                    "lambda_probability": 1.0 if lam else 0.0,
                    "ecs_probability": 0.0 if lam else 1.0, "details": details})
    return out


def render(result: dict) -> str:
    preds = result["predictions"]
    n_lambda = sum(p["platform"] == "lambda" for p in preds)
    lines = [f"model {result['model_id']}: {len(preds):,} requests, {n_lambda:,} to Lambda, "
             f"{len(preds) - n_lambda:,} to ECS"]
    lines += [f"{i:>6}  {p['platform']:<7} P(lambda)={p['lambda_probability']:.4f}"
              for i, p in enumerate(preds[:20])]
    if len(preds) > 20:
        lines.append(f"... {len(preds) - 20:,} more (use --json for all)")
    return "\n".join(lines)
