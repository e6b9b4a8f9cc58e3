"""The command-line contract: --help lists every command, bad usage exits 2 with one line on
stderr that points at the right --help, a UserError exits 2 with its message, --json prints
one JSON document and the plain output says what was done."""

import json
import subprocess
import sys

import pytest

from core.cli.dispatch import COMMANDS, main
from tests.conftest import ROOT

VARIANCE = ROOT / "data" / "variance.csv"


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "core", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def _one_error_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: ") and "Traceback" not in stderr
    return lines[0]


def test_help_lists_every_command():
    proc = run_cli("--help")
    assert proc.returncode == 0
    assert proc.stdout.startswith("usage: python -m core")
    for name in COMMANDS:
        assert name in proc.stdout, name


def test_unknown_command_exits_2_naming_it(capsys):
    assert main(["no-such-command"]) == 2
    line = _one_error_line(capsys.readouterr().err)
    assert "no-such-command" in line and "`python -m core --help`" in line


def test_unknown_option_points_at_the_subcommands_help(capsys):
    assert main(["label", str(VARIANCE), "--out", "x.csv", "--bogus"]) == 2
    line = _one_error_line(capsys.readouterr().err)
    assert "--bogus" in line
    assert "(see `python -m core label --help`)" in line
    assert "core core" not in line


def test_missing_argument_names_it(capsys):
    assert main(["train"]) == 2
    line = _one_error_line(capsys.readouterr().err)
    assert "FILE" in line and "`python -m core train --help`" in line


def test_missing_input_file_is_a_usage_error(capsys, tmp_path):
    assert main(["label", str(tmp_path / "nope.csv"), "--out", str(tmp_path / "o.csv")]) == 2
    line = _one_error_line(capsys.readouterr().err)
    assert "nope.csv does not exist" in line


def test_user_error_exits_2_with_what_to_do(capsys, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    assert main(["label", str(bad), "--out", str(tmp_path / "o.csv")]) == 2
    line = _one_error_line(capsys.readouterr().err)
    assert "no usable columns" in line and "workload_type" in line
    assert not (tmp_path / "o.csv").exists()


def test_json_output_is_one_document_with_the_result(capsys, tmp_path):
    out = tmp_path / "labelled.csv"
    assert main(["label", str(VARIANCE), "--out", str(out), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["rows"] == 6000 and 0 < doc["labelled"] <= doc["rows"]
    assert 0.0 < doc["lambda_optimal_share"] < 1.0
    assert {w["workload_type"] for w in doc["workloads"]} >= {"lightweight_api"}
    assert out.exists()


def test_plain_output_says_what_was_done(capsys, tmp_path):
    out = tmp_path / "labelled.csv"
    assert main(["label", str(VARIANCE), "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert text.startswith("labelled ") and f"wrote {out}" in text


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_help_shows_its_purpose(name, capsys):
    """Each command's --help renders with its HELP text (a stray '%' once broke argparse)."""
    import importlib

    assert main([name, "--help"]) == 0
    text = capsys.readouterr().out
    assert text.startswith(f"usage: python -m core {name}")
    assert "--json" in text
    first_words = " ".join(importlib.import_module(f"core.cli.{COMMANDS[name]}").HELP.split()[:4])
    assert first_words in " ".join(text.split())


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


def test_a_reader_that_leaves_early_is_not_an_error():
    """`python -m core … | head`: no BrokenPipeError traceback, exit 0."""
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-m", "core", "simulate", "--requests", "3000",
                             "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # the reader is gone before the command writes
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 0
    assert "Traceback" not in err and "BrokenPipe" not in err


def test_json_output_is_strict_json_without_nan():
    """A NaN in a result is printed as null, so every --json document parses strictly."""
    import json

    from core.formats import plain

    text = json.dumps(plain({"a": float("nan"), "b": [1.0, float("inf")]}), allow_nan=False)
    assert json.loads(text) == {"a": None, "b": [1.0, None]}


def test_train_table_cells_never_show_negative_zero():
    """A majority baseline's train-test gap is a hair below zero; its cell reads 0.000."""
    from core.cli.train import _f

    assert [_f(-0.0004), _f(-0.0), _f(-0.01), _f(None), _f(0.5, ".2f")] == [
        "0.000", "0.000", "-0.010", "-", "0.50"]
