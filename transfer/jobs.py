"""The services of import jobs (issue 13 item 5): start one from an upload, run one in a worker.

`start_import` does nothing heavy in the request: it checks who may use the importer and the file's size, stores the
file under MEDIA_ROOT/imports/ and queues `transfer.tasks.run_import` after the commit. `run_job` (the task's body)
reads the file into a `Book`, hands it to the importer's one `run()` with a `progress` that stores the counters on the
job every few hundred rows (through a connection of its own, so the page sees them while the importer's transaction
is still open), then writes the report and finishes the job. A file refused by the file layer, or any unexpected
error, fails the job with a Chinese message; what the importer wrote is rolled back by its own transaction.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from pathlib import PurePosixPath

import pghistory
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.errors import DomainError
from accounts.models import Role
from accounts.scoping import province_prefix

from .book import Importer, Mode, Problem, Report, importer, importers
from .files import FileRefused, limit, read_upload
from .models import PROBLEMS_SHOWN, ImportJob, JobStatus
from .workbooks import error_workbook, report_workbook

logger = logging.getLogger(__name__)

#: the counters are stored at most every this many rows…
PROGRESS_EVERY_ROWS = 200
#: …or this many seconds, whichever comes first
PROGRESS_EVERY_SECONDS = 1.0
#: a job still running whose last progress is younger than this is another worker's: a second delivery leaves it
STALE_AFTER_SECONDS = 600

SUFFIXES = (".xlsx", ".xlsm", ".csv", ".txt", ".xls", ".zip")


def may_import(user, found: Importer) -> bool:
    """Officials whose permissions cover what the importer writes (its `permissions`, "app.codename"); without
    that attribute, provincial staff. An enterprise clerk only an importer that says `for_enterprises` (the records:
    its importer writes the clerk's own enterprise's drafts only). The superuser always; systems never."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if getattr(user, "role", None) == Role.ENTERPRISE:
        return bool(user.enterprise_id) and bool(getattr(found, "for_enterprises", False))
    if getattr(user, "role", None) not in (Role.PROVINCIAL, Role.REVIEWER) or not user.authority_id:
        return False
    needed = getattr(found, "permissions", None)
    if needed is None:
        return user.role == Role.PROVINCIAL
    return user.has_perms(needed)


def importers_for(user) -> list[Importer]:
    return [found for _key, found in sorted(importers().items()) if may_import(user, found)]


def importer_for(user, key: str) -> Importer:
    try:
        found = importer(key)
    except KeyError:
        raise DomainError(_("There is no import called “%(key)s”.") % {"key": key}, code="no_importer") from None
    if not may_import(user, found):
        raise DomainError(_("You may not use this import."), code="not_allowed")
    return found


def _original_name(name: str) -> str:
    name = PurePosixPath((name or "").replace("\\", "/")).name.strip().replace("\x00", "") or "upload"
    return name[-255:]


@transaction.atomic
def start_import(*, user, key: str, uploaded_file, mode: str) -> ImportJob:
    """Store the upload and queue its job; refuses at once (DomainError) what can be told without reading it: an
    import the user may not use, an unknown mode, an empty file, a file over the size limit, a name that is not a
    spreadsheet."""
    importer_for(user, key)
    try:
        mode = Mode(mode)
    except ValueError:
        raise DomainError(
            _("Choose how to import: check only, all or nothing, or the correct rows."), code="mode"
        ) from None
    if uploaded_file is None:
        raise DomainError(_("Choose a file to import."), code="no_file")
    name = _original_name(getattr(uploaded_file, "name", ""))
    size = getattr(uploaded_file, "size", None)
    if not size:
        raise DomainError(_("The file is empty."), code="empty")
    if size > limit("IMPORT_MAX_BYTES"):
        mb = 1024 * 1024
        raise DomainError(
            _("The file is %(size)s MB; at most %(max)s MB can be imported at once. Split it into several files.")
            % {"size": f"{size / mb:.1f}", "max": f"{limit('IMPORT_MAX_BYTES') / mb:g}"},
            code="too_big",
        )
    if PurePosixPath(name).suffix.lower() not in SUFFIXES:
        raise DomainError(
            _("Import an Excel workbook (.xlsx), a CSV file or a ZIP of CSV files; “%(name)s” is none of them.")
            % {"name": name},
            code="suffix",
        )
    _refuse_too_many_open_jobs(user)
    prefix = _province_of(user)
    job = ImportJob(
        importer=key,
        mode=mode.value,
        original_name=name,
        created_by=user,
        province_id=f"{prefix}0000" if prefix else None,
    )
    job.upload.save(name, uploaded_file, save=False)
    job.save()
    job_id = job.pk
    transaction.on_commit(lambda: queue_job(job_id))
    return job


