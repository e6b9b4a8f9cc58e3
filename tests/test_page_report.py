"""Report page (AppTest): empty state, preview, build with missing sections named, downloads."""

from __future__ import annotations

import pytest

from core import synth
from core.training import train_and_compare

PAGE = "pages/report.py"


@pytest.fixture(scope="module")
def frame():
    return synth.generate("variance", rows=600, seed=0)


@pytest.fixture(scope="module")
def train_run(frame):
    return train_and_compare(frame, models=("baseline", "logreg"), cv=2, seed=0)


@pytest.fixture(autouse=True)
def _tmp_registry(tmp_path, monkeypatch):
    monkeypatch.setenv("ROUTING_LAB_MODELS", str(tmp_path / "models"))


def _build(at, static: bool = False):
    at.checkbox(key="report_static").set_value(static)
    at.button(key="report_build").click().run()
    assert not at.exception and not at.error
    return at


def test_report_page_without_data_offers_demo(app_test):
    at = app_test(PAGE)
    at.run()
    assert not at.exception and not at.error
    assert any("No data loaded" in i.value for i in at.info)
    assert {b.label for b in at.button} >= {"Load demo: variance", "Load demo: trap"}


@pytest.mark.slow
def test_report_without_model_names_missing_sections(app_test, frame, tmp_path):
    at = app_test(PAGE, dataset=frame, dataset_name="demo: variance",
                  registry_dir=str(tmp_path / "empty"))
    at.run()
    assert not at.exception
    assert len(at.expander) == 8  # seven sections and how the report was made
    _build(at)
    infos = " ".join(i.value for i in at.info)
    assert "Model comparison" in infos and "Train & compare" in infos
    assert "SHAP" in infos and "Deployment" in infos
    assert at.session_state["report_built"]["story"].diagnosis is not None  # filled in
    assert any("Report written" in s.value for s in at.success)
    assert len(at.get("download_button")) == 2


@pytest.mark.slow
def test_report_with_a_training_run_fills_model_shap_and_deploy(app_test, frame, train_run):
    at = app_test(PAGE, dataset=frame, dataset_name="demo: variance", train_run=train_run)
    at.run()
    assert not at.exception
    at.checkbox(key="report_sim").set_value(False)
    _build(at)
    missing = at.session_state["report_built"]["files"]["missing"]
    assert list(missing) == ["Simulation: Lambda-only vs ECS-only vs hybrid"]
    assert "Simulate page" in missing["Simulation: Lambda-only vs ECS-only vs hybrid"]


@pytest.mark.slow
def test_new_dataset_voids_the_last_build(app_test, frame):
    at = app_test(PAGE, dataset=frame, dataset_name="demo: variance")
    at.run()
    at.checkbox(key="report_fill").set_value(False)
    _build(at)
    assert len(at.get("download_button")) == 2
    at.session_state["dataset"] = frame.head(300)
    at.run()
    assert not at.exception and len(at.get("download_button")) == 0
    assert any("build the report again" in c.value for c in at.caption)


@pytest.mark.slow
def test_preview_shows_what_the_build_filled_in(app_test, frame, tmp_path):
    at = app_test(PAGE, dataset=frame, dataset_name="demo: variance",
                  registry_dir=str(tmp_path / "empty"))
    at.run()
    assert "4 of 8 sections ready" not in " ".join(c.value for c in at.caption)
    _build(at)
    # + diagnosis and routing by objective (a router trained on the data)
    assert any("4 of 8 sections ready" in c.value for c in at.caption)


@pytest.mark.slow
def test_seeds_put_intervals_in_the_report(app_test, frame, train_run):
    at = app_test(PAGE, dataset=frame, dataset_name="demo: variance", train_run=train_run)
    at.run()
    at.checkbox(key="report_fill").set_value(False)
    at.number_input(key="report_seeds").set_value(2)
    _build(at)
    story = at.session_state["report_built"]["story"]
    assert len(story.simulation_seeds["seeds"]) == 2
    assert "simulation_intervals" in str(at.session_state["report_built"]["files"])


@pytest.mark.slow
def test_seeds_on_an_unreachable_cluster_keep_the_single_run_and_say_why(app_test, frame,
                                                                         train_run):
    at = app_test(PAGE, dataset=frame, dataset_name="demo: variance", train_run=train_run)
    at.run()
    at.checkbox(key="report_fill").set_value(False)
    at.number_input(key="report_seeds").set_value(2).run()
    assert not at.text_input(key="report_scheduler").disabled
    at.text_input(key="report_scheduler").input("tcp://127.0.0.1:1")
    _build(at)
    assert not at.exception
    story = at.session_state["report_built"]["story"]
    assert story.simulation is not None and story.simulation_seeds is None
    assert "No Dask scheduler answers" in story.missing["simulate_seeds"]
