"""Rate limits on the public entry points (no login): how often one client may write to the chat,
search the FAQ, send an appeal or a survey answer and call the REST API, and how many wrong secrets
may be tried on an appeal's status page.

A rule is (count, window in seconds) in `settings.RATE_LIMITS`, by name (env `OTKLIK_RATE_*`, see
docs/operations.md). A counter belongs to one rule and one value (the client's address, a chat, an
API token, an appeal number). Its window opens at its first use and lasts the rule's window; within
it `count` uses pass and the next is refused with the seconds left (HTTP 429 with `Retry-After`). A
refused use is not counted, so hammering does not make the wait longer; when the window ends the
counter starts again from nothing.

Counters live in Django's cache, the database cache of `settings.CACHES`, which every web process
shares (docs/architecture.md). A cache key is an HMAC (with SECRET_KEY) of the rule and the value:
the cache never holds an address, a token or a number. Reading and writing a counter are two steps,
not one atomic increment, so two processes answering the same client at the same instant may let one
or two uses past a limit; a rate limit can afford that, a lock per request could not.

`OTKLIK_RATELIMIT=0` switches every limit off (a trusted load test).
"""

import hashlib
import hmac
import ipaddress
import logging
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import JsonResponse
from django.shortcuts import render

log = logging.getLogger("otklik.ratelimit")

# What a refused client is told, by rule; {wait} is «через 5 минут» and the like.
MESSAGES = {
    "chat": "Слишком много сообщений подряд. Подождите и отправьте ещё раз {wait} — "
    "ваш текст остался в поле ввода.",
    "faq": "Слишком много вопросов с этого адреса. Попробуйте ещё раз {wait}.",
    "appeal": "Слишком много обращений с этого адреса, попробуйте {wait}. Текст обращения сохранён в "
    "форме; файл, если вы его прикладывали, приложите снова.",
    "mine": "Слишком много запросов ссылки на обращения с этого адреса. Попробуйте ещё раз {wait}.",
    "survey": "Слишком много ответов на опросы с этого адреса. Отправьте форму ещё раз {wait}: "
    "ваши ответы сохранены на странице.",
    "status": "Слишком много неверных попыток открыть обращение. Для защиты обращения страница "
    "временно недоступна, даже с правильным кодом доступа. Попробуйте {wait}.",
    "api": "Слишком много запросов. Повторите {wait} (заголовок Retry-After — через сколько секунд).",
}
# Rules that share a message: the chat's per-conversation counter, the API's per-address one, and
# the two counters of failed status lookups.
KIND = {
    "chat_session": "chat",
    "api_token": "api",
    "api_address": "api",
    "status_number": "status",
    "status_address": "status",
}


def _now() -> float:
    return time.time()


def _plural(n: int, one: str, few: str, many: str) -> str:
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def wait_text(seconds: int) -> str:
    """«через 40 секунд», «через 1 минуту», «через 15 минут», «через 3 часа»."""
    if seconds < 60:
        n = max(1, seconds)
        return f"через {n} {_plural(n, 'секунду', 'секунды', 'секунд')}"
    if seconds <= 2 * 3600:
        n = math.ceil(seconds / 60)
        return f"через {n} {_plural(n, 'минуту', 'минуты', 'минут')}"
    n = math.ceil(seconds / 3600)
    return f"через {n} {_plural(n, 'час', 'часа', 'часов')}"


@dataclass(frozen=True)
class Refusal:
    rule: str
    retry_after: int  # whole seconds until the refusing counter's window ends

    @property
    def message(self) -> str:
        return MESSAGES[KIND.get(self.rule, self.rule)].format(wait=wait_text(self.retry_after))


# --- who asks --------------------------------------------------------------------------------------


def client_address(request) -> str:
    """The client's address as the web server gives it (`REMOTE_ADDR`, as the staff login's
    throttling reads it). Behind a reverse proxy the ASGI server puts the client's own address there
    from `X-Forwarded-For`, for the proxies it trusts (uvicorn: `--forwarded-allow-ips`, by default
    127.0.0.1 and ::1); Django never reads that header itself, so a client cannot pick its address
    by sending one. An IPv6 address counts by its /64 network, which one household or phone holds
    whole."""
    raw = request.META.get("REMOTE_ADDR") or ""
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return raw[:100]
    if address.version == 6:
        if address.ipv4_mapped:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def staff_exempt(request) -> bool:
    """Logged-in staff are not limited on the citizens' pages they test (often many people behind
    one office address). Only staff log in to Otklik; the secret guard of the status page
    (`blocked`, `failed`) applies to them all the same."""
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


