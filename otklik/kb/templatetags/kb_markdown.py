"""Markdown of knowledge-base answers rendered to safe HTML (the same text the bot sends)."""

import markdown as md
import nh3
from django import template
from django.utils.safestring import mark_safe

register = template.Library()
ALLOWED = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "code", "blockquote", "h3", "h4"}


@register.filter
def render_markdown(text: str) -> str:
    html = md.markdown(text or "", extensions=["sane_lists"])
    clean = nh3.clean(
        html, tags=ALLOWED, attributes={"a": {"href", "title"}}, link_rel="noopener noreferrer nofollow"
    )
    return mark_safe(clean)  # noqa: S308 - sanitised by nh3 with a small allow-list
