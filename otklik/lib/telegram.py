"""Sending one Telegram message over plain HTTP, for the worker (which does not run aiogram)."""

import json
import urllib.error
import urllib.request

from django.conf import settings


class TelegramSendError(RuntimeError):
    """The Bot API refused or could not be reached. `status` is the HTTP code (0: no answer),
    `retry_after` the seconds Telegram asks to wait on 429."""

    def __init__(self, description: str, *, status: int = 0, retry_after: int | None = None):
        super().__init__(description)
        self.status, self.retry_after = status, retry_after


def telegram_send_message(chat_id: str, text: str, *, timeout: float = 15) -> None:
    if not settings.TELEGRAM_BOT_TOKEN:
        raise TelegramSendError("Telegram не настроен (нет TELEGRAM_BOT_TOKEN)")
    base = settings.TELEGRAM_API_BASE.rstrip("/")
    if not base.startswith(("http://", "https://")):
        raise TelegramSendError("TELEGRAM_API_BASE должен начинаться с http:// или https://")
    url = f"{base}/bot{settings.TELEGRAM_BOT_TOKEN}/sendMessage"
    body = json.dumps({"chat_id": chat_id, "text": text[:4096]}).encode()
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - configured Bot API URL
            payload = json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        # The Bot API explains refusals in a JSON body: 403 blocked by the user, 429 flood control.
        try:
            payload = json.loads(exc.read() or b"{}")
        except ValueError:
            payload = {}
        raise TelegramSendError(
            f"Bot API: {payload.get('description') or exc.reason}",
            status=exc.code,
            retry_after=(payload.get("parameters") or {}).get("retry_after"),
        ) from exc
    except (OSError, ValueError) as exc:
        raise TelegramSendError(f"Bot API недоступен: {exc}") from exc
    if not payload.get("ok"):
        raise TelegramSendError(f"Bot API: {payload.get('description', 'ошибка')}")
