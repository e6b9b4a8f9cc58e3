"""Guided tour (AppTest): each step sets the state it needs, so any step opens directly;
previous/next move through the story; the trap's fail verdict shows as a warning, not an error."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from core.registry import Registry

#: The tour alone; guarded, because training's fork server re-imports the main script.
SCRIPT = """
if __name__ == "__main__":
    from ui import tour

    tour.render()
"""


@pytest.fixture
def open_step(tmp_path, monkeypatch):
    """Opener of the tour (optionally at a step), with a throw-away model registry."""
    monkeypatch.setenv("ROUTING_LAB_MODELS", str(tmp_path / "models"))
    script = tmp_path / "tour_app.py"
    script.write_text(SCRIPT)

    def make(step: int | None = None) -> AppTest:
        at = AppTest.from_file(str(script), default_timeout=120)
        if step is not None:
            at.session_state["tour_step"] = step
            at.session_state["tour_active"] = True
        return at.run()

    return make


def test_tour_changes_nothing_until_started(open_step):
    at = open_step()
    assert not at.exception and "dataset_name" not in at.session_state
    at.button(key="tour_start").click().run()
    assert not at.exception and not at.error
    assert at.session_state["dataset_name"] == "demo: trap"
    assert "Step 1 of 8" in at.markdown[0].value
    assert at.button(key="tour_prev").disabled


def test_trap_diagnosis_step_opens_directly_with_a_fail_warning(open_step):
    at = open_step(1)
    assert not at.exception and not at.error
    assert at.session_state["dataset_name"] == "demo: trap"
    assert at.session_state["diagnosis"].verdict == "fail"
    assert any("FAIL" in w.value for w in at.warning)


def test_next_and_previous_move_one_step(open_step):
    at = open_step(2)
    assert at.session_state["dataset_name"] == "demo: variance"
    at.button(key="tour_prev").click().run()
    assert at.session_state["tour_step"] == 1 and not at.exception
    at.button(key="tour_next").click().run()
    assert at.session_state["tour_step"] == 2 and not at.exception


@pytest.mark.slow
def test_later_steps_set_champion_simulation_and_build(open_step):
    at = open_step(3)  # honest comparison: trains the quick champion once (cached)
    assert not at.exception and not at.error
    run = at.session_state["train_run"]
    assert run.best in ("logreg", "xgb")
    assert any("majority baseline" in m.value for m in at.markdown)
    for step in (4, 5, 6, 7):
        at.session_state["tour_step"] = step
        at.run()
        assert not at.exception and not at.error, step
        if step == 5:  # the savings sentences agree in sign with the simulation's table
            hybrid = at.session_state["simulation"].strategies["hybrid"]
            table = at.session_state["simulation"].comparison_frame()
            for base, label in (("lambda", "Lambda-only"), ("ecs", "ECS-only")):
                improvement = table.loc["Total cost (USD)", f"Improvement vs {label} (%)"]
                assert improvement == pytest.approx(hybrid[f"vs_{base}"]["savings_pct"])
                sentence = next(m.value for m in at.markdown if f"Hybrid vs {label}:" in m.value)
                assert ("saves" in sentence) == (improvement > 0), sentence
                assert ("more" in sentence) == (improvement < 0), sentence
        if step == 6:  # build and test the Lambda function: the zip can be downloaded
            assert len(at.get("download_button")) == 1
    assert at.session_state["simulation"].strategies["hybrid"]["requests"] > 0
    assert at.session_state["dataset_name"] == "demo: variance"
    # the model the steps talk about is the one the pages they open will show
    assert at.session_state["active_model"] == Registry().resolve("champion")


def test_shap_step_uses_an_existing_champion_without_training(open_step, tmp_path):
    from core import synth
    from core.registry import Registry
    from core.training import make_pipeline

    frame = synth.generate("variance", rows=300, seed=0).dropna(subset=["label"])
    features = ["workload_type", "payload_size_kb", "time_window", "load_pattern"]
    pipe = make_pipeline("logreg", features).fit(frame, frame["label"].astype(int))
    reg = Registry(tmp_path / "models")
    model_id = reg.save(pipe, model_type="logreg", metrics={}, features=features,
                        train_frame=frame, seed=0)
    reg.set_alias("champion", model_id)
    at = open_step(4)
    assert not at.exception and not at.error
    assert "train_run" not in at.session_state  # no quick training was needed
    assert at.session_state["dataset_name"] == "demo: variance"
