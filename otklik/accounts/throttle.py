"""Login throttling: too many failed attempts for one login or one address lock both for a while."""

import hashlib

from django.conf import settings
from django.core.cache import cache


def _key(kind: str, value: str) -> str:
    return "login-fail:" + kind + ":" + hashlib.sha256(value.lower().encode()).hexdigest()[:32]


def login_blocked(*, username: str, address: str) -> bool:
    limit = settings.LOGIN_THROTTLE_ATTEMPTS
    return any((cache.get(_key(k, v)) or 0) >= limit for k, v in (("u", username), ("a", address)) if v)


def login_failed(*, username: str, address: str) -> None:
    for kind, value in (("u", username), ("a", address)):
        if not value:
            continue
        key = _key(kind, value)
        # Not `cache.incr`: on the database cache it saves the key again with the default timeout
        # (300 s), so a 15-minute lock ended after 5. Each failure keeps the lock for the whole window.
        cache.set(key, (cache.get(key) or 0) + 1, settings.LOGIN_THROTTLE_WINDOW_S)


def login_succeeded(*, username: str) -> None:
    cache.delete(_key("u", username))


def reset_mail_allowed(*, email: str) -> bool:
    """At most one password letter per address within the window: the form cannot be used to flood
    a mailbox."""
    return cache.add(_key("reset", email), 1, settings.PASSWORD_RESET_MAIL_INTERVAL_S)
