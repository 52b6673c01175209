"""Celery tasks of transfer/: thin adapters that call a service (STYLE.md)."""

from __future__ import annotations

from celery import shared_task

from . import jobs

#: a file of IMPORT_MAX_ROWS rows takes minutes, not the 10 of the other tasks' soft limit (config/settings.py): the
#: old system's 50,000 records took 209 s on 2 cores; a job cut by the limit fails with its message and writes nothing
IMPORT_SOFT_TIME_LIMIT = 2 * 60 * 60


@shared_task(acks_late=True, soft_time_limit=IMPORT_SOFT_TIME_LIMIT, time_limit=IMPORT_SOFT_TIME_LIMIT + 300)
def run_import(job_id: int) -> str | None:
    """Run one import job (queued by `jobs.start_import` after its commit). Idempotent: a finished job is not run
    again, and a job another worker is running is left to it; a redelivered message after a worker died runs the job
    from the start (the importer's writes died with the worker's transaction)."""
    job = jobs.run_job(job_id)
    return job.status if job is not None else None
