"""Browser: open Deploy, train a quick model if the registry is empty, build, run the six
scenarios through the zip in a clean interpreter, show a dry-run plan; screenshot."""

from __future__ import annotations

import pytest

from tests.browser.conftest import (
    click_button,
    expect_no_exception,
    open_page,
    screenshot,
    wait_for_app_run,
)


@pytest.mark.slow
def test_deploy_build_and_invoke(page):
    open_page(page, "Deploy")
    expect_no_exception(page)
    quick = page.get_by_role("button", name="Train a quick demo model")
    if quick.count():
        screenshot(page, "deploy_empty")
        click_button(page, "Train a quick demo model")
    page.get_by_text("function.zip").first.wait_for(timeout=120_000)
    wait_for_app_run(page)
    expect_no_exception(page)
    click_button(page, "Run the six thesis scenarios")
    page.get_by_text("6 of 6 scenarios match the library model").wait_for(timeout=60_000)
    expect_no_exception(page)
    click_button(page, "Show the plan (dry run)")
    page.get_by_text("Dry run: nothing was sent to AWS").wait_for(timeout=60_000)
    expect_no_exception(page)
    path = screenshot(page, "deploy")
    assert path.stat().st_size > 50_000
