"""Arguments several commands share, spelled once so their help reads the same everywhere."""

from __future__ import annotations

import argparse

MODEL_REF_HELP = "registry model id, or alias champion/challenger"


def add_model_ref(parser: argparse.ArgumentParser, help: str = MODEL_REF_HELP) -> None:
    """The positional MODEL_ID (a version id or an alias)."""
    parser.add_argument("model_id", metavar="MODEL_ID", help=help)


def add_registry(parser: argparse.ArgumentParser) -> None:
    """--registry DIR: where models are stored (core.registry.default_root otherwise)."""
    parser.add_argument("--registry", metavar="DIR",
                        help="registry folder (default: $ROUTING_LAB_MODELS or models/)")
