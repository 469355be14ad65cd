"""The Cyrillic system font shared by the PDF reports and the pictures of госпаблики posts.

Debian's `fonts-dejavu-core` is the one system package the project needs for them; Liberation is an
acceptable fallback for the regular face."""

from pathlib import Path

_DIRS = [Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu")]
FONT_PATHS = [d / "DejaVuSans.ttf" for d in _DIRS] + [
    Path("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf")
]
BOLD_FONT_PATHS = [d / "DejaVuSans-Bold.ttf" for d in _DIRS] + [
    Path("/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf")
]


class FontMissing(RuntimeError):
    """No Cyrillic font on this machine; the message says which package to install."""


def font_path(*, purpose: str, bold: bool = False) -> Path:
    """The first installed Cyrillic font (the bold face if asked and present, else the regular one).
    `purpose` names what needs it in the Russian refusal («PDF», «картинок»)."""
    for path in (BOLD_FONT_PATHS if bold else []) + FONT_PATHS:
        if path.exists():
            return path
    raise FontMissing(f"Для {purpose} нужен шрифт с кириллицей: установите пакет fonts-dejavu-core.")
