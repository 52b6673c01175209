"""Done-when of issue 10: a Celery worker killed with SIGKILL in the middle of a batch; another worker takes over
when the lease runs out, and every record is on the mock exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid

import pytest
from django.conf import settings
from django.db import connection

from projects.models import Campaign, Track
from sync.models import PushItem, PushState
from sync.tasks import push_to_national
from tests.celery_worker import ROOT
from tests.celery_worker import database_url as _database_url

from .test_push import approved

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def worker(queue: str, mock_url: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "NATIONAL_PLATFORM_URL": mock_url,
        "NATIONAL_PUSH_BATCH_SIZE": "5",
        "NATIONAL_PUSH_LEASE_SECONDS": "4",
        "NATIONAL_PUSH_RETRY_BASE_SECONDS": "0",
        "NATIONAL_PUSH_RETRY_MAX_SECONDS": "0",
    }
    return subprocess.Popen(
        [
            *(sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo", "--concurrency", "1"),
            *("-Q", queue, "--without-heartbeat", "--without-gossip", "--without-mingle", "--loglevel", "WARNING"),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_for(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    pytest.fail(f"not within {seconds} s: {what}")


@pytest.mark.usefixtures("seeded")
def test_a_worker_killed_mid_batch_loses_nothing_and_doubles_nothing(national, firm_a, clerk_a, county_reviewer):
    # the worker reads today's clock: a campaign whose national push is still open
    campaign = Campaign.objects.get(notice_number="桂建设〔2017〕29号")
    Campaign.objects.filter(pk=campaign.pk).update(national_cutoff=None)
    Track.objects.filter(campaign=campaign).update(national_deadline=None)
    records = [approved(firm_a, clerk_a, county_reviewer) for _ in range(30)]
    national.faults(latency_ms=150)  # a batch of 5 records takes ~1.5 s: time to kill the worker inside one
    queue = f"sync-test-{uuid.uuid4().hex[:12]}"
    first = worker(queue, national.url)
    second = None
    try:
        push_to_national.apply_async(queue=queue)
        wait_for(lambda: PushItem.objects.filter(state=PushState.PUSHED).exists(), 60, "a first batch pushed")
        wait_for(lambda: PushItem.objects.filter(state=PushState.SENDING).exists(), 30, "a batch in flight")
        os.kill(first.pid, signal.SIGKILL)
        first.wait(10)
        in_flight = PushItem.objects.filter(state=PushState.SENDING).count()
        assert in_flight > 0  # the killed worker held these
        national.faults()
        second = worker(queue, national.url)
        push_to_national.apply_async(queue=queue)
        wait_for(
            lambda: PushItem.objects.filter(state=PushState.PUSHED).count() == len(records), 90, "every record pushed"
        )
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.terminate()
                try:
                    process.wait(20)
                except subprocess.TimeoutExpired:
                    process.kill()
        connection.close()
    projects = [r["prj_num"] for r in national.rows("TBProjectInfo")]
    assert sorted(projects) == sorted(r.project.prj_num for r in records)  # each once, none missing
    assert all(row["writes"] == 1 for row in national.rows())
    # the items the killed worker held were taken again after their lease ran out
    assert PushItem.objects.filter(tries__gte=2).count() >= in_flight
