"""`python -m core build-lambda MODEL_ID --out DIR`: DIR/function.zip and DIR/template.yaml."""

from __future__ import annotations

import argparse

from core.cli.args import add_model_ref, add_registry, json_or_file, output_dir
from core.deploy.lambda_pkg import build_lambda

HELP = ("Package a registry model as a dependency-free Lambda function: function.zip (handler, "
        "stdlib evaluator, model JSON, metadata) plus the SAM template.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_model_ref(parser)
    parser.add_argument("--out", required=True, metavar="DIR", type=output_dir,
                        help="output folder")
    add_registry(parser)
    parser.add_argument("--region", default="eu-west-1",
                        help="region whose Lambda prices the response's cost uses")
    parser.add_argument("--architecture", choices=("arm", "x86"), default="arm",
                        help="Lambda architecture priced in the response (default: arm)")
    parser.add_argument("--objective", metavar="JSON_OR_FILE", type=json_or_file,
                        help="a router version (train-router) only: the objective the function "
                             "routes by (default: the router's stored one)")


def run(args: argparse.Namespace) -> dict:
    return build_lambda(args.model_id, args.out, registry_root=args.registry,
                        region=args.region, architecture=args.architecture,
                        objective=args.objective).to_dict()


def render(result: dict) -> str:
    lines = [f"built {result['path']} ({result['zip_bytes'] / 1024:.1f} KiB, "
             f"{result['model_type']} {result['model_id']})"]
    lines += [f"  {f['name']:<20} {f['bytes']:>9,} B  ({f['compressed_bytes']:,} B zipped)"
              for f in result["files"]]
    if result.get("template"):
        lines.append(f"wrote {result['template']} (SAM: function, HTTP API, live alias canary)")
    return "\n".join(lines)
