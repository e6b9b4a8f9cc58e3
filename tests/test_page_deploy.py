"""Deploy page (AppTest): empty state, build + artifacts, the six scenarios, one request,
a dry-run deployment that lands in the history."""

from __future__ import annotations

import pytest

from tests.portable_helpers import FEATURES, fitted, request_frame


@pytest.fixture
def registry_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("ROUTING_LAB_MODELS", str(tmp_path))
    return tmp_path


@pytest.fixture
def saved_model(registry_dir):
    from core.registry import Registry

    return Registry(registry_dir).save(fitted("xgb"), model_type="xgb",
                                       metrics={"accuracy": 0.8}, features=FEATURES,
                                       train_frame=request_frame(), seed=0)


def _button(at, label):
    return next(b for b in at.button if b.label == label)


def test_empty_registry_says_train_first(app_test, registry_dir):
    at = app_test("pages/deploy.py", registry_dir=str(registry_dir))
    at.run()
    assert not at.exception
    assert any("No trained model" in i.value for i in at.info)
    assert any(b.label == "Train a quick demo model" for b in at.button)


@pytest.mark.slow
def test_build_scenarios_request_and_dry_run(app_test, registry_dir, saved_model):
    at = app_test("pages/deploy.py", registry_dir=str(registry_dir))
    at.run()
    assert not at.exception
    assert at.selectbox(key="deploy_model").value == saved_model
    assert any(m.label == "function.zip" for m in at.metric)

    _button(at, "Run the six thesis scenarios").click().run()
    assert not at.exception
    assert any("6 of 6 scenarios match" in s.value for s in at.success)

    _button(at, "Send request").click().run()
    assert not at.exception
    assert any(m.label == "Cold init" for m in at.metric)

    _button(at, "Show the plan (dry run)").click().run()
    assert not at.exception
    assert any("Dry run" in i.value for i in at.info)
    from core.deploy import history

    assert history.read(registry_dir)[0]["model_id"] == saved_model


@pytest.mark.slow
def test_quick_demo_model_from_empty_state(app_test, registry_dir):
    at = app_test("pages/deploy.py", registry_dir=str(registry_dir))
    at.run()
    _button(at, "Train a quick demo model").click().run(timeout=300)
    assert not at.exception
    assert at.selectbox(key="deploy_model").value.startswith("xgb-")
    assert any(m.label == "function.zip" for m in at.metric)
