"""Markdown of knowledge-base answers rendered to safe HTML (the same text the bot sends)."""

import re

import markdown as md
import nh3
from django import template
from django.utils.safestring import mark_safe

register = template.Library()
ALLOWED = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "code", "blockquote", "h3", "h4"}


LIST_ITEM = re.compile(r"^ {0,3}([-*+]|\d{1,3}[.)])\s+")


def separate_lists(text: str) -> str:
    """Blank lines around lists, as editors write them: «Сроки:» and «- …» on the next line.

    Markdown needs a blank line before a list (otherwise the items stay in the paragraph) and
    after it (otherwise the next paragraph sticks to the last item)."""
    lines, previous = [], "blank"
    for line in (text or "").splitlines():
        if not line.strip():
            kind = "blank"
        elif LIST_ITEM.match(line):
            kind = "item"
        elif line[:1] in " \t" and previous in ("item", "more"):
            kind = "more"
        else:
            kind = "text"
        if (kind == "item" and previous == "text") or (kind == "text" and previous in ("item", "more")):
            lines.append("")
        lines.append(line)
        previous = kind
    return "\n".join(lines)


EMPHASIS = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1|(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^)\s]+)\)")
HEADING = re.compile(r"^ {0,3}#{1,6}\s+", re.MULTILINE)


@register.filter(name="markdown_plain")
def plain_text(text: str) -> str:
    """The answer for a channel or a letter that shows no formatting (Telegram, e-mail, an answer
    to an appeal): no asterisks or heading marks, links as «текст (адрес)», a paragraph's wrapped
    lines joined, each list item on its own line."""
    text = LINK.sub(
        lambda m: m.group(1) if m.group(1) == m.group(2) else f"{m.group(1)} ({m.group(2)})", text or ""
    )
    text = HEADING.sub("", separate_lists(text))
    text = EMPHASIS.sub(lambda m: m.group(2) or m.group(3), text)
    blocks = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = []
        for line in block.splitlines():
            if lines and not LIST_ITEM.match(line):
                lines[-1] += " " + line.strip()
            else:
                lines.append(line.strip())
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


@register.filter
def render_markdown(text: str) -> str:
    html = md.markdown(separate_lists(text), extensions=["sane_lists"])
    clean = nh3.clean(
        html, tags=ALLOWED, attributes={"a": {"href", "title"}}, link_rel="noopener noreferrer nofollow"
    )
    return mark_safe(clean)  # noqa: S308 - sanitised by nh3 with a small allow-list
