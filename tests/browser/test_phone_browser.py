"""The dashboard on a phone (390x844, a phone's user agent, touch): the sidebar closes after
each navigation, and no chart's toolbar covers its title.

Streamlit collapses the sidebar after a navigation click only for a mobile user agent; a
desktop browser narrowed to phone width keeps it open (Streamlit's choice, not the app's).
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import click_button, expect_no_exception, track_runs, wait_for_app_run

PHONE_UA = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1")
SIDEBAR = "[data-testid='stSidebar']"


@pytest.fixture
def phone(browser, app_url):
    context = browser.new_context(viewport={"width": 390, "height": 844}, user_agent=PHONE_UA,
                                  is_mobile=True, has_touch=True)
    track_runs(context)
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    pg.goto(app_url)
    wait_for_app_run(pg)
    yield pg
    context.close()


def _sidebar_open(pg) -> bool:
    return pg.locator(SIDEBAR).get_attribute("data-collapsed") == "false"


def _overlaps(a: dict, b: dict) -> bool:
    return not (a["x"] >= b["x"] + b["width"] or b["x"] >= a["x"] + a["width"]
                or a["y"] >= b["y"] + b["height"] or b["y"] >= a["y"] + a["height"])


@pytest.mark.slow
def test_phone_sidebar_closes_after_navigation_and_toolbars_clear_titles(phone):
    assert not _sidebar_open(phone)  # starts closed on a phone
    phone.locator("[data-testid='stExpandSidebarButton']").click()
    phone.wait_for_function(f"document.querySelector(\"{SIDEBAR}\")"
                            ".getAttribute('data-collapsed') === 'false'")
    phone.locator("[data-testid='stSidebarNav'] a", has_text="Data").first.click()
    wait_for_app_run(phone)
    phone.wait_for_function(f"document.querySelector(\"{SIDEBAR}\")"
                            ".getAttribute('data-collapsed') === 'true'")
    assert not _sidebar_open(phone)
    click_button(phone, "Load demo: variance")
    phone.wait_for_function("document.querySelectorAll(\"[data-testid='stPlotlyChart'] "
                            ".svg-container\").length >= 4")
    expect_no_exception(phone)
    checked = 0
    for chart in phone.locator("[data-testid='stPlotlyChart']").all():
        chart.scroll_into_view_if_needed()
        chart.hover()  # the toolbar shows on hover (a tap on a phone)
        toolbar, title = chart.locator(".modebar").first, chart.locator(".gtitle").first
        if toolbar.count() == 0 or title.count() == 0:
            continue
        a, b = toolbar.bounding_box(), title.bounding_box()
        assert a and b and not _overlaps(a, b), (title.text_content(), a, b)
        checked += 1
    assert checked >= 4
