"""AppTest of the Variance & leakage page: empty state, both demo datasets, the drop button."""

from __future__ import annotations

import pytest

from core import synth
from ui import state

PAGE = "pages/variance.py"


@pytest.fixture(scope="module")
def demo():
    return {p: synth.generate(p, rows=1200, seed=0) for p in ("variance", "trap")}


def test_opened_directly_without_data_shows_the_demo_buttons(app_test):
    at = app_test(PAGE)
    at.run()
    assert not at.exception
    labels = [b.label for b in at.button]
    assert "Load demo: trap" in labels and "Load demo: variance" in labels


def test_trap_demo_shows_the_fail_banner_and_findings(app_test, demo):
    at = app_test(PAGE, dataset=demo["trap"])
    at.run()
    assert not at.exception
    assert at.error and at.error[0].value.startswith("**Verdict: FAIL.**")
    titles = " ".join(e.label for e in at.expander)
    for code in ("DETERMINISTIC_LABEL", "CONSTANT_WITHIN_GROUP", "OUTCOME_LEAKAGE"):
        assert code in titles
    assert at.session_state[state.DIAGNOSIS].verdict == "fail"


def test_variance_demo_has_no_fail_banner(app_test, demo):
    at = app_test(PAGE, dataset=demo["variance"])
    at.run()
    assert not at.exception
    assert not at.error
    assert at.warning or at.success


def test_drop_button_writes_clean_features_for_train(app_test, demo):
    at = app_test(PAGE, dataset=demo["trap"], features=["workload_type", "latency_ms",
                                                       "cost_usd", "time_window"])
    at.run()
    at.button(key="variance_drop").click().run()
    assert not at.exception
    assert at.session_state[state.FEATURES] == ["workload_type", "time_window"]
    note = [s.value for s in at.success if "Dropped" in s.value]
    assert note and "latency_ms" in note[0] and "cost_usd" in note[0]


def test_bad_label_shows_an_error_not_a_traceback(app_test, demo):
    frame = demo["variance"].head(3)
    at = app_test(PAGE, dataset=frame)
    at.run()
    assert not at.exception
    assert "Only 3 labelled rows" in at.error[0].value


@pytest.mark.slow
def test_real_logs_with_http_500_rows_render(app_test, artillery_dir):
    import warnings

    from core import io, labels

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        frame = labels.ensure_labels(
            io.read_paths([artillery_dir / "morning_peak_ramp_load"]).frame)
    assert frame["label"].isna().sum() >= 51  # the HTTP 500 lines
    at = app_test(PAGE, dataset=frame)
    at.run()
    assert not at.exception
    excluded = f"{frame['label'].isna().sum():,}"
    assert any(m.label == "Rows excluded (no label)" and m.value == excluded for m in at.metric)
    assert "Verdict:" in (at.error or at.warning or at.success)[0].value


def test_table_without_workload_or_latency_renders_with_not_applicable_notes(app_test):
    from tests.diagnostics_data import clean

    at = app_test(PAGE, dataset=clean().drop(columns=["workload_type"]))
    at.run()
    assert not at.exception
    notes = " ".join(i.value for i in at.info)
    assert "No workload column" in notes and "Not applicable" in notes


def test_evidence_reads_as_tables_not_nested_json():
    from ui.variance_view import evidence_tables

    facts, tables = evidence_tables({
        "baseline": 0.7412345, "rows_used": 2000, "threshold": 0.98,
        "lift_share": {"workload_type": 1.0, "time_window": 0.0123456},
        "single_accuracy": {"workload_type": 1.0, "time_window": 0.74},
        "columns": {"latency_ms": {"single_feature_auc": 0.98091, "in_features": False,
                                   "lambda_share_by_level": {"a": 1.0}}},
    })
    assert facts == {"baseline": 0.7412, "rows_used": 2000, "threshold": 0.98}
    per_column, merged = tables
    assert list(merged.columns) == ["", "lift_share", "single_accuracy"]
    assert merged["lift_share"].tolist() == [1.0, 0.01235]
    assert per_column.iloc[0].tolist() == ["latency_ms", 0.9809, False, "a: 1.0"]


def test_trap_findings_show_evidence_tables(app_test, demo):
    at = app_test(PAGE, dataset=demo["trap"])
    at.run()
    assert not at.exception
    assert any(t.label == "Evidence" for t in at.tabs)
    headers = [list(d.value.columns) for d in at.dataframe]
    assert any("single_feature_auc" in h for h in headers)
    metric = next(m for m in at.metric if m.label.startswith("Accuracy ceiling"))
    assert metric.value.endswith("%")


def test_the_variance_and_train_pages_list_the_data_pages_features(app_test, demo):
    chosen = ["workload_type", "payload_size_kb", "timestamp"]
    at = app_test(PAGE, dataset=demo["variance"], features=chosen)
    at.run()
    assert not at.exception
    listed = ("3 features: workload_type, payload_size_kb, hour of day ← timestamp.")
    assert any(listed in c.value for c in at.caption)
    train = app_test("pages/train.py", dataset=demo["variance"], features=chosen)
    train.run()
    assert not train.exception
    assert train.multiselect(key="train_features").value == chosen
    assert any(c.value == f"The model will see {listed}" for c in train.caption)


def test_ignored_checks_leave_the_verdict_and_are_listed(app_test, demo):
    at = app_test(PAGE, dataset=demo["trap"])
    at.run()
    at.multiselect(key="variance_ignore").set_value(
        ["DETERMINISTIC_LABEL", "OUTCOME_LEAKAGE"]).run()
    assert not at.exception
    d = at.session_state["diagnosis"]
    assert {c.code: c.status for c in d.checks}["OUTCOME_LEAKAGE"] == "ignored"
    assert not d.findings_for("DETERMINISTIC_LABEL")
    assert d.verdict == "warn"
