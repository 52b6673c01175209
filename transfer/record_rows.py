"""The records file (issue 13 item 1): one row per record on the sheet 业绩, every stage flattened into it, and one
sheet per repeating part (单体, 参建单位, 单位人员, 审图人员), each row tied to its record by the enterprise's credit
code and the 项目编号.

Everything about a column comes from one place: the field's verbose name (Chinese in the catalog) is its title, a
stage's column is prefixed with the stage's label (招投标备案·中标金额（万元）), `grading.rules` says whether it is a
red-star column and what it expects (`input_hint`), and `projects.services.editable_fields` says which fields a file
carries (the ones a clerk may type). Codes are written as their Chinese names and read from the code, the Chinese
or the English name; yes/no as 是/否; dates as YYYY-MM-DD and read in every form the portal accepts
(`projects.inputs`); amounts as plain decimals.

This module knows the layout, reads a `transfer.book.Book` into `RecordRows` (Python values per field, problems
per cell) and writes records out as rows (XLSX, CSV). It writes nothing to the database: `transfer.records` checks
and saves, and `legacy` builds the old system's file on the same columns.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from django.db import connection, models
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Enterprise
from config.spreadsheet import csv_row, xlsx_row
from grading import rules
from grading.checks import not_saved_message, place_of
from projects import inputs
from projects.models import Record
from projects.services import editable_fields

from .book import Book, Column, Problem, Sheet, Table

#: The language of the file's titles and names, whatever the user's language (the files are the bureaus' files).
FILE_LANGUAGE = "zh-hans"

RECORDS = "records"  # the part key of the sheet 业绩
KEY_PART = "key"  # columns that identify the record and are no field of a stage
ONE_TO_ONE = ("tender", "contract", "censor", "licence", "finish_check", "finish_record")
ROW_PARTS = ("units", "corps", "persons", "censor_staff")
#: the project's shared part (projects.selectors.SHARED_PARTS, ADR 0008)
SHARED = ("project", "units")
#: the 序号 of a 单体: a 参建单位 row names its 单体 by it
SEQ = "seq"

_RECORDS_SHEET = gettext_lazy("Records")  # 业绩
_CREDIT_CODE = gettext_lazy("enterprise's unified social credit code")  # 企业统一社会信用代码
_ENTERPRISE_NAME = gettext_lazy("enterprise name")
_SEQ = gettext_lazy("No.")  # 序号


class CellError(ValueError):
    """A cell that cannot be read as its field's value: `message` says what was found and what is expected."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class FieldColumn:
    """A column of the layout: its `Column` (title, red star, hint) and what it holds — a field of a part, or a key
    column (`part` "key": credit_code, enterprise_name, prj_num, campaign, status; `seq` on the 单体 sheet)."""

    column: Column
    part: str
    name: str
    field: models.Field | None = None
    export_only: bool = False  # written for the reader, ignored on import (the enterprise's name, the status)

    @property
    def header(self) -> str:
        return self.column.header

    @property
    def path(self) -> str:
        return f"{self.part}.{self.name}"


@dataclass(frozen=True)
class Layout:
    """One sheet of the file: its `Sheet` and its columns; `part` is "records" or a row part ("units", …)."""

    part: str
    sheet: Sheet
    columns: tuple[FieldColumn, ...]

    @property
    def name(self) -> str:
        return self.sheet.name

    by_path: dict[tuple[str, str], FieldColumn] = field(default_factory=dict, compare=False, hash=False, repr=False)

    def __post_init__(self) -> None:
        self.by_path.update({(c.part, c.name): c for c in self.columns})

    def column(self, part: str, name: str) -> FieldColumn | None:
        return self.by_path.get((part, name))


def _model_fields(part: str) -> list[models.Field]:
    model = rules.PART_BY_KEY[part].model
    skip = {"unit"} if part != "corps" else set()  # only a 参建单位 names a 单体
    return [f for f in editable_fields(model) if f.name not in skip and f.name not in ("record", "censor")]


def _is_code(field: models.Field) -> bool:
    """Numbers a spreadsheet must keep as text: codes, numbers of documents, phones."""
    return isinstance(field, models.CharField) and not field.choices and field.max_length <= 50


