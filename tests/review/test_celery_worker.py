"""A real Celery worker against Redis runs the nightly task and approves the overdue records (issue 5)."""

from __future__ import annotations

import time

import pytest

from projects.models import Record, RecordStatus
from review.models import RecordTransition, TransitionBy
from review.tasks import auto_approve_overdue
from tests.celery_worker import died, real_worker, unique_queue

from .decisions import submitted_record


@pytest.mark.django_db(transaction=True)
def test_g5_a_real_worker_approves_the_overdue_records(seeded, firm_a, clerk_a, county_reviewer):
    # Submitted in 2017: their deadlines passed long before the real clock the worker reads.
    records = [submitted_record(firm_a, clerk_a) for _ in range(3)]
    queue = unique_queue("review-test")
    ids = [r.pk for r in records]
    with real_worker(queue) as worker:
        auto_approve_overdue.apply_async(queue=queue)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if Record.objects.filter(pk__in=ids, status=RecordStatus.APPROVED).count() == len(ids):
                break
            assert died(worker) is None, died(worker)
            time.sleep(0.5)
        else:
            pytest.fail("the worker did not approve the overdue records within 60 s")
    output = worker.output
    assert RecordTransition.objects.filter(record_id__in=ids, by=TransitionBy.NIGHTLY_JOB).count() == 3, output
