"""The review queue (审核队列, issue 5 item 4): exactly the jurisdiction's pending records, oldest deadline first,
with the working days left; approve and reject from the record's page and in bulk, refusals shown as messages;
the Excel export; a bounded number of queries on the list."""

from __future__ import annotations

import datetime as dt
from io import BytesIO

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from projects.models import RecordStatus
from review.models import ReviewQueueItem
from review.selectors import WorkingDaysLeft, queue_for

from .decisions import DUE, SHANGHAI, SUBMITTED_AT, fresh, submitted_record

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:review_reviewqueueitem_changelist"
#: Monday 2017-12-04 09:30, before the deadline of a record submitted on Friday 2017-12-01 (due Wednesday).
BEFORE_DUE = dt.datetime(2017, 12, 4, 9, 30, tzinfo=SHANGHAI)
GUILIN_COUNTY = "450303"  # 桂林市叠彩区: no county reviewer, so the Guilin city bureau reviews it


@pytest.fixture
def records(cast, firm_a, clerk_a):
    """Two Nanning records of the Qingxiu county bureau (the later-submitted one first) and one Guilin record."""
    later = submitted_record(firm_a, clerk_a, at=SUBMITTED_AT + dt.timedelta(days=3))
    earlier = submitted_record(firm_a, clerk_a)
    guilin = submitted_record(firm_a, clerk_a, county=GUILIN_COUNTY)
    return {"later": later, "earlier": earlier, "guilin": guilin}


def pks(queryset) -> list[int]:
    return list(queryset.values_list("pk", flat=True))


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def action_urls(record) -> tuple[str, str, str]:
    return (
        reverse("admin:review_reviewqueueitem_change", args=[record.pk]),
        reverse("admin:review_reviewqueueitem_approve", args=[record.pk]),
        reverse("admin:review_reviewqueueitem_reject", args=[record.pk]),
    )


# ------------------------------------------------------------------------------------------------------------
# Who sees what (P2), oldest deadline first
# ------------------------------------------------------------------------------------------------------------


def test_p2_county_reviewer_sees_its_own_records_oldest_deadline_first(records, cast):
    assert records["earlier"].review_deadline < records["later"].review_deadline
    assert pks(queue_for(cast["county_reviewer"])) == [records["earlier"].pk, records["later"].pk]


def test_p2_city_reviewer_sees_its_counties_records_and_not_another_citys(records, cast):
    assert pks(queue_for(cast["city_reviewer_x"])) == [records["earlier"].pk, records["later"].pk]
    assert pks(queue_for(cast["city_reviewer_y"])) == [records["guilin"].pk]


def test_p2_provincial_staff_see_the_whole_province(records, cast):
    expected = [records["earlier"].pk, records["guilin"].pk, records["later"].pk]
    assert pks(queue_for(cast["provincial_staff"])) == expected


def test_the_queue_holds_pending_records_only(records, cast, firm_a, clerk_a):
    submitted_record(firm_a, clerk_a)
    ReviewQueueItem.objects.filter(pk=records["later"].pk).update(status=RecordStatus.APPROVED)
    assert records["later"].pk not in pks(queue_for(cast["provincial_staff"]))
    assert pks(queue_for(cast["clerk_a"])) == []


def test_the_admin_list_shows_the_jurisdictions_records(client, records, cast):
    client.force_login(cast["city_reviewer_y"])
    response = client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [records["guilin"]]
    assert records["guilin"].project.prj_num in response.content.decode()
    assert records["earlier"].project.prj_num not in response.content.decode()
    client.force_login(cast["provincial_staff"])
    response = client.get(reverse(CHANGELIST))
    expected = [records["earlier"], records["guilin"], records["later"]]
    assert list(response.context["cl"].result_list) == expected  # oldest deadline first


def test_the_region_and_deadline_filters(client, records, cast):
    client.force_login(cast["provincial_staff"])
    guilin = client.get(reverse(CHANGELIST), {"city": "450300"})
    assert [r.pk for r in guilin.context["cl"].result_list] == [records["guilin"].pk]
    with time_machine.travel(DUE - dt.timedelta(hours=1), tick=False):
        today = client.get(reverse(CHANGELIST), {"due": "today"})
        overdue = client.get(reverse(CHANGELIST), {"due": "overdue"})
    assert "days-left urgent" in today.content.decode()  # 0 working days left: red
    assert {r.pk for r in today.context["cl"].result_list} == {records["earlier"].pk, records["guilin"].pk}
    assert list(overdue.context["cl"].result_list) == []


