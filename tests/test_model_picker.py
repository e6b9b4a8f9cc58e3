"""One active model per session (AppTest): pages open on it, a choice on one page carries to
the others and to the sidebar, and a model trained on other data is never used silently."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core import synth
from core.registry import Registry
from core.training import train_and_compare

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture()
def two_models(tmp_path, monkeypatch):
    """Model A trained on the session's data; champion B trained on other data."""
    monkeypatch.setenv("ROUTING_LAB_MODELS", str(tmp_path / "models"))
    loaded = synth.generate("variance", rows=600, seed=1)
    other = synth.generate("variance", rows=600, seed=2)
    reg = Registry(tmp_path / "models")
    a = train_and_compare(loaded, models=["logreg"], cv=0, registry=reg).results["logreg"]
    b = train_and_compare(other, models=["logreg"], cv=0, registry=reg).results["logreg"]
    reg.set_alias("champion", b.model_id)
    return loaded, a.model_id, b.model_id


def test_pages_share_the_active_model_and_warn_about_other_data(app_test, two_models):
    loaded, on_loaded, on_other = two_models
    at = app_test("pages/deploy.py", dataset=loaded, dataset_name="demo")
    at.run()
    assert not at.exception
    # opens on the model trained on the loaded data, not on the champion trained elsewhere
    assert at.selectbox(key="deploy_model").value == on_loaded
    assert not any("trained on other data" in w.value for w in at.warning)
    at.selectbox(key="deploy_model").set_value(on_other).run()
    assert at.session_state["active_model"] == on_other
    assert any("trained on other data" in w.value for w in at.warning)
    at.switch_page("pages/explain.py")
    at.run()
    assert not at.exception
    assert at.selectbox(key="explain_model").value == on_other


def test_sidebar_names_the_active_model_and_its_data(two_models):
    """The entry script's sidebar (AppTest runs it on the home page; a switched page runs
    alone because of the pages/ folder)."""
    loaded, on_loaded, on_other = two_models
    texts = {}
    for model_id in (on_other, on_loaded):  # a fresh app each: one run through the entry
        at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120)
        at.session_state["dataset"] = loaded
        at.session_state["active_model"] = model_id
        at.run()
        assert not at.exception
        texts[model_id] = _sidebar_text(at)
        assert texts[model_id].count("Active model") == 1  # drawn twice into one slot
    assert on_other in texts[on_other] and "other data than the loaded one" in texts[on_other]
    assert on_loaded in texts[on_loaded] and "the loaded data" in texts[on_loaded]


def _sidebar_text(at: AppTest) -> str:
    return " ".join(str(c.value) for c in at.sidebar.caption)


def test_explain_offers_training_when_no_model_saw_the_loaded_data(app_test, two_models):
    loaded = two_models[0]
    other_data = synth.generate("trap", rows=400, seed=5)
    at = app_test("pages/explain.py", dataset=other_data, dataset_name="trap")
    at.run()
    assert not at.exception
    assert any("No model in the registry was trained on the loaded data" in i.value
               for i in at.info)
    assert any(b.label == "Train a quick model" for b in at.button)
    at = app_test("pages/explain.py", dataset=loaded, dataset_name="demo")
    at.run()
    assert not any("No model in the registry was trained" in i.value for i in at.info)
