"""Short public-reply templates of topics: what an education body writes under a social-media post.

A public comment is not a formal letter: no appeal number, no addressee's name, no other personal
data. Only three placeholders exist — `{organization}`, `{topic}` and `{link}` (where to write a
formal appeal) — so a template cannot pull a citizen's data into a public place.
"""

import re

from django.core.exceptions import ValidationError

PLACEHOLDERS = ("organization", "topic", "link")
MAX_LENGTH = 1000
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
# Formal-letter phrases that must not appear in a public comment.
_FORMAL = re.compile(r"обращени\w*\s*(№|номер)", re.IGNORECASE)


def validate_reply_template(text: str) -> None:
    """Refuse unknown placeholders, formal-letter phrases and long texts, with Russian reasons."""
    problems = []
    unknown = sorted({name for name in _PLACEHOLDER.findall(text or "") if name not in PLACEHOLDERS})
    if unknown:
        allowed = ", ".join("{" + name + "}" for name in PLACEHOLDERS)
        problems.append(
            f"Неизвестные подстановки: {', '.join('{' + n + '}' for n in unknown)}. Допустимы только {allowed}: "
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
    values = {"organization": organization, "topic": topic, "link": link}
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template)
