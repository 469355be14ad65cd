"""The one bridge from aiogram to the dialogue core: call `handle` off the event loop, send replies."""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import MaybeInaccessibleMessage, User
from asgiref.sync import sync_to_async
from django.db import close_old_connections, connections

from otklik.channels.telegram.keyboards import inline_keyboard, split_text
from otklik.dialogue.core import Incoming, Reply, handle
from otklik.kb.templatetags.kb_markdown import plain_text
from otklik.orgs.models import Region

log = logging.getLogger("otklik.telegram")

CHANNEL = "telegram"
NOT_CONFIGURED = "Сервис ещё не настроен. Попробуйте позже."


def _recycle_connections() -> None:
    """A long-running bot has no request cycle to drop stale connections: do it around each update
    (never inside a transaction, as when a test feeds updates within its own)."""
    if not any(c.in_atomic_block for c in connections.all(initialized_only=True)):
        close_old_connections()


def _handle(user_id: int, chat_id: int, incoming: Incoming, display_name: str) -> list[Reply]:
    _recycle_connections()
    try:
        if not Region.objects.exists():
            log.error("no region configured; the bot cannot answer")
            return [Reply(NOT_CONFIGURED)]
        # One bot for the installation: the conversation keeps the region its citizen picked
        # (with several regions, a new citizen picks one first: dialogue.region_chat).
        return handle(
            region=None,
            channel=CHANNEL,
            channel_user=str(user_id),
            incoming=incoming,
            display_name=display_name,
            # Surveys: one answer per chat. Only a keyed hash of this token is stored with a response.
            respondent_token=f"{CHANNEL}:{chat_id}",
        )
    finally:
        _recycle_connections()


async def _redraw(bot: Bot, pressed: MaybeInaccessibleMessage, reply: Reply) -> bool:
    """The new keyboard on the message whose button was pressed (its text stays); False when
    Telegram refuses to edit it (too old, deleted), and the reply is then sent anew."""
    try:
        await bot.edit_message_reply_markup(
            chat_id=pressed.chat.id,
            message_id=pressed.message_id,
            reply_markup=inline_keyboard(reply.buttons),
        )
    except TelegramBadRequest as exc:
        # Two quick taps can ask for the keyboard already shown: nothing to change.
        return "message is not modified" in str(exc)
    return True


async def send_replies(
    bot: Bot, chat_id: int, replies: list[Reply], pressed: MaybeInaccessibleMessage | None = None
) -> None:
    """Each reply as one or more messages; the keyboard goes with the last part. Plain text only:
    the texts are not HTML-escaped, so no parse mode. A reply that redraws the message with the
    `pressed` button edits that message's keyboard instead."""
    for reply in replies:
        if reply.redraw and pressed is not None and await _redraw(bot, pressed, reply):
            continue
        # An answer of the knowledge base is Markdown: sent as plain text, not with its asterisks.
        parts = split_text(plain_text(reply.text) if reply.markdown else reply.text)
        for n, part in enumerate(parts, 1):
            markup = inline_keyboard(reply.buttons) if n == len(parts) else None
            await bot.send_message(chat_id, part, reply_markup=markup, parse_mode=None)


async def converse(
    bot: Bot, chat_id: int, user: User, incoming: Incoming, pressed: MaybeInaccessibleMessage | None = None
) -> None:
    """One input of a citizen through the dialogue core, and its replies back to the chat;
    `pressed` is the message whose button was the input."""
    replies = await sync_to_async(_handle, thread_sensitive=True)(user.id, chat_id, incoming, user.full_name)
    await send_replies(bot, chat_id, replies, pressed)
