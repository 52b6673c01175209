"""核对信息 before 提交审核 and the receipt (回执) after it (issue 11 item 7): the record page's submit button leads to
a page with every section's values, the attachments, the campaign's terms and the rule check; the submit button
is there only when nothing is wrong; after submitting, a printable receipt with a unique number, the time, the
reviewing authority and the deadline, reachable from the record page; a resubmission gets a new receipt."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine

from projects.models import Record, RecordStatus
from review.models import RecordTransition
from review.services import receipt_number, reject_record

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
FRIDAY = dt.datetime(2017, 12, 1, 10, tzinfo=SHANGHAI)
MONDAY = dt.datetime(2017, 12, 4, 9, tzinfo=SHANGHAI)


def check(client, record):
    return client.get(f"/portal/records/{record.pk}/check/")


def test_check_the_record_pages_submit_button_leads_to_the_check_page(client_a, record_a):
    with time_machine.travel(FRIDAY, tick=False):
        body = client_a.get(f"/portal/records/{record_a.pk}/").content.decode()
    link = re.search(r'<a [^>]*id="submit-button"[^>]*>', body).group(0)
    assert f'href="/portal/records/{record_a.pk}/check/"' in link
    assert "核对并提交" in body


def test_check_an_incomplete_record_lists_its_problems_linked_to_their_fields_and_offers_no_submit(client_a, record_a):
    with time_machine.travel(FRIDAY, tick=False):
        response = check(client_a, record_a)
    assert response.status_code == 200
    body = response.content.decode()
    assert "提交审核前核对信息" in body
    listed = re.search(r'<ol class="problem-list">(.*?)</ol>', body, re.S).group(1)
    assert f'href="/portal/records/{record_a.pk}/#f-tender-tender_money"' in listed
    assert "中标金额（万元）" in listed
    assert "暂不能提交审核" in body
    assert 'id="confirm-submit-button"' not in body
    assert f'action="/portal/records/{record_a.pk}/submit/"' not in body
    assert Record.objects.get(pk=record_a.pk).status == RecordStatus.DRAFT  # a look changes nothing


def test_check_a_valid_record_shows_values_attachments_terms_and_the_submit_button(client_a, valid_a, county_reviewer):
    with time_machine.travel(FRIDAY, tick=False):
        body = check(client_a, valid_a).content.decode()
    assert "规则校验未发现问题" in body
    assert 'id="confirm-submit-button"' in body
    assert f'action="/portal/records/{valid_a.pk}/submit/"' in body
    # every section's values, compactly (codes by their names)
    assert valid_a.project.prj_name in body
    assert "南宁市青秀区发展和改革局" in body
    for section in ("基本信息", "招投标备案", "合同备案", "施工许可", "竣工验收", "参建单位", "单位人员", "附件"):
        assert section in body, section
    assert "<input" not in re.sub(r'<input type="hidden" name="csrfmiddlewaretoken"[^>]*>', "", body)
    # the attachments
    for attachment in valid_a.attachments.all():
        assert attachment.original_name in body
    # the campaign's terms: campaign, track, last day, authority and the deadline a submission now gets
    assert valid_a.campaign.name in body
    terms = re.search(r'<dl class="check-terms".*?</dl>', body, re.S).group(0)
    assert "2017-12-25" in terms, terms  # 甲级: the track's last day
    assert county_reviewer.authority.name in terms
    assert "2017-12-06 23:59" in terms  # Mon 4, Tue 5, Wed 6
    assert "3 个工作日" in terms


def test_check_a_pending_record_has_nothing_to_check(client_a, valid_a):
    Record.objects.filter(pk=valid_a.pk).update(status=RecordStatus.SUBMITTED)
    response = check(client_a, valid_a)
    assert response.status_code == 302 and response["Location"] == f"/portal/records/{valid_a.pk}/"


def test_check_another_enterprises_record_is_not_found(client, clerk_b, valid_a):
    client.force_login(clerk_b)
    assert check(client, valid_a).status_code == 404
    assert client.get(f"/portal/records/{valid_a.pk}/receipt/").status_code == 404


def test_receipt_after_submitting_with_number_time_authority_deadline_printable(client_a, valid_a, county_reviewer):
    with time_machine.travel(FRIDAY, tick=False):
        response = client_a.post(f"/portal/records/{valid_a.pk}/submit/")
        assert response.status_code == 302
        assert response["Location"] == f"/portal/records/{valid_a.pk}/receipt/"
        body = client_a.get(response["Location"]).content.decode()
    row = RecordTransition.objects.get(record=valid_a, to_status=RecordStatus.SUBMITTED)
    assert row.receipt_no == "HZ-450103-20171201-000001"
    assert "提交审核回执" in body
    assert f'id="receipt-no">{row.receipt_no}</strong>' in body
    assert "2017-12-01 10:00:00" in body
    assert county_reviewer.authority.name in body
    assert "2017-12-06 23:59" in body
    assert 'id="print-button"' in body and "portal/flow.js" in body and "portal/flow.css" in body
    assert "已提交审核" in body
    # reachable from the record page afterwards
    page = client_a.get(f"/portal/records/{valid_a.pk}/").content.decode()
    assert f'href="/portal/records/{valid_a.pk}/receipt/"' in page and row.receipt_no in page


def test_receipt_a_draft_has_none(client_a, record_a):
    assert client_a.get(f"/portal/records/{record_a.pk}/receipt/").status_code == 404
    assert "/receipt/" not in client_a.get(f"/portal/records/{record_a.pk}/").content.decode()


def test_receipt_a_resubmission_gets_a_new_receipt(client_a, valid_a, county_reviewer):
    with time_machine.travel(FRIDAY, tick=False):
        client_a.post(f"/portal/records/{valid_a.pk}/submit/")
    with time_machine.travel(MONDAY, tick=False):
        reject_record(record_id=valid_a.pk, user=county_reviewer, reason="合同金额与中标金额不一致")
        client_a.post(f"/portal/records/{valid_a.pk}/submit/")
        body = client_a.get(f"/portal/records/{valid_a.pk}/receipt/").content.decode()
    numbers = list(
        RecordTransition.objects.filter(record=valid_a)
        .exclude(receipt_no="")
        .order_by("at")
        .values_list("receipt_no", flat=True)
    )
    assert numbers == ["HZ-450103-20171201-000001", "HZ-450103-20171204-000001"]
    assert "HZ-450103-20171204-000001" in body and "HZ-450103-20171201-000001" not in body
    # decisions carry no receipt
    assert RecordTransition.objects.get(record=valid_a, to_status=RecordStatus.REJECTED).receipt_no == ""


def test_receipt_numbers_are_unique_per_county_and_day(valid_a):
    first = receipt_number(valid_a, FRIDAY)
    second = receipt_number(valid_a, FRIDAY)
    assert first != second
    assert re.fullmatch(r"HZ-450103-20171201-\d{6}", second)