def _field_column(part: str, field: models.Field, prefix: str = "") -> FieldColumn:
    path = f"{part}.{field.name}"
    label = str(field.verbose_name)
    hint = rules.input_hint(path)
    if part == "corps" and field.name == "unit":
        hint = _("the No. of the unit project on the sheet %(sheet)s") % {"sheet": rules.UNITS.label}
    elif field.name == "county":
        hint = _("the 6-digit code of the county-level region, for example 450103")
    elif field.choices:
        hint = _("one of: %(names)s") % {"names": "、".join(str(label) for _code, label in field.flatchoices)}
    header = f"{prefix}·{label}" if prefix else label
    column = Column(header, required=rules.is_required(path), hint=hint, code=_is_code(field) or field.name == "county")
    return FieldColumn(column, part, field.name, field)


def _key_columns(with_info: bool) -> list[FieldColumn]:
    prj_num = Record._meta.get_field("project").related_model._meta.get_field("prj_num")
    columns = [
        FieldColumn(
            Column(str(_CREDIT_CODE), required=True, hint=rules.input_hint("corps.corp_code"), code=True),
            KEY_PART,
            "credit_code",
            Enterprise._meta.get_field("credit_code"),
        ),
    ]
    if with_info:
        columns.append(FieldColumn(Column(str(_ENTERPRISE_NAME)), KEY_PART, "enterprise_name", export_only=True))
    columns.append(
        FieldColumn(
            Column(str(prj_num.verbose_name), required=True, hint=rules.input_hint("project.prj_num"), code=True),
            KEY_PART,
            "prj_num",
            prj_num,
        )
    )
    return columns


@cache
def _layouts() -> tuple[Layout, ...]:
    with translation.override(FILE_LANGUAGE):
        campaign = Record._meta.get_field("campaign")
        status = Record._meta.get_field("status")
        head = _key_columns(with_info=True)
        head.append(
            FieldColumn(
                Column(
                    str(campaign.verbose_name),
                    hint=_("the name of the campaign; empty: the active campaign of the project's province"),
                ),
                KEY_PART,
                "campaign",
            )
        )
        head.append(FieldColumn(Column(str(status.verbose_name)), KEY_PART, "status", export_only=True))
        columns = head + [_field_column("project", f) for f in _model_fields("project")]
        for part in ONE_TO_ONE:
            label = str(rules.PART_BY_KEY[part].label)
            columns += [_field_column(part, f, label) for f in _model_fields(part)]
        sheets = [_layout(RECORDS, str(_RECORDS_SHEET), columns, keys=("credit_code", "prj_num"))]
        for part in ROW_PARTS:
            columns = _key_columns(with_info=False)
            keys: tuple[str, ...] = ()
            if part == "units":
                columns.append(
                    FieldColumn(
                        Column(str(_SEQ), required=True, hint=_("1, 2, 3 … for the unit projects of one record")),
                        KEY_PART,
                        SEQ,
                    )
                )
                keys = ("credit_code", "prj_num", SEQ)
            columns += [_field_column(part, f) for f in _model_fields(part)]
            sheets.append(_layout(part, str(rules.PART_BY_KEY[part].label), columns, keys=keys, required=False))
    return tuple(sheets)


def _layout(part: str, name: str, columns: list[FieldColumn], *, keys: tuple[str, ...], required=True) -> Layout:
    headers = [c.header for c in columns]
    duplicates = {h for h in headers if headers.count(h) > 1}
    if duplicates:  # pragma: no cover - a label change that makes two titles equal must not pass unnoticed
        raise RuntimeError(f"sheet {name}: duplicate column titles {sorted(duplicates)}")
    by_name = {(c.part, c.name): c.header for c in columns}
    key_headers = tuple(by_name[(KEY_PART, k)] for k in keys)
    sheet = Sheet(name, tuple(c.column for c in columns), keys=key_headers, required=required)
    return Layout(part, sheet, tuple(columns))


def layouts() -> tuple[Layout, ...]:
    """The sheets of the records file, 业绩 first."""
    return _layouts()


def layout(part: str) -> Layout:
    return next(lay for lay in _layouts() if lay.part == part)


def sheets() -> tuple[Sheet, ...]:
    return tuple(lay.sheet for lay in _layouts())


