"""J3: the registry of projects already declared in the 工改系统 or the 施工许可管理系统 (projects.DeclaredProject),
loaded from the systems' exports — hundreds of thousands of rows — by COPY (issue 13 item 3).

One sheet, four columns: 来源系统 (工改系统 / 施工许可管理系统, or the codes gaige / permit), 项目编号 (16 digits),
施工许可证编号 (the 18-digit printed number), 项目名称. A row needs a source and at least one number. The old admin
import's English headers (source, prj_num, licence_cert_no, prj_name) are read too.

The rows are checked in Python in batches (accounts.validators: the same readers as the portal's form), the valid ones
written by `copy_expert` into a temporary table, and merged from there in one statement:
INSERT … SELECT DISTINCT ON (source, prj_num, licence_cert_no) … ON CONFLICT DO UPDATE of a blank name only. A row
already in the registry changes nothing, so loading the same file twice adds nothing the second time.

Whom the registry then refuses: projects.selectors.declared_matches (submit and the records import).
"""

from __future__ import annotations

import csv
import io
import unicodedata

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.scoping import jurisdiction_prefix
from accounts.validators import validate_licence_cert_no, validate_prj_num
from projects.models import DeclaredProject, DeclaredSource
from projects.selectors import DECLARED_SYSTEM_NAMES

from .book import Book, Column, Mode, Problem, Progress, Report, Sheet, Table, no_progress

SHEET = "已申报项目"
SOURCE, PRJ_NUM, LICENCE, NAME = "来源系统", "项目编号", "施工许可证编号", "项目名称"

#: the header a column may have in a file → our column (the old django-import-export resource's names read too)
HEADER_ALIASES = {
    SOURCE: SOURCE,
    "source": SOURCE,
    "来源": SOURCE,
    PRJ_NUM: PRJ_NUM,
    "prj_num": PRJ_NUM,
    LICENCE: LICENCE,
    "licence_cert_no": LICENCE,
    "施工许可证号": LICENCE,
    NAME: NAME,
    "prj_name": NAME,
}

NAME_MAX = DeclaredProject._meta.get_field("prj_name").max_length
BATCH = 5000

TEMP_TABLE = "transfer_registry_rows"


def _source_names() -> dict[str, str]:
    """Every way a file may name a source system → its code: the code, the short and the long names in English and
    Chinese."""
    names: dict[str, str] = {}
    for code, label in DeclaredSource.choices:
        names[code] = code
        for language in ("en", "zh-hans"):
            with translation.override(language):
                names[_key(str(label))] = code
                names[_key(str(DECLARED_SYSTEM_NAMES[code]))] = code
    names[_key("工改系统")] = DeclaredSource.REFORM_SYSTEM
    names[_key("施工许可管理系统")] = DeclaredSource.PERMIT_SYSTEM
    names[_key("施工许可系统")] = DeclaredSource.PERMIT_SYSTEM
    return names


def _key(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split()).lower()


def _number(text: str | None) -> str:
    """A number as typed: full-width digits made half-width, spaces dropped (a spreadsheet pads or groups them)."""
    return "".join(unicodedata.normalize("NFKC", text or "").split())


def _message(error: ValidationError) -> str:
    return " ".join(str(message) for message in error.messages)


