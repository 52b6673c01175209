"""A real Celery worker against Redis runs the nightly task and approves the overdue records (issue 5)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from projects.models import Record, RecordStatus
from review.models import RecordTransition, TransitionBy
from review.tasks import auto_approve_overdue

from .decisions import submitted_record

ROOT = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    """The test database's URL for the worker process, TCP or (embedded PostgreSQL) a unix socket directory."""
    s = connection.settings_dict
    auth = quote(s["USER"] or "", safe="") + (f":{quote(s['PASSWORD'], safe='')}" if s.get("PASSWORD") else "")
    socket_dir = (s.get("OPTIONS") or {}).get("host")
    if not s["HOST"] and socket_dir:
        return f"postgres://{auth}@/{s['NAME']}?host={quote(socket_dir)}"
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_g5_a_real_worker_approves_the_overdue_records(seeded, firm_a, clerk_a, county_reviewer):
    # Submitted in 2017: their deadlines passed long before the real clock the worker reads.
    records = [submitted_record(firm_a, clerk_a) for _ in range(3)]
    queue = f"review-test-{uuid.uuid4().hex[:12]}"  # nobody else's worker takes our message
    env = {**os.environ, "DATABASE_URL": _database_url(), "REDIS_URL": settings.REDIS_URL}
    env.pop("CELERY_BROKER_URL", None)
    env["CELERY_BROKER_URL"] = settings.CELERY_BROKER_URL
    worker = subprocess.Popen(
        [
            *(sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo", "--concurrency", "1"),
            *("-Q", queue, "--without-heartbeat", "--without-gossip", "--without-mingle", "--loglevel", "WARNING"),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        auto_approve_overdue.apply_async(queue=queue)
        ids = [r.pk for r in records]
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if Record.objects.filter(pk__in=ids, status=RecordStatus.APPROVED).count() == len(ids):
                break
            assert worker.poll() is None, worker.stdout.read().decode(errors="replace")
            time.sleep(0.5)
        else:
            pytest.fail("the worker did not approve the overdue records within 60 s")
    finally:
        worker.terminate()
        try:
            output, _ = worker.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            output, _ = worker.communicate()
        connection.close()
    assert RecordTransition.objects.filter(record_id__in=ids, by=TransitionBy.NIGHTLY_JOB).count() == 3, output
