"""The rate limiter itself: rules from the environment, counters in the database cache, windows,
addresses, and what a refused client is told."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import RequestFactory

from otklik.lib import ratelimit
from otklik.lib.env import env_rate

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "rule"),
    [
        ("30/1m", (30, 60)),
        ("10/1h", (10, 3600)),
        ("20/15m", (20, 900)),
        ("120/60", (120, 60)),
        ("5/2d", (5, 172800)),
    ],
)
def test_a_rule_is_count_per_window(monkeypatch, raw, rule):
    monkeypatch.setenv("OTKLIK_RATE_X", raw)
    assert env_rate("OTKLIK_RATE_X", "1/1s") == rule


@pytest.mark.parametrize("raw", ["0", "off", "OFF"])
def test_zero_or_off_switches_one_rule_off(monkeypatch, raw):
    monkeypatch.setenv("OTKLIK_RATE_X", raw)
    assert env_rate("OTKLIK_RATE_X", "1/1s") == (0, 0)


def test_an_unset_rule_takes_its_default(monkeypatch):
    monkeypatch.delenv("OTKLIK_RATE_X", raising=False)
    assert env_rate("OTKLIK_RATE_X", "10/1h") == (10, 3600)


@pytest.mark.parametrize("raw", ["ten/1h", "10", "10/", "10/0", "10/1y", "-1/1h", "10/1.5h"])
def test_a_mistyped_rule_stops_start_up_with_its_name(monkeypatch, raw):
    monkeypatch.setenv("OTKLIK_RATE_X", raw)
    with pytest.raises(ValueError, match="OTKLIK_RATE_X"):
        env_rate("OTKLIK_RATE_X", "1/1s")


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (1, "через 1 секунду"),
        (3, "через 3 секунды"),
        (45, "через 45 секунд"),
        (60, "через 1 минуту"),
        (61, "через 2 минуты"),
        (300, "через 5 минут"),
        (21 * 60, "через 21 минуту"),
        (3600, "через 60 минут"),
        (3 * 3600, "через 3 часа"),
        (24 * 3600, "через 24 часа"),
        (25 * 3600, "через 25 часов"),
    ],
)
def test_the_wait_is_said_in_russian(seconds, text):
    assert ratelimit.wait_text(seconds) == text


@pytest.mark.parametrize(
    ("remote", "address"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:bbbb::9", "2001:db8:1:2::/64"),  # one household's /64 is one client
        ("::ffff:203.0.113.7", "203.0.113.7"),
        ("", ""),
    ],
)
def test_the_client_address_is_the_servers_remote_addr(remote, address):
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR="198.51.100.1")
    # A client cannot choose its address by a header: the ASGI server resolves trusted proxies.
    assert ratelimit.client_address(request) == address


@pytest.fixture
def rules(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "faq": (3, 60), "appeal": (0, 0)}
    return settings


def test_uses_pass_up_to_the_limit_then_are_refused_until_the_window_ends(db, rules):
    with time_machine.travel(NOW, tick=False) as clock:
        assert [ratelimit.hit(("faq", "203.0.113.7")) for _ in range(3)] == [None, None, None]
        clock.shift(20)
        refusal = ratelimit.hit(("faq", "203.0.113.7"))
        assert refusal == ratelimit.Refusal("faq", 40)
        assert refusal.message == "Слишком много вопросов с этого адреса. Попробуйте ещё раз через 40 секунд."
        assert ratelimit.hit(("faq", "198.51.100.1")) is None  # another address has its own counter
        clock.shift(39)
        assert ratelimit.hit(("faq", "203.0.113.7")) == ratelimit.Refusal("faq", 1)
        clock.shift(1)  # the window of the first use has ended: three more pass
        assert [ratelimit.hit(("faq", "203.0.113.7")) for _ in range(3)] == [None, None, None]
        assert ratelimit.hit(("faq", "203.0.113.7")) is not None


def test_a_refused_use_is_not_counted_so_hammering_does_not_lengthen_the_wait(db, rules):
    with time_machine.travel(NOW, tick=False) as clock:
        for _ in range(3):
            ratelimit.hit(("faq", "203.0.113.7"))
        for _ in range(50):
            clock.shift(1)
            assert ratelimit.hit(("faq", "203.0.113.7")) is not None
        clock.shift(10)
        assert ratelimit.hit(("faq", "203.0.113.7")) is None


def test_a_refusal_by_one_counter_counts_on_none(db, rules):
    rules.RATE_LIMITS = {**rules.RATE_LIMITS, "chat": (1, 60), "chat_session": (5, 60)}
    with time_machine.travel(NOW, tick=False):
        assert ratelimit.hit(("chat", "203.0.113.7"), ("chat_session", "c1")) is None
        assert ratelimit.hit(("chat", "203.0.113.7"), ("chat_session", "c1")).rule == "chat"
        # The refused use did not count for the conversation: four more fit from other addresses.
        for n in range(4):
            assert ratelimit.hit(("chat", f"198.51.100.{n}"), ("chat_session", "c1")) is None
        assert ratelimit.hit(("chat", "198.51.100.9"), ("chat_session", "c1")).rule == "chat_session"


def test_blocked_asks_without_counting_and_failed_counts(db, rules):
    rules.RATE_LIMITS = {**rules.RATE_LIMITS, "status_number": (2, 1800), "status_address": (5, 900)}
    counters = ratelimit.secret_counters(number="TO-2026-000001", address="203.0.113.7")
    with time_machine.travel(NOW, tick=False) as clock:
        for _ in range(10):
            assert ratelimit.blocked(*counters) is None
        ratelimit.failed(*counters)
        ratelimit.failed(*counters)
        refusal = ratelimit.blocked(*counters)
        assert (refusal.rule, refusal.retry_after) == ("status_number", 1800)
        assert "даже с правильным кодом доступа" in refusal.message and "через 30 минут" in refusal.message
        clock.shift(1800)
        assert ratelimit.blocked(*counters) is None


def test_a_rule_that_is_off_and_the_switch_for_all(db, rules):
    for _ in range(20):
        assert ratelimit.hit(("appeal", "203.0.113.7")) is None  # OTKLIK_RATE_APPEAL=0
    rules.RATELIMIT_ENABLED = False
    for _ in range(20):
        assert ratelimit.hit(("faq", "203.0.113.7")) is None
    rules.RATELIMIT_ENABLED = True
    assert ratelimit.hit(("faq", "203.0.113.7")) is None  # nothing was counted while off


def test_the_cache_holds_a_keyed_hash_never_the_address(db, rules):
    ratelimit.hit(("faq", "203.0.113.7"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM otklik_cache")
        keys = [row[0] for row in cursor.fetchall()]
    assert len(keys) == 1 and "ratelimit:faq:" in keys[0] and "203.0.113" not in keys[0]


def test_a_counter_expires_in_the_cache_with_its_window(db, rules):
    with time_machine.travel(NOW, tick=False) as clock:
        ratelimit.hit(("faq", "203.0.113.7"))
        key = ratelimit._key("faq", "203.0.113.7")
        assert cache.get(key) is not None
        clock.shift(61)
        assert cache.get(key) is None  # gone from the database cache, not only ignored


def test_a_cache_that_fails_lets_requests_through_instead_of_breaking_the_site(
    db, rules, monkeypatch, caplog
):
    def broken(*args, **kwargs):
        raise RuntimeError("no table otklik_cache")

    monkeypatch.setattr(ratelimit.cache, "get", broken)
    monkeypatch.setattr(ratelimit.cache, "get_many", broken)
    monkeypatch.setattr(ratelimit.cache, "set", broken)
    for _ in range(5):
        assert ratelimit.hit(("faq", "203.0.113.7")) is None
    assert "rate limit counter unreadable" in caplog.text
