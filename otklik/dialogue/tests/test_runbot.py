"""`otklik runbot` refuses clearly when it cannot run."""

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
