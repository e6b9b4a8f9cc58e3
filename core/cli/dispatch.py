"""Argument parsing, `--json` output and the exit-code contract shared by every command."""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import sys
from typing import Any

from core.errors import UserError

#: command name -> module in core.cli (a module that is not there yet is skipped).
COMMANDS = {
    "demo-data": "demo_data",
    "ingest": "ingest",
    "label": "label",
    "diagnose": "diagnose",
    "train": "train",
    "predict": "predict",
    "explain": "explain",
    "simulate": "simulate",
    "build-lambda": "build_lambda",
    "invoke": "invoke",
    "build-sagemaker": "build_sagemaker",
    "deploy": "deploy",
    "report": "report",
    "drift": "drift",
    "export-mlflow": "export_mlflow",
}


class _Parser(argparse.ArgumentParser):
    """argparse exits 2 on bad arguments already; keep its message to one line."""

    def error(self, message: str) -> None:  # type: ignore[override]
        print(f"error: {message} (see `python -m core {self.prog.split()[-1]} --help`)",
              file=sys.stderr)
        raise SystemExit(2)


def _load_commands() -> dict[str, Any]:
    modules = {}
    for name, module in COMMANDS.items():
        try:
            modules[name] = importlib.import_module(f"core.cli.{module}")
        except ModuleNotFoundError as exc:
            if exc.name != f"core.cli.{module}":
                raise
    return modules


def build_parser(modules: dict[str, Any]) -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m core", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name, module in modules.items():
        p = sub.add_parser(name, help=module.HELP.replace("%", "%%"), description=module.HELP)
        p.add_argument("--json", action="store_true", help="print one JSON document on stdout")
        module.add_arguments(p)
    return parser


def _jsonable(value: Any) -> Any:
    try:
        import numpy as np

        if isinstance(value, np.generic):
            return value.item()
        if isinstance(value, np.ndarray):
            return value.tolist()
    except ImportError:  # pragma: no cover
        pass
    return str(value)


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns the process exit code."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    modules = _load_commands()
    parser = build_parser(modules)
    args = parser.parse_args(argv)
    module = modules[args.command]
    try:
        result = module.run(args)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 1
    except Exception as exc:  # internal failure: one line, no traceback for users
        logging.getLogger("core").debug("internal failure", exc_info=True)
        print(f"internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(result, default=_jsonable, indent=2))
    else:
        print(module.render(result))
    return 0