class RegistryImporter:
    """The importer with key "registry" (transfer.book protocol): the J3 registry of declared projects."""

    key = "registry"
    label = gettext_lazy("Registry of declared projects (J3)")
    permissions = ("projects.add_declaredproject",)  # transfer.jobs.may_import: provincial staff
    sheets = (
        Sheet(
            SHEET,
            (
                Column(SOURCE, required=True, hint="工改系统 / 施工许可管理系统"),
                Column(PRJ_NUM, hint="16位数字；与施工许可证编号至少填一项"),
                Column(LICENCE, hint="18位数字；与项目编号至少填一项"),
                Column(NAME, hint="不超过250字"),
            ),
        ),
    )

    # ---- the one run -----------------------------------------------------------------------------------------

    def run(self, book: Book, *, user, mode: Mode, progress: Progress = no_progress) -> Report:
        report = Report(total=book.rows())
        table = self._table(book, report)
        if table is None:
            return report
        columns = self._columns(table, report)
        if report.file_refused or not self._may_import(user, report):
            return report
        prefix = None if user.is_superuser else jurisdiction_prefix(user)
        sources = _source_names()
        writing = mode != Mode.CHECK
        with transaction.atomic():
            if writing:
                self._create_temp_table()
            valid = 0
            batch: list[tuple[int, str, str, str, str]] = []
            done = 0
            for number, cells in table.rows:
                row = self._check_row(table.name, number, cells, columns, sources, prefix, report)
                if row is not None:
                    valid += 1
                    batch.append(row)
                done += 1
                if len(batch) >= BATCH or done % BATCH == 0:
                    self._flush(batch, writing and not (mode == Mode.ALL and report.problems))
                    batch = []
                    progress(done, report.total, len(report.problems))
            self._flush(batch, writing and not (mode == Mode.ALL and report.problems))
            progress(done, report.total, len(report.problems))
            if writing and not (mode == Mode.ALL and report.problems):
                report.written = self._merge()
                report.unchanged = valid - report.written
            if writing:
                with connection.cursor() as cursor:
                    cursor.execute(f"DROP TABLE IF EXISTS {TEMP_TABLE}")
        return report

    # ---- the file's shape ------------------------------------------------------------------------------------

    def _table(self, book: Book, report: Report) -> Table | None:
        table = book.tables.get(SHEET)
        if table is None and len(book.tables) == 1:
            table = next(iter(book.tables.values()))  # a CSV, or a workbook whose one sheet has another name
        if table is None:
            report.problems.append(
                Problem(
                    SHEET,
                    0,
                    "",
                    _("The file has no sheet named “%(sheet)s”; use the template of the registry.") % {"sheet": SHEET},
                )
            )
        return table

    def _columns(self, table: Table, report: Report) -> dict[str, str]:
        """Our column → the header the file writes it under; a missing or doubled column refuses the file."""
        columns: dict[str, str] = {}
        for header in table.headers:
            ours = HEADER_ALIASES.get(_key(header or "")) or HEADER_ALIASES.get((header or "").strip())
            if ours is None:
                continue
            if ours in columns:
                report.problems.append(
                    Problem(table.name, 0, header, _("The column “%(column)s” appears twice.") % {"column": ours})
                )
            columns[ours] = header
        if SOURCE not in columns:
            report.problems.append(
                Problem(table.name, 0, SOURCE, _("The column “%(column)s” is missing.") % {"column": SOURCE})
            )
        if PRJ_NUM not in columns and LICENCE not in columns:
            report.problems.append(
                Problem(
                    table.name,
                    0,
                    PRJ_NUM,
                    _("The file needs a column “%(prj_num)s” or “%(licence)s” (or both).")
                    % {"prj_num": PRJ_NUM, "licence": LICENCE},
                )
            )
        return columns

    def _may_import(self, user, report: Report) -> bool:
        if user.is_superuser or (
            jurisdiction_prefix(user) is not None and user.has_perm("projects.add_declaredproject")
        ):
            return True
        report.problems.append(
            Problem(SHEET, 0, "", _("Only provincial staff may import the registry of declared projects."))
        )
        return False

    # ---- one row ---------------------------------------------------------------------------------------------

    def _check_row(self, sheet, number, cells, columns, sources, prefix, report):
        problems = report.problems
        before = len(problems)
        raw_source = (cells.get(columns[SOURCE]) or "").strip()
        source = sources.get(_key(raw_source))
        if not raw_source:
            problems.append(Problem(sheet, number, SOURCE, _("Enter the source system: 工改系统 or 施工许可管理系统.")))
        elif source is None:
            problems.append(
                Problem(
                    sheet,
                    number,
                    SOURCE,
                    _("Unknown source system “%(value)s”: write 工改系统 or 施工许可管理系统.") % {"value": raw_source},
                )
            )
        prj_num = _number(cells.get(columns[PRJ_NUM])) if PRJ_NUM in columns else ""
        licence = _number(cells.get(columns[LICENCE])) if LICENCE in columns else ""
        name = (cells.get(columns[NAME]) or "").strip() if NAME in columns else ""
        checks = ((PRJ_NUM, prj_num, validate_prj_num), (LICENCE, licence, validate_licence_cert_no))
        for column, value, validate in checks:
            if value:
                try:
                    validate(value)
                except ValidationError as error:
                    problems.append(Problem(sheet, number, column, _message(error)))
        if not prj_num and not licence:
            problems.append(
                Problem(
                    sheet,
                    number,
                    PRJ_NUM,
                    _("Enter the project number or the construction permit number (at least one)."),
                )
            )
        elif prefix is not None and not (prj_num.startswith(prefix) or licence.startswith(prefix)):
            problems.append(
                Problem(
                    sheet,
                    number,
                    PRJ_NUM if prj_num else LICENCE,
                    _("%(number)s lies outside your jurisdiction (region codes starting with %(prefix)s).")
                    % {"number": prj_num or licence, "prefix": prefix},
                )
            )
        if len(name) > NAME_MAX:
            problems.append(
                Problem(
                    sheet,
                    number,
                    NAME,
                    _("The project name has %(length)s characters; at most %(max)s are allowed.")
                    % {"length": len(name), "max": NAME_MAX},
                )
            )
        if len(problems) > before:
            return None
        return (number, source, prj_num, licence, name)

    # ---- writing: COPY into a temporary table, one merge -----------------------------------------------------

    def _create_temp_table(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMPORARY TABLE {TEMP_TABLE} (row_no integer, source text, prj_num text, "
                "licence_cert_no text, prj_name text) ON COMMIT DROP"
            )

    def _flush(self, batch, write: bool) -> None:
        if not batch or not write:
            return
        data = io.StringIO()
        csv.writer(data, lineterminator="\n").writerows(batch)
        data.seek(0)
        with connection.cursor() as cursor:
            cursor.copy_expert(
                f"COPY {TEMP_TABLE} (row_no, source, prj_num, licence_cert_no, prj_name) FROM STDIN "
                "WITH (FORMAT csv, FORCE_NOT_NULL (prj_num, licence_cert_no, prj_name))",
                data,
                size=1 << 20,
            )

    def _merge(self) -> int:
        """Add the rows the registry lacks and give a nameless row its name; the number of rows added or named."""
        table = DeclaredProject._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                INSERT INTO {table} (source, prj_num, licence_cert_no, prj_name, imported_at)
                SELECT DISTINCT ON (source, prj_num, licence_cert_no) source, prj_num, licence_cert_no, prj_name, %s
                  FROM {TEMP_TABLE}
                 ORDER BY source, prj_num, licence_cert_no, prj_name = '', row_no
                ON CONFLICT (source, prj_num, licence_cert_no) DO UPDATE SET prj_name = EXCLUDED.prj_name
                 WHERE {table}.prj_name = '' AND EXCLUDED.prj_name <> ''
                """,
                [timezone.now()],
            )
            return cursor.rowcount


registry_importer = RegistryImporter()
