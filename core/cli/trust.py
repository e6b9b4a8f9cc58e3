"""`python -m core trust [MODEL_ID...] [--registry DIR]`: sign a copied or older registry."""

from __future__ import annotations

import argparse

from core.cli.args import add_registry

HELP = ("Trust a registry folder explicitly: sign its versions (all, or the ones named) with "
        "this machine's key, so that a copied or older registry loads. Only for folders you "
        "trust: loading a model unpickles it, which runs code.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("model_ids", nargs="*", metavar="MODEL_ID",
                        help="versions to sign (default: every version)")
    add_registry(parser)


def run(args: argparse.Namespace) -> dict:
    from core.registry import Registry, key_path

    registry = Registry(args.registry, create=False)
    signed = registry.trust(args.model_ids or None)
    return {"registry": str(registry.root), "key_file": str(key_path()), "signed": signed}


def render(result: dict) -> str:
    return (f"signed {len(result['signed'])} version(s) in {result['registry']} with the key "
            f"in {result['key_file']}")
