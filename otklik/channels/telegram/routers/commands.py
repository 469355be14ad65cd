"""/start, /help, /menu, /cancel (and any other command, which the dialogue core explains)."""

from aiogram import Bot, F, Router
from aiogram.types import Message

from otklik.channels.telegram.conversation import converse
from otklik.dialogue.core import Incoming


async def on_command(message: Message, bot: Bot) -> None:
    await converse(bot, message.chat.id, message.from_user, Incoming("command", message.text[:100]))


def router() -> Router:
    r = Router(name="commands")
    r.message.register(on_command, F.text.startswith("/"), F.from_user)
    return r
