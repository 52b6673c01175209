"""A real Celery worker process for the tests whose behaviour depends on one (DEVELOPERS.md): on Redis, against the
test database, taking messages only from a queue of the test's own (xdist workers and other tests never take them)."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def database_url() -> str:
    """The test database's URL for the worker process, TCP or (embedded PostgreSQL) a unix socket directory."""
    s = connection.settings_dict
    auth = quote(s["USER"] or "", safe="") + (f":{quote(s['PASSWORD'], safe='')}" if s.get("PASSWORD") else "")
    socket_dir = (s.get("OPTIONS") or {}).get("host")
    if not s["HOST"] and socket_dir:
        return f"postgres://{auth}@/{s['NAME']}?host={quote(socket_dir)}"
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def unique_queue(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


@contextmanager
def real_worker(queue: str, **env_extra: str) -> Iterator[subprocess.Popen]:
    """A solo-pool worker on `queue`; stopped (and its output kept in `.output`) when the block ends."""
    env = {**os.environ, "DATABASE_URL": database_url(), "REDIS_URL": settings.REDIS_URL}
    env.update(CELERY_BROKER_URL=settings.CELERY_BROKER_URL, **env_extra)
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
    worker.output = b""
    try:
        yield worker
    finally:
        worker.terminate()
        try:
            worker.output, _ = worker.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.output, _ = worker.communicate()
        connection.close()


def died(worker: subprocess.Popen) -> str | None:
    """The worker's output when it has exited (a test polling for its work fails with it), else None."""
    if worker.poll() is None:
        return None
    return worker.stdout.read().decode(errors="replace")
