"""Argument parsing, `--json` output and the exit-code contract shared by every command."""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import os
import sys
import warnings
from typing import Any

from core.errors import UserError
from core.formats import json_default, plain

#: command name -> module in core.cli.
COMMANDS = {
    "demo-data": "demo_data",
    "ingest": "ingest",
    "label": "label",
    "diagnose": "diagnose",
    "train": "train",
    "train-router": "train_router",
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
    "trust": "trust",
}


class _Parser(argparse.ArgumentParser):
    """argparse exits 2 on bad arguments already; keep its message to one line."""

    def error(self, message: str) -> None:  # type: ignore[override]
        print(f"error: {message} (see `{self.prog} --help`)", file=sys.stderr)
        raise SystemExit(2)


def _load_commands() -> dict[str, Any]:
    return {name: importlib.import_module(f"core.cli.{module}")
            for name, module in COMMANDS.items()}


def build_parser(modules: dict[str, Any]) -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m core", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name, module in modules.items():
        p = sub.add_parser(name, help=module.HELP.replace("%", "%%"), description=module.HELP)
        p.add_argument("--json", action="store_true", help="print one JSON document on stdout")
        module.add_arguments(p)
    return parser


def _subparser(parser: argparse.ArgumentParser, command: str) -> argparse.ArgumentParser:
    """The parser of one command (its error messages point at that command's --help)."""
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return action.choices[command]


def _one_line(exc: BaseException, limit: int = 2000) -> str:
    """An error message as one line (never a multi-line dump of a script or file)."""
    text = " ".join(str(exc).split())
    return text if len(text) <= limit else text[:limit] + "…"


def _print_warnings(caught: list[warnings.WarningMessage]) -> None:
    """Library warnings as `warning: message` lines (no file names or source lines)."""
    seen: set[str] = set()
    for item in caught:
        text = _one_line(item.message, 300)
        if text not in seen:
            seen.add(text)
            print(f"warning: {text}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns the process exit code."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    modules = _load_commands()
    parser = build_parser(modules)
    try:
        args, extra = parser.parse_known_args(argv)
        if extra:  # argparse would report these on the root parser, naming no command
            _subparser(parser, args.command).error(
                f"unrecognized arguments: {' '.join(extra)}")
    except SystemExit as exc:  # bad arguments (2, one line already printed) or --help (0)
        return exc.code if isinstance(exc.code, int) else 2
    module = modules[args.command]
    try:
        with warnings.catch_warnings(record=True) as caught:  # the filters stay as they are
            result = module.run(args)
    except UserError as exc:
        print(f"error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except RecursionError:  # a structure nested past what any reader can follow
        print("error: the input is nested too deeply to read; flatten it.", file=sys.stderr)
        return 2
    except MemoryError:
        print("error: ran out of memory; use a smaller input (or --max-mb / --requests).",
              file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 1
    except Exception as exc:  # internal failure: one line, no traceback for users
        logging.getLogger("core").debug("internal failure", exc_info=True)
        print(f"internal error: {type(exc).__name__}: {_one_line(exc)}", file=sys.stderr)
        return 1
    _print_warnings(caught)
    # plain(): NaN/inf become null, so --json is always strict JSON other tools can parse
    text = json.dumps(plain(result), default=json_default, indent=2, allow_nan=False) \
        if args.json else module.render(result)
    try:
        print(text, flush=True)
    except BrokenPipeError:  # `python -m core … | head`: the reader left; not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0
