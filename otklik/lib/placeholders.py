"""Placeholders in staff-written templates: `{name}` filled per recipient. One pattern and one
substitution for every template kind (public reply templates of topics, госпаблики posts and
pictures); each kind keeps its own closed set of names and its own Russian refusal."""

import re
from collections.abc import Iterable, Mapping

PATTERN = re.compile(r"\{([^{}]*)\}")


def unknown(text: str, allowed: Iterable[str]) -> list[str]:
    """Names in braces that `allowed` does not have, sorted, each once."""
    allowed = set(allowed)
    return sorted({name for name in PATTERN.findall(text or "") if name not in allowed})


def braces(names: Iterable[str]) -> str:
    """«{a}, {b}» for a Russian message."""
    return ", ".join("{" + name + "}" for name in names)


def fill(text: str, values: Mapping[str, str]) -> str:
    """`text` with every known placeholder replaced; other braces are kept as typed."""
    return PATTERN.sub(lambda m: values.get(m[1], m[0]), text)
