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
    at.run()  # the history table on the next run: a dry run published no version
    table = next(d.value for d in at.dataframe if "version" in d.value.columns)
    assert table.loc[0, "version"] == "none (dry run)" and table.loc[0, "mode"] == "dry run"


@pytest.mark.slow
def test_quick_demo_model_from_empty_state(app_test, registry_dir):
    at = app_test("pages/deploy.py", registry_dir=str(registry_dir))
    at.run()
    _button(at, "Train a quick demo model").click().run(timeout=300)
    assert not at.exception
    assert at.selectbox(key="deploy_model").value.startswith("xgb-")
    assert any(m.label == "function.zip" for m in at.metric)


def test_response_reads_as_route_and_fields_not_json():
    from ui.deploy_view import response_body, response_rows

    body = {"prediction": {"platform": "ecs", "lambda_probability": 0.25},
            "request_context": {"workload_type": "heavy_processing", "payload_size_kb": 5.0},
            "model_info": {"model_type": "xgb", "test_accuracy": 0.8123456}}
    proxy = {"statusCode": 200, "body": __import__("json").dumps(body)}
    assert response_body(proxy) == body
    rows = response_rows(body)
    assert rows["field"].tolist() == ["workload_type", "payload_size_kb", "model_type",
                                      "test_accuracy"]
    assert rows["value"].tolist()[-1] == "0.8123"


def test_scenario_chart_is_horizontal_and_marks_the_first_call():
    import pandas as pd

    from core.figures import handler_latency

    rows = pd.DataFrame({"scenario": ["a long scenario name", "b"], "invoke_ms": [9.0, 0.04],
                         "match": [True, False]})
    fig = handler_latency(rows)
    assert fig.data[0].orientation == "h"
    assert list(fig.data[0].y) == ["a long scenario name (first call)", "b"]
    assert fig.layout.xaxis.title.text == "handler time (ms)"


@pytest.mark.slow
def test_champion_opens_first_and_a_bad_request_is_a_warning(app_test, registry_dir,
                                                             saved_model):
    from core.registry import Registry

    reg = Registry(registry_dir)
    other = reg.save(fitted("xgb"), model_type="xgb", metrics={"accuracy": 0.7},
                     features=FEATURES, train_frame=request_frame(), seed=1)
    reg.set_alias("champion", saved_model)
    at = app_test("pages/deploy.py", registry_dir=str(registry_dir))
    at.run()
    assert at.selectbox(key="deploy_model").value == saved_model != other
    at.text_area[0].set_value('{"body": "not json"}')
    _button(at, "Send request").click().run()
    assert not at.exception and not at.error
    assert any("HTTP 400" in w.value for w in at.warning)
    assert any(e.label == "Raw response (JSON)" for e in at.expander)
