"""Celery tasks of review/: thin adapters that call a service (STYLE.md)."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def auto_approve_overdue() -> int:
    """The nightly auto-approval (G5, P1); idempotent, so a redelivered message does no harm."""
    return services.auto_approve_overdue()


@shared_task(acks_late=True)
def check_calendar() -> list[int]:
    """The nightly calendar check (issue 5 item 3): raise or resolve the alert of a coming year nobody knows."""
    return services.check_calendar()
