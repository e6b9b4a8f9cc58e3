"""Home page (AppTest): what the lab is, a workflow link to each of the eight step pages, demo
buttons."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGE = "pages/home.py"
STEP_PAGES = ("data", "variance", "train", "explain", "simulate", "objective", "deploy",
              "monitor", "report")


def test_home_renders_title_workflow_and_demo_buttons(app_test):
    at = app_test(PAGE)
    at.run()
    assert not at.exception
    assert at.title[0].value == "Serverless routing lab"
    assert {b.label for b in at.button} >= {"Load demo: variance", "Load demo: trap"}
    links = at.get("page_link")
    assert len(links) == len(STEP_PAGES) == 9  # one link per step, none dropped
    for name in STEP_PAGES:
        assert (ROOT / "pages" / f"{name}.py").is_file(), f"pages/{name}.py is gone"
    assert [link.proto.page for link in links] == list(STEP_PAGES)


def test_home_demo_button_loads_dataset(app_test):
    at = app_test(PAGE)
    at.run()
    at.button(key="home_demo_trap").click().run()
    assert not at.exception and not at.error
    assert at.session_state["dataset_name"] == "demo: trap"
    assert any("demo: trap" in s.value for s in at.success)


def test_a_new_dataset_clears_what_was_computed_from_the_old_one(app_test):
    from ui import state

    derived = (state.DIAGNOSIS, state.TRAIN_RUN, state.FEATURES, state.ROLES, state.REPLAY,
               state.SIMULATION)
    at = app_test(PAGE, **{key: "from the old data" for key in derived})
    at.run()
    at.button(key="home_demo_trap").click().run()
    assert not at.exception
    left = [key for key in derived
            if key in at.session_state and at.session_state[key] == "from the old data"]
    assert not left, f"kept across a new dataset: {left}"
