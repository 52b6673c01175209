"""G6 申请直接审核 from the portal (issue 11 item 6): the record page's panel explains the rule in the notice's words,
takes the reason and the written application, and sends the record to the provincial office; refusals come as the
submit's numbered report; afterwards the page and the list say whose direct review it waits for, why and until when.
And the officials' side: provincial staff see the reason and the application in their queue; a reviewer who opens a
record someone else decided is told who decided it and when."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from projects.models import Attachment, AttachmentKind, Project, Record, RecordStatus
from review.models import RecordTransition
from review.services import approve_record, submit_record
from tests.review.decisions import SUBMITTED_AT

from .conftest import PDF_BYTES

pytestmark = pytest.mark.django_db

PROVINCE_OFFICE = "广西壮族自治区住房和城乡建设厅"
G6_MISSING = "请上传企业签章的直接审核书面申请（G6）。"


@pytest.fixture(autouse=True)
def _inside_the_campaign():
    """Friday 2017-12-01 10:00, Guangxi campaign open; the deadline is the end of Wednesday 2017-12-06 (G5)."""
    with time_machine.travel(SUBMITTED_AT, tick=False):
        yield


@pytest.fixture
def deregistered(valid_a, provincial_staff):
    """A complete record of firm A but for its owner (建设单位), which has been deregistered (已注销)."""
    Project.objects.filter(pk=valid_a.project_id).update(build_corp_name="", build_corp_code="")
    return valid_a


def url(record, suffix=""):
    return f"/portal/records/{record.pk}/{suffix}"


def body_of(response) -> str:
    return response.content.decode()


def upload_application(client, record):
    application = SimpleUploadedFile("直接审核申请书.pdf", PDF_BYTES, content_type="application/pdf")
    return client.post(url(record, "attachments/"), {"kind": AttachmentKind.DIRECT_REVIEW, "file": application})


def ask(client, record, reason_code="owner_deregistered", reason=""):
    return client.post(url(record, "direct-review/"), {"reason_code": reason_code, "reason": reason})


def problem_list(body: str) -> list[tuple[str, str]]:
    report = re.search(r'<ol class="problem-list">(.*?)</ol>', body, re.S)
    assert report, "no numbered report"
    return re.findall(r'<li><a href="([^"]+)">(.*?)</a></li>', report.group(1))


def status_of(record) -> str:
    return Record.objects.get(pk=record.pk).status


# --------------------------------------------------------------------------------------------------------------
# The round trip
# --------------------------------------------------------------------------------------------------------------


def test_g6_portal_round_trip_refused_without_the_application_then_sent_then_approved_by_the_province(
    client_a, deregistered, provincial_staff, county_reviewer
):
    record = deregistered
    page = body_of(client_a.get(url(record)))
    # the panel, in the notice's words (桂建设〔2017〕29号), naming the provincial office
    assert 'id="s-direct-review"' in page and "申请省厅直接审核（G6）" in page
    words = (
        f"由于项目建设单位已注销等特殊原因导致补录业绩信息无法录入系统时，企业可向{PROVINCE_OFFICE}书面提出申请直接审核"
    )
    assert words in page
    assert "建设单位已注销" in page and 'name="reason_code"' in page

    # 1. without the written application: the submit's numbered report, the G6 item linked to the upload
    refused = ask(client_a, record)
    assert refused.status_code == 422
    body = body_of(refused)
    assert "直接审核申请暂不能提交：请先更正以下1个问题。" in body
    assert problem_list(body) == [("#f-attachments-direct_review", G6_MISSING)]  # not the deregistered owner's fields
    assert 'id="f-attachments-direct_review"' in body  # the link has its target: the panel's upload
    assert re.search(r'value="owner_deregistered" checked', body)  # what was picked is kept
    assert status_of(record) == RecordStatus.DRAFT
    assert not RecordTransition.objects.filter(record=record).exists()

    # 2. the application uploaded from the panel, back to the panel
    uploaded = upload_application(client_a, record)
    assert uploaded.status_code == 302 and uploaded["Location"].endswith("#s-direct-review")
    assert Attachment.objects.filter(record=record, kind=AttachmentKind.DIRECT_REVIEW).count() == 1

    # 3. sent: the provincial queue, with its deadline
    sent = ask(client_a, record)
    assert sent.status_code == 302
    record = Record.objects.select_related("responsible_authority").get(pk=record.pk)
    assert record.status == RecordStatus.DIRECT_REVIEW
    assert record.responsible_authority == provincial_staff.authority
    page = body_of(client_a.get(url(record)))
    assert "直接审核申请已提交（G6）" in page  # the flash message
    assert "待省厅直接审核" in page
    note = re.search(r'<div class="alert alert-info" id="readonly-note".*?</div>', page, re.S).group(0)
    assert f"该业绩已按贵单位申请转{PROVINCE_OFFICE}直接审核（G6）" in note
    assert 'data-queue="provincial"' in note
    assert "建设单位已注销" in note
    assert "2017-12-06 23:59" in note and "剩余 3 个工作日" in note
    assert "等待主管部门审核" not in page
    assert county_reviewer.authority.name not in page  # not the local bureau's queue
    assert 'id="s-direct-review"' not in page and 'id="direct-review-form"' not in page  # nothing more to send

    # the list says the same
    listing = body_of(client_a.get("/portal/"))
    row = re.search(rf'<a href="/portal/records/{record.pk}/".*?</tr>', listing, re.S).group(0)
    assert "待省厅直接审核" in row and "建设单位已注销" in row and PROVINCE_OFFICE in row
    assert "2017-12-06" in row

    # 4. provincial staff approve (review.services); the firm sees who decided and when
    approve_record(record_id=record.pk, user=provincial_staff)
    page = body_of(client_a.get(url(record)))
    assert "审核通过" in page
    decision = re.search(r'id="record-decision">(.*?)</dd>', page, re.S).group(1)
    assert PROVINCE_OFFICE in decision and "2017-12-01 10:00" in decision
    assert "该业绩已经主管部门审核通过" in page or "不能再修改" in page
    assert 'id="direct-review-facts"' not in page


def test_g6_a_rejected_record_offers_the_panel_too(client_a, valid_a, county_reviewer, clerk_a, provincial_staff):
    from review.services import reject_record

    submit_record(record_id=valid_a.pk, user=clerk_a)
    reject_record(record_id=valid_a.pk, user=county_reviewer, reason="建设单位信息与备案不符")
    page = body_of(client_a.get(url(valid_a)))
    assert 'id="direct-review-form"' in page and 'id="direct-review-link"' in page


def test_g6_other_without_words_is_refused_in_chinese_linked_to_the_field(client_a, deregistered):
    upload_application(client_a, deregistered)
    refused = ask(client_a, deregistered, reason_code="other", reason="   ")
    assert refused.status_code == 400
    body = body_of(refused)
    assert problem_list(body) == [("#f-direct-reason", "请说明申请省厅直接审核的原因。")]
    assert 'id="f-direct-reason"' in body
    assert re.search(r'value="other" checked', body)
    assert status_of(deregistered) == RecordStatus.DRAFT
    assert Attachment.objects.filter(record=deregistered, kind=AttachmentKind.DIRECT_REVIEW).exists()  # kept


def test_g6_no_reason_picked_is_refused_linked_to_the_choice(client_a, deregistered):
    refused = client_a.post(url(deregistered, "direct-review/"), {})
    assert refused.status_code == 400
    assert problem_list(body_of(refused)) == [("#f-direct-reason_code", "请选择申请省厅直接审核的原因。")]
    assert status_of(deregistered) == RecordStatus.DRAFT


def test_g6_other_with_words_still_needs_the_owners_fields(client_a, deregistered):
    upload_application(client_a, deregistered)
    refused = ask(client_a, deregistered, reason_code="other", reason="建设单位已合并重组")
    assert refused.status_code == 422
    hrefs = [href for href, _message in problem_list(body_of(refused))]
    assert hrefs and all(href.startswith("#f-project-build_corp_") for href in hrefs)
    assert "建设单位已合并重组" in body_of(refused)  # the words typed are kept
    assert status_of(deregistered) == RecordStatus.DRAFT


@pytest.mark.parametrize("status", [RecordStatus.SUBMITTED, RecordStatus.APPROVED, RecordStatus.DIRECT_REVIEW])
def test_g7_a_record_out_of_the_enterprises_hands_cannot_ask_for_direct_review(client_a, deregistered, status):
    upload_application(client_a, deregistered)
    Record.objects.filter(pk=deregistered.pk).update(status=status)
    page = body_of(client_a.get(url(deregistered)))
    assert 'id="direct-review-form"' not in page and 'id="direct-review-link"' not in page
    refused = ask(client_a, deregistered)
    assert refused.status_code == 403
    assert status_of(deregistered) == status
    assert not RecordTransition.objects.filter(record=deregistered).exists()


def test_g6_another_firms_record_is_not_found(client, clerk_b, deregistered):
    client.force_login(clerk_b)
    assert ask(client, deregistered).status_code == 404
    assert status_of(deregistered) == RecordStatus.DRAFT


def test_g6_the_application_kind_is_offered_by_the_ordinary_upload_too(client_a, record_a):
    page = body_of(client_a.get(url(record_a)))
    upload = re.search(r'<select name="kind".*?</select>', page, re.S).group(0)
    assert 'value="direct_review"' in upload and "直接审核" in upload


def test_g5_a_submitted_record_waits_for_its_local_authority_by_name(client_a, valid_a, clerk_a, county_reviewer):
    submit_record(record_id=valid_a.pk, user=clerk_a)
    note = re.search(r'id="readonly-note"[^>]*>(.*?)</p>', body_of(client_a.get(url(valid_a))), re.S).group(1)
    assert f"该业绩正在等待{county_reviewer.authority.name}审核" in note


# --------------------------------------------------------------------------------------------------------------
# The officials' side (issue 11 item 6, second half)
# --------------------------------------------------------------------------------------------------------------


def test_g6_provincial_staff_see_the_request_in_their_queue_with_reason_and_application(
    client, client_a, deregistered, provincial_staff
):
    upload_application(client_a, deregistered)
    assert ask(client_a, deregistered).status_code == 302
    client.force_login(provincial_staff)
    queue = body_of(client.get("/admin/review/reviewqueueitem/"))
    assert f"/admin/review/reviewqueueitem/{deregistered.pk}/change/" in queue
    page = body_of(client.get(f"/admin/review/reviewqueueitem/{deregistered.pk}/change/"))
    request = re.search(r'id="direct-review-request">(.*?)</div>', page, re.S).group(1)
    application = Attachment.objects.get(record=deregistered, kind=AttachmentKind.DIRECT_REVIEW)
    assert "建设单位已注销" in request
    assert f"/portal/attachments/{application.pk}/" in request and "直接审核申请书.pdf" in request
    assert client.get(f"/portal/attachments/{application.pk}/").status_code == 200  # the official opens it


def test_a_reviewer_opening_a_record_someone_else_decided_is_told_who_and_when(
    client, valid_a, clerk_a, county_reviewer, provincial_staff
):
    submit_record(record_id=valid_a.pk, user=clerk_a)
    approve_record(record_id=valid_a.pk, user=provincial_staff)  # the province decided it first
    client.force_login(county_reviewer)
    response = client.get(f"/admin/review/reviewqueueitem/{valid_a.pk}/change/", follow=True)
    assert response.status_code == 200
    said = " ".join(str(m) for m in response.context["messages"])
    assert "已不在待审核状态" in said
    assert PROVINCE_OFFICE in said and "2017-12-01 10:00" in said and "审核通过" in said


def test_a_reviewer_of_another_region_gets_404_for_a_decided_record(client, valid_a, clerk_a, city_reviewer_y):
    submit_record(record_id=valid_a.pk, user=clerk_a)
    client.force_login(city_reviewer_y)  # 桂林: not this record's region
    assert client.get(f"/admin/review/reviewqueueitem/{valid_a.pk}/change/").status_code == 404
