"""Pressed inline buttons: the callback data is the dialogue action."""

from aiogram import Bot, F, Router
from aiogram.types import CallbackQuery

from otklik.channels.telegram.conversation import converse
from otklik.dialogue.core import Incoming


async def on_button(query: CallbackQuery, bot: Bot) -> None:
    await query.answer()  # stops the spinner on the button right away
    incoming = Incoming("button", query.data[:64])
    await converse(bot, query.message.chat.id, query.from_user, incoming, pressed=query.message)


async def on_stale_button(query: CallbackQuery) -> None:
    # A button on a message too old for Telegram to show us (or without data): nothing to do.
    await query.answer("Эта кнопка больше не работает. Отправьте /menu.")


def router() -> Router:
    r = Router(name="callbacks")
    r.callback_query.register(on_button, F.data, F.message.chat)
    r.callback_query.register(on_stale_button)
    return r
