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


def test_citizen_ticks_options_of_a_multiple_choice_question_in_place(live_server, browser, region):
    from otklik.surveys.models import Answer, Response
    from otklik.surveys.tests.base import make_poll

    make_poll(region.ministry, asks_profile=False)  # Q2 «Откуда узнаёте новости?»: Сайт, Бот, Школа
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(f"{live_server.url}/chat/")
    page.wait_for_function("window.htmx !== undefined")
    page.get_by_role("button", name="📊 Опросы").first.click()
    page.get_by_role("button", name="📊 Опрос о питании").last.click()
    page.get_by_role("button", name="1. Да").last.click()
    page.get_by_text("Отметьте один или несколько вариантов").wait_for()
    questions = page.locator("li.msg", has_text="Откуда узнаёте новости?")
    page.get_by_role("button", name="1. Сайт", exact=True).click()
    page.get_by_role("button", name="✅ 1. Сайт").wait_for()
    page.get_by_role("button", name="3. Школа", exact=True).click()
    page.get_by_role("button", name="Готово (2)").wait_for()
    page.get_by_role("button", name="✅ 1. Сайт").click()  # unticked
    page.get_by_role("button", name="Готово (1)").wait_for()
    assert questions.count() == 1  # redrawn in its place, not repeated below
    assert page.get_by_role("button", name="1. Сайт", exact=True).count() == 1
    assert page.locator("li.msg.mine").count() == 3  # «Опросы», the poll, «1. Да»: no toggle echoed
    page.get_by_role("button", name="Готово (1)").click()
    page.get_by_text("Вопрос 3 из 4").wait_for()
    page.get_by_role("button", name="4", exact=True).last.click()
    page.get_by_role("button", name="Пропустить").last.click()
    page.get_by_text("Ваш ответ учтён").wait_for()
    assert Response.objects.count() == 1
    chosen = Answer.objects.filter(question__position=2).values_list("option__text", flat=True)
    assert list(chosen) == ["Школа"]
    page.close()


def test_past_the_rate_limit_the_bot_says_so_and_the_typed_text_stays(live_server, browser, region, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "chat_session": (1, 60)}
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(f"{live_server.url}/chat/")
    page.wait_for_function("window.htmx !== undefined")
    box = page.get_by_label("Ваш вопрос")
    box.fill("Первый вопрос про школьную форму")
    page.get_by_role("button", name="Отправить", exact=True).click()
    page.locator("li.msg.mine", has_text="Первый вопрос про школьную форму").wait_for()
    page.wait_for_function("document.getElementById('chat-text').value === ''")  # sent: cleared
    box.fill("Второй вопрос про кружки")
    page.get_by_role("button", name="Отправить", exact=True).click()
    refusal = page.locator("li.msg.bot", has_text="Слишком много сообщений подряд")
    refusal.wait_for()
    assert "через" in refusal.inner_text()
    assert page.locator("li.msg").last.evaluate("li => li.classList.contains('bot')")  # the last bubble
    assert box.input_value() == "Второй вопрос про кружки"  # not sent, not lost
    assert page.locator("li.msg.mine", has_text="Второй вопрос").count() == 0
    page.close()


def test_the_chat_pin_sends_the_point_of_the_phone_for_the_appeal(live_server, browser, region):
    from otklik.dialogue.models import Conversation

    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        geolocation={"latitude": 51.730361, "longitude": 36.192647},
        permissions=["geolocation"],
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/chat/")
    page.wait_for_function("window.htmx !== undefined")
    page.get_by_role("button", name="✍️ Задать вопрос официально").last.click()
    page.get_by_text("кнопкой 📍").wait_for()
    page.get_by_label("Ваш вопрос").fill("Возле школы разбит тротуар, дети идут по проезжей части")
    page.keyboard.press("Enter")
    page.get_by_text("К какой теме относится обращение?").wait_for()
    page.get_by_role("button", name="Показать место проблемы на карте").click()
    page.get_by_text("Место на карте получено").wait_for()
    draft = Conversation.objects.get().state["flow"]["draft"]
    assert (draft["latitude"], draft["longitude"]) == (51.730361, 36.192647)
    context.close()
