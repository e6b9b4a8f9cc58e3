"""Route by objective in a real browser: demo data -> train a router -> replay it with the
default objective -> the Pareto chart renders -> the decisions table."""

from tests.browser.conftest import (
    click_button,
    expect_no_exception,
    open_page,
    screenshot,
)


def test_route_by_objective_shows_the_pareto_chart_and_decisions(page):
    open_page(page, "Data")
    click_button(page, "Load demo: variance")
    open_page(page, "Route by objective")
    expect_no_exception(page)
    click_button(page, "Train a router on this data")
    expect_no_exception(page)
    page.get_by_text("Routing by: least cost with p95").wait_for()
    click_button(page, "Route and replay")
    page.get_by_text("Objective router vs single platforms").wait_for(timeout=60_000)
    expect_no_exception(page)
    click_button(page, "Sweep the parameter (Pareto)")
    chart = page.locator("[data-testid='stPlotlyChart']")
    chart.first.wait_for(timeout=60_000)
    assert page.get_by_text("Pareto: cost vs p95 latency").count() >= 1
    click_button(page, "Explain decisions")
    page.get_by_text("Why each request went where").wait_for()
    expect_no_exception(page)
    screenshot(page, "objective")
