"""The XLSX files an import hands out: the template of an importer, the report of a job's problems (问题清单) and the
error file of "import the correct rows only" (the refused rows in their original columns, with 错误原因)."""

from __future__ import annotations

import io
from collections import defaultdict

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from config.spreadsheet import xlsx_row

from .book import Book, Importer, Problem, Report, Sheet
from .files import ERROR_COLUMN

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RED = "FFC00000"
HEADER_FILL = PatternFill("solid", fgColor="FFF2F2F2")
REPORT_SHEET = "问题清单"
TEXT = "@"


def _save(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _width(text: str) -> int:
    """Columns wide enough for Chinese (two units a character) and ASCII (one)."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _header_sheet(ws, sheet: Sheet, *, extra: tuple[str, ...] = ()) -> None:
    for index, column in enumerate(sheet.columns, start=1):
        cell = ws.cell(row=1, column=index, value=f"{column.header}*" if column.required else column.header)
        cell.font = Font(bold=True, color=RED if column.required else None)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="center")
        if column.hint:
            comment = Comment(column.hint, "业绩补录平台")
            comment.width, comment.height = 240, 90
            cell.comment = comment
        letter = get_column_letter(index)
        width = column.width or max(_width(column.header) + 4, min(_width(column.hint), 40) if column.hint else 0, 10)
        ws.column_dimensions[letter].width = width
        if column.code:
            ws.column_dimensions[letter].number_format = TEXT
    for offset, title in enumerate(extra, start=len(sheet.columns) + 1):
        cell = ws.cell(row=1, column=offset, value=title)
        cell.font = Font(bold=True, color=RED)
        cell.fill = HEADER_FILL
        ws.column_dimensions[get_column_letter(offset)].width = 60
    ws.freeze_panes = "A2"


def template_workbook(importer: Importer) -> bytes:
    """One sheet per `Sheet`: the header row with the red-star columns marked "*" in red, each column's hint as a
    comment on its header, the header frozen, widths set and code columns formatted as text; then a sheet 填写说明
    listing the columns and hints."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet in importer.sheets:
        ws = workbook.create_sheet(sheet.name[:31])
        _header_sheet(ws, sheet)
        for index, column in enumerate(sheet.columns, start=1):
            if column.code:  # empty cells of the first rows formatted as text too (a column style alone is not
                for row in range(2, 202):  # applied by every spreadsheet program)
                    ws.cell(row=row, column=index).number_format = TEXT
    notes = workbook.create_sheet("填写说明")
    notes.append(["工作表", "列名", "必填", "填写要求"])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    for sheet in importer.sheets:
        for column in sheet.columns:
            notes.append([sheet.name, column.header, "是（红星列）" if column.required else "", column.hint])
    notes.append([])
    notes.append(["", "带红色星号（*）的列必须填写；请勿增删或改动列名；代码、编号和电话请按文本填写。"])
    for letter, width in zip("ABCD", (16, 24, 14, 80), strict=True):
        notes.column_dimensions[letter].width = width
    return _save(workbook)


def report_workbook(problems: list[Problem]) -> bytes:
    """The problems of a job: sheet 问题清单 with 工作表 / 行号 / 列 / 问题 (行号 empty for the whole file or sheet)."""
    workbook = Workbook()
    ws = workbook.active
    ws.title = REPORT_SHEET
    ws.append(["工作表", "行号", "列", "问题"])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    for problem in problems:
        ws.append(xlsx_row(ws, [problem.sheet, problem.row or None, problem.column, problem.message]))
    for letter, width in zip("ABCD", (16, 8, 20, 100), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    return _save(workbook)


def error_workbook(importer: Importer, book: Book, report: Report) -> bytes | None:
    """The rows refused by "import the correct rows only", in their original columns plus 错误原因, one sheet per
    sheet that has any; corrected, the file can be imported again (files.py ignores 错误原因). None if no row was
    refused."""
    reasons: dict[tuple[str, int], list[str]] = defaultdict(list)
    for problem in report.problems:
        if problem.row:
            where = f"{problem.column}：" if problem.column else ""
            reasons[(problem.sheet, problem.row)].append(f"{where}{problem.message}")
    if not reasons:
        return None
    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet in importer.sheets:
        table = book.tables.get(sheet.name)
        rows = [(n, cells) for n, cells in (table.rows if table else []) if (sheet.name, n) in reasons]
        if not rows:
            continue
        ws = workbook.create_sheet(sheet.name[:31])
        _header_sheet(ws, sheet, extra=(ERROR_COLUMN,))
        for number, cells in rows:
            ws.append(xlsx_row(ws, [*(cells.get(h) for h in sheet.headers), "；".join(reasons[(sheet.name, number)])]))
        for index, column in enumerate(sheet.columns, start=1):
            if column.code:
                for row in range(2, len(rows) + 2):
                    ws.cell(row=row, column=index).number_format = TEXT
    if not workbook.worksheets:
        return None
    return _save(workbook)


def export_workbook(importer, user, queryset=None) -> bytes:
    """What `user` may see of an importer's data, in the template's sheets and columns (`importer.export_rows`):
    imported again, it changes nothing."""
    data = importer.export_rows(user, queryset)
    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet in importer.sheets:
        ws = workbook.create_sheet(sheet.name[:31])
        _header_sheet(ws, sheet)
        codes = [index for index, column in enumerate(sheet.columns, start=1) if column.code]
        for values in data.get(sheet.name, []):
            ws.append(xlsx_row(ws, [value if value != "" else None for value in values]))
            for index in codes:
                ws.cell(row=ws.max_row, column=index).number_format = TEXT
    return _save(workbook)
