"""Browser: open Monitor on the demo data, plant a payload shift (a red DRIFT verdict with
charts), then upload one of the real Artillery files as the current traffic; screenshots."""

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
def test_monitor_planted_shift_and_upload(page, artillery_dir):
    open_page(page, "Monitor")
    expect_no_exception(page)
    click_button(page, "Load demo: variance")
    page.get_by_text("Upload the current traffic").first.wait_for()
    page.get_by_text("Demo: plant a payload shift").click()
    wait_for_app_run(page)
    page.get_by_text("DRIFT").first.wait_for(timeout=60_000)
    expect_no_exception(page)
    # plotly mounts its charts a moment after the verdict's text: wait for one
    page.locator("[data-testid='stPlotlyChart']").first.wait_for(timeout=60_000)
    screenshot(page, "monitor_planted")
    page.get_by_text("Upload a file").click()
    wait_for_app_run(page)
    upload = artillery_dir / "morning_peak_ramp_load" / "lambda_heavy_processing_2025-11-23.jsonl"
    page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(
        str(upload))
    page.get_by_text("Per feature").first.wait_for(timeout=60_000)
    wait_for_app_run(page)
    expect_no_exception(page)
    screenshot(page, "monitor_upload")
