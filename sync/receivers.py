"""The outbox's side of review's signals: run inside the decision's transaction, so the item and the decision
commit or roll back together."""

from __future__ import annotations

from . import services


def on_records_approved(sender, *, ids, at, **kwargs) -> None:
    services.enqueue_records(ids, at=at)


def on_record_marked_fraud(sender, *, record, at, **kwargs) -> None:
    services.enqueue_fraud_mark(record, at=at)
