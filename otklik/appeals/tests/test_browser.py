"""The widgets on an organization's own site, in a real browser (Debian Chromium via Playwright).

The host page is served from another origin (127.0.0.1 on its own port, while the live server is
`localhost`), so the browser treats the widgets' frames as third-party: no cookies of ours reach
them, exactly as on a school's site.
"""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from otklik.testing import BROWSER_TEST

pytestmark = BROWSER_TEST

TEXT = "В школе Северного района холодно, дети сидят на уроках в куртках. Прошу проверить отопление."


@pytest.fixture
def school_site(live_server):
    """`school_site(body)`: the URL of a page of another origin with `body` in it."""
    pages: dict[str, str] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body = pages.get(self.path, "").encode()
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def page(body: str) -> str:
        path = f"/page{len(pages)}.html"
        pages[path] = (
            f'<!doctype html><html lang="ru"><head><meta charset="utf-8"></head><body>{body}</body></html>'
        )
        return f"http://127.0.0.1:{server.server_port}{path}"

    yield page
    server.shutdown()


def test_appeal_widget_in_a_school_site_registers_the_appeal(
    live_server, browser, school_site, region, monkeypatch
):
    from otklik.appeals.models import Appeal

    monkeypatch.setattr("otklik.appeals.forms.MIN_FILL_SECONDS", 0)
    assert live_server.url.startswith("http://localhost")
    url = school_site(
        f'<h1>Школа № 1</h1><iframe title="Обращение" style="width:600px;height:900px" '
        f'src="{live_server.url}/appeal/widget/?org={region.school_a.code}"></iframe>'
    )
    page = browser.new_page()
    page.goto(url)
    form = page.frame_locator("iframe[title='Обращение']")
    form.get_by_label("Фамилия, имя, отчество").fill("Иванова Анна Сергеевна")
    form.get_by_label("Электронная почта для ответа").fill("anna@example.ru")
    form.get_by_label("Суть обращения").fill(TEXT)
    form.get_by_label("Я согласен(на) на обработку персональных данных", exact=False).check()
    form.get_by_role("button", name="Отправить").click()
    form.get_by_text("Обращение зарегистрировано").wait_for()
    appeal = Appeal.objects.get()
    assert (appeal.channel, appeal.widget_organization, appeal.text) == ("widget", region.school_a, TEXT)
    assert form.get_by_text(appeal.number).count() >= 1
    link = form.get_by_role("link", name="Открыть страницу обращения")
    assert link.get_attribute("target") == "_blank"  # the status page opens outside the frame
    page.close()


def test_chat_widget_in_a_school_site_answers_and_keeps_the_conversation(
    live_server, browser, school_site, region
):
    from otklik.dialogue.models import Conversation
    from otklik.kb.engine import registry
    from otklik.kb.tests.test_kb_core import _load

    _load(region.region)
    registry.reset()
    url = school_site(
        f'<h1>Школа № 1</h1><script src="{live_server.url}/static/otklik/widget.js"'
        f' data-org="{region.school_a.code}" defer></script>'
    )
    page = browser.new_page()
    page.goto(url)
    page.get_by_role("button", name="Задать вопрос").click()
    chat = page.frame_locator("iframe[title='Чат с ботом министерства образования']")
    chat.get_by_label("Ваш вопрос").fill("когда запись в первый класс")
    chat.get_by_role("button", name="Отправить", exact=True).click()
    chat.get_by_text("Когда начинается приём заявлений в первый класс?").first.wait_for()
    # Two questions in one message: two answers.
    chat.get_by_label("Ваш вопрос").fill(
        "а где смотреть очередь в садик? и какая погода будет завтра в Москве?"
    )
    chat.get_by_role("button", name="Отправить", exact=True).click()
    chat.get_by_text("Как узнать место ребёнка в очереди в детский сад?").first.wait_for()
    chat.get_by_text("На вопрос «Какая погода будет завтра в Москве» готового ответа у меня нет").wait_for()
    page.wait_for_timeout(500)
    # Both messages went into one conversation, though the frame has no cookies of ours, and the
    # conversation knows whose site shows it (an appeal written there counts for that widget).
    conversation = Conversation.objects.get(channel="web")
    assert conversation.state["widget_org"] == region.school_a.pk
    page.close()


def test_the_point_of_the_phone_goes_with_an_appeal_from_the_widget(
    live_server, browser, school_site, region, monkeypatch
):
    """The site frames the form with `allow="geolocation"`; the citizen allows it, the form shows the
    point and sends it; «Убрать точку» takes it back out."""
    from otklik.appeals.models import Appeal

    monkeypatch.setattr("otklik.appeals.forms.MIN_FILL_SECONDS", 0)
    url = school_site(
        f'<iframe title="Обращение" allow="geolocation" style="width:600px;height:1000px" '
        f'src="{live_server.url}/appeal/widget/?org={region.school_a.code}"></iframe>'
    )
    context = browser.new_context(
        geolocation={"latitude": 51.730361, "longitude": 36.192647, "accuracy": 20},
        permissions=["geolocation"],
    )
    page = context.new_page()
    page.goto(url)
    form = page.frame_locator("iframe[title='Обращение']")
    form.get_by_label("Суть обращения").fill(TEXT)
    form.get_by_label("Где это", exact=False).fill("Школа № 1, вход со двора")
    form.get_by_role("button", name="Указать моё местоположение").click()
    form.get_by_text("Точка на карте: 51.730361, 36.192647 (точность около 20 м)").wait_for()
    form.get_by_role("button", name="Убрать точку").click()
    assert form.locator(".place-status").inner_text() == ""
    form.get_by_role("button", name="Указать моё местоположение").click()
    form.get_by_text("Точка на карте: 51.730361, 36.192647").wait_for()
    form.get_by_label("Я согласен(на) на обработку персональных данных", exact=False).check()
    form.get_by_role("button", name="Отправить").click()
    form.get_by_text("Обращение зарегистрировано").wait_for()
    appeal = Appeal.objects.get()
    assert (appeal.place, appeal.latitude, appeal.longitude) == (
        "Школа № 1, вход со двора",
        51.730361,
        36.192647,
    )
    context.close()


def test_a_refused_location_says_to_describe_the_place_in_words(live_server, browser, region):
    context = browser.new_context()  # no permission granted: the browser refuses
    page = context.new_page()
    page.goto(f"{live_server.url}/appeal/new/")
    page.get_by_role("button", name="Указать моё местоположение").click()
    page.get_by_text("Опишите место словами").wait_for()
    assert page.locator("input[name=latitude]").input_value() == ""
    context.close()
