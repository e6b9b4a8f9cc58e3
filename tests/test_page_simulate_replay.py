"""Simulate page, calibrated tab (AppTest): replays the loaded data with the label-rule oracle
and with a registry model, shows the calibration panel first, and says what to do without
data."""

import numpy as np
import pandas as pd
import pytest

from core.registry import Registry
from core.training import make_pipeline

PAGE = "pages/simulate.py"
FEATURES = ["workload_type", "payload_size_kb", "time_window", "load_pattern"]


@pytest.fixture(autouse=True)
def _tmp_registry(tmp_path, monkeypatch):
    monkeypatch.setenv("ROUTING_LAB_MODELS", str(tmp_path / "models"))


@pytest.fixture(scope="module")
def logs() -> pd.DataFrame:
    rng = np.random.default_rng(1)
    n = 600
    workload = rng.choice(["lightweight_api", "medium_processing"], n)
    platform = rng.choice(["lambda", "ecs"], n)
    payload = np.where(workload == "medium_processing", rng.choice([1024.0, 4096.0], n), 5.0)
    execution = (np.where(workload == "medium_processing", 1000.0, 100.0)
                 * np.where(platform == "ecs", 1.2, 1.0) * rng.lognormal(0, 0.2, n))
    return pd.DataFrame({
        "timestamp": pd.Timestamp("2025-11-22T10:00") + pd.to_timedelta(
            np.sort(rng.uniform(0, 1800, n)), unit="s"),
        "platform": platform, "workload_type": workload, "payload_size_kb": payload,
        "time_window": "midday", "load_pattern": "low_load",
        "execution_time_ms": execution, "latency_ms": execution + 30.0, "http_status": 200,
    })


def test_without_data_it_says_where_to_load_it(app_test):
    at = app_test(PAGE)
    at.run()
    assert not at.exception
    assert any("Data" in i.value and "replay" in i.value for i in at.info)


def test_oracle_replay_shows_calibration_then_results(app_test, logs):
    at = app_test(PAGE, dataset=logs, dataset_name="logs")
    at.run()
    at.button(key="replay.run").click().run()
    assert not at.exception and not at.error
    headers = [h.value for h in at.subheader]
    assert headers.index("Calibration: measured vs simulated") < next(
        i for i, h in enumerate(headers) if h.startswith("Results"))
    calibration = at.dataframe[0].value
    assert {"measured_p50_ms", "simulated_p50_ms", "p50_error_pct"} <= set(calibration.columns)
    assert (calibration["p50_error_pct"].abs() < 10).all()
    _, result, note, _ = at.session_state["replay"]
    assert note is None  # the oracle has no test accuracy to compare with
    assert result.strategies["hybrid"]["routing_accuracy"] == 1.0
    assert any(m.label.startswith("Routing accuracy") and m.value == "100.0%" for m in at.metric)


def test_model_replay_uses_the_models_threshold(app_test, logs, tmp_path):
    from core.labels import balanced_optimal

    labelled = balanced_optimal(logs)
    labelled = labelled[labelled["label"].notna()]
    model = make_pipeline("logreg", FEATURES, seed=0).fit(labelled, labelled["label"].astype(int))
    model_id = Registry().save(model, model_type="logreg", metrics={"accuracy": 0.5},
                               features=FEATURES, train_frame=labelled[[*FEATURES, "label"]],
                               seed=0, extra={"decision_threshold": 1.0})
    at = app_test(PAGE, dataset=logs, dataset_name="logs")
    at.run()
    at.radio(key="replay.kind").set_value("model").run()
    assert at.selectbox(key="replay.router").value == model_id  # the only model: active
    assert at.session_state["active_model"] == model_id
    at.button(key="replay.run").click().run()
    assert not at.exception and not at.error
    router, result, note, _ = at.session_state["replay"]
    assert router == model_id
    # threshold 1.0 from the registry metadata: nothing is sent to Lambda
    assert result.strategies["hybrid"]["lambda_share"] == 0.0
    # far from the stored test accuracy (0.5): the page says by how much and why
    routed = result.strategies["hybrid"]["routing_accuracy"]
    if abs(routed - 0.5) > 0.03:
        assert "test accuracy 50.0%" in note
        assert any("test accuracy" in i.value for i in at.info)


def test_seeds_give_intervals_on_the_page(app_test, logs):
    at = app_test(PAGE, dataset=logs, dataset_name="logs")
    at.run()
    at.button(key="replay.run").click().run()
    at.number_input(key="replay.seeds").set_value(3)
    at.text_input(key="replay.scheduler").set_value("local")  # in process: no cluster here
    at.button(key="replay.seeds.run").click().run()
    assert not at.exception and not at.error
    table = at.dataframe[-1].value
    row = table[(table["strategy"] == "hybrid") & (table["figure"] == "cost_usd")].iloc[0]
    assert row["95 % low"] <= row["mean"] <= row["95 % high"]
    assert any("3 seeds" in c.value for c in at.caption)
