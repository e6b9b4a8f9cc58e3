"""Simulate page (AppTest): works with no data, runs a small scenario, loads a scenario JSON,
runs a sweep, and shows bad values as an error box, never an exception."""

import json

import pandas as pd
import pytest


@pytest.fixture(autouse=True)
def _tmp_registry(tmp_path, monkeypatch):
    monkeypatch.setenv("ROUTING_LAB_MODELS", str(tmp_path / "models"))


def _small(at, n=1500):
    at.number_input(key="sim.requests").set_value(n)
    return at


@pytest.mark.slow  # the first page run imports plotly and the simulator (~8 s)
def test_runs_default_scenario_without_a_dataset(app_test):
    at = app_test("pages/simulate.py")
    at.run()
    assert not at.exception
    _small(at).button(key="sim.run").click().run()
    assert not at.exception and not at.error
    table = at.dataframe[0].value
    assert "Total cost (USD)" in table.index
    assert "Improvement vs ECS-only (%)" in table.columns
    result = at.session_state["simulation"]
    assert result.strategies["hybrid"]["requests"] == 1500
    # every table the page draws converts to Arrow (a column mixing the router's name with
    # numbers once logged ArrowInvalid on each draw)
    import pyarrow as pa

    from ui.simulate_view import metrics_table

    for shown in at.dataframe:
        pa.Table.from_pandas(shown.value)
    metrics = metrics_table(result)
    pa.Table.from_pandas(metrics)
    assert metrics.loc["router", "hybrid"] == "rule" and metrics.loc["requests", "ecs"] == "1,500"
    # the builder's untouched widgets are exactly the documented defaults
    from core.simulate.scenario import load_scenario

    assert result.scenario == load_scenario({"requests": 1500}).to_json()


def test_bad_value_shows_an_error_box(app_test):
    at = app_test("pages/simulate.py")
    at.run()
    _small(at)
    at.selectbox(key="sim.traffic.kind").set_value("trace").run()
    at.button(key="sim.run").click().run()
    assert not at.exception
    assert any("no timestamps" in e.value for e in at.error)


def test_mix_and_trace_come_from_a_loaded_dataset(app_test):
    frame = pd.DataFrame({
        "workload_type": ["lightweight_api", "heavy_processing"] * 50,
        "payload_size_kb": [1.0, 3000.0] * 50,
        "timestamp": pd.date_range("2025-11-22 10:00", periods=100, freq="s")
                       .strftime("%Y-%m-%dT%H:%M:%S"),
    })
    at = app_test("pages/simulate.py", dataset=frame)
    at.run()
    assert at.radio(key="sim.mix.source").value == "Loaded dataset"
    _small(at).selectbox(key="sim.traffic.kind").set_value("trace").run()
    at.button(key="sim.run").click().run()
    assert not at.exception and not at.error
    result = at.session_state["simulation"]
    assert result.strategies["lambda"]["requests"] == 1500  # the trace tiled to N requests
    assert result.scenario["mix"] == {"heavy_processing": 0.5, "lightweight_api": 0.5}


def test_uploaded_scenario_sets_the_widgets(app_test):
    at = app_test("pages/simulate.py")
    at.run()
    scenario = {"requests": 1200, "traffic": {"kind": "burst", "rate_per_s": 3},
                "lambda": {"memory_mb": 1024, "keep_alive_s": 300}}
    at.get("file_uploader")[0].set_value(("s.json", json.dumps(scenario).encode(),
                                          "application/json")).run()
    assert not at.exception
    assert at.number_input(key="sim.lambda.memory_mb").value == 1024
    assert at.number_input(key="sim.lambda.keep_alive_s").value == 300.0
    assert at.selectbox(key="sim.traffic.kind").value == "burst"
    assert at.number_input(key="sim.requests").value == 1200


@pytest.mark.slow
def test_memory_sweep_draws_its_chart(app_test):
    at = app_test("pages/simulate.py")
    at.run()
    at.button(key="sim.sweep.mem").click().run()
    assert not at.exception and not at.error
    assert len(at.session_state["sim.sweeps"]["memory"]) == 10


def test_a_duration_runs_as_a_long_horizon(app_test):
    at = app_test("pages/simulate.py")
    at.run()
    requests = next(n for n in at.number_input if n.label == "Requests")
    assert not requests.disabled
    at.text_input(key="sim.horizon").set_value("20m").run()
    # the duration sets the traffic: the request count says it is not used
    assert next(n for n in at.number_input if n.label == "Requests").disabled
    at.button(key="sim.run").click().run()
    assert not at.exception and not at.error
    result = at.session_state["simulation"]
    assert result.scenario["long_horizon"]["horizon_s"] == 1200.0
    assert any("Long horizon:" in c.value for c in at.caption)
    table = at.dataframe[0].value  # the thesis's comparison: undefined improvements are "—"
    assert table.loc["Error rate (%)", "Improvement vs ECS-only (%)"] == "—"
    at.text_input(key="sim.horizon").set_value("a while").run()
    at.button(key="sim.run").click().run()
    assert not at.exception
    assert any("must be a positive duration" in e.value for e in at.error)


