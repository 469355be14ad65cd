"""Routers of the bot, made fresh per dispatcher (an aiogram router can have only one parent)."""

from aiogram import F, Router
from aiogram.enums import ChatType

from otklik.channels.telegram.routers import callbacks, commands, messages


def build_routers() -> list[Router]:
    routers = [commands.router(), callbacks.router(), messages.router()]
    for router in routers:
        # Citizens talk to the bot in private: in a group their personal data would be on show.
        router.message.filter(F.chat.type == ChatType.PRIVATE)
        router.callback_query.filter(F.message.chat.type == ChatType.PRIVATE)
    return routers
