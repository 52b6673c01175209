"""提交审核 from the record page (issue 4 item 6): every problem at once, each linked to its field, nothing saved
half; on success 待审核 with the responsible authority and the deadline."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine

from projects.models import Record, RecordStatus
from review.models import RecordTransition

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
FRIDAY = dt.datetime(2017, 12, 1, 10, tzinfo=SHANGHAI)


def submit(client, record):
    return client.post(f"/portal/records/{record.pk}/submit/")


def test_an_incomplete_record_lists_every_problem_linked_to_its_field(client_a, record_a, county_reviewer):
    from grading.checks import check_record

    with time_machine.travel(FRIDAY, tick=False):
        response = submit(client_a, record_a)
    assert response.status_code == 422
    body = response.content.decode()
    record = Record.objects.get(pk=record_a.pk)
    assert record.status == RecordStatus.DRAFT
    assert record.version == record_a.version  # nothing saved
    assert not RecordTransition.objects.filter(record=record).exists()
    problems = check_record(record)
    assert len(problems) > 40
    listed = re.search(r'<ol class="problem-list">(.*?)</ol>', body, re.S).group(1)
    links = re.findall(r'<a href="#([^"]+)">', listed)
    assert len(links) >= len(problems)
    ids = set(re.findall(r'\sid="([^"]+)"', body))
    assert all(link in ids for link in links), [link for link in links if link not in ids]
    # every mandatory field left empty is linked to its own input, in Chinese
    assert 'href="#f-tender-tender_money"' in listed
    assert 'href="#f-finish_check-e_date"' in listed
    assert 'href="#f-attachments-bid_notice"' in listed
    assert "中标金额（万元）" in listed
    assert "为必填项" in listed
    # and the field itself says what is wrong
    assert re.search(r'id="f-tender-tender_money"[^>]*aria-invalid="true"', body)


def test_submitting_a_valid_record_shows_pending_review_with_authority_and_deadline(client_a, valid_a, county_reviewer):
    with time_machine.travel(FRIDAY, tick=False):
        response = submit(client_a, valid_a)
        assert response.status_code == 302
        body = client_a.get(response["Location"]).content.decode()
    assert "已提交审核" in body
    assert 'id="record-status">待审核</span>' in body
    assert county_reviewer.authority.name in body
    assert "2017-12-06 23:59" in body  # Mon 4, Tue 5, Wed 6
    assert "剩余 3 个工作日" in body
    assert 'id="save-button"' not in body  # read-only now


def test_a_submitted_record_cannot_be_submitted_again(client_a, valid_a, county_reviewer):
    with time_machine.travel(FRIDAY, tick=False):
        submit(client_a, valid_a)
        assert submit(client_a, valid_a).status_code == 403


def test_a_campaign_refusal_is_listed_in_the_notices_words(client_a, valid_a, county_reviewer):
    with time_machine.travel(dt.datetime(2018, 7, 1, 10, tzinfo=SHANGHAI), tick=False):  # the port has closed
        response = submit(client_a, valid_a)
    assert response.status_code == 422
    assert "超过此期限将关闭历史业绩补录端口" in response.content.decode()


def test_g2_a_late_grade_a_record_is_told_provincial_only_before_and_after_submitting(
    client_a, valid_a, county_reviewer
):
    words = "超过该期限补录的历史业绩将无法同步到全国平台"
    with time_machine.travel(dt.datetime(2017, 12, 26, 10, tzinfo=SHANGHAI), tick=False):  # after track N's deadline
        before = client_a.get(f"/portal/records/{valid_a.pk}/").content.decode()
        response = submit(client_a, valid_a)
        after = client_a.get(f"/portal/records/{valid_a.pk}/").content.decode()
    assert words in before
    assert response.status_code == 302
    assert words in after


def test_a_rejected_record_can_be_submitted_again(client_a, valid_a, county_reviewer):
    Record.objects.filter(pk=valid_a.pk).update(status=RecordStatus.REJECTED)
    with time_machine.travel(FRIDAY, tick=False):
        assert submit(client_a, valid_a).status_code == 302
    assert Record.objects.get(pk=valid_a.pk).status == RecordStatus.SUBMITTED


def test_submit_is_a_post(client_a, valid_a):
    assert client_a.get(f"/portal/records/{valid_a.pk}/submit/").status_code == 405
