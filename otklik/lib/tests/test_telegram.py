"""The worker's plain-HTTP sender against a small Bot API stand-in on 127.0.0.1."""

import json

import pytest

from otklik.lib.telegram import TelegramSendError, telegram_send_message
from otklik.testing import FakeApiHandler, fake_api


class _BotAPI(FakeApiHandler):
    answers: dict = {}
    received: list = []

    def do_POST(self):  # noqa: N802 - http.server's naming
        body = json.loads(self.body())
        self.received.append((self.path, body))
        self.reply(*self.answers[body["chat_id"]])


@pytest.fixture
def api(settings):
    settings.TELEGRAM_BOT_TOKEN = "123:ABC"
    _BotAPI.received = []
    _BotAPI.answers = {
        "1": (200, {"ok": True, "result": {}}),
        "2": (429, {"ok": False, "description": "Too Many Requests", "parameters": {"retry_after": 7}}),
        "3": (403, {"ok": False, "description": "Forbidden: bot was blocked by the user"}),
    }
    with fake_api(_BotAPI) as base:
        settings.TELEGRAM_API_BASE = f"{base}/"
        yield _BotAPI


def test_sends_the_message_to_the_configured_server(api):
    telegram_send_message("1", "Здравствуйте")
    assert api.received == [("/bot123:ABC/sendMessage", {"chat_id": "1", "text": "Здравствуйте"})]


def test_flood_control_carries_the_wait_and_a_block_its_status(api):
    with pytest.raises(TelegramSendError) as flood:
        telegram_send_message("2", "x")
    assert (flood.value.status, flood.value.retry_after) == (429, 7)
    with pytest.raises(TelegramSendError) as blocked:
        telegram_send_message("3", "x")
    assert blocked.value.status == 403 and "blocked" in str(blocked.value)


def test_without_a_token_nothing_is_sent(api, settings):
    settings.TELEGRAM_BOT_TOKEN = ""
    with pytest.raises(TelegramSendError):
        telegram_send_message("1", "x")
    assert api.received == []
