"""Untrusted ids and dates read as absent instead of raising."""

from datetime import date

import pytest

from otklik.lib.params import MAX_ID, parse_day, parse_id, parse_moment


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("42", 42), (" 7 ", 7), ("0", 0), (str(MAX_ID), MAX_ID), (42, 42)],
)
def test_plain_ids_are_read(raw, expected):
    assert parse_id(raw) == expected


@pytest.mark.parametrize("raw", [None, "", "abc", "-1", "1.5", "²", "١٢", "1:2", "\x00", str(MAX_ID + 1)])
def test_anything_else_is_no_id(raw):
    assert parse_id(raw) is None


def test_impossible_dates_are_no_dates():
    assert parse_day("2026-03-02") == date(2026, 3, 2)
    assert parse_day("2026-13-45") is None and parse_day("2026-02-30") is None and parse_day(None) is None
    assert parse_moment("2026-03-02T10:00:00+03:00").isoformat() == "2026-03-02T10:00:00+03:00"
    assert parse_moment("2026-13-45T10:00:00+03:00") is None and parse_moment("завтра") is None
