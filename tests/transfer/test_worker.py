"""A real Celery worker on Redis runs an import job started from the admin, while the page reads its progress: the
upload is stored by the web process, the worker reads it from the shared media folder and writes the rows and the
counters, and the person who left the page finds the job done when coming back (issue 13 item 5)."""

from __future__ import annotations

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Enterprise
from tests.celery_worker import died, real_worker, unique_queue
from transfer.models import ImportJob, JobStatus

from .test_jobs import HEADER, rows, xlsx


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_job_the_admin_started_and_the_page_follows_it(
    seeded, provincial_staff, client, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.IMPORT_QUEUE = unique_queue("import-test")
    with real_worker(settings.IMPORT_QUEUE, MEDIA_ROOT=str(tmp_path)) as worker:
        client.force_login(provincial_staff)
        start = reverse("admin:transfer_importjob_start", args=["enterprises"])
        data = xlsx({"企业": [HEADER, *rows(40)]})
        answer = client.post(start, {"file": SimpleUploadedFile("企业.xlsx", data), "mode": "all"})
        assert answer.status_code == 302
        job = ImportJob.objects.get()
        progress = reverse("admin:transfer_importjob_progress", args=[job.pk])
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            state = client.get(progress).json()
            if state["finished"]:
                break
            assert died(worker) is None, died(worker)
            time.sleep(0.3)
        else:
            pytest.fail("the worker did not finish the import within 60 s")
    output = worker.output
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, (job.message, output)
    assert (job.total, job.written, job.errors) == (40, 40, 0)
    assert state["percent"] == 100 and Enterprise.objects.filter(name__startswith="南宁第").count() == 40
    page = client.get(reverse("admin:transfer_importjob_change", args=[job.pk])).content.decode()
    assert "refresh" not in page  # a finished job's page stops reloading