def secret_counters(*, number: str, address: str) -> tuple[tuple[str, str], tuple[str, str]]:
    """The counters of wrong secrets tried on an appeal (status page, its files, the API): per
    appeal number, whoever tries, and per address, whatever number it tries."""
    return ("status_number", number[:40]), ("status_address", address)


# --- counters --------------------------------------------------------------------------------------


def _rule(name: str) -> tuple[int, int] | None:
    count, window = settings.RATE_LIMITS[name]
    return (count, window) if count > 0 and window > 0 else None


def _key(name: str, value: str) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), f"{name}\n{value}".encode(), hashlib.sha256)
    return f"ratelimit:{name}:{digest.hexdigest()[:40]}"


def _window(value, window: int, now: float) -> tuple[float, int]:
    """(start of the counter's window, uses in it) from a stored counter; a fresh window when none
    is open."""
    if isinstance(value, (list, tuple)) and len(value) == 2:
        start, used = value
        if isinstance(start, (int, float)) and isinstance(used, int) and now - window < start <= now:
            return float(start), used
    return now, 0


def _open(counters) -> list[tuple[str, str, int, int, float, int]]:
    """(rule, key, count, window, start, used) of each counter whose rule is on and value given.

    All counters are read in one cache call (one query on the database cache). A cache that cannot
    be read opens fresh windows: a limit that fails lets the request through rather than break the site."""
    if not settings.RATELIMIT_ENABLED:
        return []
    now = _now()
    wanted = []
    for name, value in counters:
        rule = _rule(name)
        if rule is not None and value:
            wanted.append((name, _key(name, value), *rule))
    try:
        stored = cache.get_many([key for _, key, _, _ in wanted]) if wanted else {}
    except Exception:
        log.exception("rate limit counter unreadable")
        stored = {}
    return [
        (name, key, count, window, *_window(stored.get(key), window, now))
        for name, key, count, window in wanted
    ]


def _refusal(states) -> Refusal | None:
    now = _now()
    full = [
        (math.ceil(start + window - now), name)
        for name, _, count, window, start, used in states
        if used >= count
    ]
    if not full:
        return None
    retry_after, name = max(full)
    log.warning("rate limit", extra={"rule": name, "retry_after": retry_after})
    return Refusal(name, max(1, retry_after))


def _count(states) -> None:
    now = _now()
    for _, key, _, window, start, used in states:
        try:
            cache.set(key, (start, used + 1), timeout=max(1, math.ceil(start + window - now)))
        except Exception:
            log.exception("rate limit counter not saved")


def hit(*counters: tuple[str, str]) -> Refusal | None:
    """Count one use on each (rule, value) counter, e.g. `("chat", address), ("chat_session", chat)`.
    When any of them is at its limit nothing is counted and the refusal says how long to wait (the
    longest of the full ones)."""
    states = _open(counters)
    refusal = _refusal(states)
    if refusal is None:
        _count(states)
    return refusal


def blocked(*counters: tuple[str, str]) -> Refusal | None:
    """The refusal when any counter is at its limit, counting nothing: a guard asked before an
    attempt whose failures `failed` counts (the status page's secret)."""
    return _refusal(_open(counters))


def failed(*counters: tuple[str, str]) -> None:
    """Count one failed attempt on each counter."""
    _count(_open(counters))


# --- answers ---------------------------------------------------------------------------------------


def with_retry_after(response, refusal: Refusal):
    """The response as a 429 with `Retry-After`."""
    response.status_code = 429
    response["Retry-After"] = str(refusal.retry_after)
    return response


def refuse(request, refusal: Refusal, message: str = ""):
    """HTTP 429 in the form the client reads: JSON `{"error": …}` under /api/, a fragment for htmx,
    a page otherwise. Views that can keep what the citizen typed render their own form instead and
    pass it to `with_retry_after`."""
    message = message or refusal.message
    if request.path_info.startswith("/api/"):
        response = JsonResponse({"error": message}, json_dumps_params={"ensure_ascii": False})
    elif request.headers.get("HX-Request"):
        response = render(request, "core/_too_many.html", {"message": message})
    else:
        response = render(request, "core/too_many.html", {"message": message})
    return with_retry_after(response, refusal)
