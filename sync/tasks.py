"""Celery tasks of sync/: thin adapters that call a service (STYLE.md)."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from . import services


@shared_task(bind=True, acks_late=True)
def push_to_national(self) -> dict:
    """01:00 Asia/Shanghai: every eligible record to the national platform. A redelivered message (a worker killed
    mid-batch) finds the items it leased and sends them again; the platform keys rows by RowGuid. When items are
    left for a later try (backoff), the task comes back for them."""
    report = services.push_to_national()
    due = services.next_due()
    if due is not None:  # back on the queue it came from
        queue = (self.request.delivery_info or {}).get("routing_key") or None
        countdown = max(1, int((due - timezone.now()).total_seconds()) + 1)
        push_to_national.apply_async(countdown=countdown, queue=queue)
    return report.__dict__


@shared_task(acks_late=True)
def push_near_cutoff() -> int:
    """Hourly: push again while a campaign is in its last three working days before the national cutoff."""
    near = services.campaigns_near_cutoff(timezone.localdate())
    if near:
        push_to_national.delay()
    return len(near)
