"""All the wiring of the Telegram bot: the Bot (which Bot API server), the Dispatcher (routers and
middlewares), and the pair the webhook view uses."""

from __future__ import annotations

import asyncio
import time
import weakref
from collections.abc import Callable

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import BotCommand
from asgiref.sync import sync_to_async
from django.conf import settings

from otklik.channels.telegram.middlewares import ErrorMiddleware, ThrottlingMiddleware
from otklik.channels.telegram.routers import build_routers

# The updates the routers handle; Telegram sends only these.
ALLOWED_UPDATES = ["message", "callback_query"]


class NotConfigured(RuntimeError):
    pass


def create_bot(*, token: str | None = None, session: BaseSession | None = None) -> Bot:
    """A Bot talking to TELEGRAM_API_BASE (a local Bot API server or a test fake) or the public API."""
    token = token or settings.TELEGRAM_BOT_TOKEN
    if not token:
        raise NotConfigured("Не задан TELEGRAM_BOT_TOKEN: Telegram-бот выключен.")
    if session is None:
        base = settings.TELEGRAM_API_BASE.rstrip("/")
        session = AiohttpSession(api=TelegramAPIServer.from_base(base)) if base else AiohttpSession()
    return Bot(token=token, session=session)


def create_dispatcher(
    *, throttle_limit: int = 20, throttle_window: float = 10.0, clock: Callable[[], float] = time.monotonic
) -> Dispatcher:
    dp = Dispatcher()
    # Outer update middlewares run after aiogram's own user-context one (it finds the chat and the
    # user); the error handler wraps the flood guard so even that cannot stop the bot.
    dp.update.outer_middleware(ErrorMiddleware())
    dp.update.outer_middleware(
        ThrottlingMiddleware(limit=throttle_limit, window=throttle_window, clock=clock)
    )
    dp.include_routers(*build_routers())
    return dp


async def publish_commands(bot: Bot) -> list[BotCommand]:
    """List the dialogue's commands in Telegram's «Меню» button (setMyCommands), so a citizen finds
    /region and /help without reading the help text. Called when the bot starts polling or its
    webhook is registered: the list depends on how many regions the installation serves."""
    from otklik.dialogue.core import commands

    listed = [BotCommand(command=name, description=text) for name, text in await sync_to_async(commands)()]
    await bot.set_my_commands(listed)
    return listed


_dispatcher: Dispatcher | None = None
# An aiohttp session belongs to the event loop it was made in: one Bot per loop.
_bots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Bot] = weakref.WeakKeyDictionary()


def webhook_pair() -> tuple[Bot, Dispatcher]:
    """The Bot and Dispatcher that serve webhook updates in this process (made on first use)."""
    global _dispatcher
    if _dispatcher is None:
        _dispatcher = create_dispatcher()
    loop = asyncio.get_running_loop()
    if loop not in _bots:
        _bots[loop] = create_bot()
    return _bots[loop], _dispatcher
