"""What every import speaks: a file read into sheets of text cells, the importers that check and write them, and the
report they give back (issue 13).

The file layer (transfer/files.py) turns an upload — XLSX, or CSV in UTF-8 / GBK / GB18030 — into a `Book`: one
`Table` per sheet (a CSV is one sheet), every cell already text (stripped; None for an empty cell; an XLSX date as
YYYY-MM-DD, a whole number without ".0"), each row with the number a spreadsheet shows for it (the header is row 1).
Importers parse the text with the portal's own readers (projects/inputs.py) and validators, so a value means the same
in a file as in the form.

An `Importer` is registered under a key (`register()`, called from its app's `ready()`); the job runner
(transfer/jobs.py), the admin pages, the template download and the management commands find it with `importer(key)`.
One `run()` does all three modes, so a dry run reports exactly what the real run would refuse.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class Column:
    """One column of a sheet: its title in the file (Chinese, as the template shows it), whether it is a red-star
    (required) column, and a format hint for the template's second line."""

    header: str
    required: bool = False
    hint: str = ""
    #: a code or number kept as text (credit codes, project numbers, phones): the template formats the column as
    #: text, so a spreadsheet neither drops leading zeros nor writes 4.50103E+15
    code: bool = False
    #: the template's column width in characters (0: from the header and hint)
    width: int = 0


@dataclass(frozen=True)
class Sheet:
    name: str
    columns: tuple[Column, ...]
    #: the headers whose values identify a row: two rows with the same key are duplicates and the file is refused
    #: (exact duplicate rows are refused whatever the key)
    keys: tuple[str, ...] = ()
    #: a sheet the file must contain (an absent optional sheet reads as an empty table)
    required: bool = True

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(column.header for column in self.columns)


@dataclass
class Table:
    """One sheet of a file: its headers as written and its rows as (row number, {header: text or None})."""

    name: str
    headers: list[str]
    rows: list[tuple[int, dict[str, str | None]]] = field(default_factory=list)


@dataclass
class Book:
    tables: dict[str, Table] = field(default_factory=dict)
    #: what the file layer found out: "xlsx", "csv:utf-8", "csv:gb18030" …
    source: str = ""

    def rows(self) -> int:
        return sum(len(table.rows) for table in self.tables.values())


@dataclass(frozen=True)
class Problem:
    """Why a row (or a column, or the whole file) cannot be imported, in Chinese. `row` 0 is the whole sheet, `column`
    "" the whole row."""

    sheet: str
    row: int
    column: str
    message: str


class Mode(enum.StrEnum):
    CHECK = "check"  # dry run: report every problem, write nothing
    ALL = "all"  # write everything, or nothing when any row has a problem
    VALID_ROWS = "valid_rows"  # write the rows without problems; the others go back in the error file


@dataclass
class Report:
    total: int = 0  # rows read (every sheet)
    written: int = 0  # rows created or changed
    unchanged: int = 0  # rows that matched what is there already (importing a file twice changes nothing)
    problems: list[Problem] = field(default_factory=list)

    def bad_rows(self, sheet: str) -> set[int]:
        return {p.row for p in self.problems if p.sheet == sheet and p.row}

    @property
    def file_refused(self) -> bool:
        """A problem of the whole file or of a whole sheet (wrong columns, …): nothing can be written."""
        return any(p.row == 0 for p in self.problems)


#: progress(done, total, errors so far): called by importers every few hundred rows; the job runner stores it
Progress = Callable[[int, int, int], None]


def no_progress(done: int, total: int, errors: int) -> None:
    return None


class Importer(Protocol):
    key: str  # "records", "enterprises", "authorities", "registry", "legacy"
    label: str  # Chinese (gettext_lazy), shown in the admin
    sheets: tuple[Sheet, ...]

    def run(self, book: Book, *, user, mode: Mode, progress: Progress = no_progress) -> Report:
        """Check every row of `book` by the rules of submit (grading) and the model's validators, then write
        according to `mode`, in transactions such that a failure leaves nothing half written. `user` is the acting
        user: only what `visible_to(user)` allows may be read or written."""
        ...


_importers: dict[str, Importer] = {}


def register(importer: Importer) -> Importer:
    _importers[importer.key] = importer
    return importer


def importer(key: str) -> Importer:
    return _importers[key]


def importers() -> dict[str, Importer]:
    return dict(_importers)
