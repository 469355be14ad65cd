"""Typed helpers for reading configuration from the environment."""

import os


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on", "да"}


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be an integer, got {raw!r}") from exc


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_days(name: str, default: int) -> int | None:
    """A retention period in days: unset → `default`; empty or 0 → None (the class is kept forever).
    An explicit empty value switches a class off, so an operator can disable it without a number."""
    raw = os.environ.get(name)
    if raw is None:
        return default or None
    raw = raw.strip()
    if not raw:
        return None
    try:
        days = int(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be a number of days, got {raw!r}") from exc
    if days < 0:
        raise ValueError(f"{name} must not be negative, got {days}")
    return days or None


_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def env_rate(name: str, default: str) -> tuple[int, int]:
    """A rate limit as (count, window in seconds) from `COUNT/WINDOW`, the window a number of seconds
    or of minutes, hours, days with a suffix: `30/1m`, `10/1h`, `20/15m`, `120/60`. `0` or `off` is
    (0, 0): that limit is off."""
    raw = os.environ.get(name, "").strip().lower() or default
    if raw in {"0", "off"}:
        return 0, 0
    count, _, window = raw.partition("/")
    unit = _UNITS.get(window[-1:], 0)
    number = window[:-1] if unit else window
    try:
        parsed = int(count), int(number) * (unit or 1)
    except ValueError:
        parsed = (-1, -1)
    if parsed[0] < 0 or parsed[1] <= 0:
        raise ValueError(f"{name} must be COUNT/WINDOW such as 30/1m or 10/1h (or 0 for off), got {raw!r}")
    return parsed
