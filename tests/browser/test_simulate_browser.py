"""Simulate page in a real browser: the preset tab runs the default scenario small and its
charts render; the calibrated tab replays a demo dataset and shows its calibration."""

from tests.browser.conftest import (
    click_button,
    expect_no_exception,
    open_page,
    screenshot,
    wait_for_app_run,
)


def _preset_tab(page) -> None:
    page.get_by_role("tab", name="Preset model (what-if)").click()
    wait_for_app_run(page)


def test_simulate_default_scenario_renders_charts(page):
    open_page(page, "Simulate")
    expect_no_exception(page)
    _preset_tab(page)
    requests = page.get_by_label("Requests", exact=True)
    requests.fill("5000")
    requests.press("Enter")
    wait_for_app_run(page)
    # the server's first simulation compiles the numba kernels (a minute on a loaded machine)
    click_button(page, "Run simulation", timeout=240_000)
    expect_no_exception(page)
    page.get_by_text("Comparison (the thesis's table)").wait_for()
    charts = page.locator("[data-testid='stPlotlyChart']")
    charts.first.wait_for()  # plotly mounts a moment after the script finishes
    assert charts.count() >= 1
    page.get_by_role("tab", name="Instances & tasks").click()
    wait_for_app_run(page)
    screenshot(page, "simulate")
    expect_no_exception(page)
    # the same scenario as a long horizon: two hours of traffic in chunks
    horizon = page.get_by_role("textbox", name="Or simulate a duration (long horizon)")
    horizon.fill("2h")
    horizon.press("Enter")
    wait_for_app_run(page)
    click_button(page, "Run simulation", timeout=180_000)
    page.get_by_text("Long horizon:").wait_for()
    expect_no_exception(page)
    page.get_by_role("tab", name="Cost over time").click()
    wait_for_app_run(page)
    screenshot(page, "simulate_long_horizon")


def test_simulate_break_even_sweep_plots(page):
    open_page(page, "Simulate")
    _preset_tab(page)
    page.get_by_text("Sweeps: break-even, memory size, sensitivity").click()
    click_button(page, "Run break-even sweep", timeout=240_000)  # slow on a loaded machine
    expect_no_exception(page)
    # the chart, or an error box whose text the failure then shows
    chart = page.locator("[data-testid='stPlotlyChart']")
    error = page.locator("[data-testid='stAlertContentError']")
    chart.or_(error).first.wait_for(timeout=120_000)
    assert error.count() == 0, error.first.inner_text()
    screenshot(page, "simulate_break_even")


def test_calibrated_replay_of_the_demo_data(page):
    open_page(page, "Data")
    click_button(page, "Load demo: variance")
    open_page(page, "Simulate")
    expect_no_exception(page)
    click_button(page, "Replay the data")
    page.get_by_text("Calibration: measured vs simulated").wait_for(timeout=60_000)
    page.get_by_text("Cost breakdown (USD)").wait_for()
    expect_no_exception(page)
    screenshot(page, "simulate_calibrated")
