"""AppTest of the Explain page: empty states, quick training, trap verdict, sampling note."""

from __future__ import annotations

import pandas as pd
import pytest

from core.registry import Registry
from core.training import make_pipeline
from tests.explain_data import FEATURES, trap_frame, variance_frame

PAGE = "pages/explain.py"


@pytest.fixture
def registry(tmp_path, monkeypatch) -> Registry:
    monkeypatch.setenv("ROUTING_LAB_MODELS", str(tmp_path / "models"))
    return Registry()


def save(reg: Registry, kind: str, frame) -> str:
    pipe = make_pipeline(kind, FEATURES).fit(frame, frame["label"])
    return reg.save(pipe, model_type=kind, metrics={}, features=FEATURES, train_frame=frame,
                    seed=0)


def texts(elements) -> str:
    return " ".join(str(e.value) for e in elements)


def test_without_data_offers_demo_buttons(app_test, registry):
    at = app_test(PAGE)
    at.run()
    assert not at.exception
    assert any("Load demo" in b.label for b in at.button)


def test_without_models_offers_training(app_test, registry):
    at = app_test(PAGE, dataset=variance_frame(rows=200))
    at.run()
    assert not at.exception
    assert "No trained model yet" in texts(at.info)
    assert any(b.label == "Train a quick model" for b in at.button)


@pytest.mark.slow
def test_quick_training_makes_the_page_work(app_test, registry):
    at = app_test(PAGE, dataset=variance_frame(rows=300))
    at.run()
    next(b for b in at.button if b.label == "Train a quick model").click().run()
    assert not at.exception
    assert len(registry.list()) == 2
    assert at.selectbox(key="explain_model").value in set(registry.list()["model_id"])


@pytest.mark.slow
def test_trap_data_says_workload_type_dominates(app_test, registry):
    trap = trap_frame(rows=400)
    first = save(registry, "xgb", trap)
    save(registry, "logreg", trap)
    at = app_test(PAGE, dataset=trap)
    at.run()
    assert not at.exception
    assert at.selectbox(key="explain_model").value in {first, registry.list()["model_id"][0]}
    assert "workload_type dominates" in texts(at.warning)
    assert "trap" in texts(at.warning)
    assert "Additivity error" in [m.label for m in at.metric]
    at.number_input(key="explain_sample").set_value(100).run()
    assert not at.exception
    assert "Sampled 100 of 400 rows" in texts(at.caption)
    at.radio(key="req_mode").set_value("by filter").run()
    assert not at.exception
    at.button(key="FormSubmitter:whatif-Explain this request").click().run()
    assert not at.exception
    assert "P(Lambda optimal)" in [m.label for m in at.metric]


@pytest.mark.slow
def test_forest_and_neural_network_side_by_side(app_test, registry):
    frame = variance_frame(rows=300)
    save(registry, "rf", frame)
    save(registry, "mlp", frame)
    at = app_test(PAGE, dataset=frame)
    at.run()
    assert not at.exception and not at.error
    assert at.selectbox(key="explain_model_b").value is not None
    methods = texts(at.caption)
    assert "TreeExplainer" in methods and "model-agnostic Shapley" in methods
    at.selectbox(key="dep_feature").set_value("payload_size_kb").run()
    assert not at.exception


def test_tab_clicks_reuse_the_cached_shap_values(app_test, registry, monkeypatch):
    import streamlit as st

    from ui import explain_view

    frame = variance_frame(rows=200)
    save(registry, "logreg", frame)
    save(registry, "rf", frame)
    calls = []
    real = explain_view.explain
    monkeypatch.setattr(explain_view, "explain",
                        lambda *a, **k: calls.append(k["model_id"]) or real(*a, **k))
    st.cache_data.clear()
    at = app_test(PAGE, dataset=frame)
    at.run()
    assert not at.exception and not at.error
    assert len(calls) == 2  # the model and the one it is compared with
    at.number_input(key="req_row").set_value(5).run()
    at.selectbox(key="dep_feature").set_value("payload_size_kb").run()
    assert not at.exception and len(calls) == 2


def test_by_workload_table_has_one_line_per_workload():
    from ui.explain_view import SEGMENT_COLUMN, segment_table

    long = pd.DataFrame({"segment": ["a", "a", "b", "b"], "feature": ["x", "y", "x", "y"],
                         "rows": [3, 3, 5, 5], "mean_abs_shap": [0.1, 0.2, 0.3, 0.4],
                         "mean_shap": [0.1, -0.2, 0.3, -0.4]})
    wide = segment_table(long)
    assert list(wide.columns) == [SEGMENT_COLUMN, "x", "y"]
    assert wide[SEGMENT_COLUMN].tolist() == ["a (3 rows)", "b (5 rows)"]
    assert wide["y"].tolist() == [0.2, 0.4]
