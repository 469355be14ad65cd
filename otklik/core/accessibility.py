"""The version of the site for people with low vision («версия для слабовидящих»).

Russian public bodies' sites offer it after ГОСТ Р 52872-2019: larger type, a high-contrast colour
scheme (black on white, white on black, dark blue on light blue), images hidden, wider letter
spacing. The choice lives in one cookie so that it needs no account and works on every page,
the staff workspace included; the page's <html> element carries one class per setting and the
style sheet does the rest (no JavaScript).
"""

from __future__ import annotations

COOKIE = "otklik_a11y"
MAX_AGE_S = 365 * 24 * 3600

# setting → (value → label); the first value of each is the ordinary site.
OPTIONS: dict[str, dict[str, str]] = {
    "size": {"normal": "обычный", "large": "крупный", "larger": "очень крупный"},
    "scheme": {
        "default": "обычные цвета",
        "bw": "чёрным по белому",
        "wb": "белым по чёрному",
        "blue": "тёмно-синим по голубому",
    },
    "images": {"on": "показывать", "off": "не показывать"},
    "spacing": {"normal": "обычный", "wide": "увеличенный"},
}
LABELS = {
    "size": "Размер шрифта",
    "scheme": "Цветовая схема",
    "images": "Изображения",
    "spacing": "Интервал между буквами",
}
ORDINARY = {name: next(iter(values)) for name, values in OPTIONS.items()}
# The settings a citizen gets from the one-click «Версия для слабовидящих» link.
LOW_VISION = {"size": "large", "scheme": "bw", "images": "on", "spacing": "normal"}


def parse(raw: str | None) -> dict[str, str]:
    """Settings from the cookie; anything unknown or malformed falls back to the ordinary site."""
    chosen = dict(ORDINARY)
    for part in (raw or "")[:200].split("."):
        name, _, value = part.partition("-")
        if name in OPTIONS and value in OPTIONS[name]:
            chosen[name] = value
    return chosen


def encode(chosen: dict[str, str]) -> str:
    return ".".join(f"{name}-{chosen[name]}" for name in OPTIONS)


def is_on(chosen: dict[str, str]) -> bool:
    return chosen != ORDINARY


def html_classes(chosen: dict[str, str]) -> str:
    """Classes of <html>: `a11y` when anything differs from the ordinary site, then one per setting."""
    if not is_on(chosen):
        return ""
    return " ".join(["a11y", *(f"a11y-{name}-{value}" for name, value in chosen.items())])
