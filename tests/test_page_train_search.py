"""Train page (AppTest): a run with an Optuna search shows its history (chart and tables)."""

from __future__ import annotations

from core import synth
from core.training import train_and_compare
from ui import state

PAGE = "pages/train.py"
FEATURES = ["workload_type", "payload_size_kb", "time_window", "load_pattern"]


def test_search_history_is_shown_after_a_tuned_run(app_test, tmp_path, monkeypatch):
    monkeypatch.setenv("ROUTING_LAB_MODELS", str(tmp_path / "models"))
    frame = synth.generate("variance", 400, seed=0)
    run = train_and_compare(frame, features=FEATURES, models=["baseline", "logreg"], cv=2,
                            search_budget_s=20, search_trials=5)
    at = app_test(PAGE, **{state.DATASET: frame, state.TRAIN_RUN: run})
    at.run()
    assert not at.exception
    assert any("Optuna" in e.label for e in at.expander)
    assert any(c.proto.spec and "Search history" in c.proto.spec
               for c in at.get("plotly_chart"))
    tables = [d.value for d in at.dataframe]
    assert any(len(t) == 5 and "state" in t.columns for t in tables)


def test_no_search_no_history(app_test, tmp_path, monkeypatch):
    monkeypatch.setenv("ROUTING_LAB_MODELS", str(tmp_path / "models"))
    frame = synth.generate("variance", 300, seed=0)
    run = train_and_compare(frame, features=FEATURES, models=["baseline", "logreg"], cv=0)
    at = app_test(PAGE, **{state.DATASET: frame, state.TRAIN_RUN: run})
    at.run()
    assert not at.exception
    assert not any("Optuna" in e.label for e in at.expander)