def test_working_days_left_counts_after_today_and_is_red_when_due():
    with time_machine.travel(BEFORE_DUE, tick=False):
        counter = WorkingDaysLeft()
    assert counter(DUE).days == 2  # Tuesday and Wednesday
    assert not counter(DUE).urgent
    assert counter(DUE - dt.timedelta(days=2)).urgent  # due today (Monday)
    assert counter(DUE - dt.timedelta(days=3)).overdue
    assert counter(None) is None


def test_the_portal_reads_the_same_count_with_its_deadline_and_due_today():
    with time_machine.travel(BEFORE_DUE, tick=False):
        counter = WorkingDaysLeft()
    assert counter(DUE).deadline == DUE
    assert not counter(DUE).due_today
    assert counter(DUE - dt.timedelta(days=2)).due_today  # Monday's deadline, on Monday
    assert not counter(DUE - dt.timedelta(days=3)).due_today  # overdue is not "due today"


def test_the_list_runs_a_bounded_number_of_queries(client, records, cast, firm_a, clerk_a):
    client.force_login(cast["provincial_staff"])
    client.get(reverse(CHANGELIST))  # warm the caches (content types, sessions)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse(CHANGELIST)).status_code == 200
    for _ in range(4):
        submitted_record(firm_a, clerk_a)
    with CaptureQueriesContext(connection) as more:
        response = client.get(reverse(CHANGELIST))
    assert len(response.context["cl"].result_list) == 7
    assert len(more) == len(few)


# ------------------------------------------------------------------------------------------------------------
# Deciding from the admin (G5, P2)
# ------------------------------------------------------------------------------------------------------------


def test_g5_reviewer_approves_from_the_records_page(client, records, cast):
    change, approve, _reject = action_urls(records["earlier"])
    client.force_login(cast["county_reviewer"])
    page = client.get(change)
    assert page.status_code == 200
    assert approve in page.content.decode()
    assert "field-check_report" in page.content.decode()  # the rule-check report, read-only
    with time_machine.travel(BEFORE_DUE, tick=False):
        asked = client.post(approve)  # one click only asks: the confirmation page names what is approved
        assert asked.status_code == 200 and 'id="confirm-approve"' in asked.content.decode()
        assert records["earlier"].project.prj_name in asked.content.decode()
        assert fresh(records["earlier"]).status == RecordStatus.SUBMITTED
        response = client.post(approve, {"confirmed": "yes"})
    assert response.status_code == 302
    assert fresh(records["earlier"]).status == RecordStatus.APPROVED


def test_g5_reject_needs_a_reason_and_then_rejects(client, records, cast):
    _change, _approve, reject = action_urls(records["earlier"])
    client.force_login(cast["county_reviewer"])
    refused = client.post(reject, {"reason": " "})
    assert fresh(records["earlier"]).status == RecordStatus.SUBMITTED
    assert refused.status_code == 200  # said on the page, next to the field, with the common reasons
    html = refused.content.decode()
    assert 'id="reason-error"' in html and "请填写不通过的理由" in html and 'aria-invalid="true"' in html
    client.post(reject, {"reason": "合同金额与中标金额不符"})
    record = fresh(records["earlier"])
    assert record.status == RecordStatus.REJECTED
    assert record.transitions.first().reason == "合同金额与中标金额不符"


def test_g5_a_common_reason_picked_and_words_added(client, records, cast):
    _change, _approve, reject = action_urls(records["earlier"])
    client.force_login(cast["county_reviewer"])
    client.post(reject, {"common": ["contract", "files"], "reason": "合同第3页缺失"})
    record = fresh(records["earlier"])
    assert record.status == RecordStatus.REJECTED
    reason = record.transitions.first().reason
    assert reason.splitlines()[0].startswith("上传的合同") and reason.splitlines()[-1] == "合同第3页缺失"
    assert len(reason.splitlines()) == 3


