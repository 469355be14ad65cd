"""Small text helpers with no models."""

import re

_LINK = re.compile(r"\[([^\]\n]+)\]\((\S+?)\)")
_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1|(?<![\w*])\*(?!\s)([^*\n]+?)\*(?![\w*])")
_HEADING = re.compile(r"^#{1,6}\s+", re.MULTILINE)


def markdown_plain(text: str) -> str:
    """A knowledge-base answer (Markdown) as plain text for a letter or a message without markup:
    links become «text (address)», emphasis and heading marks are dropped, lists stay as typed."""
    text = _LINK.sub(
        lambda m: m.group(1) if m.group(1) == m.group(2) else f"{m.group(1)} ({m.group(2)})", text or ""
    )
    text = _EMPHASIS.sub(lambda m: m.group(2) if m.group(2) is not None else m.group(3), text)
    return _HEADING.sub("", text).strip()
