"""Text that a spreadsheet would run as a formula, written as text (CSV/formula injection, OWASP).

A firm types its project's name; a reviewer exports the queue to Excel. A name such as `=HYPERLINK("http://…","点此")`
or `=cmd|' /C calc'!A0` would be a live formula in the reviewer's Excel: openpyxl writes every string that starts
with "=" as a formula, and Excel reads a CSV cell starting with = + - @ (or a tab or carriage return) as one. So:

- `xlsx_row(sheet, values)`: every exporter's row for `sheet.append()`; a string starting with "=" becomes a cell of
  type text — the value is kept exactly (an export read back imports the same text);
- `csv_value(value)`: for CSV writers; such a string gets Excel's own text marker, a leading apostrophe, which
  transfer/files.py's `cell_text` takes off again when a file is read (an export imports back unchanged).
"""

from __future__ import annotations

from collections.abc import Iterable

#: what makes Excel read a CSV cell as a formula
CSV_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def xlsx_value(sheet, value):
    if not (isinstance(value, str) and value.startswith("=")):
        return value
    from openpyxl.cell import Cell, WriteOnlyCell
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

    cell = WriteOnlyCell(sheet, value=value) if isinstance(sheet, WriteOnlyWorksheet) else Cell(sheet, value=value)
    cell.data_type = "s"
    return cell


def xlsx_row(sheet, values: Iterable) -> list:
    return [xlsx_value(sheet, value) for value in values]


def csv_value(value):
    if isinstance(value, str) and value.startswith(CSV_FORMULA_START) and not _is_number(value):
        return "'" + value
    return value


def csv_row(values: Iterable) -> list:
    return [csv_value(value) for value in values]


def unguard(text: str) -> str:
    """The text as typed, without the apostrophe `csv_value` (or a person in Excel) put before a formula's sign."""
    if len(text) > 1 and text[0] == "'" and text[1:].startswith(CSV_FORMULA_START):
        return text[1:]
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