def test_a_record_decided_by_someone_else_says_who_and_when(client, records, cast):
    change, approve, _reject = action_urls(records["earlier"])
    client.force_login(cast["provincial_staff"])
    with time_machine.travel(BEFORE_DUE, tick=False):
        client.post(approve, {"confirmed": "yes"})
    assert fresh(records["earlier"]).status == RecordStatus.APPROVED
    client.force_login(cast["county_reviewer"])
    for response in (client.get(change, follow=True), client.post(approve, {"confirmed": "yes"}, follow=True)):
        assert response.status_code == 200
        text = " ".join(messages_of(response))
        assert cast["provincial_staff"].real_name in text and "审核通过" in text, text


def test_p2_city_reviewer_reads_its_countys_record_but_cannot_decide_it(client, records, cast):
    change, approve, _reject = action_urls(records["earlier"])
    client.force_login(cast["city_reviewer_x"])
    page = client.get(change)
    assert page.status_code == 200
    assert approve not in page.content.decode()
    response = client.post(approve)
    assert response.status_code == 302
    assert fresh(records["earlier"]).status == RecordStatus.SUBMITTED
    assert len(messages_of(response)) == 1  # the service's "not in your jurisdiction"


def test_p2_reviewer_of_another_city_cannot_reach_the_record(client, records, cast):
    _change, approve, _reject = action_urls(records["earlier"])
    client.force_login(cast["city_reviewer_y"])
    assert client.post(approve).status_code == 404
    assert fresh(records["earlier"]).status == RecordStatus.SUBMITTED


def test_the_decision_views_accept_post_only(client, records, cast):
    _change, approve, _reject = action_urls(records["earlier"])
    client.force_login(cast["county_reviewer"])
    assert client.get(approve).status_code == 405


def test_bulk_approve_by_provincial_staff(client, records, cast):
    client.force_login(cast["provincial_staff"])
    ReviewQueueItem.objects.filter(pk=records["later"].pk).update(status=RecordStatus.DRAFT)  # no longer pending
    selected = [records["earlier"].pk, records["guilin"].pk]
    asked = client.post(reverse(CHANGELIST), {"action": "approve_selected", "_selected_action": selected})
    assert asked.status_code == 200 and 'id="bulk-records"' in asked.content.decode()  # the records, listed
    assert records["earlier"].project.prj_num in asked.content.decode()
    assert fresh(records["earlier"]).status == RecordStatus.SUBMITTED
    response = client.post(
        reverse(CHANGELIST),
        {"action": "approve_selected", "_selected_action": selected, "confirmed": "yes"},
        follow=True,
    )
    assert response.status_code == 200
    assert fresh(records["earlier"]).status == RecordStatus.APPROVED
    assert fresh(records["guilin"]).status == RecordStatus.APPROVED


def test_bulk_approve_reports_a_refusal_per_record(client, records, cast):
    client.force_login(cast["city_reviewer_x"])  # sees Qingxiu's records read-only: every approval is refused
    selected = [records["earlier"].pk, records["later"].pk]
    response = client.post(
        reverse(CHANGELIST), {"action": "approve_selected", "_selected_action": selected, "confirmed": "yes"}
    )
    assert response.status_code == 302
    assert len(messages_of(response)) == 2
    assert fresh(records["earlier"]).status == RecordStatus.SUBMITTED


# ------------------------------------------------------------------------------------------------------------
# Excel
# ------------------------------------------------------------------------------------------------------------


def test_the_queue_exports_to_excel_with_the_filters(client, records, cast):
    client.force_login(cast["county_reviewer"])
    response = client.get(reverse("admin:review_reviewqueueitem_export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 3  # header and the county's two records, oldest deadline first
    assert [row[1] for row in rows[1:]] == [records["earlier"].project.prj_num, records["later"].project.prj_num]
    client.force_login(cast["provincial_staff"])
    guilin = client.get(reverse("admin:review_reviewqueueitem_export"), {"city": "450300"})
    rows = list(load_workbook(BytesIO(guilin.content)).active.iter_rows(values_only=True))
    assert [row[1] for row in rows[1:]] == [records["guilin"].project.prj_num]
