"""A real browser (Debian Chromium via Playwright): the analytics pages on a phone's screen."""

from otklik.testing import BROWSER_TEST

pytestmark = BROWSER_TEST


def test_wide_tables_scroll_inside_themselves_on_a_phone_not_the_whole_page(personas, staff_page):
    page = staff_page(personas.analyst, "/staff/analytics/halfyear/")
    page.set_viewport_size({"width": 390, "height": 844})
    for path in ("/staff/analytics/halfyear/", "/staff/analytics/"):
        page.goto(path)
        assert page.locator("table").count() > 0
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