# --------------------------------------------------------------------------------------------------------------
# Cells: a value as the file writes it, and back
# --------------------------------------------------------------------------------------------------------------


def _choice_names(field: models.Field) -> dict[str, str]:
    names = _CHOICE_NAMES.get(id(field))
    if names is None:
        names = _CHOICE_NAMES[id(field)] = _build_choice_names(field)
    return names


_CHOICE_NAMES: dict[int, dict[str, str]] = {}  # by the field's id: hashing a Field hashes its model's label


def _build_choice_names(field: models.Field) -> dict[str, str]:
    """Every way a file may write a code of `field`: the code, its Chinese and its English name."""
    names: dict[str, str] = {}
    for language in ("en", FILE_LANGUAGE):
        with translation.override(language):
            names.update({_fold(str(label)): code for code, label in field.flatchoices})
    names.update({_fold(str(code)): code for code, _label in field.flatchoices})
    return names


def _choice_label(field: models.Field, code: str) -> str:
    labels = _CHOICE_LABELS.get(id(field))
    if labels is None:
        with translation.override(FILE_LANGUAGE):
            labels = _CHOICE_LABELS[id(field)] = {str(c): str(label) for c, label in field.flatchoices}
    return labels.get(code, code)


_CHOICE_LABELS: dict[int, dict[str, str]] = {}


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().casefold()


_TRUE = {"是", "1", "true", "yes", "y", "t", "√"}
_FALSE = {"否", "0", "false", "no", "n", "f", "×"}


def format_value(field: models.Field | None, value: Any) -> str | None:
    """A stored value as the file writes it (None for an empty cell)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        with translation.override(FILE_LANGUAGE):
            return str(_("Yes") if value else _("No"))
    if field is not None and field.choices:
        return _choice_label(field, str(value))
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def parse_value(field: models.Field, text: str | None, path: str) -> Any:
    """The Python value of a cell for `field` (a stage's or a row's field); CellError says why not, in the words the
    portal uses for the same field (`grading.checks.not_saved_message`). An empty cell is the field's empty value."""
    if text is None or text.strip() == "":
        if isinstance(field, models.BooleanField):
            return None if field.null else False
        return "" if isinstance(field, models.CharField | models.TextField) else None
    raw = text
    text = text.strip()
    if "\x00" in text:
        raise CellError(_("%(place)s: it contains a NUL character (\\0); remove it.") % {"place": place_of(path)})
    if field.choices:
        code = _choice_names(field).get(_fold(text))
        if code is None:
            raise CellError(
                _("%(place)s: “%(value)s” is not a code of the national data standard.")
                % {"place": place_of(path), "value": raw}
                + " "
                + _("Expected one of: %(names)s.")
                % {"names": "、".join(_choice_label(field, c) for c, _label in field.flatchoices)}
            )
        return code
    if isinstance(field, models.BooleanField):
        folded = _fold(text)
        if folded in _TRUE:
            return True
        if folded in _FALSE:
            return False
        raise CellError(not_saved_message(place_of(path), path, raw))
    if isinstance(field, models.CharField | models.TextField):
        if field.max_length and len(text) > field.max_length:
            raise CellError(not_saved_message(place_of(path), path, raw))
        return text
    try:
        value = field.to_python(inputs.read(field, text))
    except (ValueError, TypeError, ArithmeticError, InvalidOperation) as exc:  # NotReadable is a ValueError
        raise CellError(not_saved_message(place_of(path), path, raw)) from exc
    except Exception as exc:  # ValidationError of to_python
        if exc.__class__.__name__ != "ValidationError":
            raise
        raise CellError(not_saved_message(place_of(path), path, raw)) from exc
    if isinstance(field, models.DecimalField) and value is not None:
        if not value.is_finite() or value.as_tuple().exponent < -field.decimal_places:
            raise CellError(not_saved_message(place_of(path), path, raw))
        if abs(value) >= Decimal(10) ** (field.max_digits - field.decimal_places):
            raise CellError(not_saved_message(place_of(path), path, raw))
    if isinstance(field, models.IntegerField) and value is not None:
        low, high = connection.ops.integer_field_range(field.get_internal_type())  # as projects.services' save
        if (low is not None and value < low) or (high is not None and value > high):
            raise CellError(not_saved_message(place_of(path), path, raw))
    return value


