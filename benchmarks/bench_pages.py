"""First render of every dashboard page against its budget (seconds on the shared 2-core box).

A fresh server and browser session; the demo dataset "variance" is loaded on the Data page,
then each page is opened from the sidebar in the story's order and timed from the click to the
end of its script run. Pages that compute on first open (diagnosis, SHAP, build) have the larger
budgets. Prints seconds and the ratio to the budget; never fails (the browser story test writes
the same figures for the real logs to tests/artifacts/render_times.json).

Run: .venv/bin/python benchmarks/bench_pages.py [--repeats 1]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_startup import _start, _stop  # noqa: E402
from tests.browser.conftest import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    click_button,
    open_page,
    track_runs,
    wait_for_app_run,
)

#: page title -> first-render budget in seconds (moved here from the browser story test).
BUDGET_S = {"Home": 10, "Data": 10, "Variance & leakage": 30, "Train & compare": 10,
            "Explain (SHAP)": 30, "Simulate": 20, "Route by objective": 20, "Deploy": 30,
            "Monitor": 20, "Report": 20}
STORY = Path(ROOT / "tests" / "artifacts" / "render_times.json")


def measure(browser) -> dict[str, float]:
    """Seconds from the sidebar click to the end of each page's first run."""
    proc, url, _ = _start(ROOT / "streamlit_app.py", ROOT)
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    track_runs(context)
    try:
        pg = context.new_page()
        pg.set_default_timeout(120_000)
        t0 = time.perf_counter()
        pg.goto(url)
        wait_for_app_run(pg, timeout=120_000)
        times = {"Home": time.perf_counter() - t0}
        open_page(pg, "Data")
        click_button(pg, "Load demo: variance")
        for title in BUDGET_S:
            if title == "Home":
                continue
            t0 = time.perf_counter()
            open_page(pg, title)
            times[title] = time.perf_counter() - t0
        return times
    finally:
        context.close()
        _stop(proc)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                     headless=True)
        runs = [measure(browser) for _ in range(args.repeats)]
        browser.close()
    story = json.loads(STORY.read_text())["first_render_s"] if STORY.exists() else {}
    print(f"First render per page, median of {args.repeats} (demo data 'variance', no model)")
    print(f"{'page':22}{'seconds':>9}{'budget':>8}{'ratio':>7}{'story (real logs)':>19}")
    for title, budget in BUDGET_S.items():
        took = statistics.median(r[title] for r in runs)
        real = story.get(title)
        shown = "" if real is None else f"{real:.2f} s ({real / budget:.2f}x)"
        print(f"{title:22}{took:>8.2f}s{budget:>7}s{took / budget:>6.2f}x{shown:>19}")


if __name__ == "__main__":
    main()
