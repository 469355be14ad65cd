"""The web chat over HTTP: the same conversation as the bot, on the page and in the widget."""

import html
import json
import re

from django.test import Client

from otklik.appeals.models import Appeal
from otklik.dialogue.models import Conversation
from otklik.kb.engine import registry
from otklik.kb.tests.test_kb_core import _load


def test_chat_page_greets_and_answers(client, region):
    _load(region.region)
    registry.reset()
    page = client.get("/chat/").content.decode()
    assert "Здравствуйте" in page and 'aria-live="polite"' in page
    fragment = client.post("/chat/send/", {"text": "когда запись в первый класс"}).content.decode()
    assert "Когда начинается приём заявлений в первый класс?" in fragment
    assert "когда запись в первый класс" in fragment  # the citizen's own message is echoed
    conversation = Conversation.objects.get()
    assert conversation.channel == "web" and conversation.channel_user == client.session["chat_id"]


def test_knowledge_base_answer_is_shown_formatted_not_as_raw_markdown(client, region):
    from otklik.kb.models import Article

    _load(region.region)
    registry.reset()
    article = Article.objects.get(slug="first-grade-dates")
    article.answer = (
        "Приём идёт в два этапа:\n- **с 1 апреля** — для живущих рядом, с правом\n"
        "  первоочередного приёма;\n- **с 6 июля** — для всех.\nЗаявление удобно подать\nна Госуслугах."
    )
    article.save()
    client.get("/chat/")
    fragment = client.post("/chat/send/", {"text": "когда запись в первый класс"}).content.decode()
    assert "**" not in fragment and "<strong>с 1 апреля</strong>" in fragment
    assert fragment.count("<li>") == 2 and "<br>" not in fragment  # a list; the wrapped lines joined
    assert "<p>Заявление удобно подать\nна Госуслугах.</p>" in fragment


def test_buttons_and_the_official_appeal_through_the_web_chat(client, region, settings):
    settings.APPEAL_AUTO_ROUTE_CONFIDENCE = 0.0
    client.get("/chat/")
    client.post("/chat/send/", {"action": "ask", "label": "Задать вопрос официально"})
    client.post("/chat/send/", {"text": "В школе Северного района холодно, дети сидят в куртках"})
    client.post("/chat/send/", {"action": "ask:topic:none"})
    client.post("/chat/send/", {"action": "ask:skip"})
    client.post("/chat/send/", {"action": "ask:consent"})
    fragment = client.post("/chat/send/", {"action": "ask:confirm"}).content.decode()
    appeal = Appeal.objects.get()
    assert appeal.number in fragment and appeal.channel == "webchat"


def _ticket(page: str) -> str:
    """The signed chat id the widget's page gives its messages (the frame has no cookies)."""
    return json.loads(html.unescape(re.search(r"<body [^>]*hx-vals='([^']+)'", page).group(1)))["chat"]


def _chat_appeal(client: Client, ticket: str = "") -> Appeal:
    extra = {"chat": ticket} if ticket else {}
    client.post("/chat/send/", {"action": "ask", **extra})
    client.post("/chat/send/", {"text": "В школе Северного района холодно, дети сидят в куртках", **extra})
    for action in ("ask:topic:none", "ask:skip", "ask:consent", "ask:confirm"):
        client.post("/chat/send/", {"action": action, **extra})
    return Appeal.objects.latest("pk")


def test_an_appeal_written_in_the_chat_widget_counts_for_the_site_that_embeds_it(region, settings):
    from otklik.appeals.selectors import widget_use

    settings.APPEAL_AUTO_ROUTE_CONFIDENCE = 0.0
    framed = Client()
    page = framed.get(f"/chat/widget/?org={region.school_b.code}").content.decode()
    ticket = _ticket(page)
    framed.cookies.clear()  # as in another site's frame
    appeal = _chat_appeal(framed, ticket)
    assert (appeal.channel, appeal.widget_organization) == ("webchat", region.school_b)
    assert widget_use(organization=region.school_b).last_year == 1
    # the site's own chat page is no widget; an unknown code is no organization
    own = Client()
    own.get("/chat/")
    assert _chat_appeal(own).widget_organization is None
    unknown = Client()
    page = unknown.get("/chat/widget/?org=nope").content.decode()
    ticket = _ticket(page)
    assert _chat_appeal(unknown, ticket).widget_organization is None
    assert Appeal.objects.count() == 3


