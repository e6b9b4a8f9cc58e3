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
