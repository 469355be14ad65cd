"""Webhook mode: Telegram posts updates to /telegram/webhook/ with the secret token."""

import json

import pytest

from otklik.channels.telegram import bot as bot_module
from otklik.channels.telegram.bot import create_dispatcher
from otklik.channels.telegram.middlewares import APOLOGY
from otklik.channels.telegram.tests.fakes import message_update
from otklik.dialogue.models import Conversation

URL = "/telegram/webhook/"


@pytest.fixture
def webhook(settings, bot, monkeypatch, kb_region):
    settings.TELEGRAM_BOT_TOKEN = "123:ABC"
    settings.TELEGRAM_WEBHOOK_SECRET = "s3cret-token"
    dp = create_dispatcher()
    monkeypatch.setattr(bot_module, "webhook_pair", lambda: (bot, dp))


def _post(client, secret):
    body = message_update(text="/start").model_dump(mode="json", exclude_none=True, by_alias=True)
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
    return client.post(URL, data=json.dumps(body), content_type="application/json", headers=headers)


@pytest.mark.parametrize("secret", [None, "", "wrong"])
def test_a_wrong_secret_gets_403_and_nothing_happens(client, webhook, session, secret):
    assert _post(client, secret).status_code == 403
    assert session.calls == [] and not Conversation.objects.exists()


def test_the_right_secret_feeds_the_dispatcher_and_replies(client, webhook, session):
    response = _post(client, "s3cret-token")
    assert response.status_code == 200
    assert session.texts()[0].startswith("Здравствуйте!")
    assert Conversation.objects.filter(channel="telegram").count() == 1


@pytest.mark.parametrize(
    "body",
    ["{not json", "", "[]", '{"update_id": "x"}', "[" * 100_000 + "]" * 100_000, b"\xff\xfe{"],
)
def test_a_body_that_is_not_an_update_gets_400(client, webhook, session, body):
    headers = {"X-Telegram-Bot-Api-Secret-Token": "s3cret-token"}
    response = client.post(URL, data=body, content_type="application/json", headers=headers)
    assert response.status_code == 400 and session.calls == []


def test_a_nul_character_in_a_message_is_dropped_not_fatal(client, webhook, session):
    body = message_update(text="когда запись\x00 в первый класс").model_dump(
        mode="json", exclude_none=True, by_alias=True
    )
    headers = {"X-Telegram-Bot-Api-Secret-Token": "s3cret-token"}
    response = client.post(URL, data=json.dumps(body), content_type="application/json", headers=headers)
    assert response.status_code == 200
    assert session.texts() and APOLOGY not in session.texts()


def test_without_configuration_the_webhook_does_not_exist(client, settings, db):
    settings.TELEGRAM_BOT_TOKEN = ""
    assert client.post(URL, data="{}", content_type="application/json").status_code == 404
