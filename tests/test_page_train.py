"""Train page (AppTest): empty state, trap run explains why ~100 % is not a success,
variance run shows the comparison, promotion to champion."""

from __future__ import annotations

import pytest

from core import synth
from core.registry import Registry
from ui import state
from ui.train_view import PARTIAL

PAGE = "pages/train.py"


@pytest.fixture(autouse=True)
def tmp_registry(tmp_path, monkeypatch):
    monkeypatch.setenv("ROUTING_LAB_MODELS", str(tmp_path / "models"))


def test_empty_state_offers_demo_data(app_test):
    at = app_test(PAGE)
    at.run()
    assert not at.exception
    assert any("No data loaded" in i.value for i in at.info)


def _train(app_test, preset: str, rows: int, models: list[str], **state_kw):
    frame = synth.generate(preset, rows, seed=0)
    at = app_test(PAGE, **{state.DATASET: frame, **state_kw})  # state_kw may replace it
    at.run()
    assert not at.exception
    at.multiselect(key="train_models").set_value(models)
    at.number_input(key="train_cv").set_value(2)
    at.button(key="train_go").click()
    at.run(timeout=120)
    assert not at.exception, at.exception
    return at


@pytest.mark.slow
def test_trap_run_says_why_100_percent_is_not_a_success(app_test):
    at = _train(app_test, "trap", 500, ["baseline", "lgbm"])
    errors = " ".join(e.value for e in at.error)
    assert "NOT a success" in errors and "workload_type" in errors
    run = at.session_state[state.TRAIN_RUN]
    assert run.results["lgbm"].metrics["accuracy"] >= 0.99
    markdown = " ".join(m.value for m in at.markdown)
    assert "Not ~100 % accuracy" in markdown


@pytest.mark.slow
def test_variance_run_compares_and_promotes(app_test):
    at = _train(app_test, "variance", 800, ["baseline", "logreg", "lgbm"])
    assert not at.error
    assert len(at.dataframe) >= 1
    assert any("Against the majority baseline" in i.value for i in at.info)
    at.button(key="train_make_champion").click().run()
    assert not at.exception
    run = at.session_state[state.TRAIN_RUN]
    assert Registry().resolve("champion") == run.results[run.best].model_id
    # the champion becomes the session's active model (the sidebar and the other pages)
    assert at.session_state["active_model"] == run.results[run.best].model_id
    assert any("active model on every page" in s.value for s in at.success)
    # a Stop during the next training (the page reruns with the finished list left behind)
    # says so, rather than bringing this run back silently
    at.session_state[PARTIAL] = [run.results["baseline"]]
    at.run()
    stopped = [w.value for w in at.warning if "Training was stopped" in w.value]
    assert stopped and "1 model(s) had finished" in stopped[0]
    assert "earlier run (3 models)" in stopped[0]


def test_stop_before_any_model_finished_says_so(app_test):
    at = app_test(PAGE, **{state.DATASET: synth.generate("variance", 200, seed=0),
                           PARTIAL: []})
    at.run()
    assert not at.exception
    assert any("Training was stopped; no model had finished" in w.value for w in at.warning)


def test_outcome_features_from_the_variance_page_are_flagged(app_test):
    frame = synth.generate("variance", 300, seed=0)
    at = app_test(PAGE, **{state.DATASET: frame,
                           state.FEATURES: ["workload_type", "latency_ms"]})
    at.run()
    assert not at.exception
    assert any("latency_ms" in w.value for w in at.warning)
    assert at.multiselect(key="train_features").value == ["workload_type"]


@pytest.mark.slow
def test_a_label_chosen_on_the_data_page_is_the_one_trained(app_test):
    """The roles' label (here yes/no words in another column) is what the models learn."""
    from core.schema import Roles

    frame = synth.generate("variance", 400, seed=0)
    frame = frame.assign(winner=frame["label"].map({1: "yes", 0: "no"}),
                         label=1 - frame["label"])  # a different column, to tell them apart
    at = _train(app_test, "variance", 400, ["baseline", "logreg"],
                **{state.DATASET: frame, state.ROLES: Roles(label="winner")})
    assert any("Label: `winner`" in c.value for c in at.caption)
    run = at.session_state[state.TRAIN_RUN]
    assert run.label == "winner" and "label" not in run.features
