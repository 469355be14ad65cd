"""The version for people with low vision in a real browser (Debian Chromium): larger type and a
high-contrast scheme really reach the page, and stay from page to page."""

from otklik.testing import BROWSER_TEST

pytestmark = BROWSER_TEST


def _style(page, selector: str, prop: str) -> str:
    return page.eval_on_selector(selector, f"e => getComputedStyle(e).getPropertyValue('{prop}')")


def test_a_citizen_turns_on_the_low_vision_version_and_chooses_white_on_black(live_server, browser, region):
    page = browser.new_page()
    page.goto(f"{live_server.url}/faq/")
    assert _style(page, "html", "font-size") == "16px"
    with page.expect_navigation():
        page.get_by_role("button", name="Версия для слабовидящих").click()
    assert page.url == f"{live_server.url}/faq/"  # back where the citizen was
    assert _style(page, "html", "font-size") == "20px"
    assert _style(page, "body", "background-color") == "rgb(255, 255, 255)"
    assert _style(page, "body", "color") == "rgb(0, 0, 0)"

    page.get_by_role("link", name="Настройки отображения").click()
    page.get_by_label("белым по чёрному").check()
    page.get_by_label("очень крупный").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Сохранить").click()
    assert page.url == f"{live_server.url}/faq/"
    page.goto(f"{live_server.url}/chat/")  # another page keeps the setting
    assert _style(page, "html", "font-size") == "24px"
    assert _style(page, "body", "background-color") == "rgb(0, 0, 0)"
    assert _style(page, "body", "color") == "rgb(255, 255, 255)"

    with page.expect_navigation():
        page.get_by_role("button", name="Обычная версия сайта").click()
    assert _style(page, "html", "font-size") == "16px"
