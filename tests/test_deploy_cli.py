"""CLI: build-lambda, invoke, build-sagemaker and deploy on a model in a tmp registry."""

from __future__ import annotations

import json
import tarfile
from types import SimpleNamespace

import pandas as pd
import pytest

from core.deploy.scenarios import scenario_events
from tests.portable_helpers import (
    FEATURES,
    fitted,
    lambda_role,
    moto_endpoint,
    request_frame,
)


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    from core.registry import Registry

    root = tmp_path_factory.mktemp("models")
    model_id = Registry(root).save(fitted("rf"), model_type="rf", metrics={"accuracy": 0.8},
                                   features=FEATURES, train_frame=request_frame(), seed=0)
    return root, model_id


@pytest.fixture
def cli(monkeypatch, capsys):
    """Run `python -m core ...` in this process (dispatch.main): exit code, stdout, stderr."""
    from core.cli.dispatch import main

    def run(registry_root, *args: str) -> SimpleNamespace:
        monkeypatch.setenv("ROUTING_LAB_MODELS", str(registry_root))
        capsys.readouterr()
        code = main(list(args))
        out = capsys.readouterr()
        return SimpleNamespace(returncode=code, stdout=out.out, stderr=out.err)

    return run


@pytest.mark.slow
def test_build_invoke_and_sagemaker(cli, registry, tmp_path):
    root, model_id = registry
    built = cli(root, "build-lambda", model_id, "--out", str(tmp_path), "--json")
    assert built.returncode == 0, built.stderr
    info = json.loads(built.stdout)
    assert info["zip_bytes"] < 1_000_000 and (tmp_path / "template.yaml").is_file()
    assert {f["name"] for f in info["files"] if "__pycache__" not in f["name"]} == {
        "lambda_function.py", "evaluator.py", "model.json", "metadata.json"}
    ran = cli(root, "invoke", str(tmp_path / "function.zip"), "--scenarios", "--json")
    assert ran.returncode == 0, ran.stderr
    result = json.loads(ran.stdout)
    ref = fitted("rf").predict_proba(pd.DataFrame(scenario_events(), columns=FEATURES))[:, 1]
    got = [r["body"]["prediction"]["lambda_probability"] for r in result["responses"]]
    assert max(abs(a - b) for a, b in zip(got, ref, strict=True)) <= 1e-6
    assert result["init_ms"] > 0 and len(result["invoke_ms"]) == 6
    text = cli(root, "invoke", str(tmp_path / "function.zip"), "--event",
               '{"workload_type": "lightweight_api", "payload_size_kb": -3}')
    assert text.returncode == 0 and "status 400" in text.stdout
    sm = cli(root, "build-sagemaker", model_id, "--out", str(tmp_path), "--json")
    assert sm.returncode == 0, sm.stderr
    with tarfile.open(tmp_path / "model.tar.gz") as tar:
        assert "code/inference.py" in tar.getnames()


def test_deploy_dry_run_records_history(cli, registry):
    root, model_id = registry
    out = cli(root, "deploy", model_id, "--function-name", "router", "--region", "eu-west-1")
    assert out.returncode == 0, out.stderr
    assert "DRY RUN" in out.stdout and "update_alias" in out.stdout
    from core.deploy import history

    last = history.read(root)[0]
    assert last["dry_run"] is True and last["model_id"] == model_id


def test_bad_inputs_exit_2_with_one_line(cli, registry, tmp_path):
    root, _ = registry
    for args in (("build-lambda", "no-such-model", "--out", str(tmp_path)),
                 ("invoke", str(tmp_path / "missing.zip"), "--event", "{}"),
                 ("invoke", str(tmp_path / "missing.zip"), "--event", "{oops")):
        proc = cli(root, *args)
        assert proc.returncode == 2, (args, proc.stderr)
        assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr


@pytest.mark.slow
def test_deploy_confirm_against_moto_then_promote(cli, registry, monkeypatch):
    root, model_id = registry
    server, url = moto_endpoint(monkeypatch)
    try:
        base = ["--function-name", "router", "--region", "eu-west-1", "--endpoint-url", url,
                "--confirm", "--json"]
        first = cli(root, "deploy", model_id, "--role", lambda_role(url), *base)
        assert first.returncode == 0, first.stderr
        assert json.loads(first.stdout)["status"] == "live"
        second = json.loads(cli(root, "deploy", model_id, *base).stdout)
        assert second["status"] == "canary" and second["routing"] == {"2": 0.1}
        promoted = json.loads(cli(root, "deploy", model_id, "--action", "promote", *base).stdout)
        assert promoted["status"] == "live" and promoted["version"] == "2"
    finally:
        server.stop()
