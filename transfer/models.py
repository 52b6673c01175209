"""An import job (issue 13 item 5): one uploaded file, the importer and mode chosen for it, its progress while a
Celery worker reads and writes it, and the report it leaves behind.

Jobs are not tracked by pghistory (like the push batches and the systems' call log, they are a log themselves); the
rows an import writes are, with the job named in their context (transfer.jobs.run_job).
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from accounts.models import Region, Role
from accounts.scoping import Scoped, province_prefix

from .book import Mode


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class JobMode(models.TextChoices):
    CHECK = Mode.CHECK.value, _("Check only (write nothing)")
    ALL = Mode.ALL.value, _("Import only if every row is correct")
    VALID_ROWS = Mode.VALID_ROWS.value, _("Import the correct rows only")


def _stored_name(folder: str, filename: str) -> str:
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    return f"{folder}/{uuid.uuid4().hex[:2]}/{uuid.uuid4().hex}{suffix}"


def upload_path(instance: ImportJob, filename: str) -> str:
    """Under MEDIA_ROOT/imports/, a name nobody can guess; the user's name for the file is kept in the row."""
    return _stored_name("imports", filename)


def report_path(instance: ImportJob, filename: str) -> str:
    return _stored_name("imports/reports", filename)


#: the problems kept in the row for the job's page (the report file has them all)
PROBLEMS_SHOWN = 500


class ImportJob(Scoped, FSMModelMixin, models.Model):
    importer = models.CharField(_("import"), max_length=40)
    upload = models.FileField(_("uploaded file"), upload_to=upload_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=255)
    mode = models.CharField(_("mode"), max_length=12, choices=JobMode.choices, default=JobMode.CHECK)
    status = FSMField(_("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED, protected=True)
    total = models.PositiveIntegerField(_("rows in the file"), default=0)
    done = models.PositiveIntegerField(_("rows checked"), default=0)
    errors = models.PositiveIntegerField(_("problems"), default=0)
    written = models.PositiveIntegerField(_("rows written"), default=0)
    unchanged = models.PositiveIntegerField(_("rows unchanged"), default=0)
    refused_rows = models.PositiveIntegerField(_("rows refused"), default=0)
    message = models.TextField(_("message"), blank=True)
    problems = models.JSONField(
        _("problems"), default=list, blank=True, help_text=_("The first problems, for the job's page.")
    )
    source = models.CharField(_("file type"), max_length=20, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("started by"), on_delete=models.PROTECT, related_name="import_jobs"
    )
    province = models.ForeignKey(
        Region, verbose_name=_("province"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    progress_at = models.DateTimeField(_("last progress at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    report = models.FileField(_("report"), upload_to=report_path, max_length=200, blank=True)
    error_file = models.FileField(_("error file"), upload_to=report_path, max_length=200, blank=True)

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["province", "-created_at"]), models.Index(fields=["created_by", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"

    @classmethod
    def scope(cls, qs, user):
        """Provincial staff: the jobs of their province (whoever started them: its staff, or the clerks of the
        enterprises registered in it); any other official and an enterprise clerk (the portal's 批量导入): their own
        jobs only; systems: none."""
        role = getattr(user, "role", None)
        if role == Role.PROVINCIAL:
            prefix = province_prefix(user)
            return qs.filter(province_id=f"{prefix}0000") if prefix else qs.none()
        if role in (Role.REVIEWER, Role.ENTERPRISE):
            return qs.filter(Q(created_by_id=user.pk))
        return qs.none()

    # --- transitions (the runner calls them; each guards only this job's own state) ---

    @transition(field=status, source=[JobStatus.QUEUED, JobStatus.RUNNING], target=JobStatus.RUNNING)
    def start(self) -> None:
        """A job runs once it is queued; a job left running by a worker that died runs again from the start (its
        writes were one transaction, rolled back with the worker)."""
        self.started_at = timezone.now()
        self.progress_at = self.started_at
        self.done = self.errors = self.written = self.unchanged = self.refused_rows = 0
        self.message = ""
        self.problems = []

    @transition(field=status, source=JobStatus.RUNNING, target=JobStatus.DONE)
    def finish(self) -> None:
        self.finished_at = timezone.now()

    @transition(field=status, source=[JobStatus.QUEUED, JobStatus.RUNNING], target=JobStatus.FAILED)
    def fail(self, message: str) -> None:
        self.finished_at = timezone.now()
        self.message = message

    # --- reading ---

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        if not self.total:
            return 0
        return min(100, int(self.done * 100 / self.total))

    def time_left(self, now: dt.datetime | None = None) -> dt.timedelta | None:
        """elapsed / done × remaining, from the last progress the worker stored; None before the first."""
        if self.status != JobStatus.RUNNING or not self.started_at or not self.done or not self.total:
            return None
        elapsed = (self.progress_at or now or timezone.now()) - self.started_at
        remaining = max(self.total - self.done, 0)
        return dt.timedelta(seconds=round(elapsed.total_seconds() / self.done * remaining))

    @property
    def importer_label(self) -> str:
        from .book import importers

        found = importers().get(self.importer)
        return str(found.label) if found is not None else self.importer
