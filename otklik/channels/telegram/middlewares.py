"""Update middlewares: a per-user flood guard and a last-resort error handler."""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.types import TelegramObject

log = logging.getLogger("otklik.telegram")

TOO_MANY = "Слишком много сообщений, подождите немного."
APOLOGY = "Что-то пошло не так, попробуйте ещё раз."

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


async def _say(data: dict[str, Any], text: str) -> None:
    """Send a short notice to the chat of the update, if there is one; never raises."""
    bot: Bot | None = data.get("bot")
    chat = data.get("event_chat")
    if bot is None or chat is None:
        return
    try:
        await bot.send_message(chat.id, text)
    except Exception:  # noqa: BLE001 - the notice is a courtesy; the network may be what failed
        log.warning("could not send a notice", exc_info=True)


class ErrorMiddleware(BaseMiddleware):
    """Log any exception of a handler and apologise to the citizen, so one bad update never stops
    the bot nor leaves the person without an answer."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        try:
            return await handler(event, data)
        except Exception:
            log.exception("update failed", extra={"update_id": getattr(event, "update_id", None)})
            await _say(data, APOLOGY)
            return None


class ThrottlingMiddleware(BaseMiddleware):
    """More than `limit` updates from one person within `window` seconds: one polite notice, then
    the rest are dropped quietly until the window has room again."""

    def __init__(self, *, limit: int = 20, window: float = 10.0, clock: Callable[[], float] = time.monotonic):
        self.limit, self.window, self.clock = limit, window, clock
        self._seen: dict[int, deque[float]] = {}
        self._warned: set[int] = set()

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user = data.get("event_from_user")
        if user is None:
            return await handler(event, data)
        now = self.clock()
        seen = self._seen.setdefault(user.id, deque())
        while seen and seen[0] <= now - self.window:
            seen.popleft()
        if len(seen) >= self.limit:
            if user.id not in self._warned:
                self._warned.add(user.id)
                await _say(data, TOO_MANY)
            return None
        seen.append(now)
        self._warned.discard(user.id)
        if len(self._seen) > 10000:  # forget people who went quiet, so memory stays bounded
            self._forget(now)
        return await handler(event, data)

    def _forget(self, now: float) -> None:
        for user_id in [u for u, s in self._seen.items() if not s or s[-1] <= now - self.window]:
            del self._seen[user_id]
            self._warned.discard(user_id)
