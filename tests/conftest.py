"""Shared fixtures: paths to the real Artillery logs and an AppTest factory."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTILLERY = ROOT.parent / "shared" / "data" / "artillery"
ARTIFACTS = ROOT / "tests" / "artifacts"


@pytest.fixture(scope="session")
def artillery_dir() -> Path:
    """The real thesis logs (read in place from ../shared; never copied into the project)."""
    if not ARTILLERY.is_dir():
        pytest.skip(f"real Artillery logs not found at {ARTILLERY}")
    return ARTILLERY


@pytest.fixture
def app_test():
    """Factory: AppTest of the whole app switched to one page, with session state preset.

    Usage: at = app_test("pages/data.py", dataset=frame); at.run(); assert not at.exception
    """
    from streamlit.testing.v1 import AppTest

    def make(page: str, **state):
        at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
        for key, value in state.items():
            at.session_state[key] = value
        at.switch_page(page)
        return at

    return make


@pytest.fixture(autouse=True, scope="session")
def _registry_key_in_tmp(tmp_path_factory):
    """The registry's signing key lives in a temporary folder for the whole session (servers
    and CLI subprocesses inherit it), never in the tester's ~/.config."""
    import os

    key = tmp_path_factory.mktemp("registry-key") / "registry.key"
    old = os.environ.get("ROUTING_LAB_KEY_FILE")
    os.environ["ROUTING_LAB_KEY_FILE"] = str(key)
    yield key
    if old is None:
        os.environ.pop("ROUTING_LAB_KEY_FILE", None)
    else:
        os.environ["ROUTING_LAB_KEY_FILE"] = old
