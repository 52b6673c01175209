"""Celery tasks of transfer/: thin adapters that call a service (STYLE.md)."""

from __future__ import annotations

from celery import shared_task

from . import jobs


@shared_task(acks_late=True)
def run_import(job_id: int) -> str | None:
    """Run one import job (queued by `jobs.start_import` after its commit). Idempotent: a finished job is not run
    again, and a job another worker is running is left to it; a redelivered message after a worker died runs the job
    from the start (the importer's writes died with the worker's transaction)."""
    job = jobs.run_job(job_id)
    return job.status if job is not None else None
