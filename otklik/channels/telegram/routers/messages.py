"""Typed text, files for an appeal (photos, videos, documents, voice messages and audio), a shared location
(the place of the problem), and everything else."""

import io

from aiogram import Bot, F, Router
from aiogram.types import Message

from otklik.channels.telegram.conversation import converse, send_replies
from otklik.dialogue.core import FILE_TOO_BIG, MAX_FILE_BYTES, Incoming, Reply


async def on_text(message: Message, bot: Bot) -> None:
    await converse(bot, message.chat.id, message.from_user, Incoming("text", message.text))


async def on_file(message: Message, bot: Bot) -> None:
    if message.document:
        item, name = message.document, message.document.file_name or "document"
    elif message.voice:
        item, name = message.voice, f"голосовое-{message.date:%Y%m%d-%H%M}.ogg"
    elif message.audio:
        item, name = message.audio, message.audio.file_name or "audio"
    elif message.video:
        item, name = message.video, message.video.file_name or f"видео-{message.date:%Y%m%d-%H%M}.mp4"
    elif message.video_note:  # a round «кружок»
        item, name = message.video_note, f"видеосообщение-{message.date:%Y%m%d-%H%M}.mp4"
    else:
        item, name = message.photo[-1], "photo.jpg"  # the largest size Telegram made
    # Checked before downloading: the size Telegram reports is enough to refuse.
    if (item.file_size or 0) > MAX_FILE_BYTES:
        await send_replies(bot, message.chat.id, [Reply(FILE_TOO_BIG)])
        return
    buffer = await bot.download(item, destination=io.BytesIO())
    data = buffer.getvalue()
    incoming = Incoming("file", message.caption or "", file_name=name, file_bytes=data)
    await converse(bot, message.chat.id, message.from_user, incoming)


async def on_location(message: Message, bot: Bot) -> None:
    """«Геопозиция»: a point once (a live location's later updates are edits, not new messages)."""
    point = f"{message.location.latitude},{message.location.longitude}"
    # A place picked from Telegram's list (a venue) comes with its name and address.
    venue = message.venue
    place = ", ".join(p for p in (venue.title, venue.address) if p) if venue else ""
    await converse(bot, message.chat.id, message.from_user, Incoming("location", point, place=place))


async def on_other(message: Message, bot: Bot) -> None:
    """Stickers, contacts, polls…: a hint to write in words."""
    await converse(bot, message.chat.id, message.from_user, Incoming("unsupported"))


def router() -> Router:
    r = Router(name="messages")
    r.message.register(on_text, F.text, F.from_user)
    r.message.register(
        on_file, F.document | F.photo | F.voice | F.audio | F.video | F.video_note, F.from_user
    )
    r.message.register(on_location, F.location, F.from_user)
    r.message.register(on_other, F.from_user)
    return r
