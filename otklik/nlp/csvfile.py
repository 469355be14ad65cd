"""Reading the CSV files the evaluation commands are given, as spreadsheets really save them.

Excel on a Russian Windows saves «CSV» in Windows-1251 with «;» between cells, «Unicode text» in
UTF-16 with tabs; other tools write UTF-8 with or without a BOM and «,». Answers span several lines
inside quotes, and texts copied from web pages carry U+2028 line separators: the file is parsed as
one stream (never split into lines first), so a cell keeps its line breaks and a row stays a row.
"""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

__all__ = ["CsvFileError", "read_csv"]

# A cell of the evaluation files may hold a whole answer or appeal; the csv module's default limit
# is 128 KB per cell.
MAX_CELL = 10_000_000
DELIMITERS = (",", ";", "\t")


class CsvFileError(Exception):
    """The file cannot be read as a table; the message says which and why, in Russian."""


def decode(content: bytes) -> str:
    """UTF-16 with a BOM, UTF-8 (with or without a BOM), else Windows-1251."""
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return content.decode("utf-16", errors="replace")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1251", errors="replace")


def read_csv(path) -> tuple[list[str], list[dict]]:
    """The header (names stripped) and the rows of a CSV file (blank lines skipped, as a spreadsheet
    does), whose delimiter is «,», «;» or a tab."""
    file = Path(path)
    if not file.is_file():
        raise CsvFileError(f"Файл {path} не найден.")
    text = decode(file.read_bytes()).replace("\x00", "")
    if not text.strip():
        raise CsvFileError(f"Файл {path} пуст.")
    # The header names the columns and holds no delimiter of its own: the most frequent of the three
    # there is the file's (a sniffer reading the data is misled by commas in answers).
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    delimiter = max(DELIMITERS, key=first.count) if any(d in first for d in DELIMITERS) else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    # The limit is the csv module's, for the whole process: raised for this file only.
    previous = csv.field_size_limit(MAX_CELL)
    try:
        header = [name.strip() for name in next(reader, [])]
        rows = [dict(zip(header, row, strict=False)) for row in reader if row]  # blank lines skipped
    except csv.Error as exc:
        shown = f"{MAX_CELL:_}".replace("_", " ")  # «10 000 000»
        raise CsvFileError(
            # The csv module's own reason is English: the citizen-facing part says what to check.
            f"Файл {path} не читается как CSV (строка {reader.line_num}): проверьте кавычки и разделители;"
            f" в одной ячейке — не больше {shown} символов."
        ) from exc
    finally:
        csv.field_size_limit(previous)
    return header, rows
