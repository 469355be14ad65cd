"""Two regions in a real browser (Debian Chromium): a citizen picks a region on the home page and
the web chat then answers from that region's knowledge base; a superuser switches regions."""

from otklik.orgs.tests.test_regions import two  # noqa: F401 - the two-region fixture
from otklik.testing import BROWSER_TEST

pytestmark = BROWSER_TEST


def test_a_citizen_picks_a_region_and_the_chat_answers_for_it(live_server, browser, two):  # noqa: F811
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(f"{live_server.url}/")
    page.get_by_text("Выберите регион").first.wait_for()
    page.get_by_role("link", name="Заречная область").click()
    page.wait_for_url(f"{live_server.url}/?region=zar")
    assert page.get_by_text("Выберите регион").count() == 0  # chosen: the home page goes on as usual
    page.goto(f"{live_server.url}/chat/")
    page.wait_for_function("window.htmx !== undefined")
    page.get_by_label("Ваш вопрос").fill("когда запись в первый класс")
    page.get_by_role("button", name="Отправить", exact=True).click()
    page.get_by_text("с 15 марта").first.wait_for()  # region B's answer, not region A's
    assert page.get_by_text("с 6 июля").count() == 0


def test_a_superuser_switches_the_region_from_the_staff_menu(live_server, staff_page, two):  # noqa: F811
    from otklik.orgs.tests.test_regions import _appeal

    mine, theirs = _appeal(two.a.region), _appeal(two.b)
    page = staff_page(two.a.admin, "/staff/appeals/?queue=all")
    assert page.get_by_role("link", name=mine.number).count() == 1
    assert page.get_by_role("link", name=theirs.number).count() == 0
    page.get_by_label("Регион").select_option("zar")
    with page.expect_navigation():
        page.get_by_role("button", name="Сменить").click()
    page.goto(f"{live_server.url}/staff/appeals/?queue=all")
    assert page.get_by_role("link", name=theirs.number).count() == 1
    assert page.get_by_role("link", name=mine.number).count() == 0
