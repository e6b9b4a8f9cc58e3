"""Variance & leakage page in a real browser: the trap demo shows the fail banner."""

from __future__ import annotations

from tests.browser.conftest import click_button, expect_no_exception, open_page, screenshot

CHARTS = "[data-testid='stPlotlyChart']"


def test_trap_demo_shows_the_fail_banner(page):
    open_page(page, "Variance & leakage")
    expect_no_exception(page)
    click_button(page, "Load demo: trap")
    banner = page.locator("[data-testid='stAlert']", has_text="Verdict: FAIL").first
    banner.wait_for(timeout=120_000)
    assert "0 of 4 workloads" in banner.inner_text()
    assert page.get_by_text("DETERMINISTIC_LABEL").count() >= 1
    page.wait_for_function(
        f"document.querySelectorAll(\"{CHARTS} .main-svg\").length >= 4", timeout=120_000)
    expect_no_exception(page)
    path = screenshot(page, "variance_trap")
    assert path.stat().st_size > 50_000


def test_variance_demo_shows_no_fail_banner(page):
    open_page(page, "Variance & leakage")
    click_button(page, "Load demo: variance")
    page.locator("[data-testid='stAlert']", has_text="Verdict:").first.wait_for(timeout=120_000)
    assert page.locator("[data-testid='stAlert']", has_text="Verdict: FAIL").count() == 0
    page.wait_for_function(
        f"document.querySelectorAll(\"{CHARTS} .main-svg\").length >= 4", timeout=120_000)
    expect_no_exception(page)
    screenshot(page, "variance_variance")


def test_a_file_sorted_by_label_fails_on_its_row_numbers(page, tmp_path):
    """Issue 13: a row-number column outside the features, in a file sorted by label."""
    from tests.diagnostics_data import sorted_by_label

    path = tmp_path / "sorted.csv"
    sorted_by_label().to_csv(path, index=False)
    open_page(page, "Data")
    page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(str(path))
    page.get_by_text("Dataset: sorted.csv").wait_for(timeout=60_000)
    open_page(page, "Variance & leakage")
    banner = page.locator("[data-testid='stAlert']", has_text="Verdict: FAIL").first
    banner.wait_for(timeout=120_000)
    assert "ID_COLUMN" in banner.inner_text()
    finding = page.get_by_text("FAIL · ID_COLUMN").first
    finding.wait_for(timeout=60_000)
    assert "row" in finding.inner_text()
    assert page.get_by_text("order predicts the label").count() >= 1
    expect_no_exception(page)
    screenshot(page, "variance_sorted_by_label")
