"""Exported cells that a spreadsheet program would run as a formula are written as text.

A citizen's survey answer or an article that starts with «=», «+», «-» or «@» (=HYPERLINK(…),
=cmd|…) would become a live formula when staff open the export in Excel or LibreOffice (CSV
injection). CSV cells get an apostrophe in front, which spreadsheets read as «this is text»;
XLSX cells are typed as text. Numbers written as text («-12,5%») stay as they are.
"""

import re

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?\d[\d\s.,]*%?")


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
