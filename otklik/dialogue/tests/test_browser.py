"""A real browser (Debian Chromium via Playwright) talks to the web chat on a live server."""

from otklik.testing import BROWSER_TEST

pytestmark = BROWSER_TEST


def test_citizen_asks_gets_an_answer_and_files_an_appeal(live_server, browser, region, settings):
    from otklik.appeals.models import Appeal
    from otklik.kb.engine import registry
    from otklik.kb.tests.test_kb_core import _load

    settings.APPEAL_AUTO_ROUTE_CONFIDENCE = 0.0
    _load(region.region)
    registry.reset()
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(f"{live_server.url}/chat/")
    page.get_by_text("Здравствуйте").first.wait_for()
    page.wait_for_function("window.htmx !== undefined")
    page.get_by_label("Ваш вопрос").fill("когда запись в первый класс")
    page.get_by_role("button", name="Отправить", exact=True).click()
    page.get_by_text("Когда начинается приём заявлений в первый класс?").first.wait_for()
    page.get_by_role("button", name="👎 Не помогло").last.click()
    page.get_by_text("Жаль, что ответ не помог").wait_for()
    page.get_by_role("button", name="✍️ Задать вопрос официально").last.click()
    page.get_by_text("Отправить его как есть или дополнить?").wait_for()
    page.get_by_role("button", name="Написать заново").last.click()
    page.get_by_text("Напишите вопрос заново").wait_for()
    page.get_by_label("Ваш вопрос").fill("В школе Северного района холодно, дети сидят в куртках")
    page.keyboard.press("Enter")  # the keyboard works as well as the button
    page.get_by_text("К какой теме относится обращение?").wait_for()
    page.get_by_role("button", name="Не знаю / другое").last.click()
    page.get_by_role("button", name="Пропустить").last.click()
    page.get_by_text("нужно ваше согласие").wait_for()
    page.get_by_role("button", name="✅ Согласен(на)").last.click()
    page.get_by_text("Проверьте обращение").wait_for()
    page.get_by_role("button", name="📨 Отправить").last.click()
    page.get_by_text("Обращение зарегистрировано").first.wait_for()
    number = Appeal.objects.get().number
    assert page.get_by_text(number).count() >= 1
    page.get_by_role("button", name="📄 Мои обращения").last.click()
    page.get_by_role("button", name=f"{number} — ").first.wait_for()
    page.close()