# --------------------------------------------------------------------------------------------------------------
# Reading a book: one RecordRows per row of 业绩, with its rows of every part
# --------------------------------------------------------------------------------------------------------------


@dataclass
class PartRow:
    """One row of a part's sheet: its row number, its values by attname; `seq` on 单体 (the No. a 参建单位 names),
    `unit_seq` on 参建单位 (the No. of its 单体, None when it names none)."""

    row: int
    values: dict[str, Any]
    seq: int | None = None
    unit_seq: int | None = None


@dataclass
class RecordRows:
    """One record as the file states it: its key, the values of the project and of each one-to-one stage (by
    attname), its rows per part, and what could not be read (Problems with sheet, row and column)."""

    credit_code: str
    prj_num: str
    row: int  # the row on 业绩
    campaign: str = ""  # as written: a campaign's name, "" for the default
    county: str = ""  # the county's code as written (the importer looks the region up, all rows at once)
    stages: dict[str, dict[str, Any]] = field(default_factory=dict)  # "project", "tender", … -> {attname: value}
    filled: set[str] = field(default_factory=set)  # the one-to-one stages with at least one cell written
    rows: dict[str, list[PartRow]] = field(default_factory=lambda: {part: [] for part in ROW_PARTS})
    problems: list[Problem] = field(default_factory=list)
    extra: dict[str, str | None] = field(default_factory=dict)  # cells of columns the layout does not know (legacy)

    @property
    def key(self) -> tuple[str, str]:
        return (self.credit_code, self.prj_num)

    def locate(self, path: str) -> tuple[str, int, str]:
        """Sheet, row and column of a grading path ("tender.tender_money", "corps[1].corp_code", "corps[0]")."""
        head, index, name = rules.split_path(path)
        if head in ROW_PARTS:
            lay = layout(head)
            rows = self.rows.get(head, [])
            if index is not None and index < len(rows) and name:
                column = lay.column(head, name)
                return lay.name, rows[index].row, column.header if column else ""
            return layout(RECORDS).name, self.row, ""  # a part without rows: told on the record's row
        lay = layout(RECORDS)
        if head == "project" and name == "prj_num":
            return lay.name, self.row, lay.column(KEY_PART, "prj_num").header
        column = lay.column(head, name) if name else None
        return lay.name, self.row, column.header if column else ""

    def problem(self, path: str, message: str) -> Problem:
        sheet, row, column = self.locate(path)
        return Problem(sheet, row, column, message)

    @property
    def ok(self) -> bool:
        return not self.problems


def _text(cells: dict[str, str | None], header: str) -> str | None:
    value = cells.get(header)
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def _number_text(text: str | None) -> str:
    """A code written as a number: no spaces inside (a spreadsheet pads 4501031711200001 with some)."""
    return "".join(text.split()).upper() if text else ""


def _seq(text: str | None) -> int | None:
    if not text:
        return None
    try:
        number = Decimal(unicodedata.normalize("NFKC", text).strip())
    except InvalidOperation:
        return -1
    return int(number) if number == number.to_integral_value() and number > 0 else -1


def parse_record_row(cells: dict[str, str | None], row: int, sheet: str = "") -> RecordRows:
    """One row of 业绩: the key, the campaign and the values of the project and of each stage; what cannot be read
    is a Problem on its cell (nothing is guessed)."""
    lay = layout(RECORDS)
    sheet = sheet or lay.name
    credit = _number_text(_text(cells, lay.column(KEY_PART, "credit_code").header))
    prj_num = _number_text(_text(cells, lay.column(KEY_PART, "prj_num").header))
    rec = RecordRows(credit, prj_num, row, campaign=_text(cells, lay.column(KEY_PART, "campaign").header) or "")
    for key_name, value in (("credit_code", credit), ("prj_num", prj_num)):
        if not value:
            header = lay.column(KEY_PART, key_name).header
            rec.problems.append(Problem(sheet, row, header, _("“%(column)s” is required.") % {"column": header}))
    rec.stages = {"project": {"prj_num": prj_num}, **{part: {} for part in ONE_TO_ONE}}
    for col in lay.columns:
        if col.part == KEY_PART:
            continue
        text = _text(cells, col.header)
        if col.name == "county":
            rec.county = _number_text(text)
            continue
        if text is not None and col.part != "project":
            rec.filled.add(col.part)
        try:
            rec.stages[col.part][col.field.attname] = parse_value(col.field, text, col.path)
        except CellError as exc:
            rec.problems.append(Problem(sheet, row, col.header, exc.message))
    known = set(lay.sheet.headers)
    rec.extra = {h: v for h, v in cells.items() if h not in known}
    return rec


