"""Data page in a real browser: demo data renders its charts; real Artillery logs upload."""

from __future__ import annotations

import re
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

CHARTS = "[data-testid='stPlotlyChart']"


def _wait_for_charts(pg, n: int = 4) -> None:
    """Charts render after the script's last element arrives: wait for n drawn plots."""
    pg.wait_for_function(
        f"document.querySelectorAll(\"{CHARTS} .svg-container\").length >= {n}", timeout=60_000)


def _metric(pg, label: str) -> str:
    box = pg.locator("[data-testid='stMetric']", has_text=label).first
    return box.locator("[data-testid='stMetricValue']").inner_text()


@pytest.mark.slow
def test_demo_data_renders_charts(page):
    open_page(page, "Data")
    expect_no_exception(page)
    click_button(page, "Load demo: variance")
    _wait_for_charts(page)
    assert page.locator(CHARTS).count() >= 4
    assert page.get_by_text("Dataset: demo: variance").count() == 1
    expect_no_exception(page)
    path = screenshot(page, "data")
    assert path.stat().st_size > 50_000
    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV").click()
    assert download.value.suggested_filename == "requests.csv"
    header = Path(download.value.path()).read_text().splitlines()[0]
    assert "workload_type" in header and "label" in header


@pytest.mark.slow
def test_real_artillery_logs_upload(page, artillery_dir):
    files = sorted((artillery_dir / "morning_peak_ramp_load").glob("*.jsonl"))
    assert len(files) == 12
    open_page(page, "Data")
    page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(
        [str(f) for f in files])
    page.get_by_text("Dataset: ").first.wait_for(timeout=60_000)
    _wait_for_charts(page)
    wait_for_app_run(page)
    expect_no_exception(page)
    rows = int(re.sub(r"\D", "", _metric(page, "Rows")))
    rejected = int(re.sub(r"\D", "", _metric(page, "Rejected rows")))
    assert rows + rejected == 4695  # every line of the run is a row or a counted rejection
    assert rows > 4000
    assert page.locator(CHARTS).count() >= 4
    screenshot(page, "data_artillery")


@pytest.mark.slow
def test_bad_upload_shows_message_not_traceback(page, tmp_path):
    fake = tmp_path / "photo.csv"
    fake.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    open_page(page, "Data")
    page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(str(fake))
    alert = page.locator("[data-testid='stAlertContentError']", has_text="photo.csv")
    alert.wait_for(timeout=60_000)
    wait_for_app_run(page)
    expect_no_exception(page)
    click_button(page, "Load demo: trap")  # the app keeps working
    page.get_by_text("Dataset: demo: trap").wait_for(timeout=60_000)
    expect_no_exception(page)


@pytest.mark.slow
def test_phone_width_fits_and_headline_wraps(page):
    open_page(page, "Data")
    click_button(page, "Load demo: variance")
    _wait_for_charts(page)
    page.set_viewport_size({"width": 390, "height": 844})
    wait_for_layout(page)  # the layout and charts reflow to the phone width
    expect_no_exception(page)
    widths = page.evaluate(
        "() => { const m = document.querySelector(\"[data-testid='stMain']\");"
        " return [m.scrollWidth, m.clientWidth]; }")
    assert widths[0] <= widths[1]  # nothing sticks out sideways on a phone
    boxes = [m.bounding_box() for m in page.locator("[data-testid='stMetric']").all()[:2]]
    assert boxes[0]["y"] == boxes[1]["y"]  # headline figures share a line, not one each
    screenshot(page, "data_phone")


@pytest.mark.slow
def test_a_published_table_with_a_yes_no_label_is_used_as_given(page, tmp_path):
    """Issue 13: no latency or cost columns, label written yes/no: loaded as given, the label
    box offers only label-like columns, every feature is listed in full."""
    from tests.diagnostics_data import published

    frame = published()
    frame["label"] = frame["label"].map({1: "yes", 0: "no"})
    path = tmp_path / "published.csv"
    frame.to_csv(path, index=False)
    open_page(page, "Data")
    page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(str(path))
    page.get_by_text("Labels are given in the data").first.wait_for(timeout=60_000)
    wait_for_app_run(page)
    expect_no_exception(page)
    assert page.get_by_text("The model will see 4 features: workload_type, payload_size_kb, "
                            "time_window, load_pattern.").count() == 1
    assert page.locator("[data-testid='stSlider']").count() == 0  # nothing computed
    screenshot(page, "data_given_label")
