"""G6 申请直接审核: the enterprise sends a record to the provincial office on a written application; provincial staff
decide it with the ordinary approve/reject, a city or county reviewer cannot."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
import time_machine

from accounts.errors import DomainError
from projects.models import Attachment, AttachmentKind, Project, RecordStatus
from review.models import RecordTransition, TransitionBy
from review.services import (
    DirectReviewReason,
    SubmitRefused,
    approve_record,
    reject_record,
    request_direct_review,
)

from .builders import PDF, valid_record
from .decisions import DUE, SUBMITTED_AT, fresh

pytestmark = pytest.mark.django_db

DEREGISTERED = DirectReviewReason.OWNER_DEREGISTERED
OTHER = DirectReviewReason.OTHER


@pytest.fixture(autouse=True)
def _inside_the_campaign():
    """Every request is made while the Guangxi campaign is open (Friday 2017-12-01 10:00)."""
    with time_machine.travel(SUBMITTED_AT, tick=False):
        yield


def attach_application(record) -> Attachment:
    return Attachment.objects.create(
        record=record,
        kind=AttachmentKind.DIRECT_REVIEW,
        file=f"attachments/dr/{record.pk}-application.pdf",
        original_name="直接审核申请书.pdf",
        content_type="application/pdf",
        size=len(PDF),
        sha256=hashlib.sha256(PDF).hexdigest(),
    )


@pytest.fixture
def record(firm_a, county_reviewer, provincial_staff):
    """A record whose owner (建设单位) no longer exists: its name and credit code cannot be completed."""
    record = valid_record(firm_a)
    Project.objects.filter(pk=record.project_id).update(build_corp_name="", build_corp_code="")
    attach_application(record)
    return record


def refused(**kwargs) -> DomainError:
    with pytest.raises(DomainError) as info:
        request_direct_review(**kwargs)
    return info.value


def test_g6_deregistered_owner_goes_to_the_provincial_office(record, clerk_a, county_reviewer, provincial_staff):
    with time_machine.travel(SUBMITTED_AT, tick=False):
        returned = request_direct_review(record_id=record.pk, user=clerk_a, reason_code=DEREGISTERED, reason="")
    record = fresh(record)
    assert returned.pk == record.pk
    assert record.status == RecordStatus.DIRECT_REVIEW
    # P2: the provincial office, although the county bureau (青秀区) has a reviewer.
    assert record.responsible_authority == provincial_staff.authority
    assert record.responsible_authority != county_reviewer.authority
    assert record.submitted_at == SUBMITTED_AT
    assert record.review_deadline == DUE  # the same working-day deadline as a submission (G5)
    assert record.track is not None
    assert record.version == 2
    assert not record.is_editable_by_enterprise
    row = RecordTransition.objects.get(record=record)
    assert (row.from_status, row.to_status, row.at, row.by, row.actor) == (
        RecordStatus.DRAFT,
        RecordStatus.DIRECT_REVIEW,
        SUBMITTED_AT,
        TransitionBy.PERSON,
        clerk_a,
    )
    assert row.reason == "建设单位已注销"
    assert row.actor_enterprise == clerk_a.enterprise.name


def test_g6_a_rejected_record_may_ask_for_direct_review(record, clerk_a, provincial_staff):
    request_direct_review(record_id=record.pk, user=clerk_a, reason_code=DEREGISTERED)
    reject_record(record_id=record.pk, user=provincial_staff, reason="申请书未盖章")
    request_direct_review(record_id=record.pk, user=clerk_a, reason_code=DEREGISTERED)
    assert fresh(record).status == RecordStatus.DIRECT_REVIEW
    statuses = list(RecordTransition.objects.filter(record=record).order_by("pk").values_list("to_status", flat=True))
    assert statuses == [RecordStatus.DIRECT_REVIEW, RecordStatus.REJECTED, RecordStatus.DIRECT_REVIEW]


def test_g6_the_written_application_is_required(record, clerk_a):
    Attachment.objects.filter(record=record, kind=AttachmentKind.DIRECT_REVIEW).delete()
    error = refused(record_id=record.pk, user=clerk_a, reason_code=DEREGISTERED)
    assert isinstance(error, SubmitRefused)
    assert [p.path for p in error.problems] == ["attachments.direct_review"]
    assert [p.rule for p in error.problems] == ["G6"]
    assert fresh(record).status == RecordStatus.DRAFT
    assert not RecordTransition.objects.filter(record=record).exists()


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_g6_other_reason_needs_the_enterprises_words(record, clerk_a, reason):
    assert refused(record_id=record.pk, user=clerk_a, reason_code=OTHER, reason=reason).code == "reason_required"
    assert fresh(record).status == RecordStatus.DRAFT


def test_g6_an_unknown_reason_code_is_refused(record, clerk_a):
    assert refused(record_id=record.pk, user=clerk_a, reason_code="bored").code == "reason_code"


def test_g6_other_reason_with_words_still_needs_the_owners_data(record, clerk_a):
    error = refused(record_id=record.pk, user=clerk_a, reason_code=OTHER, reason="建设单位已合并重组")
    assert isinstance(error, SubmitRefused)
    paths = {p.path for p in error.problems}
    assert paths and all(path.startswith("project.build_corp_") for path in paths)


def test_g6_other_reason_with_words_and_complete_data_is_logged(firm_a, clerk_a, provincial_staff):
    record = valid_record(firm_a)
    attach_application(record)
    request_direct_review(record_id=record.pk, user=clerk_a, reason_code=OTHER, reason="  建设单位已合并重组 ")
    assert fresh(record).status == RecordStatus.DIRECT_REVIEW
    assert RecordTransition.objects.get(record=record).reason == "其他：建设单位已合并重组"


def test_g6_other_problems_of_the_record_still_refuse(record, clerk_a):
    Attachment.objects.filter(record=record, kind=AttachmentKind.CONTRACT).delete()
    error = refused(record_id=record.pk, user=clerk_a, reason_code=DEREGISTERED)
    assert "attachments.contract" in {p.path for p in error.problems}


def test_g6_another_enterprise_is_refused(record, clerk_b):
    assert refused(record_id=record.pk, user=clerk_b, reason_code=DEREGISTERED).code == "forbidden"
    assert fresh(record).status == RecordStatus.DRAFT


def test_g6_a_reviewer_cannot_ask_for_it(record, county_reviewer):
    assert refused(record_id=record.pk, user=county_reviewer, reason_code=DEREGISTERED).code == "forbidden"


def test_g6_a_record_waiting_for_review_is_locked(record, clerk_a):
    request_direct_review(record_id=record.pk, user=clerk_a, reason_code=DEREGISTERED)
    assert refused(record_id=record.pk, user=clerk_a, reason_code=DEREGISTERED).code == "locked"
    assert RecordTransition.objects.filter(record=record).count() == 1


def test_g6_provincial_staff_approve_a_direct_review(record, clerk_a, provincial_staff):
    request_direct_review(record_id=record.pk, user=clerk_a, reason_code=DEREGISTERED)
    approve_record(record_id=record.pk, user=provincial_staff)
    assert fresh(record).status == RecordStatus.APPROVED
    row = RecordTransition.objects.filter(record=record).first()
    assert (row.from_status, row.to_status, row.actor) == (
        RecordStatus.DIRECT_REVIEW,
        RecordStatus.APPROVED,
        provincial_staff,
    )


@pytest.mark.parametrize("who", ["city_reviewer_x", "county_reviewer"])
def test_g6_a_bureau_reviewer_cannot_decide_a_direct_review(record, clerk_a, cast, who):
    request_direct_review(record_id=record.pk, user=clerk_a, reason_code=DEREGISTERED)
    for decide in (
        lambda: approve_record(record_id=record.pk, user=cast[who]),
        lambda: reject_record(record_id=record.pk, user=cast[who], reason="不在辖区"),
    ):
        with pytest.raises(DomainError) as info:
            decide()
        assert info.value.code == "not_your_jurisdiction"
    assert fresh(record).status == RecordStatus.DIRECT_REVIEW


def test_g6_the_nightly_job_leaves_a_direct_review_alone(record, clerk_a):
    from review.services import auto_approve_overdue

    with time_machine.travel(SUBMITTED_AT, tick=False):
        request_direct_review(record_id=record.pk, user=clerk_a, reason_code=DEREGISTERED)
    assert auto_approve_overdue(now=DUE + dt.timedelta(days=30)) == 0
    assert fresh(record).status == RecordStatus.DIRECT_REVIEW
