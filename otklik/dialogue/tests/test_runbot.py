"""`otklik runbot` refuses clearly when it cannot run."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError


def test_without_a_token_it_says_what_to_set(settings):
    settings.TELEGRAM_BOT_TOKEN = ""
    with pytest.raises(CommandError, match="TELEGRAM_BOT_TOKEN"):
        call_command("runbot")


def test_in_webhook_mode_polling_is_refused(settings):
    settings.TELEGRAM_BOT_TOKEN = "123:ABC"
    settings.TELEGRAM_MODE = "webhook"
    with pytest.raises(CommandError, match="TELEGRAM_MODE=webhook"):
        call_command("runbot")


def test_a_webhook_needs_the_secret(settings):
    settings.TELEGRAM_BOT_TOKEN = "123:ABC"
    settings.TELEGRAM_WEBHOOK_SECRET = ""
    with pytest.raises(CommandError, match="TELEGRAM_WEBHOOK_SECRET"):
        call_command("runbot", set_webhook="https://example.invalid/telegram/webhook/")


@pytest.fixture
def bot_api(settings):
    from otklik.channels.telegram.tests.test_e2e import TOKEN, FakeBotAPI

    server = FakeBotAPI()
    server.start()
    settings.TELEGRAM_BOT_TOKEN = TOKEN
    settings.TELEGRAM_API_BASE = f"http://127.0.0.1:{server.port}"
    settings.TELEGRAM_WEBHOOK_SECRET = "s3cret_token"
    yield server
    server.stop()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_registering_the_webhook_lists_the_commands_with_region_when_there_are_several(
    bot_api, region, capsys
):
    from otklik.orgs.models import Region

    Region.objects.create(code="r2", name="Второй регион", appeal_prefix="RB")
    call_command("runbot", set_webhook="https://otklik.example/telegram/webhook/")

    assert [method for method, _ in bot_api.requests] == ["setWebhook", "setMyCommands"]
    webhook = bot_api.calls("setWebhook")[0]
    assert (webhook["url"], webhook["secret_token"]) == (
        "https://otklik.example/telegram/webhook/",
        "s3cret_token",
    )
    listed = json.loads(bot_api.calls("setMyCommands")[0]["commands"])
    assert [(c["command"], c["description"]) for c in listed] == [
        ("start", "Начать сначала"),
        ("menu", "Главное меню"),
        ("help", "Что умеет бот"),
        ("cancel", "Отменить оформление обращения"),
        ("region", "Выбрать регион"),
    ]
    out = capsys.readouterr().out
    assert "Меню команд: /start, /menu, /help, /cancel, /region" in out


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_refused_command_menu_is_reported_and_the_webhook_stays(bot_api, region, capsys):
    bot_api.refuse["setMyCommands"] = "Bad Request: too many commands"
    call_command("runbot", set_webhook="https://otklik.example/telegram/webhook/")

    assert [method for method, _ in bot_api.requests] == ["setWebhook", "setMyCommands"]
    captured = capsys.readouterr()
    assert "Меню команд не обновлено" in captured.err and "too many commands" in captured.err
    assert "Вебхук зарегистрирован" in captured.out