def test_a_sweep_on_an_unreachable_cluster_says_so(app_test):
    at = app_test("pages/simulate.py")
    at.run()
    at.selectbox(key="sim.sweep.where").set_value("Dask cluster at…").run()
    at.text_input(key="sim.sweep.address").set_value("tcp://127.0.0.1:9").run()
    at.button(key="sim.sweep.mem").click().run()
    assert not at.exception
    assert any("No Dask scheduler answers" in e.value for e in at.error)
    assert at.session_state["sim.sweeps"]["memory"] is None


def test_registry_model_can_route_the_hybrid(app_test, tmp_path):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    from core.features import FeatureTransform
    from core.registry import Registry

    frame = pd.DataFrame({"workload_type": ["lightweight_api", "heavy_processing"] * 20,
                          "payload_size_kb": [1.0, 4000.0] * 20, "label": [0, 1] * 20})
    pipe = Pipeline([("features", FeatureTransform(features=["workload_type",
                                                             "payload_size_kb"])),
                     ("model", LogisticRegression())]).fit(frame, frame["label"])
    model_id = Registry().save(pipe, model_type="logreg", metrics={"accuracy": 1.0},
                               features=["workload_type", "payload_size_kb"],
                               train_frame=frame, seed=0)
    at = app_test("pages/simulate.py")
    at.run()
    _small(at).selectbox(key="sim.router.kind").set_value("model").run()
    assert at.selectbox(key="sim.router.model_id").value == model_id
    at.button(key="sim.run").click().run()
    assert not at.exception and not at.error
    hybrid = at.session_state["simulation"].strategies["hybrid"]
    # in process by default: no router bill
    assert hybrid["router"] == "model" and hybrid["cost_breakdown"]["router_usd"] == 0
    assert hybrid["portable_check"]["max_abs_diff"] <= 1e-6
    assert any(c.value.startswith("Portable evaluator check (as deployed): 1,000 sampled")
               for c in at.caption)


def test_per_workload_memory_round_trips_through_a_scenario_file(app_test):
    at = app_test("pages/simulate.py")
    at.run()
    scenario = {"requests": 1000, "lambda": {"memory_mb": "profile"}}
    at.get("file_uploader")[0].set_value(("s.json", json.dumps(scenario).encode(),
                                          "application/json")).run()
    assert at.checkbox(key="sim.lambda.per_workload").value is True
    at.button(key="sim.run").click().run()
    assert not at.exception and not at.error
    assert at.session_state["simulation"].scenario["lambda"]["memory_mb"] == "profile"


def test_traffic_shape_preview_and_sweeps_draw(app_test):
    at = app_test("pages/simulate.py")
    at.run()
    at.selectbox(key="sim.traffic.kind").set_value("thesis").run()
    assert not at.exception
    at.button(key="sim.sweep.sens").click().run()
    assert not at.exception and not at.error
    assert len(at.session_state["sim.sweeps"]["sensitivity"]) > 1


def test_sensitivity_sweep_routes_with_the_model_from_the_pages_registry(app_test, tmp_path):
    """The registry folder chosen for the session (not $ROUTING_LAB_MODELS) serves the model
    to the run and to the sweep."""
    from core.registry import Registry
    from core.training import make_pipeline
    from tests.portable_helpers import request_frame

    frame = request_frame(200)
    features = ["workload_type", "payload_size_kb"]
    pipe = make_pipeline("logreg", features, seed=0).fit(frame, frame["label"])
    chosen = tmp_path / "chosen"
    model_id = Registry(chosen).save(pipe, model_type="logreg", metrics={"accuracy": 1.0},
                                     features=features, train_frame=frame, seed=0)
    at = app_test("pages/simulate.py", registry_dir=str(chosen))
    at.run()
    at.selectbox(key="sim.router.kind").set_value("model").run()
    assert at.selectbox(key="sim.router.model_id").value == model_id
    at.button(key="sim.sweep.sens").click().run()
    assert not at.exception and not at.error
    sens = at.session_state["sim.sweeps"]["sensitivity"]
    assert len(sens) > 1 and sens["hybrid_cost_usd"].notna().all()
