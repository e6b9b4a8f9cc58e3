"""Browser harness: one real `streamlit run` server per test session (per xdist worker) and
Debian's Chromium driven by Playwright. Every browser test is marked `browser`; the files
are split into two xdist groups of about equal time, so two workers run them side by side,
each against its own server.

Helpers (import from tests.browser.conftest): wait_for_app_run, wait_for_layout, open_page,
click_button, expect_no_exception, screenshot. No fixed sleeps: waits are on the app's script
state (a run counter) or on the layout.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "tests" / "artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
    "--disable-dev-shm-usage",
]


#: Seconds each browser test file took on a quiet 2-core machine (pytest --durations); files
#: not listed count as DEFAULT_SECONDS. Used only to balance the two groups below.
FILE_SECONDS = {
    "test_story_browser.py": 80, "test_data_browser.py": 45, "test_simulate_browser.py": 36,
    "test_explain_browser.py": 30, "test_train_browser.py": 23, "test_variance_browser.py": 18,
    "test_objective_browser.py": 12, "test_deploy_browser.py": 12,
    "test_monitor_browser.py": 7, "test_phone_browser.py": 6,
}
DEFAULT_SECONDS = 40
GROUPS = 2


def browser_groups(files: list[str]) -> dict[str, str]:
    """Each browser test file's xdist group: the files split into GROUPS groups of about equal
    time (longest first, each to the group with the least so far). A group runs on one
    worker against that worker's own server, so the groups run side by side on two workers
    and a file's tests stay together (they share a server's registry)."""
    totals = [0.0] * GROUPS
    groups = {}
    for name in sorted(set(files), key=lambda f: (-FILE_SECONDS.get(f, DEFAULT_SECONDS), f)):
        slot = totals.index(min(totals))
        totals[slot] += FILE_SECONDS.get(name, DEFAULT_SECONDS)
        groups[name] = f"browser-{slot + 1}"
    return groups


def pytest_collection_modifyitems(items):
    browser = [item for item in items if "tests/browser" in str(item.fspath)]
    groups = browser_groups([Path(str(item.fspath)).name for item in browser])
    for item in browser:
        item.add_marker(pytest.mark.browser)
        item.add_marker(pytest.mark.xdist_group(groups[Path(str(item.fspath)).name]))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def app_url(tmp_path_factory) -> str:
    """Start the dashboard on a free port; wait for /_stcore/health; always stop it."""
    port = _free_port()
    log_path = tmp_path_factory.mktemp("server") / "streamlit.log"
    env = dict(os.environ, ROUTING_LAB_MODELS=str(tmp_path_factory.mktemp("models")))
    # Fill numba's on-disk cache first: otherwise the server compiles the simulator's kernels
    # inside the first test that simulates, and a loaded machine turns that into minutes.
    subprocess.run([sys.executable, "-m", "core", "simulate", "--requests", "2000", "--json"],
                   cwd=ROOT, env=env, capture_output=True, timeout=600, check=False)
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "streamlit_app.py",
             "--server.address", "127.0.0.1", "--server.port", str(port),
             "--server.headless", "true", "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none"],
            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"streamlit exited early:\n{log_path.read_text()}")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as r:
                    if r.read().decode().strip() == "ok":
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"streamlit not healthy in 60 s:\n{log_path.read_text()}")
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Debian chromium is missing: run `make test` (it installs it) "
                    "or `apt-get install -y chromium`.")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so the page fixture knows a test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def page(browser, app_url, request):
    """A fresh browser context (own session) at 1280x800, opened on the app. A failed test
    leaves tests/artifacts/screenshots/FAILED-<test>.png: what the page showed (an error box,
    a spinner) is the first thing to know about a failure in CI."""
    context = browser.new_context(viewport={"width": 1280, "height": 800},
                                  accept_downloads=True)
    track_runs(context)
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    pg.goto(app_url)
    wait_for_app_run(pg)
    yield pg
    failed = getattr(request.node, "report_call", None)
    if failed is not None and failed.failed:
        try:
            screenshot(pg, f"FAILED-{request.node.name}")
        except Exception as exc:  # the page may be gone; the failure itself is reported
            print(f"no failure screenshot: {exc}")
    context.close()


#: Counts the script runs a page has started (stApp's data-test-script-state turning to
#: "running"), so a wait can tell "the rerun my click asked for has finished" from "the
#: rerun has not started yet". Installed into every context before any page script runs.
RUN_TRACKER = """(() => {
  window.__stRuns = 0; window.__stSeen = 0; window.__stIdleSince = performance.now();
  let last = null;
  const check = () => {
    const app = document.querySelector("[data-testid='stApp']");
    const now = app ? app.getAttribute("data-test-script-state") : null;
    if (now !== last) {
      if (now === "running") window.__stRuns += 1;
      window.__stIdleSince = performance.now();
      last = now;
    }
  };
  new MutationObserver(check).observe(document, {subtree: true, childList: true,
    attributes: true, attributeFilter: ["data-test-script-state"]});
})();"""

_RUN_DONE = """(started) => {
  const app = document.querySelector(
    "[data-testid='stApp'][data-test-connection-state='CONNECTED']");
  if (!app || app.getAttribute("data-test-script-state") !== "notRunning") return false;
  if (window.__stRuns === undefined) return true;  // a context without the tracker
  // a run started since the last wait and the app has stayed idle a moment: a button that
  // calls st.rerun() ends one run and starts the next, and the gap must not count as done
  if (window.__stRuns > window.__stSeen) return performance.now() - window.__stIdleSince > 300;
  // no run seen: one so quick that "running" never reached the DOM, or none was asked for
  return performance.now() - started > %d;
}"""


def track_runs(context) -> None:
    """Install RUN_TRACKER in a browser context (wait_for_app_run relies on it)."""
    context.add_init_script(RUN_TRACKER)


def wait_for_app_run(pg, timeout: float = 60_000, quiet_ms: int = 2000) -> None:
    """Wait until a script run that started after the previous wait has finished.

    Event-driven: returns as soon as the app is connected, its script state is "notRunning"
    and the run counter moved. If no run was seen at all, it returns once the app has been
    idle for `quiet_ms` from the call (a rerun too quick for the DOM to show "running").
    """
    pg.wait_for_selector("[data-testid='stAppViewContainer']", timeout=timeout)
    started = pg.evaluate("performance.now()")
    pg.wait_for_function(_RUN_DONE % quiet_ms, arg=started, timeout=timeout, polling=50)
    pg.evaluate("window.__stSeen = window.__stRuns")


def wait_for_layout(pg, timeout: float = 60_000) -> None:
    """After a viewport change: wait until the main column fits the window and every drawn
    chart's size has settled (the same on two polls 100 ms apart). Streamlit does not rerun
    on resize; plotly redraws the charts itself."""
    pg.evaluate("window.__layoutSig = null")
    pg.wait_for_function("""() => {
      const main = document.querySelector("[data-testid='stMain']");
      if (!main || main.clientWidth > window.innerWidth) return false;
      const sig = [main.clientWidth, ...[...document.querySelectorAll(
        "[data-testid='stPlotlyChart'] .main-svg")].map(
          svg => Math.round(svg.getBoundingClientRect().width))].join(",");
      const settled = sig === window.__layoutSig;
      window.__layoutSig = sig;
      return settled;
    }""", timeout=timeout, polling=100)


def open_page(pg, title: str) -> None:
    """Click a sidebar navigation link by its title and wait for the run."""
    pg.locator("[data-testid='stSidebarNav'] a", has_text=title).first.click()
    wait_for_app_run(pg)


def click_button(pg, label: str, timeout: float = 60_000) -> None:
    """Click a button by its label and wait for the run it starts (longer `timeout` for
    buttons that start real work: a sweep, a training)."""
    pg.get_by_role("button", name=label).first.click()
    wait_for_app_run(pg, timeout=timeout)


def expect_no_exception(pg) -> None:
    assert pg.locator("[data-testid='stException']").count() == 0, pg.locator(
        "[data-testid='stException']").first.inner_text()


def screenshot(pg, name: str, max_height: int = 6000) -> Path:
    """Save the whole page as tests/artifacts/screenshots/<name>.png.

    Streamlit scrolls inside `stMain`, so Playwright's full_page sees only the viewport: grow
    the viewport to the content's height (capped), shoot, and restore it. The mouse moves to a
    corner first so no tooltip hides the page.
    """
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    size = pg.viewport_size or {"width": 1280, "height": 800}
    height = pg.evaluate(
        "() => { const m = document.querySelector(\"[data-testid='stMain']\");"
        " return m ? m.scrollHeight : document.body.scrollHeight; }")
    pg.mouse.move(0, 0)
    pg.set_viewport_size({"width": size["width"], "height": min(max(height, size["height"]),
                                                                max_height)})
    wait_for_layout(pg)
    try:
        pg.screenshot(path=str(path), full_page=True)
    finally:
        pg.set_viewport_size(size)
    return path
