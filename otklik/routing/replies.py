"""Short public-reply templates of topics: what an education body writes under a social-media post.

A public comment is not a formal letter: no appeal number, no addressee's name, no other personal
data. Only three placeholders exist — `{organization}`, `{topic}` and `{link}` (where to write a
formal appeal) — so a template cannot pull a citizen's data into a public place.
"""

import re

from django.core.exceptions import ValidationError

from otklik.lib import placeholders

PLACEHOLDERS = ("organization", "topic", "link")
MAX_LENGTH = 1000
# Formal-letter phrases that must not appear in a public comment.
_FORMAL = re.compile(r"обращени\w*\s*(№|номер)", re.IGNORECASE)


def validate_reply_template(text: str) -> None:
    """Refuse unknown placeholders, formal-letter phrases and long texts, with Russian reasons."""
    problems = []
    unknown = placeholders.unknown(text, PLACEHOLDERS)
    if unknown:
        problems.append(
            f"Неизвестные подстановки: {placeholders.braces(unknown)}. "
            f"Допустимы только {placeholders.braces(PLACEHOLDERS)}: "
            "публичный ответ не содержит имени, номера обращения и других персональных данных."
        )
    if _FORMAL.search(text or ""):
        problems.append("Публичный комментарий — не официальное письмо: уберите «обращение №».")
    if len(text or "") > MAX_LENGTH:
        problems.append(f"Шаблон длиннее {MAX_LENGTH} символов: публичный ответ должен быть коротким.")
    if problems:
        raise ValidationError(problems)


def reply_fill(template: str, *, organization: str, topic: str, link: str) -> str:
    """The template with its three placeholders filled; other braces are kept as typed."""
    return placeholders.fill(template, {"organization": organization, "topic": topic, "link": link})
