"""The push end to end against the mock on a real port: approve → outbox → drain → read back."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from projects.models import Record
from review.services import approve_record, submit_record
from sync import services
from sync.models import PushItem, PushState
from tests.review.builders import valid_record

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
D = dt.date


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


DECEMBER_20 = D(2017, 12, 20)


def approved(firm, clerk, reviewer, day=DECEMBER_20) -> Record:
    record = valid_record(firm)
    with time_machine.travel(at(day), tick=False):
        submit_record(record_id=record.pk, user=clerk)
        approve_record(record_id=record.pk, user=reviewer)
    return Record.objects.get(pk=record.pk)


def test_an_approved_national_record_is_pushed_once_and_read_back(national, firm_a, clerk_a, county_reviewer):
    record = approved(firm_a, clerk_a, county_reviewer)
    item = PushItem.objects.get(record=record)
    assert item.state == PushState.PENDING
    with time_machine.travel(at(D(2017, 12, 28)), tick=True):
        report = services.drain()
    item.refresh_from_db()
    assert (report.pushed, report.rejected, report.failed) == (1, 0, 0), (item.last_error, item.reasons)
    assert item.state == PushState.PUSHED
    record.refresh_from_db()
    detail = national.detail(record.project.prj_num)["data"]
    assert detail["PRJNUM"] == record.project.prj_num
    assert detail["DATALEVEL"] == "C" and detail["DATASOURCE"] == "3"
    assert detail["builderLicenceManage"][0]["NATIONALNUM"].startswith(record.project.prj_num + "-SX-")
    assert Record.objects.get(pk=record.pk).licence.national_num == detail["builderLicenceManage"][0]["NATIONALNUM"]
    assert all(r["writes"] == 1 for r in national.rows())


def test_the_command_says_what_it_would_send_and_why_the_rest_stays_provincial(firm_a, clerk_a, county_reviewer):
    from io import StringIO

    from django.core.management import call_command

    record = approved(firm_a, clerk_a, county_reviewer)
    out = StringIO()
    with time_machine.travel(at(D(2018, 1, 5)), tick=False):  # after Guangxi's national cutoff
        call_command("push_to_national", "--dry-run", "--campaign", str(record.campaign_id), stdout=out)
    text = out.getvalue()
    assert "已审核通过1条：将推送0条" in text and "2017-12-31" in text and "（G3）" in text
    assert PushItem.objects.get(record=record).state == PushState.PENDING  # a dry run sends nothing
