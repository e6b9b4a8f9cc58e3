"""core.deploy.aws end to end against a moto server on 127.0.0.1 (real HTTP, real boto3):
create, publish, alias, 10 % canary, promote, roll back; dry run touches nothing."""

from __future__ import annotations

import json

import pytest

from core.deploy import aws, history
from core.deploy.lambda_pkg import build_from_pipeline
from core.errors import UserError
from tests.portable_helpers import fitted, lambda_role, moto_endpoint

REGION = "eu-west-1"


@pytest.fixture(scope="module")
def zip_path(tmp_path_factory):
    out = tmp_path_factory.mktemp("zip")
    return build_from_pipeline(fitted("logreg"), out, with_template=False).path


@pytest.fixture
def moto_url(monkeypatch):
    """A moto server on a free local port, with dummy credentials in the environment."""
    server, url = moto_endpoint(monkeypatch, REGION)
    try:
        yield url
    finally:
        server.stop()


def _alias(url: str, name: str = "router") -> dict:
    import boto3

    client = boto3.client("lambda", endpoint_url=url, region_name=REGION)
    return client.get_alias(FunctionName=name, Name="live")


@pytest.mark.slow
def test_deploy_canary_promote_and_rollback_against_moto(zip_path, moto_url):
    common = {"function_name": "router", "region": REGION, "confirm": True,
              "endpoint_url": moto_url}
    first = aws.deploy(zip_path, role=lambda_role(moto_url), **common)
    assert first.status == "live" and first.version == "1"
    assert [c["operation"] for c in first.calls][:2] == ["get_function", "create_function"]
    assert _alias(moto_url)["FunctionVersion"] == "1"

    second = aws.deploy(zip_path, **common)
    assert second.status == "canary" and second.stable_version == "1"
    assert second.routing == {"2": 0.1}
    alias = _alias(moto_url)
    assert alias["FunctionVersion"] == "1"
    assert alias["RoutingConfig"]["AdditionalVersionWeights"] == {"2": 0.1}

    back = aws.rollback(**common)
    assert back.status == "rolled back" and back.version == "1"
    assert not _alias(moto_url).get("RoutingConfig", {}).get("AdditionalVersionWeights")

    aws.deploy(zip_path, **common)
    promoted = aws.promote(**common)
    assert promoted.status == "live" and promoted.version == "3"
    assert _alias(moto_url)["FunctionVersion"] == "3"
    with pytest.raises(UserError, match="no canary to promote"):
        aws.promote(**common)
    assert aws.rollback(**common).version == "2"


@pytest.mark.slow
def test_new_function_without_role_is_a_user_error(zip_path, moto_url):
    with pytest.raises(UserError, match="pass --role"):
        aws.deploy(zip_path, function_name="fresh", region=REGION, confirm=True,
                   endpoint_url=moto_url)


def test_dry_run_lists_calls_and_sends_nothing(zip_path, monkeypatch):
    monkeypatch.setattr(aws, "_client", lambda *a: pytest.fail("dry run made a client"))
    plan = aws.deploy(zip_path, function_name="router", region=REGION)
    assert plan.dry_run and plan.status == "planned"
    ops = [c["operation"] for c in plan.calls]
    assert ops[0] == "get_function" and "publish_version" in ops and ops[-1] == "update_alias"
    canary = plan.calls[-1]["params"]["RoutingConfig"]["AdditionalVersionWeights"]
    assert list(canary.values()) == [0.1]
    assert "bytes>" in plan.calls[2]["params"]["ZipFile"]
    assert "bytes>" in plan.calls[1]["params"]["Code"]["ZipFile"]
    json.dumps(plan.to_dict())
    assert aws.promote(function_name="router", region=REGION).calls
    assert aws.rollback(function_name="router", region=REGION).calls


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"function_name": "bad name!", "region": REGION}, "Function name"),
    ({"function_name": "router", "region": "Europe"}, "not an AWS region"),
    ({"function_name": "router", "region": REGION, "canary_weight": 1.5}, "canary_weight"),
])
def test_bad_parameters_are_user_errors(zip_path, kwargs, words):
    with pytest.raises(UserError, match=words):
        aws.deploy(zip_path, **kwargs)


def test_unreachable_endpoint_is_a_user_error(zip_path, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with pytest.raises(UserError, match="Deploying router"):
        aws.deploy(zip_path, function_name="router", region=REGION, confirm=True,
                   endpoint_url="http://127.0.0.1:9")


def test_history_is_newest_first(tmp_path):
    history.record({"action": "deploy", "n": 1}, tmp_path)
    history.record({"action": "promote", "n": 2}, tmp_path)
    (tmp_path / history.HISTORY_FILE).open("a").write("not json\n")
    rows = history.read(tmp_path)
    assert [r["n"] for r in rows] == [2, 1] and all("at" in r for r in rows)
    assert history.read(tmp_path / "empty") == []
