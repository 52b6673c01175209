"""Helpers of the decision and auto-approval tests: a record submitted through the real service."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import time_machine

from projects.models import Record
from review.services import submit_record

from .builders import valid_record

SHANGHAI = ZoneInfo("Asia/Shanghai")
D = dt.date

#: Friday 2017-12-01 10:00: due at the end of Wednesday 2017-12-06 (G5, 3 working days).
SUBMITTED_AT = dt.datetime(2017, 12, 1, 10, 0, tzinfo=SHANGHAI)
DUE = dt.datetime(2017, 12, 6, 23, 59, 59, tzinfo=SHANGHAI)
#: The nightly run after the deadline: 00:30 of Thursday 2017-12-07.
NIGHT_AFTER = dt.datetime(2017, 12, 7, 0, 30, tzinfo=SHANGHAI)


def submitted_record(enterprise, clerk, *, at: dt.datetime = SUBMITTED_AT, **kwargs) -> Record:
    record = valid_record(enterprise, **kwargs)
    with time_machine.travel(at, tick=False):
        submit_record(record_id=record.pk, user=clerk)
    return Record.objects.get(pk=record.pk)


def fresh(record: Record) -> Record:
    return Record.objects.select_related("project").get(pk=record.pk)


def stages(record: Record) -> dict:
    """The stage rows of a record and its project, by relation name."""
    record = Record.objects.select_related(
        "project", "censor", "tender", "contract", "licence", "finish_check", "finish_record"
    ).get(pk=record.pk)
    keys = ("censor", "tender", "contract", "licence", "finish_check", "finish_record")
    return {"project": record.project, **{key: getattr(record, key) for key in keys}}
