"""`python -m core simulate`: JSON fields per strategy, --config, exit 2 on bad scenarios."""

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT

FIELDS = {"requests", "cost_usd", "cost_per_million", "latency_p50_ms", "latency_p95_ms",
          "latency_p99_ms", "cold_start_rate", "error_rate", "routing_accuracy"}


pytestmark = pytest.mark.slow  # each test starts an interpreter (~3-7 s)


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "core", "simulate", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_json_has_every_field_per_strategy(tmp_path):
    config = tmp_path / "scenario.json"
    config.write_text(json.dumps({"traffic": {"kind": "thesis"}, "router": {"kind": "oracle"}}))
    proc = run_cli("--config", str(config), "--requests", "800", "--json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert set(doc["strategies"]) == {"lambda", "ecs", "hybrid"}
    for summary in doc["strategies"].values():
        assert set(summary) >= FIELDS
        assert summary["requests"] == 800
    assert doc["strategies"]["hybrid"]["routing_accuracy"] == 1.0
    for name in ("lambda", "ecs", "hybrid"):  # also at the top level, as DESIGN.md reads
        assert doc[name] == doc["strategies"][name]
    assert doc["scenario"]["traffic"]["kind"] == "thesis"


def test_text_output_is_a_table():
    proc = run_cli("--requests", "300")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0].split() == ["metric", "lambda", "ecs", "hybrid"]


def test_bad_scenario_exits_2_with_one_line(tmp_path):
    config = tmp_path / "bad.json"
    config.write_text(json.dumps({"lambda": {"memory_mb": 20000}}))
    proc = run_cli("--config", str(config))
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "lambda.memory_mb" in proc.stderr
    assert "Traceback" not in proc.stderr
