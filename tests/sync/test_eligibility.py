"""`push_eligibility()` across the Guangxi dates (G2, G3, P3, G10, J8), and `eligible_filter()` agreeing with it."""

from __future__ import annotations

import pytest
import time_machine

from grading.eligibility import eligible_filter, push_eligibility
from projects.models import Campaign, Record, Tender
from review.services import auto_approve_overdue, mark_fraud, submit_record
from sync import services
from sync.models import PushItem, PushKind, PushState
from sync.selectors import national_status
from tests.factories import EnterpriseFactory, UserFactory
from tests.review.builders import valid_record

from .test_push import D, approved, at

pytestmark = pytest.mark.django_db
PUSH_DAY = D(2017, 12, 28)


def grade_b_clerk():
    firm = EnterpriseFactory(kinds=["design"], qualifications=["DSN-BLD-IND-B"])
    return firm, UserFactory(role="enterprise", enterprise=firm)


def agrees(record: Record, on) -> bool:
    """eligible_filter (the set-based form) says what push_eligibility says, J8 aside."""
    in_filter = Record.objects.filter(pk=record.pk).filter(eligible_filter(on)).exists()
    answer = push_eligibility(record, on=on)
    return in_filter == (answer.eligible or answer.rules == ["J8"])


@pytest.mark.parametrize(
    ("label", "grade", "entered", "eligible", "rules", "words"),
    [
        ("g2_grade_a_on_the_deadline", "A", D(2017, 12, 25), True, [], ""),
        ("g2_grade_a_the_day_after", "A", D(2017, 12, 26), False, ["G2"], "不能作为有效业绩予以认定"),
        ("g3_grade_b_before_the_cutoff", "B", D(2017, 12, 27), True, [], ""),
        ("g3_grade_b_in_2018", "B", D(2018, 3, 1), False, ["G3", "G3"], "仅能录入到一体化平台"),
    ],
)
def test_guangxi_dates(firm_a, clerk_a, county_reviewer, label, grade, entered, eligible, rules, words):
    firm, clerk = (firm_a, clerk_a) if grade == "A" else grade_b_clerk()
    record = approved(firm, clerk, county_reviewer, day=entered)
    on = max(PUSH_DAY, entered)
    answer = push_eligibility(record, on=on)
    assert answer.eligible is eligible, (label, answer.reasons)
    assert answer.rules == rules, label
    assert words in answer.message
    assert agrees(record, on)
    assert PushItem.objects.filter(record=record).exists() is (eligible and record.reaches_national)
    if not eligible:  # accepted and approved all the same, and the clerk reads why it stays provincial
        assert record.status == "approved"
        with time_machine.travel(at(on), tick=False):
            status = national_status(record)
        assert status.state == "provincial" and words in status.text


@pytest.mark.parametrize("push_d", [False, True])
def test_p3_a_d_record_is_pushed_only_when_the_campaign_says_so(firm_a, clerk_a, county_reviewer, push_d):
    Campaign.objects.filter(notice_number="桂建设〔2017〕29号").update(auto_approval_grade="D", push_d_records=push_d)
    record = valid_record(firm_a)
    with time_machine.travel(at(D(2017, 12, 20)), tick=False):
        submit_record(record_id=record.pk, user=clerk_a)
    with time_machine.travel(at(D(2017, 12, 26), 2), tick=False):
        assert auto_approve_overdue() == 1
    record = Record.objects.get(pk=record.pk)
    assert record.finish_check.data_level == "D"
    answer = push_eligibility(record, on=PUSH_DAY)
    assert answer.eligible is push_d
    assert answer.rules == ([] if push_d else ["P3"])
    assert agrees(record, PUSH_DAY)
    # the set-based auto-approval filled the outbox set-based, for the eligible only
    assert PushItem.objects.filter(record=record).exists() is push_d


def test_j8_an_approved_record_that_no_longer_meets_the_standard_is_withdrawn(
    national, firm_a, clerk_a, county_reviewer
):
    record = approved(firm_a, clerk_a, county_reviewer)
    Tender.objects.filter(record=record).update(tender_money=None)  # e.g. a rule tightened after approval
    with time_machine.travel(at(PUSH_DAY), tick=True):
        report = services.drain()
    item = PushItem.objects.get(record=record)
    assert report.withdrawn == 1 and item.state == PushState.WITHDRAWN
    assert "不符合国家数据标准" in item.last_error and "J8" in item.last_error
    assert national.rows() == []


def test_g10_fraud_after_the_push_is_marked_on_the_national_platform(
    national, firm_a, clerk_a, county_reviewer, provincial_staff
):
    record = approved(firm_a, clerk_a, county_reviewer)
    with time_machine.travel(at(PUSH_DAY), tick=True):
        services.drain()
        assert PushItem.objects.get(record=record).state == PushState.PUSHED
        mark_fraud(record_id=record.pk, user=provincial_staff, facts="竣工验收证明系伪造")
        mark = PushItem.objects.get(record=record, kind=PushKind.FRAUD_MARK)
        assert mark.state == PushState.PENDING
        services.drain()
    mark.refresh_from_db()
    assert mark.state == PushState.PUSHED
    (false_mark,) = national.false_marks()
    assert false_mark["prj_num"] == record.project.prj_num
    detail = national.detail(record.project.prj_num)["data"]
    assert detail["ISFALSE"] == 1 and detail["FALSEMARKS"][0]["REASON"] == "竣工验收证明系伪造"
    record = Record.objects.get(pk=record.pk)
    assert push_eligibility(record).rules == ["G10"]
    assert mark.attempts.get().outcome == PushState.PUSHED  # the item's history shows it


def test_g10_fraud_before_the_push_withdraws_the_item_and_sends_nothing(
    national, firm_a, clerk_a, county_reviewer, provincial_staff
):
    record = approved(firm_a, clerk_a, county_reviewer)
    with time_machine.travel(at(PUSH_DAY), tick=True):
        mark_fraud(record_id=record.pk, user=provincial_staff, facts="合同系伪造")
        services.drain()
    assert PushItem.objects.get(record=record).state == PushState.WITHDRAWN
    assert not PushItem.objects.filter(kind=PushKind.FRAUD_MARK).exists()
    assert national.rows() == [] and national.false_marks() == []
