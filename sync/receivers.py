"""The outbox's side of review's signals: run inside the decision's transaction, so the item and the decision
commit or roll back together."""

from __future__ import annotations

from . import services


def on_records_approved(sender, *, ids, at, **kwargs) -> None:
    services.enqueue_records(ids, at=at)


def on_record_revised(sender, *, ids, at, **kwargs) -> None:
    """A new version of published records (J7, P4): a new item for each, sent under the same national numbers (the
    rows keep their RowGuid keys; the platform replaces a row by a higher version)."""
    services.enqueue_records(ids, at=at)


def on_record_marked_fraud(sender, *, record, at, **kwargs) -> None:
    services.enqueue_fraud_mark(record, at=at)


def push_panel(record) -> dict | None:
    """The review queue's record page says the record's push state (已推送全国平台 / 推送失败 / 仅省级公示)."""
    from .admin import national_link
    from .selectors import national_status

    status = national_status(record)
    if status is None:
        return None
    panel = {"id": "national-status", "title": status.title, "text": status.text, "tone": status.tone}
    if status.state == "pushed":
        from django.utils.translation import gettext as _

        panel |= {"link_url": national_link(record.project.prj_num), "link_text": _("on the national platform")}
    return panel
