"""The record's review log on its page (issue 11 item 4): every status change with the person's real name and
department (copied into RecordTransition when it was made), or the system job that made it, never a bare "—"."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from projects.admin.history import person_text
from projects.models import Record, RecordStatus

from ..models import RecordTransition, TransitionBy

#: Who made a transition that no person made.
SYSTEM_ACTORS = {
    TransitionBy.NIGHTLY_JOB: _("System (overdue, approved automatically)"),
    TransitionBy.MIGRATION: _("System (data migration)"),
}


@dataclass
class LogRow:
    at: dt.datetime
    who: str
    from_status: str
    to_status: str
    reason: str


def _status(value: str) -> str:
    return str(RecordStatus(value).label) if value in RecordStatus.values else value


def transition_actor(row: RecordTransition) -> str:
    """The person who made the transition, as the log copied them, or the system job."""
    if row.by in SYSTEM_ACTORS:
        return str(SYSTEM_ACTORS[row.by])
    if not row.actor_name:
        return str(_("System"))
    return person_text(
        row.actor_name,
        authority=row.actor_authority,
        department=row.actor_department,
        enterprise=row.actor_enterprise,
    )


def review_log(record: Record) -> list[LogRow]:
    """The record's transitions, oldest first (one query)."""
    rows = RecordTransition.objects.filter(record_id=record.pk).order_by("at", "id")
    return [
        LogRow(row.at, transition_actor(row), _status(row.from_status), _status(row.to_status), row.reason)
        for row in rows
    ]
