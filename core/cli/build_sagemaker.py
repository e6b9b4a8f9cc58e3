"""`python -m core build-sagemaker MODEL_ID --out DIR`: DIR/model.tar.gz for SageMaker."""

from __future__ import annotations

import argparse

from core.cli.args import add_model_ref, add_registry, output_dir
from core.deploy.sagemaker import build_sagemaker

HELP = ("Package a registry model for SageMaker: model.tar.gz with the model JSON at the root "
        "and code/inference.py (model_fn, input_fn, predict_fn, output_fn).")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_model_ref(parser)
    parser.add_argument("--out", required=True, metavar="DIR", type=output_dir,
                        help="output folder")
    add_registry(parser)


def run(args: argparse.Namespace) -> dict:
    return build_sagemaker(args.model_id, args.out, registry_root=args.registry)


def render(result: dict) -> str:
    lines = [f"built {result['path']} ({result['tarball_bytes'] / 1024:.1f} KiB, "
             f"{result['model_type']} {result['model_id']})"]
    lines += [f"  {m['name']:<22} {m['bytes']:>9,} B" for m in result["members"]]
    return "\n".join(lines)