def parse_part_row(part: str, cells: dict[str, str | None], row: int) -> tuple[tuple[str, str], PartRow, list[Problem]]:
    """One row of a part's sheet: the key of its record, its values, and what cannot be read."""
    lay = layout(part)
    problems: list[Problem] = []
    credit = _number_text(_text(cells, lay.column(KEY_PART, "credit_code").header))
    prj_num = _number_text(_text(cells, lay.column(KEY_PART, "prj_num").header))
    for key_name, value in (("credit_code", credit), ("prj_num", prj_num)):
        if not value:
            header = lay.column(KEY_PART, key_name).header
            problems.append(Problem(lay.name, row, header, _("“%(column)s” is required.") % {"column": header}))
    out = PartRow(row, {})
    for col in lay.columns:
        text = _text(cells, col.header)
        if col.part == KEY_PART:
            if col.name == SEQ:
                out.seq = _seq(text)
                if out.seq is None or out.seq < 0:
                    problems.append(
                        Problem(lay.name, row, col.header, _("“%(column)s” must be 1, 2, 3 …") % {"column": col.header})
                    )
            continue
        if col.name == "unit" and part == "corps":
            out.unit_seq = _seq(text)
            if out.unit_seq is not None and out.unit_seq < 0:
                problems.append(
                    Problem(lay.name, row, col.header, _("“%(column)s” must be 1, 2, 3 …") % {"column": col.header})
                )
            continue
        try:
            out.values[col.field.attname] = parse_value(col.field, text, col.path)
        except CellError as exc:
            problems.append(Problem(lay.name, row, col.header, exc.message))
    return (credit, prj_num), out, problems


@dataclass
class ParsedBook:
    records: list[RecordRows]
    #: problems of rows that belong to no record of 业绩, and of whole sheets (row 0)
    problems: list[Problem]


def parse_book(book: Book) -> ParsedBook:
    """Every record of the file with its rows; a row of a part sheet whose key is on no row of 业绩 is a problem
    of its own; a row of 业绩 whose key is on another row of 业绩 too is refused (which one would win?)."""
    main = layout(RECORDS)
    problems: list[Problem] = []
    book = _unstarred(book)
    table = book.tables.get(main.name)
    if table is None:
        return ParsedBook(
            [], [Problem(main.name, 0, "", _("The file has no sheet “%(sheet)s”.") % {"sheet": main.name})]
        )
    problems += _missing_columns(main, table)
    records: list[RecordRows] = []
    by_key: dict[tuple[str, str], RecordRows] = {}
    for row, cells in table.rows:
        rec = parse_record_row(cells, row, main.name)
        if rec.credit_code and rec.prj_num:
            if rec.key in by_key:
                rec.problems.append(
                    Problem(
                        main.name,
                        row,
                        "",
                        _("This record (%(code)s, %(prj_num)s) is also on row %(row)s; keep one row per record.")
                        % {"code": rec.credit_code, "prj_num": rec.prj_num, "row": by_key[rec.key].row},
                    )
                )
            else:
                by_key[rec.key] = rec
        records.append(rec)
    for part in ROW_PARTS:
        lay = layout(part)
        part_table = book.tables.get(lay.name)
        if part_table is None:
            continue
        problems += _missing_columns(lay, part_table)
        for row, cells in part_table.rows:
            key, part_row, row_problems = parse_part_row(part, cells, row)
            rec = by_key.get(key)
            if rec is None:
                if key[0] and key[1]:
                    row_problems.append(
                        Problem(
                            lay.name,
                            row,
                            "",
                            _(
                                "No row of the sheet “%(sheet)s” has the credit code %(code)s and the project number "
                                "%(prj_num)s."
                            )
                            % {"sheet": main.name, "code": key[0], "prj_num": key[1]},
                        )
                    )
                problems += row_problems
                continue
            rec.rows[part].append(part_row)
            rec.problems += row_problems
    for rec in records:
        _link_units(rec)
    return ParsedBook(records, problems)


