"""The old system's file as an importer of transfer/ (key "legacy"): the admin's import page, its jobs and
`manage.py import_legacy` all run it through this one `run()`."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from transfer.book import Book, Mode, Progress, Report, no_progress

from . import layout, services


class LegacyImporter:
    key = "legacy"
    label = _("Old system migration (J2)")

    @property
    def sheets(self):
        return layout.sheets()

    def run(self, book: Book, *, user, mode: Mode, progress: Progress = no_progress, file_name: str = "") -> Report:
        return services.import_legacy(book, user=user, mode=mode, progress=progress, file_name=file_name)
