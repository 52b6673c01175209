"""Celery tasks of review/: thin adapters that call a service (STYLE.md)."""

from __future__ import annotations

from celery import shared_task

from . import notices, services


@shared_task(acks_late=True)
def auto_approve_overdue() -> int:
    """The nightly auto-approval (G5, P1); idempotent, so a redelivered message does no harm."""
    return services.auto_approve_overdue()


@shared_task(acks_late=True)
def check_calendar() -> list[int]:
    """The nightly calendar check (issue 5 item 3): raise or resolve the alert of a coming year nobody knows."""
    return services.check_calendar()


@shared_task(acks_late=True)
def send_decision_mails(transition_ids: list[int], correction_ids: list[int] | None = None) -> int:
    """The e-mails of one batch of decision notices (issue 5 item 8): of records' transitions, or of correction
    requests' decisions (J7); only rows still to send are sent, so a redelivered message sends nothing twice."""
    return notices.send_decision_mails(transition_ids=transition_ids, correction_ids=correction_ids or [])


@shared_task(acks_late=True)
def retry_notice_mails() -> int:
    """Every 10 minutes: send again the notices that failed (attempt limit) or whose message was lost."""
    return notices.retry_failed_mails()


@shared_task(acks_late=True)
def send_daily_digest() -> int:
    """07:30 Asia/Shanghai: the reviewers' and provincial staff's daily digest; sent once a day per user."""
    return notices.send_daily_digests()
