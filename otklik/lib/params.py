"""Reading untrusted values (query strings, form fields, chat buttons) as ids and dates.

Anything that is not a plausible value reads as absent, so hostile input never becomes a 500:
`str.isdigit` accepts «²» and «١», which `int` then refuses or which are no ids anyone typed, a
20-digit number does not fit a database integer, and `parse_date` raises on a well-formed but
impossible date such as 2026-13-45.
"""

from datetime import date, datetime

from django.utils.dateparse import parse_date, parse_datetime

# The largest value a 64-bit database integer (SQLite INTEGER, PostgreSQL bigint) holds.
MAX_ID = 2**63 - 1


def parse_id(value) -> int | None:
    """A non-negative integer written in ASCII digits that fits a database integer, else None."""
    text = str(value or "").strip()
    if not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if number <= MAX_ID else None


def parse_day(value) -> date | None:
    """An ISO date (YYYY-MM-DD), else None, impossible dates included."""
    try:
        return parse_date(str(value or "").strip())
    except ValueError:  # well-formed but impossible, like a 13th month
        return None


def parse_moment(value) -> datetime | None:
    """An ISO 8601 date and time, else None, impossible dates included."""
    try:
        return parse_datetime(str(value or "").strip())
    except ValueError:
        return None


def too_long(value: str | None, limit: int, label: str) -> str:
    """The Russian refusal for a text over its limit, naming the limit; empty when it fits.

    Refuse, never cut: a browser form stops at its `maxlength`, but a direct POST, the API or an
    import would otherwise lose the end of the text without anyone knowing.
    """
    length = len(value or "")
    if length <= limit:
        return ""
    return f"{label} — не длиннее {limit} символов (сейчас {length})."
