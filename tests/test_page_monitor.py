"""Monitor page (AppTest): empty state, a planted payload shift is flagged with advice, the
reference against itself is ok, an uploaded function log is read, and a model adds the
prediction block; a current file without the features is a friendly error."""

from __future__ import annotations

import gzip
import json

import pytest

from core import labels, synth
from core.registry import Registry
from core.training import make_pipeline
from ui import state

PAGE = "pages/monitor.py"
FEATURES = ["workload_type", "payload_size_kb", "time_window", "load_pattern"]


@pytest.fixture(autouse=True)
def tmp_registry(tmp_path, monkeypatch):
    monkeypatch.setenv("ROUTING_LAB_MODELS", str(tmp_path / "models"))


@pytest.fixture(scope="module")
def frame():
    return labels.ensure_labels(synth.generate("variance", 1200, seed=0))


def _page(app_test, frame):
    at = app_test(PAGE, **{state.DATASET: frame, state.DATASET_NAME: "demo: variance"})
    at.run()
    assert not at.exception
    return at


def test_empty_state_offers_demo_data(app_test):
    at = app_test(PAGE)
    at.run()
    assert not at.exception and any("No data loaded" in i.value for i in at.info)


def test_planted_shift_is_flagged_and_self_is_ok(app_test, frame):
    at = _page(app_test, frame)
    assert any("Upload the current traffic" in i.value for i in at.info)
    at.radio(key="monitor_source").set_value("Demo: plant a payload shift").run()
    assert not at.exception
    assert any("DRIFT" in e.value and "payload_size_kb" in e.value for e in at.error)
    assert any("Retrain" in m.value for m in at.markdown)
    assert len(at.get("plotly_chart")) >= 1
    # the rows compared are the loaded rows less the error rows, and the page says so
    errors = int(frame["is_error"].sum())
    compared = next(m for m in at.metric if m.label == "Reference rows compared")
    assert errors and compared.value == f"{len(frame) - errors:,}"
    assert compared.proto.help == f"{errors:,} error rows left out"
    segments = at.dataframe[0].value.set_index("feature")["segment"]
    assert segments["workload_type"] == "all rows"  # a whole-file statistic, not "None"
    assert segments["payload_size_kb"].iloc[0] == "heavy_processing"
    at.number_input(key="monitor_demo_factor").set_value(1.0).run()
    assert not at.exception
    assert any("OK" in s.value for s in at.success)


def test_thresholds_change_the_verdict(app_test, frame):
    at = _page(app_test, frame)
    at.radio(key="monitor_source").set_value("Demo: plant a payload shift").run()
    at.number_input(key="monitor_ks").set_value(1.0).run()
    at.number_input(key="monitor_psi").set_value(10.0).run()
    assert not at.exception and not any("DRIFT" in e.value for e in at.error)


def test_model_adds_predictions(app_test, frame, tmp_path):
    reg = Registry()
    train = frame[frame["label"].notna()]
    pipe = make_pipeline("logreg", FEATURES, seed=0).fit(train, train["label"].astype(int))
    model_id = reg.save(pipe, model_type="logreg", metrics={}, features=FEATURES,
                        train_frame=train, seed=0)
    reg.set_alias("champion", model_id)
    at = _page(app_test, frame)
    at.radio(key="monitor_source").set_value("Demo: plant a payload shift").run()
    assert not at.exception
    assert at.selectbox(key="monitor_model").value == model_id
    assert any("Routed to Lambda" in m.label for m in at.metric)
    assert len(at.get("plotly_chart")) >= 2


def test_function_log_upload_and_bad_upload(frame):
    """The upload path goes through read_upload (AppTest cannot drive file_uploader)."""
    from core.drift import read_upload
    from core.errors import UserError

    lines = [json.dumps({"level": "INFO", "event": "route", "status": 200, "platform": "ecs",
                         "lambda_probability": 0.2, "time": "2025-11-23T08:00:00Z",
                         "request": {k: frame[k].iloc[i] for k in FEATURES}}, default=str)
             for i in range(50)]
    logs = read_upload("export.gz", gzip.compress("\n".join(lines).encode()))
    assert len(logs) == 50 and set(FEATURES) <= set(logs.columns)
    with pytest.raises(UserError, match="empty"):
        read_upload("empty.csv", b"")


def test_uploaded_function_log_is_compared(app_test, frame):
    rows = frame[frame["workload_type"] == "lightweight_api"].head(200)
    lines = [json.dumps({"level": "INFO", "event": "route", "status": 200, "platform": "ecs",
                         "lambda_probability": 0.2, "time": f"2025-11-23T08:{i % 60:02d}:00Z",
                         "request": {k: rows[k].iloc[i] for k in FEATURES}}, default=str)
             for i in range(len(rows))]
    at = _page(app_test, frame)
    at.file_uploader(key="monitor_upload").set_value(
        ("export.jsonl.gz", gzip.compress("\n".join(lines).encode()), "application/gzip"))
    at.run()
    assert not at.exception
    # only one workload in the current traffic: the mix changed
    assert any("DRIFT" in e.value and "workload_type" in e.value for e in at.error)
    assert any(m.label == "Current rows compared" and m.value == "200" for m in at.metric)


def test_uploaded_file_without_features_is_a_friendly_error(app_test, frame):
    at = _page(app_test, frame)
    at.file_uploader(key="monitor_upload").set_value(
        ("other.csv", b"workload_type,latency_ms,platform\nlightweight_api,12,lambda\n",
         "text/csv"))
    at.run()
    assert not at.exception
    assert any("payload_size_kb" in e.value for e in at.error)