def test_files_attached_in_the_web_chat_reach_the_appeal(client, region, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from otklik.appeals.tests.test_intake import PNG
    from otklik.dialogue.core import MAX_FILE_BYTES

    settings.APPEAL_AUTO_ROUTE_CONFIDENCE = 0.0
    page = client.get("/chat/").content.decode()
    assert 'name="file"' in page and 'hx-encoding="multipart/form-data"' in page
    outside = client.post("/chat/send/", {"file": SimpleUploadedFile("фото.png", PNG)}).content.decode()
    assert "при оформлении официального обращения" in outside and "📎 фото.png" in outside
    client.post("/chat/send/", {"action": "ask"})
    client.post("/chat/send/", {"text": "В школе Северного района холодно, дети сидят в куртках"})
    voice = client.post(
        "/chat/send/", {"file": SimpleUploadedFile("запись.ogg", b"OggS\x00\x02" + b"\x00" * 40)}
    )
    assert "Голосовое сообщение получено" in voice.content.decode()
    big = client.post(
        "/chat/send/", {"file": SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * MAX_FILE_BYTES)}
    )
    assert "больше 10 МБ" in big.content.decode()
    odd = client.post("/chat/send/", {"file": SimpleUploadedFile("x.exe", b"MZ\x90\x00" * 10)})
    assert "только фотографии" in odd.content.decode()
    for action in ("ask:topic:none", "ask:skip", "ask:consent", "ask:confirm"):
        client.post("/chat/send/", {"action": action})
    assert list(Appeal.objects.get().attachments.values_list("name", "content_type")) == [
        ("запись.ogg", "audio/ogg")
    ]


def test_the_point_of_the_web_chat_reaches_the_appeal(client, region, settings):
    settings.APPEAL_AUTO_ROUTE_CONFIDENCE = 0.0
    page = client.get("/chat/").content.decode()
    assert 'class="chat-place"' in page and "otklik/place.js" in page
    outside = client.post("/chat/send/", {"latitude": "51.73", "longitude": "36.19"}).content.decode()
    assert "📍 Место на карте" in outside and "указывается в официальном обращении" in outside
    client.post("/chat/send/", {"action": "ask"})
    client.post("/chat/send/", {"text": "В школе Северного района холодно, дети сидят в куртках"})
    refused = client.post("/chat/send/", {"latitude": "", "longitude": ""}).content.decode()
    assert "Не удалось определить место" in refused
    hostile = client.post("/chat/send/", {"latitude": "1" * 5000, "longitude": "<b>"}).content.decode()
    assert "Координаты места не распознаны" in hostile and "<b>" not in hostile
    kept = client.post("/chat/send/", {"latitude": "51.730361", "longitude": "36.192647"}).content.decode()
    assert "Место на карте получено" in kept
    for action in ("ask:topic:none", "ask:skip", "ask:consent", "ask:confirm"):
        client.post("/chat/send/", {"action": action})
    appeal = Appeal.objects.get()
    assert (appeal.latitude, appeal.longitude, appeal.channel) == (51.730361, 36.192647, "webchat")


def test_empty_huge_and_hostile_input(client, region):
    client.get("/chat/")
    assert client.post("/chat/send/", {"text": "   "}).status_code == 200
    assert "слишком длинное" in client.post("/chat/send/", {"text": "я" * 5000}).content.decode()
    hostile = client.post("/chat/send/", {"text": "<script>alert(1)</script>"}).content.decode()
    assert "<script>alert(1)</script>" not in hostile
    assert client.get("/chat/send/").status_code == 405


def test_widget_in_another_sites_frame_keeps_its_conversation_without_cookies(region):
    """Browsers send no cookies in a frame of another site: the widget's messages carry its chat."""
    framed = Client(enforce_csrf_checks=True)
    page = framed.get("/chat/widget/").content.decode()
    ticket = _ticket(page)
    framed.cookies.clear()
    asked = framed.post("/chat/send/", {"action": "ask", "chat": ticket})
    assert asked.status_code == 200
    framed.cookies.clear()
    framed.post(
        "/chat/send/", {"text": "В школе Северного района холодно, дети сидят в куртках", "chat": ticket}
    )
    conversation = Conversation.objects.get()
    assert conversation.state["flow"]["name"] == "ask" and conversation.state["flow"]["step"] != "text"
    # without a genuine ticket the message is the site's own chat: CSRF applies
    assert framed.post("/chat/send/", {"text": "привет", "chat": ticket + "x"}).status_code == 403
    assert Conversation.objects.count() == 1


def test_widget_can_be_framed_by_other_sites(client, region):
    response = client.get("/chat/widget/")
    assert response.status_code == 200 and "X-Frame-Options" not in response.headers
    assert client.get("/static/otklik/widget.js").status_code == 200
