"""Rate limits of the web chat and its widget (limits on, small numbers): per conversation and per
address; the refusal is the bot's reply bubble and nothing reaches the dialogue."""

import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client

from otklik.dialogue.models import Conversation
from otklik.kb.engine import registry
from otklik.kb.models import Query, Suggestion
from otklik.kb.tests.test_kb_core import _load

NOW = datetime.now(UTC).replace(microsecond=0)  # whole seconds: the waits come out exact
QUESTION = "когда запись в первый класс"
REFUSED = "Слишком много сообщений подряд"


@pytest.fixture
def with_kb(region):
    _load(region.region)
    registry.reset()
    return region


@pytest.fixture
def chat(with_kb, settings):
    settings.RATELIMIT_ENABLED = True
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "chat": (100, 60), "chat_session": (3, 60)}
    return with_kb


def test_messages_past_the_limit_get_the_refusal_as_a_bot_reply_and_reach_nothing(client, chat):
    with time_machine.travel(NOW, tick=False) as clock:
        client.get("/chat/")
        for _ in range(2):
            assert client.post("/chat/send/", {"text": QUESTION}).status_code == 200
        # «Предложить вопрос»: the next message would be the suggestion.
        client.post("/chat/send/", {"action": "suggest", "label": "💡 Предложить вопрос"})
        queries = Query.objects.count()
        state = Conversation.objects.get().state
        clock.shift(10)
        response = client.post("/chat/send/", {"text": "Добавьте ответ про кружки"})
        fragment = response.content.decode()
        assert response.status_code == 429 and response["Retry-After"] == "50"
        assert re.fullmatch(r'\s*<li class="msg bot">.*</li>\s*', fragment, re.S)  # one bot bubble
        assert REFUSED in fragment and "через 50 секунд" in fragment
        assert "msg mine" not in fragment and "кружки" not in fragment  # the text stays in the box
        assert Query.objects.count() == queries and not Suggestion.objects.exists()
        assert Conversation.objects.get().state == state
        button = client.post("/chat/send/", {"action": "menu", "label": "Меню"})
        assert button.status_code == 429 and REFUSED in button.content.decode()
        clock.shift(50)
        # Sent again after the wait, the text is the suggestion the conversation was waiting for.
        assert client.post("/chat/send/", {"text": "Добавьте ответ про кружки"}).status_code == 200
        assert Suggestion.objects.get().text == "Добавьте ответ про кружки"


def test_the_chat_page_is_ready_to_show_a_refusal_and_keep_the_typed_text(client, chat):
    page = client.get("/chat/").content.decode()
    # htmx swaps a 429 in (it leaves other 4xx out) and the box is cleared only after a success.
    assert '{"code":"429","swap":true,"error":true}' in page
    assert page.count("if (event.detail.successful) this.reset()") == 2
    widget = client.get("/chat/widget/").content.decode()
    assert '{"code":"429","swap":true,"error":true}' in widget


def test_the_widget_without_cookies_is_limited_per_address_and_per_conversation(chat, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "chat": (4, 60), "chat_session": (30, 60)}
    frame = Client()
    ticket = re.search(r'"chat": "([^"]+)"', frame.get("/chat/widget/").content.decode()).group(1)
    for _ in range(3):
        cookieless = Client()  # a foreign frame sends no cookie: only the signed ticket
        assert cookieless.post("/chat/send/", {"chat": ticket, "text": QUESTION}).status_code == 200
    refused = Client().post("/chat/send/", {"chat": ticket, "text": QUESTION})
    assert refused.status_code == 429 and REFUSED in refused.content.decode()
    # Another machine has its own address counter.
    other = Client(REMOTE_ADDR="198.51.100.20")
    assert other.post("/chat/send/", {"chat": ticket, "text": QUESTION}).status_code == 200


def test_opening_the_chat_past_the_limit_is_a_page_that_says_so(client, chat, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "chat": (2, 60)}
    for _ in range(2):
        assert client.get("/chat/").status_code == 200
    conversations = Conversation.objects.count()
    page = client.get("/chat/widget/")
    assert page.status_code == 429 and int(page["Retry-After"]) > 0
    assert REFUSED in page.content.decode()
    assert "X-Frame-Options" not in page  # still shown inside the organization's site
    assert Conversation.objects.count() == conversations


def test_staff_trying_the_chat_are_not_limited(client, chat):
    client.force_login(chat.executor_a)
    client.get("/chat/")
    for _ in range(6):
        assert client.post("/chat/send/", {"text": QUESTION}).status_code == 200


def test_a_conversation_at_human_pace_is_never_refused(client, with_kb, settings):
    assert settings.RATE_LIMITS["chat_session"] == (30, 60)  # the defaults (no OTKLIK_RATE_* here)
    with time_machine.travel(NOW, tick=False) as clock:
        client.get("/chat/")
        for _ in range(40):  # a message every 3 seconds for two minutes
            clock.shift(3)
            assert client.post("/chat/send/", {"text": QUESTION}).status_code == 200
