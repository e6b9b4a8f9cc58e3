"""Dashboard cold start: `streamlit run` to /_stcore/health, to the Data page's first render in
Chromium, and to its first chart after "Load demo: variance" (new process each time, so caches
are cold). References, started the same way in the same run: a bare `st.write("hello")` script,
and the same with one tiny plotly chart (the fixed price of loading plotly in the browser).

Run: .venv/bin/python benchmarks/bench_startup.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, wait_for_app_run  # noqa: E402

CHART = "[data-testid='stPlotlyChart'] .svg-container"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(script: Path, cwd: Path) -> tuple[subprocess.Popen, str, float]:
    """Start streamlit; return the process, its URL and seconds until /_stcore/health is ok."""
    port = _free_port()
    start = time.perf_counter()
    env = dict(os.environ, ROUTING_LAB_MODELS=tempfile.mkdtemp(prefix="bench_models_"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(script), "--server.address", "127.0.0.1",
         "--server.port", str(port), "--server.headless", "true",
         "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    url = f"http://127.0.0.1:{port}"
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited early running {script}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as r:
                if r.read().decode().strip() == "ok":
                    return proc, url, time.perf_counter() - start
        except OSError:
            time.sleep(0.05)
        if time.perf_counter() - start > 90:
            proc.kill()
            raise RuntimeError("streamlit not healthy in 90 s")


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def measure(browser, script: Path, cwd: Path, path: str, demo: bool = False,
            chart: bool = False) -> dict[str, float]:
    """Seconds from process start to health, to first render and to the first chart (after the
    demo button when `demo`)."""
    proc, url, health = _start(script, cwd)
    t0 = time.perf_counter() - health
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        page.goto(url + path)
        wait_for_app_run(page)
        out = {"health_s": health, "first_render_s": time.perf_counter() - t0}
        if demo:
            page.get_by_role("button", name="Load demo: variance").first.click()
        if demo or chart:
            page.wait_for_selector(CHART, timeout=90_000)
            out["first_chart_s"] = time.perf_counter() - t0
            # A second visit: the browser has the page's scripts cached, the server is warm.
            t1 = time.perf_counter()
            page.reload()
            wait_for_app_run(page)
            if demo:
                page.get_by_role("button", name="Load demo: variance").first.click()
            page.wait_for_selector(CHART, timeout=90_000)
            out["revisit_chart_s"] = time.perf_counter() - t1
        return out
    finally:
        context.close()
        _stop(proc)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        hello = Path(tmp) / "hello.py"
        hello.write_text('import streamlit as st\n\nst.write("hello")\n')
        hello_plot = Path(tmp) / "hello_plot.py"
        hello_plot.write_text('import plotly.graph_objects as go\nimport streamlit as st\n\n'
                              'st.write("hello")\nst.plotly_chart(go.Figure(go.Bar(y=[1, 2])))\n')
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                     headless=True)
        runs: dict[str, list[dict[str, float]]] = {"hello": [], "hello_plot": [],
                                                   "dashboard": []}
        for _ in range(args.repeats):  # interleaved, so all see the same machine load
            runs["hello"].append(measure(browser, hello, Path(tmp), "/"))
            runs["hello_plot"].append(measure(browser, hello_plot, Path(tmp), "/", chart=True))
            runs["dashboard"].append(measure(browser, ROOT / "streamlit_app.py", ROOT,
                                             "/data", demo=True))
        browser.close()

    med = {name: {k: statistics.median(r[k] for r in rs) for k in rs[0]}
           for name, rs in runs.items()}
    print(f"Cold start, median of {args.repeats} (browser already running; new server each)")
    print(f"{'':34}{'hello':>10}{'dashboard':>12}{'ratio':>8}")
    for key, what in (("health_s", "process start -> /_stcore/health"),
                      ("first_render_s", "-> first render (Data page)")):
        h, d = med["hello"][key], med["dashboard"][key]
        print(f"{what:34}{h:>9.2f}s{d:>11.2f}s{d / h:>7.2f}x")
    for key, what in (("first_chart_s", "-> first chart (demo click / plot)"),
                      ("revisit_chart_s", "second visit: load -> first chart")):
        h, d = med["hello_plot"][key], med["dashboard"][key]
        print(f"{what:34}{h:>9.2f}s{d:>11.2f}s{d / h:>7.2f}x")
    print("Chart rows compare with hello + one tiny plotly chart. A fresh browser profile "
          "fetches Streamlit's lazy chunks (plotly 4.6 MB, data grid 1.2 MB) before drawing.")


if __name__ == "__main__":
    main()
