"""The SAM template: valid for cfn-lint, with function, HTTP API, a `live` alias on a 10 %
canary and CloudWatch alarms on errors and throttles that the canary watches."""

from __future__ import annotations

import re

import pytest

from core.deploy import sam


@pytest.mark.slow
def test_template_passes_cfn_lint():
    assert sam.lint() == []


@pytest.mark.slow
def test_cfn_lint_catches_a_broken_template():
    broken = sam.template_text().replace("MetricName: Throttles",
                                         "MetricName: Throttles\n      Bogus: 1", 1)
    assert any("Bogus" in finding for finding in sam.lint(broken))


def test_template_has_function_api_canary_alias_and_alarms():
    text = sam.template_text()
    assert "Handler: lambda_function.lambda_handler" in text
    assert "CodeUri: function.zip" in text
    assert "AutoPublishAlias: live" in text
    assert "Type: Canary10Percent5Minutes" in text
    assert "Type: AWS::Serverless::HttpApi" in text and "Type: HttpApi" in text
    for metric in ("Errors", "Throttles"):
        assert f"MetricName: {metric}" in text
    alarms = re.search(r"Alarms:\n((?:\s+- !Ref \w+\n)+)", text).group(1)
    assert "ErrorsAlarm" in alarms and "ThrottlesAlarm" in alarms


def test_write_template_and_deploy_command(tmp_path):
    path = sam.write_template(tmp_path)
    assert path.read_text() == sam.template_text()
    cmd = sam.deploy_command(function_name="router", region="eu-west-1", memory_mb=1024)
    assert "FunctionName=router" in cmd and "MemorySize=1024" in cmd
    assert "--region eu-west-1" in cmd
