"""Issue 11 item 9: the rows of 我的业绩 are written in Python (portal_fast.record_rows) instead of a template loop.
What a row says is unchanged: rows in every state (draft never submitted and submitted before, pending with days
left, due today and overdue, rejected with its reason, fraud with its facts, direct review with and without its
reason, approved with a grade, with and without a completion date and an authority), for a firm and for a
deregistered firm, parsed with html.parser from the Python markup and from the loop as it was
(tests/portal/reference/_record_rows_before_issue11.html, kept here only as the reference), give the same elements,
attributes (links, classes, data-label) and texts."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.template import engines

from accounts.models import EnterpriseStatus
from portal import selectors
from portal.templatetags.portal_fast import record_rows
from projects.models import FinishCheck, Record, RecordStatus
from review.selectors import WorkingDaysLeft
from tests.factories import ProjectFactory, RecordFactory, authority_for
from tests.portal.test_field_markup import tokens

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
BEFORE = engines["django"].from_string(
    (__import__("pathlib").Path(__file__).parent / "reference" / "_record_rows_before_issue11.html").read_text()
)
NOW = dt.datetime(2017, 12, 6, 10, tzinfo=SHANGHAI)  # a Wednesday


def _records(firm):
    def make(status, *, level="", deadline=None, submitted=False, authority=True, finished=None):
        record = RecordFactory(enterprise=firm, project=ProjectFactory(prj_name=f"<{status}>工程", data_level=level))
        Record.objects.filter(pk=record.pk).update(
            status=status,
            review_deadline=deadline,
            submitted_at=NOW - dt.timedelta(days=3) if submitted else None,
            responsible_authority=authority_for("450103") if authority else None,
        )
        if finished:
            FinishCheck.objects.create(record=record, e_date=finished)
        return record

    make(RecordStatus.DRAFT, finished=dt.date(2015, 3, 1))
    make(RecordStatus.DRAFT, submitted=True, authority=False)
    make(RecordStatus.SUBMITTED, deadline=dt.datetime(2017, 12, 11, 23, 59, 59, tzinfo=SHANGHAI), submitted=True)
    make(RecordStatus.SUBMITTED, deadline=dt.datetime(2017, 12, 6, 23, 59, 59, tzinfo=SHANGHAI), submitted=True)
    make(RecordStatus.SUBMITTED, deadline=dt.datetime(2017, 12, 1, 23, 59, 59, tzinfo=SHANGHAI), submitted=True)
    make(RecordStatus.REJECTED, submitted=True, finished=dt.date(2016, 8, 1))
    make(RecordStatus.FRAUD, submitted=True)
    make(RecordStatus.DIRECT_REVIEW, deadline=dt.datetime(2017, 12, 8, 23, 59, 59, tzinfo=SHANGHAI), submitted=True)
    make(RecordStatus.DIRECT_REVIEW, submitted=True)
    make(RecordStatus.APPROVED, level="B", submitted=True, finished=dt.date(2014, 1, 2))


@pytest.mark.parametrize("deregistered", [False, True])
def test_every_kind_of_row_says_what_the_loop_said(clerk_a, firm_a, deregistered):
    _records(firm_a)
    if deregistered:
        firm_a.status = EnterpriseStatus.DEREGISTERED
        firm_a.save()
        clerk_a.refresh_from_db()
    with time_machine.travel(NOW, tick=False):
        counter = WorkingDaysLeft()
        records = list(selectors.record_list(clerk_a))
        reasons = iter(["图纸不全 <退回>", "", "伪造合同 & 签章", None, "建设单位已注销"])
        rows = []
        for record in records:
            if record.status in ("rejected", "fraud", "direct_review"):
                reason = next(reasons, "")
                record.rejection_reason = reason if record.status != "direct_review" else None
                record.direct_review_reason = reason if record.status == "direct_review" else None
            pending = record.status in ("submitted", "direct_review")
            rows.append((record, counter(record.review_deadline) if pending else None))
        context = {"rows": rows, "user": clerk_a}
        before = BEFORE.render(context)
        after = record_rows(context, rows)
    assert len(rows) == 10
    assert tokens(after) == tokens(before)
    assert ("delete-draft" in after) is not deregistered
    for text in ("已超过审核期限", "今日到期", "图纸不全 &lt;退回&gt;", "伪造合同 &amp; 签章", "grade-B"):
        assert text in after, text