#: a job queued or running longer than this is stuck (its worker gone), not counted against its user
OPEN_JOB_WINDOW = dt.timedelta(hours=6)


def _refuse_too_many_open_jobs(user) -> None:
    """One user cannot fill the workers' queue: at most IMPORT_MAX_OPEN_JOBS of their jobs queued or running at once
    (the user's row is locked while counting, so two uploads at the same moment cannot both pass)."""
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    most = limit("IMPORT_MAX_OPEN_JOBS")
    open_jobs = ImportJob.objects.filter(
        created_by=user,
        status__in=(JobStatus.QUEUED, JobStatus.RUNNING),
        created_at__gte=timezone.now() - OPEN_JOB_WINDOW,
    ).count()
    if open_jobs >= most:
        raise DomainError(
            _("You have %(count)s imports queued or running; start the next one when one of them has finished.")
            % {"count": open_jobs},
            code="too_many_jobs",
        )


def _province_of(user) -> str | None:
    """The province a job belongs to (its staff see it): an official's, or the clerk's enterprise's registration."""
    prefix = province_prefix(user)
    if prefix is None and getattr(user, "role", None) == Role.ENTERPRISE and user.enterprise_id:
        region = user.enterprise.region_id or ""
        prefix = region[:2] if len(region) == 6 else None
    return prefix


def queue_job(job_id: int) -> None:
    """Queue the job's task (after the commit). A broker that cannot be reached loses nothing: the job stays queued
    and its page offers to queue it again."""
    from .tasks import run_import

    try:
        # IMPORT_QUEUE: a queue of their own for imports (a worker started with -Q), so a large file does not hold up
        # the nightly jobs; unset, the default queue
        run_import.apply_async((job_id,), queue=getattr(settings, "IMPORT_QUEUE", None) or None)
    except Exception:
        logger.exception("import job %s could not be queued", job_id)


class JobProgress:
    """The `progress` an importer calls: cheap, throttled UPDATEs of the job's counters through a connection of its
    own (autocommit), visible to the job's page while the importer's transaction is open."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.done = self.total = self.errors = 0
        self._last_rows = -PROGRESS_EVERY_ROWS
        self._last_time = 0.0
        self._connection = None
        self.updates = 0

    def __call__(self, done: int, total: int, errors: int) -> None:
        self.done, self.total, self.errors = done, total, errors
        now = time.monotonic()
        if done - self._last_rows < PROGRESS_EVERY_ROWS and now - self._last_time < PROGRESS_EVERY_SECONDS:
            return
        self._last_rows, self._last_time = done, now
        self.store()

    def store(self) -> None:
        try:
            if self._connection is None:
                self._connection = connections.create_connection("default")
            with self._connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {ImportJob._meta.db_table} SET done = %s, total = GREATEST(total, %s), errors = %s, "
                    "progress_at = %s WHERE id = %s AND status = %s",
                    [self.done, self.total, self.errors, timezone.now(), self.job_id, JobStatus.RUNNING],
                )
            self.updates += 1
        except Exception:  # progress is a courtesy: the import goes on without it
            logger.warning("import job %s: progress not stored", self.job_id, exc_info=True)

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def _claim(job_id: int) -> ImportJob | None:
    """The job to run now, marked running; None when it is gone, finished or being run by another worker."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.is_finished:
            return None
        if job.status == JobStatus.RUNNING and job.progress_at:
            if (timezone.now() - job.progress_at).total_seconds() < STALE_AFTER_SECONDS:
                return None
        job.start()
        job.save()
    return job


