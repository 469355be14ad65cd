"""Russian-aware LIKE for the embedded SQLite database.

SQLite folds case only for ASCII letters, so `icontains` would not find «Госуслугах» by «госуслугах».
Replacing SQLite's like() with a Python version that folds Unicode case (and «ё» to «е») makes
searches behave as they do on PostgreSQL. Only SQLite connections are touched.
"""

import re
from functools import lru_cache


@lru_cache(maxsize=512)
def _compile(pattern: str, escape: str | None) -> re.Pattern:
    out, i = [], 0
    while i < len(pattern):
        ch = pattern[i]
        if escape and ch == escape and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append(".*" if ch == "%" else "." if ch == "_" else re.escape(ch))
        i += 1
    return re.compile("".join(out), re.DOTALL)


def _fold(text: str) -> str:
    return text.casefold().replace("ё", "е")


def like(pattern, value, escape=None):
    if pattern is None or value is None:
        return None
    return _compile(_fold(str(pattern)), escape).fullmatch(_fold(str(value))) is not None


def install(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function("like", 2, like, deterministic=True)
        connection.connection.create_function("like", 3, like, deterministic=True)
