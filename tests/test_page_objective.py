"""Route by objective page (AppTest): train a router on the loaded data, set an objective,
replay it beside a classifier and the oracles, sweep a Pareto chart, explain decisions."""

import pytest

from core.registry import Registry
from core.training import make_pipeline
from tests.test_objective_portable import logs as make_logs

PAGE = "pages/objective.py"
FEATURES = ["workload_type", "payload_size_kb", "time_window", "load_pattern"]


@pytest.fixture(autouse=True)
def _tmp_registry(tmp_path, monkeypatch):
    monkeypatch.setenv("ROUTING_LAB_MODELS", str(tmp_path / "models"))


@pytest.fixture(scope="module")
def logs():
    return make_logs(900, seed=2)


def _frame_with(at, column):
    """The first dataframe on the page that has ``column``."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_without_data_it_says_where_to_load_it(app_test):
    at = app_test(PAGE)
    at.run()
    assert not at.exception
    assert any("Data page" in i.value for i in at.info)
    assert any("demo" in b.label.lower() for b in at.button)


def test_train_route_sweep_and_explain(app_test, logs):
    from core.labels import balanced_optimal

    labelled = balanced_optimal(logs, costs="thesis")
    labelled = labelled[labelled["label"].notna()]
    model = make_pipeline("logreg", FEATURES, seed=0).fit(labelled, labelled["label"].astype(int))
    classifier_id = Registry().save(model, model_type="logreg", metrics={"accuracy": 0.5},
                                    features=FEATURES, train_frame=labelled[FEATURES], seed=0)
    at = app_test(PAGE, dataset=logs, dataset_name="logs")
    at.run()
    assert not at.exception
    at.button(key="objective.train").click().run()
    assert not at.exception and not at.error
    router_id = at.selectbox(key="objective.router").value
    assert router_id.startswith("router-")
    assert at.radio(key="objective.kind").value == "min_cost"
    at.number_input(key="objective.p95").set_value(3000.0)
    at.selectbox(key="objective.classifier").set_value(classifier_id)
    at.run()
    at.button(key="objective.run").click().run()
    assert not at.exception and not at.error
    table = _frame_with(at, "router")
    assert {"lambda", "ecs", "objective router", "classifier", "label-rule oracle",
            "cost oracle"} == set(table["router"])
    assert at.success or at.warning  # the objective is said met or not met
    per_workload = _frame_with(at, "SLO")
    assert set(per_workload["workload_type"]) == {"lightweight_api", "thumbnail_processing",
                                                  "medium_processing", "heavy_processing"}
    assert (per_workload["SLO"] == 3000.0).all()
    at.button(key="objective.sweep").click().run()
    assert not at.exception and not at.error
    assert len(at.get("plotly_chart")) == 1
    _, kind, sweep = at.session_state["objective.pareto"]
    assert kind == "min_cost" and (sweep["router"] == "objective").sum() >= 5
    at.button(key="objective.explain").click().run()
    assert not at.exception and not at.error
    decisions = _frame_with(at, "reason_1")
    assert {"route", "reason_1", "reason_2", "reason_3"} <= set(decisions.columns)
    assert len(decisions) == 20
    classifier = _frame_with(at, "lambda_probability")  # the classifier, same requests
    assert classifier["request"].tolist() == decisions["request"].tolist()
    at.button(key="objective.build").click().run()
    assert not at.exception and not at.error
    _, _, built = at.session_state["objective.built"]
    assert built["zip_bytes"] <= 1_000_000
    prediction = built["response"]["body"]["prediction"]
    assert prediction["platform"] in ("lambda", "ecs") and "details" in prediction


def test_each_objective_kind_shows_its_parameters(app_test, logs):
    at = app_test(PAGE, dataset=logs, dataset_name="logs")
    at.run()
    at.button(key="objective.train").click().run()
    for kind in ("min_latency", "weighted", "label_rule"):
        at.radio(key="objective.kind").set_value(kind).run()
        assert not at.exception and not at.error
        assert any(c.value.startswith("Routing by:") for c in at.caption)


@pytest.mark.parametrize("page", ["explain", "simulate", "deploy", "report", "monitor"])
def test_other_pages_open_when_the_registry_holds_only_a_router(app_test, logs, page):
    """A router version has no P(Lambda): Explain and Simulate list classifiers only."""
    from core.objective.predictors import train_predictors
    from core.objective.router import save_router

    save_router(Registry(), train_predictors(logs), train_frame=logs, seed=0)
    at = app_test(f"pages/{page}.py", dataset=logs, dataset_name="logs")
    at.run()
    assert not at.exception, page
    assert not at.error, (page, [e.value for e in at.error])
