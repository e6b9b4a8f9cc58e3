"""`python -m core deploy MODEL_ID --function-name F --region R [--role ARN] [--confirm]`."""

from __future__ import annotations

import argparse
import tempfile

from core.cli.args import add_model_ref, add_registry
from core.deploy import aws, history
from core.deploy.lambda_pkg import build_lambda

HELP = ("Deploy a registry model to AWS Lambda with boto3 (create/update, publish, `live` alias "
        "with a 10-percent canary), or promote / roll back. Dry run unless --confirm.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_model_ref(parser, help="registry model id or alias (ignored by promote/rollback)")
    parser.add_argument("--function-name", required=True, help="Lambda function name")
    parser.add_argument("--region", required=True, help="AWS region, e.g. eu-west-1")
    parser.add_argument("--role", help="IAM role ARN (needed when the function is new)")
    parser.add_argument("--action", choices=("deploy", "promote", "rollback"),
                        default="deploy", help="default: %(default)s")
    parser.add_argument("--confirm", action="store_true",
                        help="really call AWS (default: dry run listing the calls)")
    parser.add_argument("--endpoint-url", help="AWS endpoint (e.g. a local moto server)")
    add_registry(parser)


def run(args: argparse.Namespace) -> dict:
    common = {"function_name": args.function_name, "region": args.region,
              "confirm": args.confirm, "endpoint_url": args.endpoint_url}
    model_id = None
    if args.action == "deploy":
        with tempfile.TemporaryDirectory(prefix="routing-lab-deploy-") as tmp:
            built = build_lambda(args.model_id, tmp, registry_root=args.registry,
                                 with_template=False)
            model_id = built.model_id
            plan = aws.deploy(built.path, role=args.role, **common)
    elif args.action == "promote":
        plan = aws.promote(**common)
    else:
        plan = aws.rollback(**common)
    result = {**plan.to_dict(), "model_id": model_id}
    history.record(result, args.registry)
    return result


def render(result: dict) -> str:
    mode = "DRY RUN (nothing sent; add --confirm)" if result["dry_run"] else "done"
    lines = [f"{result['action']} {result['function_name']} in {result['region']}: {mode}"]
    for i, call in enumerate(result["calls"], 1):
        when = f"  [if {call['when']}]" if call.get("when") else ""
        lines.append(f"  {i}. lambda.{call['operation']}{when}")
    if not result["dry_run"]:
        lines.append(f"status {result['status']}: version {result['version']}, stable "
                     f"{result['stable_version']}, canary weights {result['routing'] or 'none'}")
    return "\n".join(lines)
