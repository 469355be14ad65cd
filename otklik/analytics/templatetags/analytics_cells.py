from django import template

from otklik.analytics.reports import format_cell

register = template.Library()


@register.filter
def cell(value) -> str:
    """A table cell as the reports print it: shares as percentages, empty values as a dash."""
    return format_cell(value)
