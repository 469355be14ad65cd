"""Markdown of knowledge-base answers rendered to safe HTML (the same text the bot sends)."""

import re

import markdown as md
import nh3
from django import template
from django.utils.safestring import mark_safe

register = template.Library()
ALLOWED = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "code", "blockquote", "h3", "h4"}
LIST_ITEM = re.compile(r"(?:[-*+]|\d{1,3}[.)])\s")


def separate_lists(text: str) -> str:
    """Editors start a list right under its first line and go on right after it, as one writes in
    Telegram; Python-Markdown wants a blank line around a list, or it shows «- » inside the text."""
    out: list[str] = []
    in_list = False
    for line in text.splitlines():
        item = LIST_ITEM.match(line) is not None
        if not line.strip():
            in_list = False
        elif item and not in_list and out and out[-1].strip():
            out.append("")
        elif not item and in_list and not line[:1].isspace():
            out.append("")
            in_list = False
        in_list = in_list or item
        out.append(line)
    return "\n".join(out)


@register.filter
def render_markdown(text: str) -> str:
    html = md.markdown(separate_lists(text or ""), extensions=["sane_lists"])
    clean = nh3.clean(
        html, tags=ALLOWED, attributes={"a": {"href", "title"}}, link_rel="noopener noreferrer nofollow"
    )
    return mark_safe(clean)  # noqa: S308 - sanitised by nh3 with a small allow-list
