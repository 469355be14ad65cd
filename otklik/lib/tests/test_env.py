"""`env_days`: retention periods from the environment, where an empty value switches a class off."""

import pytest

from otklik.lib.env import env_days


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(None, 1827), ("", None), ("  ", None), ("0", None), ("30", 30), (" 365 ", 365)],
)
def test_env_days(monkeypatch, raw, expected):
    if raw is None:
        monkeypatch.delenv("OTKLIK_TEST_DAYS", raising=False)
    else:
        monkeypatch.setenv("OTKLIK_TEST_DAYS", raw)
    assert env_days("OTKLIK_TEST_DAYS", 1827) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [("пять лет", "must be a number of days, got 'пять лет'"), ("-1", "must not be negative, got -1")],
)
def test_env_days_refuses_what_is_not_a_period(monkeypatch, raw, message):
    monkeypatch.setenv("OTKLIK_TEST_DAYS", raw)
    with pytest.raises(ValueError, match=message):
        env_days("OTKLIK_TEST_DAYS", 1827)
