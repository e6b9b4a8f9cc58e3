"""The whole story in a real browser, as a first-time user would walk it: the guided tour,
then the real Artillery logs through every page to a Lambda package and a downloaded report.

Each page: no exception, no error box where none is expected, its first render time printed
(and written to tests/artifacts/render_times.json; no timed assertion: benchmarks/bench_pages.py
prints them against their budgets), and screenshots at 1280x800 and 390x844.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tests.browser.conftest import (
    click_button,
    expect_no_exception,
    open_page,
    screenshot,
    wait_for_app_run,
    wait_for_layout,
)

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
ERROR_BOX = "[data-testid='stAlertContentError']"
CHARTS = "[data-testid='stPlotlyChart'] .svg-container"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
TOUR_STEPS = 8


def _ok(pg, errors_expected: bool = False) -> None:
    expect_no_exception(pg)
    if not errors_expected:
        boxes = pg.locator(ERROR_BOX)
        assert boxes.count() == 0, boxes.first.inner_text()


def _open(pg, title: str, times: dict[str, float]) -> None:
    started = time.perf_counter()
    open_page(pg, title)
    times.setdefault(title, round(time.perf_counter() - started, 2))


def _shoot(pg, name: str) -> None:
    """Screenshots at desktop and phone width (the script does not rerun on resize)."""
    screenshot(pg, f"{name}_1280")
    pg.set_viewport_size(PHONE)
    try:
        wait_for_layout(pg)
        screenshot(pg, f"{name}_390")
    finally:
        pg.set_viewport_size(DESKTOP)


def _walk_tour(pg) -> None:
    click_button(pg, "Start the tour")
    _ok(pg)
    for step in range(2, TOUR_STEPS + 1):
        pg.get_by_role("button", name="Next").first.click()
        pg.get_by_text(f"Step {step} of {TOUR_STEPS}").wait_for(timeout=120_000)
        wait_for_app_run(pg, timeout=120_000)
        _ok(pg)
        if step == 7:
            assert pg.get_by_text("thesis scenarios answer exactly").count() == 1
    click_button(pg, "Open Report")  # the last step's page button switches page
    pg.get_by_role("heading", name="Report").first.wait_for()
    _ok(pg)
    open_page(pg, "Home")


def _upload_logs(pg, logs: Path) -> None:
    files = sorted(logs.glob("*.jsonl"))
    pg.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(
        [str(f) for f in files])
    pg.get_by_text("Dataset: ").first.wait_for(timeout=60_000)
    wait_for_app_run(pg)


def _train_quick(pg) -> None:
    for name in ("Neural network (MLP)", "Random forest", "LightGBM"):
        pg.get_by_role("button", name=f"Remove {name}").first.click()
        wait_for_app_run(pg)
    folds = pg.get_by_label("CV folds (0 = none)")
    folds.fill("2")
    folds.press("Enter")
    wait_for_app_run(pg)
    click_button(pg, "Train models")
    pg.get_by_text("XGBoost").first.wait_for(timeout=150_000)
    wait_for_app_run(pg, timeout=150_000)
    click_button(pg, "Make champion")  # the real-data model, not the tour's demo champion
    promoted = pg.get_by_text("is now the champion")
    promoted.wait_for()
    # the sidebar names the promoted model as the active one in the same run
    champion = promoted.inner_text().split(" is now")[0].strip()
    sidebar = pg.locator("[data-testid='stSidebar']")
    assert champion and champion in sidebar.inner_text()
    assert "trained on the loaded data" in sidebar.inner_text()


@pytest.mark.slow
def test_tour_then_real_logs_to_lambda_and_report(page, app_url, artillery_dir):
    try:
        _story(page, app_url, artillery_dir)
    except Exception:
        ARTIFACTS.joinpath("screenshots").mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "screenshots" / "story_failure.png"))
        raise


def _story(page, app_url, artillery_dir) -> None:
    times: dict[str, float] = {}
    phases: dict[str, float] = {}
    started = time.perf_counter()
    mark = [started]

    def lap(name: str) -> None:
        now = time.perf_counter()
        phases[name] = round(now - mark[0], 1)
        mark[0] = now

    page.goto(app_url)
    wait_for_app_run(page)
    times["Home"] = round(time.perf_counter() - started, 2)
    _ok(page)
    _walk_tour(page)
    _shoot(page, "home")
    lap("tour")

    _open(page, "Data", times)
    _upload_logs(page, artillery_dir / "morning_peak_ramp_load")
    _ok(page)
    _shoot(page, "data")
    lap("upload")

    _open(page, "Variance & leakage", times)
    _ok(page, errors_expected=True)  # the real logs fail the variance check: a red verdict
    assert page.get_by_text("FAIL", exact=False).count() >= 1
    _shoot(page, "variance")
    lap("diagnose")

    _open(page, "Train & compare", times)
    _ok(page)
    _train_quick(page)
    _ok(page)
    _shoot(page, "train")
    lap("train")

    _open(page, "Explain (SHAP)", times)
    page.wait_for_function(f"document.querySelectorAll(\"{CHARTS}\").length >= 1",
                           timeout=60_000)
    _ok(page)
    _shoot(page, "explain")
    lap("explain")

    _open(page, "Simulate", times)
    # calibrated on the uploaded logs, routed by the model just trained on them
    page.get_by_text("trained model", exact=True).click()
    wait_for_app_run(page)
    click_button(page, "Replay the data")
    page.get_by_text("Calibration: measured vs simulated").wait_for(timeout=60_000)
    _ok(page)
    routed = page.locator("[data-testid='stMetric']", has_text="Routing accuracy (vs the label")
    accuracy = float(routed.locator("[data-testid='stMetricValue']").inner_text().rstrip("%"))
    assert 50.0 <= accuracy <= 100.0, accuracy
    _shoot(page, "simulate_calibrated")
    page.get_by_role("tab", name="Preset model (what-if)").click()
    wait_for_app_run(page)
    requests = page.get_by_label("Requests", exact=True)
    requests.fill("5000")
    requests.press("Enter")
    wait_for_app_run(page)
    click_button(page, "Run simulation")
    page.get_by_text("Comparison (the thesis's table)").wait_for(timeout=60_000)
    _ok(page)
    _shoot(page, "simulate")
    lap("simulate")

    _open(page, "Route by objective", times)
    _ok(page)
    click_button(page, "Train a router on this data")
    page.get_by_text("Routing by: least cost with p95").wait_for(timeout=60_000)
    click_button(page, "Sweep the parameter (Pareto)")
    page.wait_for_function(f"document.querySelectorAll(\"{CHARTS}\").length >= 1",
                           timeout=60_000)
    assert page.get_by_text("Pareto: cost vs p95 latency").count() >= 1
    click_button(page, "Explain decisions")
    page.get_by_text("Why each request went where").wait_for(timeout=60_000)
    _ok(page)
    _shoot(page, "objective")
    lap("objective")

    _open(page, "Deploy", times)
    _ok(page)
    click_button(page, "Run the six thesis scenarios")
    page.get_by_text("6 of 6 scenarios match").wait_for(timeout=60_000)
    _ok(page)
    _shoot(page, "deploy")
    lap("deploy")

    _open(page, "Monitor", times)
    _ok(page)
    page.get_by_text("Demo: plant a payload shift").click()  # the champion sees payload x3
    wait_for_app_run(page)
    page.get_by_text("Routed to Lambda (current)").wait_for(timeout=60_000)
    _ok(page, errors_expected=True)  # a planted shift is a red DRIFT verdict
    assert page.get_by_text("DRIFT").count() >= 1
    _shoot(page, "monitor")
    lap("monitor")

    _open(page, "Report", times)
    _ok(page)
    page.get_by_text("PNG and SVG figures").click()  # HTML only: faster
    wait_for_app_run(page)
    click_button(page, "Build report")
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="Download report (HTML)").click()
    html = Path(download.value.path()).read_text(encoding="utf-8")
    assert download.value.suggested_filename == "report.html"
    assert "Plotly.newPlot" in html and "McNemar" in html and "function.zip" in html
    _ok(page)
    _shoot(page, "report")
    lap("report")

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "render_times.json").write_text(json.dumps(
        {"first_render_s": times, "phases_s": phases}, indent=2))
    print("first render (s):", json.dumps(times))
    print("phases (s):", json.dumps(phases))
    print(f"whole story in the browser: {time.perf_counter() - started:.1f} s "
          "(benchmarks/bench_pages.py compares first renders with their budgets)")