def _unstarred(book: Book) -> Book:
    """The book with titles as the layout writes them: a template marks red-star columns with “*”."""
    if not any(h.startswith("*") for table in book.tables.values() for h in table.headers):
        return book
    tables = {}
    for name, table in book.tables.items():
        rows = [(row, {strip_star(h): v for h, v in cells.items()}) for row, cells in table.rows]
        tables[name] = Table(table.name, [strip_star(h) for h in table.headers], rows)
    return Book(tables, book.source)


def _missing_columns(lay: Layout, table: Table) -> list[Problem]:
    present = set(table.headers)
    missing = [c.header for c in lay.columns if not c.export_only and c.column.required and c.header not in present]
    if not missing:
        return []
    return [
        Problem(
            lay.name,
            0,
            "",
            _("The sheet “%(sheet)s” lacks the columns %(columns)s: use the template of this import.")
            % {"sheet": lay.name, "columns": "、".join(missing)},
        )
    ]


def _link_units(rec: RecordRows) -> None:
    """Each 参建单位 naming a 单体 by its No.: the No. must be on the record's 单体 rows; the same No. twice is one
    unit too many."""
    units = layout("units")
    seen: dict[int, int] = {}
    for unit in rec.rows["units"]:
        if unit.seq is None or unit.seq < 0:
            continue
        if unit.seq in seen:
            rec.problems.append(
                Problem(
                    units.name,
                    unit.row,
                    units.column(KEY_PART, SEQ).header,
                    _("No. %(seq)s is also on row %(row)s for this record.") % {"seq": unit.seq, "row": seen[unit.seq]},
                )
            )
        seen[unit.seq] = unit.row
    corps = layout("corps")
    for corp in rec.rows["corps"]:
        if corp.unit_seq is not None and corp.unit_seq > 0 and corp.unit_seq not in seen:
            rec.problems.append(
                Problem(
                    corps.name,
                    corp.row,
                    corps.column("corps", "unit").header,
                    _("No unit project of this record on the sheet “%(sheet)s” has the No. %(seq)s.")
                    % {"sheet": units.name, "seq": corp.unit_seq},
                )
            )


# --------------------------------------------------------------------------------------------------------------
# Writing: a record as its rows, the rows as XLSX or CSV
# --------------------------------------------------------------------------------------------------------------

#: What the export reads of each record, in a fixed number of queries per chunk.
EXPORT_RELATED = ("enterprise", "campaign", "project__county", *ONE_TO_ONE)
EXPORT_PREFETCH = ("project__units", "corps", "persons", "censor__staff")


def _stage_of(record: Record, part: str):
    if part == "project":
        return record.project
    try:
        return getattr(record, part)
    except models.ObjectDoesNotExist:
        return None


def record_rows(record: Record) -> dict[str, list[list[str | None]]]:
    """The rows of one record on each sheet (sheet name -> rows of cells in the layout's order)."""
    out: dict[str, list[list[str | None]]] = {}
    main = layout(RECORDS)
    units = list(record.project.units.all())
    seq_of_unit = {unit.pk: i + 1 for i, unit in enumerate(units)}
    key = {
        "credit_code": record.enterprise.credit_code,
        "enterprise_name": record.enterprise.name,
        "prj_num": record.project.prj_num,
        "campaign": record.campaign.name,
        "status": _choice_label(Record._meta.get_field("status"), record.status),
    }
    cells: list[str | None] = []
    for col in main.columns:
        if col.part == KEY_PART:
            cells.append(key[col.name])
            continue
        stage = _stage_of(record, col.part)
        cells.append(format_value(col.field, getattr(stage, col.field.attname)) if stage is not None else None)
    out[main.name] = [cells]
    censor = _stage_of(record, "censor")
    part_objects = {
        "units": units,
        "corps": list(record.corps.all()),
        "persons": list(record.persons.all()),
        "censor_staff": list(censor.staff.all()) if censor is not None else [],
    }
    for part in ROW_PARTS:
        lay = layout(part)
        rows = []
        for i, obj in enumerate(part_objects[part]):
            cells = []
            for col in lay.columns:
                if col.part == KEY_PART:
                    cells.append(str(i + 1) if col.name == SEQ else key[col.name])
                elif part == "corps" and col.name == "unit":
                    cells.append(str(seq_of_unit[obj.unit_id]) if obj.unit_id in seq_of_unit else None)
                else:
                    cells.append(format_value(col.field, getattr(obj, col.field.attname)))
            rows.append(cells)
        out[lay.name] = rows
    return out


