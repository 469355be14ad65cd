"""Dialogue replies drawn as Telegram messages: inline keyboards and the 4096-character limit."""

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from otklik.dialogue.core import Button

MAX_TEXT = 4096  # Telegram refuses longer messages


def inline_keyboard(rows: list[list[Button]]) -> InlineKeyboardMarkup | None:
    """Rows of dialogue buttons as an inline keyboard; the action is the callback data (≤ 64 bytes)."""
    keyboard = [
        [InlineKeyboardButton(text=b.label, callback_data=b.action) for b in row if b.label and b.action]
        for row in rows
    ]
    keyboard = [row for row in keyboard if row]
    return InlineKeyboardMarkup(inline_keyboard=keyboard) if keyboard else None


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Cut a long text into messages of at most `limit` characters, preferring paragraph and line
    breaks, then spaces; never returns an empty list or an empty part."""
    text = text.strip() or "…"
    parts = []
    while len(text) > limit:
        cut = max(text.rfind("\n\n", 0, limit), text.rfind("\n", 0, limit), text.rfind(" ", 0, limit))
        if cut < limit // 2:
            cut = limit
        parts.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text:
        parts.append(text)
    return parts
