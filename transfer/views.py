"""The import job's pages, shared by the admin (transfer/admin.py) and the portal's 批量导入
(portal/transfer_views.py): what the job's page shows, when a job may be queued again, and its two files. Each side
finds the job with `ImportJob.visible_to` (its own queryset) and names its own URLs; the rest is here, once."""

from __future__ import annotations

from collections.abc import Callable

from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from . import jobs
from .models import ImportJob, JobStatus
from .workbooks import XLSX_CONTENT_TYPE

#: a job queued longer than this may be queued again from its page (the broker was down when it was started)
REQUEUE_AFTER_SECONDS = 120

#: the job's files: the field and the name the download gets
FILES = {"report": ("report", "问题清单"), "errors": ("error_file", "错误数据")}


def is_stuck(job: ImportJob) -> bool:
    return job.status == JobStatus.QUEUED and (timezone.now() - job.created_at).total_seconds() > REQUEUE_AFTER_SECONDS


def page_context(job: ImportJob, url: Callable[[str], str]) -> dict:
    """The job's page: its progress (and the JSON URL its script polls), its files, the requeue button, the first
    problems. `url(name)` is the side's URL of `progress`, `report`, `errors` or `requeue` for this job."""
    return {
        "job": job,
        "progress": jobs.progress_of(job),
        "progress_url": url("progress"),
        "report_url": url("report") if job.report else "",
        "errors_url": url("errors") if job.error_file else "",
        "requeue_url": url("requeue") if is_stuck(job) else "",
        "problems": job.problems,
        "more_problems": max(job.errors - len(job.problems), 0),
    }


def job_file(job: ImportJob, which: str) -> FileResponse:
    """问题清单 or the error file of the refused rows; 404 when the job has none or the storage lost it (a clean-up,
    a restore), never a 500."""
    attribute, title = FILES[which]
    field = getattr(job, attribute)
    if not field:
        raise Http404(_("This job has no such file."))
    try:
        handle = field.open("rb")
    except FileNotFoundError:
        raise Http404(_("This job has no such file.")) from None
    stem = job.original_name.rsplit(".", 1)[0]
    response = FileResponse(
        handle, as_attachment=True, filename=f"{title}-{job.pk}-{stem}.xlsx", content_type=XLSX_CONTENT_TYPE
    )
    response["Cache-Control"] = "private, no-store"
    return response


def requeue(job: ImportJob) -> bool:
    """Queue a stuck job again; False when it is not stuck (running, finished, or queued a moment ago)."""
    if not is_stuck(job):
        return False
    jobs.queue_job(job.pk)
    return True