def run_job(job_id: int) -> ImportJob | None:
    """Run one queued job to its end (done or failed). Idempotent: a finished job is left as it is."""
    job = _claim(job_id)
    if job is None:
        return ImportJob.objects.filter(pk=job_id).first()
    progress = JobProgress(job.pk)
    book = None
    try:
        found = importer(job.importer)
        with job.upload.open("rb") as handle:
            book = read_upload(handle, sheets=found.sheets, name=job.original_name)
        total = book.rows()
        ImportJob.objects.filter(pk=job.pk).update(total=total, source=book.source, progress_at=timezone.now())
        job.total, job.source = total, book.source
        with pghistory.context(import_job=job.pk, importer=job.importer, mode=job.mode):
            report = found.run(book, user=job.created_by, mode=Mode(job.mode), progress=progress)
    except FileRefused as refused:
        _fail(job, refused.message, refused.problems)
    except Exception:
        logger.exception("import job %s failed", job.pk)
        _fail(
            job,
            _(
                "The import stopped because of an unexpected error; nothing was written. Try again later; if it "
                "happens again, send the file and the time to the platform's administrators."
            ),
            [],
        )
    else:
        _finish(job, found, book, report)
    finally:
        progress.close()
    return job


def _fail(job: ImportJob, message: str, problems: list[Problem]) -> None:
    job.refresh_from_db()
    if job.is_finished:
        return
    job.fail(message=message)
    job.errors = len(problems)
    job.problems = [_as_dict(p) for p in problems[:PROBLEMS_SHOWN]]
    if problems:
        job.report.save(f"问题清单-{job.pk}.xlsx", ContentFile(report_workbook(problems)), save=False)
    job.save()


def _finish(job: ImportJob, found: Importer, book, report: Report) -> None:
    job.refresh_from_db()
    job.done = max(job.total, report.total)
    job.total = max(job.total, report.total)
    job.errors = len(report.problems)
    job.written = report.written
    job.unchanged = report.unchanged
    job.refused_rows = len({(p.sheet, p.row) for p in report.problems if p.row})
    job.problems = [_as_dict(p) for p in report.problems[:PROBLEMS_SHOWN]]
    job.message = _summary(job, report)
    if report.problems:
        job.report.save(f"问题清单-{job.pk}.xlsx", ContentFile(report_workbook(report.problems)), save=False)
    if job.mode == Mode.VALID_ROWS and not report.file_refused:
        content = error_workbook(found, book, report)
        if content is not None:
            job.error_file.save(f"错误数据-{job.pk}.xlsx", ContentFile(content), save=False)
    job.finish()
    job.save()


def _summary(job: ImportJob, report: Report) -> str:
    problems = len(report.problems)
    if job.mode == Mode.CHECK:
        if problems:
            return _("Checked %(total)s rows: %(problems)s problems. Nothing was written.") % {
                "total": report.total,
                "problems": problems,
            }
        return _("Checked %(total)s rows: no problem. Nothing was written; import the file to write it.") % {
            "total": report.total
        }
    if job.mode == Mode.ALL and problems:
        return _(
            "%(problems)s problems in %(total)s rows: nothing was written. Correct the file and import it again."
        ) % {"problems": problems, "total": report.total}
    text = _("%(written)s rows written, %(unchanged)s unchanged.") % {
        "written": report.written,
        "unchanged": report.unchanged,
    }
    if problems:
        text += " " + _("%(rows)s rows refused (%(problems)s problems): see the error file.") % {
            "rows": len({(p.sheet, p.row) for p in report.problems if p.row}),
            "problems": problems,
        }
    return text


def _as_dict(problem: Problem) -> dict:
    return {"sheet": problem.sheet, "row": problem.row, "column": problem.column, "message": str(problem.message)}


def progress_of(job: ImportJob) -> dict:
    """What the job's page shows, as the JSON its script polls."""
    left = job.time_left()
    return {
        "id": job.pk,
        "status": job.status,
        "status_label": str(job.get_status_display()),
        "finished": job.is_finished,
        "total": job.total,
        "done": job.done,
        "errors": job.errors,
        "percent": job.percent,
        "seconds_left": int(left.total_seconds()) if left is not None else None,
        "message": job.message,
    }
