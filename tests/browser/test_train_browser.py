"""Train page in a real browser: demo data, train, the comparison table and charts appear."""

from __future__ import annotations

from tests.browser.conftest import (
    click_button,
    expect_no_exception,
    open_page,
    screenshot,
    wait_for_app_run,
)


def test_train_on_demo_data_shows_comparison(page):
    open_page(page, "Train & compare")
    expect_no_exception(page)
    click_button(page, "Load demo: variance")
    folds = page.get_by_label("CV folds (0 = none)")
    folds.fill("2")
    folds.press("Enter")
    wait_for_app_run(page)
    click_button(page, "Train models")
    page.get_by_text("Comparison (test set").first.wait_for(timeout=240_000)
    wait_for_app_run(page, timeout=120_000)
    expect_no_exception(page)
    assert page.locator("[data-testid='stDataFrame']").count() >= 1
    assert page.get_by_text("Against the majority baseline").count() == 1
    assert page.locator("[data-testid='stPlotlyChart']").count() >= 1
    path = screenshot(page, "train")
    assert path.stat().st_size > 50_000


def test_trap_demo_explains_why_100_percent_is_not_a_success(page):
    open_page(page, "Train & compare")
    click_button(page, "Load demo: trap")
    folds = page.get_by_label("CV folds (0 = none)")
    folds.fill("0")
    folds.press("Enter")
    wait_for_app_run(page)
    click_button(page, "Train models")
    page.get_by_text("is NOT a success here").first.wait_for(timeout=240_000)
    wait_for_app_run(page, timeout=120_000)
    expect_no_exception(page)
    assert page.get_by_text("workload_type").count() >= 1
    screenshot(page, "train_trap")
