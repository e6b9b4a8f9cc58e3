"""The command-line contract: --help works, bad usage exits 2 with one line on stderr."""

import subprocess
import sys

from tests.conftest import ROOT


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "core", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_help_lists_commands():
    proc = run_cli("--help")
    assert proc.returncode == 0
    assert "python -m core" in proc.stdout


def test_unknown_command_exits_2_with_one_line():
    proc = run_cli("no-such-command")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_every_command_has_help():
    """Each command's --help renders (a stray '%' in HELP text once broke argparse)."""
    import argparse

    from core.cli.dispatch import _load_commands, build_parser

    parser = build_parser(_load_commands())
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert parser.format_help()
    for name, sub in subparsers.choices.items():
        assert "--json" in sub.format_help(), name


def test_train_split_choices_match_the_library():
    from core.cli.train import SPLIT_CHOICES
    from core.training.splits import SPLITS

    assert SPLIT_CHOICES == SPLITS


def test_explain_sample_default_matches_the_library():
    import argparse

    from core.cli import explain as cli
    from core.explain.api import DEFAULT_SAMPLE

    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    assert parser.get_default("sample") == DEFAULT_SAMPLE
