"""`python -m core export-mlflow MODEL_ID [--registry DIR] --out DIR`: an MLflow
python_function model folder (models-from-code + portable JSON; no pickle)."""

from __future__ import annotations

import argparse

from core.cli.args import add_model_ref, add_registry

HELP = ("Export a saved model as an MLflow model folder (MLmodel, python_function flavour, "
        "signature, input example, pinned requirements) that mlflow.pyfunc.load_model loads; "
        "no pickle. Needs the optional mlflow-skinny.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_model_ref(parser)
    add_registry(parser)
    parser.add_argument("--out", required=True, metavar="DIR",
                        help="new (or empty) folder for the MLflow model")


def run(args: argparse.Namespace) -> dict:
    from core.portable.mlflow_export import export_mlflow

    return export_mlflow(args.model_id, args.out, registry=args.registry)


def render(result: dict) -> str:
    return (f"MLflow model of {result['model_id']} ({result['model_type']}) written to "
            f"{result['out']}: {', '.join(result['files'])}\n"
            f"load it with mlflow.pyfunc.load_model({result['out']!r})")
