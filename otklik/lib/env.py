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
