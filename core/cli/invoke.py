"""`python -m core invoke ZIP --event FILE_OR_JSON`: run the handler as Lambda would."""

from __future__ import annotations

import argparse
import json

from core.cli.args import float_range, input_file, int_range, json_or_file
from core.deploy.invoke import invoke_zip
from core.deploy.scenarios import SCENARIOS, scenario_events
from core.errors import UserError

HELP = ("Unpack a function.zip and run its handler in a clean interpreter (python -I -S, no "
        "site-packages); print the response and timings.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("zip", metavar="ZIP", type=input_file,
                        help="function.zip from build-lambda")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--event", metavar="FILE_OR_JSON", type=json_or_file,
                        help="event as JSON text or a JSON file (a JSON array = one event each)")
    source.add_argument("--scenarios", action="store_true",
                        help="run the thesis's six local test scenarios")
    parser.add_argument("--memory-mb", type=int_range(128, 10_240), default=512,
                        help="memory the cost figure assumes, 128 to 10240 (default: "
                             "%(default)s)")
    parser.add_argument("--timeout", type=float_range(0, 900, strict_lo=True), default=60.0,
                        metavar="S", help="stop a handler that runs longer than S seconds "
                                          "(default: %(default)g)")


def run(args: argparse.Namespace) -> dict:
    if args.scenarios:
        events, names = scenario_events(), [s["name"] for s in SCENARIOS]
    else:
        events = args.event if isinstance(args.event, list) else [args.event]
        if not events:
            raise UserError("--event is an empty JSON array; give at least one event.")
        names = [f"event {i + 1}" for i in range(len(events))]
    result = invoke_zip(args.zip, events, memory_mb=args.memory_mb, timeout_s=args.timeout)
    result["names"] = names
    if len(events) == 1:
        result["response"] = result["responses"][0]
    return result


def render(result: dict) -> str:
    lines = [f"cold init {result['init_ms']:.1f} ms (import + model load), whole process "
             f"{result['process_ms']:.0f} ms, python {result['python']}, third-party modules: "
             f"{result['third_party_modules'] or 'none'}"]
    for name, resp, ms in zip(result["names"], result["responses"], result["invoke_ms"],
                              strict=True):
        lines.append(f"{name}: status {resp['statusCode']} in {ms:.3f} ms")
        lines.append(json.dumps(resp, indent=2))
    return "\n".join(lines)
