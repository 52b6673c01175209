"""manage.py import_legacy FILE [--check] [--valid-rows]: bring the old 工程项目业绩管理系统's export into the platform
(J2), synchronously, and say in Chinese what was done and what is wrong with which row.

The file is the one the admin's import page takes for the importer “原系统数据迁移” (legacy.layout). Run on the server
by the operator, it is not held to the upload's size limits (a province's whole old system is one file); the
other checks of the file layer (what the file is, its encoding, its columns, duplicate rows) apply as for an upload.
Running it again with the same file changes nothing.
"""

from __future__ import annotations

import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings
from django.utils import translation

from legacy import layout
from legacy.importer import LegacyImporter
from transfer.book import Mode
from transfer.files import FileRefused, read_bytes

#: the operator's file may be as large as the old system: a gigabyte, with its XML unpacked to ten
OPERATOR_LIMITS = {
    "IMPORT_MAX_BYTES": 1024 * 1024 * 1024,
    "IMPORT_MAX_UNCOMPRESSED_BYTES": 10 * 1024 * 1024 * 1024,
    "IMPORT_MAX_ROWS": 2_000_000,
}
PROBLEMS_PRINTED = 200


class Command(BaseCommand):
    help = "Import the old performance system's export (原系统数据迁移, J2): reviewers and records, once."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="the old system's export: .xlsx (every sheet) or .csv (the records sheet)")
        parser.add_argument("--check", action="store_true", help="check only: list every problem, write nothing")
        parser.add_argument(
            "--valid-rows", action="store_true", help="write the rows without problems and list the others"
        )

    def handle(self, *args, **options) -> None:
        with translation.override(settings.LANGUAGE_CODE):  # the problems in Chinese, as the admin shows them
            self._import(**options)

    def _import(self, *, file: str, check: bool = False, valid_rows: bool = False, **options) -> None:
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到文件：{file}")
        mode = Mode.CHECK if check else Mode.VALID_ROWS if valid_rows else Mode.ALL
        started = time.monotonic()
        with override_settings(**OPERATOR_LIMITS):
            try:
                book = read_bytes(path.read_bytes(), sheets=layout.sheets(), name=path.name)
            except FileRefused as refused:
                for problem in refused.problems:
                    self.stdout.write(f"  {_where(problem)}{problem.message}")
                raise CommandError(f"文件无法导入：{refused.message}") from None
        read_seconds = time.monotonic() - started
        self.stdout.write(f"已读取文件 {path.name}（{book.source}）：共 {book.rows()} 行，用时 {read_seconds:.1f} 秒。")
        last = [0.0]

        def progress(done: int, total: int, errors: int) -> None:
            now = time.monotonic()
            if now - last[0] >= 5 or done == total:
                last[0] = now
                self.stdout.write(f"  已写入 {done}/{total}")

        report = LegacyImporter().run(book, user=None, mode=mode, progress=progress, file_name=path.name)
        seconds = time.monotonic() - started
        problems = report.problems
        for problem in problems[:PROBLEMS_PRINTED]:
            self.stdout.write(f"  {_where(problem)}{problem.message}")
        if len(problems) > PROBLEMS_PRINTED:
            self.stdout.write(f"  ……另有 {len(problems) - PROBLEMS_PRINTED} 个问题未列出。")
        if mode == Mode.CHECK:
            verdict = "检查完成，未写入任何数据" if problems else "检查通过，可以导入"
        elif report.file_refused or (mode == Mode.ALL and problems):
            verdict = "文件有问题，未写入任何数据；请改正后重新导入（或用 --valid-rows 只导入无误的行）"
        else:
            verdict = "导入完成"
        self.stdout.write(
            f"{verdict}：共 {report.total} 行，新写入 {report.written} 条，已导入过（未改变）{report.unchanged} 条，"
            f"问题 {len(problems)} 个，用时 {seconds:.1f} 秒。"
        )
        if problems and mode != Mode.CHECK and not report.written:
            raise CommandError("未写入任何数据。")


def _where(problem) -> str:
    parts = []
    if problem.sheet:
        parts.append(f"工作表“{problem.sheet}”")
    if problem.row:
        parts.append(f"第{problem.row}行")
    if problem.column:
        parts.append(f"“{problem.column}”列")
    return ("".join(parts) + "：") if parts else ""
