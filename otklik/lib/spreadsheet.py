"""Exported cells that a spreadsheet program would run as a formula are written as text.

A citizen's survey answer or an article that starts with «=», «+», «-» or «@» (=HYPERLINK(…),
=cmd|…) would become a live formula when staff open the export in Excel or LibreOffice (CSV
injection). CSV cells get an apostrophe in front, which spreadsheets read as «this is text»;
XLSX cells are typed as text. Numbers written as text («-12,5%») stay as they are.
"""

import contextlib
import csv
import io
import re

from otklik.nlp import csvfile

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?\d[\d\s.,]*%?")


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def is_formula_like(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START) and not _NUMBER.fullmatch(value)


def csv_cell(value):
    """A value for a CSV cell: formula-like texts behind an apostrophe, anything else unchanged."""
    return "'" + value if is_formula_like(value) else value


def csv_cell_read(value):
    """The text of a cell that `csv_cell` wrote (our own export imported back)."""
    if isinstance(value, str) and value.startswith("'") and is_formula_like(value[1:]):
        return value[1:]
    return value


def xlsx_append(sheet, values) -> None:
    """`sheet.append(values)`, with texts stored as texts: openpyxl takes «=…» for a formula."""
    sheet.append(values)
    for cell in sheet[sheet.max_row]:
        if cell.data_type == "f":
            cell.data_type = "s"


# An import whose file has a header and no data: said as such, never reported as «0 imported».
NO_ROWS = "В файле нет ни одной строки с данными (только заголовок): ничего не импортировано."


def decode_csv(content: bytes) -> str:
    """The text of an uploaded CSV: UTF-16 with a BOM (Excel's «Unicode text»), UTF-8 (with or
    without a BOM) or else Windows-1251, Excel's default CSV encoding on Russian Windows — the same
    reading as the evaluation commands' (`nlp.csvfile.decode`). NUL characters (binary junk) are
    dropped: PostgreSQL cannot store them."""
    return _no_nul(csvfile.decode(content))


def _no_nul(value):
    """A text without NUL characters (binary junk in a cell, Excel's _x0000_), which PostgreSQL
    cannot store; anything else as it is."""
    return value.replace("\x00", "") if isinstance(value, str) else value


def xlsx_dicts(content: bytes) -> tuple[list[str], list[dict]]:
    """The header and the non-empty rows of the first sheet of an XLSX file, NUL characters dropped
    from texts."""
    from openpyxl import load_workbook

    try:
        sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).worksheets[0]
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for broken files
        raise UnreadableFile("Файл не открывается как таблица Excel (.xlsx).") from exc
    values = sheet.iter_rows(values_only=True)
    header = [_no_nul(str(h or "")).strip() for h in next(values, [])]
    rows = [
        dict(zip(header, (_no_nul(v) for v in row), strict=False))
        for row in values
        if any(v not in (None, "") for v in row)
    ]
    return header, rows


class FileProblems(Exception):
    """An imported file is refused whole; `problems` lists every reason in Russian, and the message
    joins the first `SHOWN` of them (all when None)."""

    SHOWN: int | None = None

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems[: self.SHOWN]))
        self.problems = problems


class UnreadableFile(ValueError):
    """A CSV or YAML file that cannot be parsed; the message is the Russian reason."""


def csv_dicts(text: str, *, sniff: bool = True) -> tuple[list[str], list[dict]]:
    """The header and the rows of a CSV text (delimiter , ; or tab guessed when `sniff`)."""
    dialect = csv.excel
    if sniff:
        with contextlib.suppress(csv.Error):
            dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    reader = csv.DictReader(io.StringIO(text, newline=""), dialect=dialect)
    try:
        rows = list(reader)
        return list(reader.fieldnames or []), rows
    except csv.Error as exc:  # a cell over 128 KB, a stray line break in unquoted binary junk
        raise UnreadableFile(
            f"Файл CSV не читается (строка {reader.reader.line_num}): проверьте кавычки и разделители;"
            " в одной ячейке — не больше 131 072 символов."
        ) from exc


def yaml_load(text: str):
    """`yaml.safe_load`, refusing with a Russian reason instead of PyYAML's English one."""
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" (строка {mark.line + 1}, позиция {mark.column + 1})" if mark else ""
        raise UnreadableFile(f"Файл не является корректным YAML{where}.") from exc
    except (yaml.YAMLError, ValueError) as exc:  # ValueError: impossible dates like 2026-13-45
        raise UnreadableFile("Файл не является корректным YAML: проверьте даты (ГГГГ-ММ-ДД).") from exc