def export_queryset(records) -> Iterator[Record]:
    """The records with everything `record_rows` reads, 500 at a time."""
    qs = records.select_related(*EXPORT_RELATED).prefetch_related(*EXPORT_PREFETCH).order_by("pk")
    yield from qs.iterator(chunk_size=500)


def sheet_rows(records: Iterable[Record]) -> dict[str, list[list[str | None]]]:
    """Every sheet's rows for `records`, titles first."""
    out = {lay.name: [list(lay.sheet.headers)] for lay in layouts()}
    for record in records:
        for name, rows in record_rows(record).items():
            out[name].extend(rows)
    return out


def write_xlsx(records: Iterable[Record], stream) -> None:
    """The records as an XLSX workbook (openpyxl, write-only: rows are streamed, not kept as cells)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheets = {}
    red = Font(bold=True, color="C00000")
    bold = Font(bold=True)
    for lay in layouts():
        ws = book.create_sheet(lay.name)
        ws.freeze_panes = "A2"
        titles = []
        for col in lay.sheet.columns:
            cell = WriteOnlyCell(ws, value=col.header)
            cell.font = red if col.required else bold
            titles.append(cell)
        ws.append(titles)
        sheets[lay.name] = ws
    for record in records:
        for name, rows in record_rows(record).items():
            for row in rows:
                sheets[name].append(xlsx_row(sheets[name], row))
    book.save(stream)


class ExportEncodingError(ValueError):
    """A character the chosen encoding cannot hold: named with its sheet, record and column (nothing is lost)."""


CSV_ENCODINGS = {"utf-8": "utf-8-sig", "gbk": "gbk", "gb18030": "gb18030"}


def write_csv_zip(records: Iterable[Record], stream, encoding: str = "utf-8") -> None:
    """The records as a ZIP of one CSV per sheet (a CSV holds one sheet): UTF-8 with a BOM by default (Excel opens it
    right), GBK or GB18030 on request. A character GBK cannot hold raises ExportEncodingError naming the cell, so
    nothing is silently lost: GB18030 and UTF-8 hold every character."""
    codec = CSV_ENCODINGS[encoding.lower()]
    rows = sheet_rows(records)
    with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for lay in layouts():
            text = io.StringIO()
            writer = csv.writer(text, lineterminator="\r\n")
            sheet = rows[lay.name]
            writer.writerow(lay.sheet.headers)
            writer.writerows(csv_row("" if v is None else v for v in row) for row in sheet[1:])
            archive.writestr(f"{lay.name}.csv", encode_csv(text.getvalue(), codec, lay.name))


def encode_csv(text: str, codec: str, sheet: str) -> bytes:
    try:
        return text.encode(codec)
    except UnicodeEncodeError as exc:
        line = text.count("\n", 0, exc.start) + 1
        raise ExportEncodingError(
            _(
                "“%(char)s” on row %(row)s of the sheet “%(sheet)s” cannot be written in %(encoding)s; choose GB18030 "
                "or UTF-8, which hold every character."
            )
            % {"char": exc.object[exc.start : exc.end], "row": line, "sheet": sheet, "encoding": codec.upper()}
        ) from exc


def strip_star(header: str) -> str:
    """A title as exported (*项目名称 for a red-star column) or as typed: the layout's title."""
    return header[1:].strip() if header.startswith("*") else header.strip()


def book_from_csv_zip(data: bytes) -> Book:
    """The Book of a ZIP of one CSV per sheet (as `write_csv_zip` writes it): the file layer's one reader of uploads
    (transfer/files.py: the ZIP's limits, each CSV's encoding detected, never guessed), for the records' sheets."""
    from .files import read_bytes

    return read_bytes(data, sheets=sheets(), name="records.zip")
