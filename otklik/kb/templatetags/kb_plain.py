"""A knowledge-base answer as plain text, for inserting into an answer that is sent without markup."""

from django import template

from otklik.lib.text import markdown_plain as _markdown_plain

register = template.Library()


@register.filter
def markdown_plain(text: str) -> str:
    return _markdown_plain(text)
