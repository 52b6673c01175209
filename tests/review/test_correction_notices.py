"""A correction's decision is a notice to the firm (J7, ADR 0013), by the one mechanism of the records' decisions
(issue 5 item 8): the portal's 审核结果通知 with a link to the record and its 版本记录, and an e-mail with the states
to send / sent / failed / no address, retried by the periodic job. Accepted: the new version's number and the fields
changed; refused: the reason. Only the firm that filed it (its clerks) reads it; the record page says the state of
an open request and the outcome of the last one."""

from __future__ import annotations

import datetime as dt
import re
from smtplib import SMTPException

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.mail.backends.base import BaseEmailBackend

from accounts.models import Role
from projects.models import Record
from review import corrections, notices, tasks
from review.models import CorrectionRequest, CorrectionStatus, NoticeMail, RecordTransition
from review.notices import mark_notices_read
from review.selectors import correction_notices_for, unread_notice_count
from tests.factories import UserFactory
from tests.sync.test_push import approved

from .decisions import SHANGHAI

pytestmark = pytest.mark.django_db

SITE = "https://yeji.example.gov.cn"
NOTICES = "/portal/notices/"
WHY = "中标通知书金额录入有误"
REFUSAL = "证明材料不足：请上传盖章的中标通知书原件扫描件。"
MONEY = [{"part": "tender", "field": "tender_money", "value": "7123.5"}]
FILED = dt.datetime(2017, 12, 22, 10, 0, tzinfo=SHANGHAI)
DECIDED = dt.datetime(2017, 12, 22, 15, 30, tzinfo=SHANGHAI)


class BrokenBackend(BaseEmailBackend):
    """A mail server that answers every message with a temporary failure."""

    def send_messages(self, email_messages):
        raise SMTPException("451 4.3.0 Mail server temporarily rejected message")


@pytest.fixture(autouse=True)
def _site(settings, tmp_path):
    settings.SITE_URL = SITE
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def eager():
    """Celery runs a queued task at once, in this process (on_commit → task → service → mail)."""
    from config.celery import app

    before = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = before


@pytest.fixture
def mailed_clerk_a(clerk_a):
    clerk_a.email = "clerk_a@firm-a.example.com"
    clerk_a.save(update_fields=["email"])
    return clerk_a


@pytest.fixture
def published(firm_a, clerk_a, city_reviewer_x) -> Record:
    """A B record of firm A (approved by the city bureau), published nationally: correctable (J7)."""
    record = approved(firm_a, clerk_a, city_reviewer_x)
    assert record.finish_check.data_level == "B"
    # its approval's own notice was mailed at the time (the retry job below finds only the correction's)
    RecordTransition.objects.filter(record=record).update(mail_status=NoticeMail.SENT)
    return record


def file(record: Record, clerk) -> CorrectionRequest:
    with time_machine.travel(FILED, tick=False):
        return corrections.file_correction(
            record_id=record.pk,
            user=clerk,
            changes=MONEY,
            reason=WHY,
            files=[SimpleUploadedFile("变更说明.pdf", b"%PDF-1.4 evidence", content_type="application/pdf")],
        )


def accept(request: CorrectionRequest, staff) -> CorrectionRequest:
    with time_machine.travel(DECIDED, tick=False):
        corrections.accept_correction(request_id=request.pk, user=staff)
    return CorrectionRequest.objects.get(pk=request.pk)


def refuse(request: CorrectionRequest, staff) -> CorrectionRequest:
    with time_machine.travel(DECIDED, tick=False):
        corrections.refuse_correction(request_id=request.pk, user=staff, reason=REFUSAL)
    return CorrectionRequest.objects.get(pk=request.pk)


def badge(body: str) -> int:
    found = re.search(r'id="unread-notices"[^>]*>(\d+)<', body)
    return int(found.group(1)) if found else 0


# ----------------------------------------------------------------------------------------------------------------
# Accepted and refused: the portal's notice and the mail
# ----------------------------------------------------------------------------------------------------------------


def test_j7_an_accepted_correction_is_mailed_with_the_version_and_the_changed_fields_in_chinese(
    published, mailed_clerk_a, provincial_staff, eager, django_capture_on_commit_callbacks, mailoutbox
):
    request = file(published, mailed_clerk_a)
    assert request.mail_status == NoticeMail.NONE  # filing is no notice
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        request = accept(request, provincial_staff)
    assert (request.status, request.mail_status, request.read_at) == (
        CorrectionStatus.ACCEPTED,
        NoticeMail.TO_SEND,
        None,
    )
    assert mailoutbox == []  # nothing before commit
    for callback in callbacks:
        callback()
    request.refresh_from_db()
    assert (request.mail_status, request.mail_attempts, request.mail_error) == (NoticeMail.SENT, 1, "")
    assert request.mailed_at is not None
    (message,) = mailoutbox
    project = published.project
    assert message.to == ["clerk_a@firm-a.example.com"]
    assert message.subject == f"【业绩补录】您的业绩“{project.prj_name}”的更正申请已同意"
    body = message.body
    assert "省厅已同意您的更正申请" in body and project.prj_num in body
    assert "业绩记录现以第 2 版发布。变更的字段：" in body
    assert re.search(r"- 招投标\S* · 中标金额（万元）：\S+ → 7123\.5", body), body  # the field asked for
    assert re.search(r"- 招投标\S* · 数据等级：B\S* → A：", body)  # and the province's grading of the stage (J9)
    assert "2017-12-22 15:30" in body and provincial_staff.authority.name in body
    assert f"{SITE}/portal/records/{published.pk}/#s-versions" in body
    assert f"{SITE}/portal/notices/" in body


def test_j7_the_accepted_correction_is_in_the_portals_notices_with_links_to_the_record_and_its_versions(
    client, published, clerk_a, provincial_staff
):
    request = accept(file(published, clerk_a), provincial_staff)
    client.force_login(clerk_a)
    body = client.get(NOTICES).content.decode()
    row = re.search(rf'<tr id="correction-notice-{request.pk}" class="notice-unread">(.*?)</tr>', body, re.S)
    assert row, body
    row = row.group(1)
    assert "更正申请已同意" in row and "现为第 2 版。" in row and "中标金额（万元）" in row
    assert f'href="/portal/records/{published.pk}/"' in row
    assert f'href="/portal/records/{published.pk}/#s-versions"' in row
    assert "2017-12-22 15:30" in row and "提交于 2017-12-22" in row
    assert badge(body) == 2  # the record's approval and the correction's decision
    # opening the record's page reads both of its notices
    client.get(f"/portal/records/{published.pk}/")
    assert CorrectionRequest.objects.get(pk=request.pk).read_at is not None
    assert badge(client.get(NOTICES).content.decode()) == 0


def test_j7_a_refused_correction_is_mailed_and_listed_with_its_reason(
    client, published, mailed_clerk_a, provincial_staff, eager, django_capture_on_commit_callbacks, mailoutbox
):
    request = file(published, mailed_clerk_a)
    with django_capture_on_commit_callbacks(execute=True):
        request = refuse(request, provincial_staff)
    request.refresh_from_db()
    assert (request.status, request.mail_status) == (CorrectionStatus.REFUSED, NoticeMail.SENT)
    (message,) = mailoutbox
    assert message.subject == f"【业绩补录】您的业绩“{published.project.prj_name}”的更正申请已驳回"
    assert "业绩记录未作改动" in message.body and REFUSAL in message.body
    assert "版发布" not in message.body  # no version was made
    client.force_login(mailed_clerk_a)
    body = client.get(NOTICES).content.decode()
    row = re.search(rf'<tr id="correction-notice-{request.pk}" class="notice-unread">(.*?)</tr>', body, re.S).group(1)
    assert "更正申请已驳回" in row and REFUSAL in row
    assert f'href="/portal/records/{published.pk}/#s-versions"' in row


def test_j7_every_active_clerk_of_the_firm_with_an_address_is_mailed(
    published, mailed_clerk_a, firm_a, clerk_b, provincial_staff, eager, django_capture_on_commit_callbacks, mailoutbox
):
    UserFactory(username="clerk_a2", role=Role.ENTERPRISE, enterprise=firm_a, email="a2@firm-a.example.com")
    clerk_b.email = "clerk_b@firm-b.example.com"
    clerk_b.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        refuse(file(published, mailed_clerk_a), provincial_staff)
    (message,) = mailoutbox
    assert sorted(message.to) == ["a2@firm-a.example.com", "clerk_a@firm-a.example.com"]


# ----------------------------------------------------------------------------------------------------------------
# No address, failures and the retry job: the same states and the same job as the records' decisions
# ----------------------------------------------------------------------------------------------------------------


def test_j7_no_mail_when_the_firm_has_no_address_but_the_portal_shows_it(
    client, published, clerk_a, provincial_staff, eager, django_capture_on_commit_callbacks, mailoutbox
):
    assert clerk_a.email == ""
    with django_capture_on_commit_callbacks(execute=True):
        request = accept(file(published, clerk_a), provincial_staff)
    request.refresh_from_db()
    assert (request.mail_status, request.mail_attempts) == (NoticeMail.NO_ADDRESS, 0)
    assert request.get_mail_status_display() == "无邮箱地址"
    assert mailoutbox == []
    assert notices.retry_failed_mails(now=DECIDED + dt.timedelta(hours=1)) == 0  # nothing to retry
    client.force_login(clerk_a)
    assert f'id="correction-notice-{request.pk}"' in client.get(NOTICES).content.decode()


def test_j7_a_failed_correction_mail_is_retried_by_the_job(
    published, mailed_clerk_a, provincial_staff, settings, eager, django_capture_on_commit_callbacks, mailoutbox
):
    settings.EMAIL_BACKEND = f"{__name__}.BrokenBackend"
    with django_capture_on_commit_callbacks(execute=True):
        request = accept(file(published, mailed_clerk_a), provincial_staff)
    request.refresh_from_db()
    assert (request.mail_status, request.mail_attempts) == (NoticeMail.FAILED, 1)
    assert "451" in request.mail_error
    assert tasks.retry_notice_mails() == 0  # still broken: a second attempt
    request.refresh_from_db()
    assert (request.mail_status, request.mail_attempts) == (NoticeMail.FAILED, 2)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert tasks.retry_notice_mails() == 1  # the periodic task of every notice
    request.refresh_from_db()
    assert (request.mail_status, request.mail_attempts, request.mail_error) == (NoticeMail.SENT, 3, "")
    assert len(mailoutbox) == 1 and "第 2 版" in mailoutbox[0].body
    assert tasks.retry_notice_mails() == 0  # nothing left, nothing sent twice


def test_j7_a_lost_message_is_sent_by_the_retry_job_once_stale(published, mailed_clerk_a, provincial_staff, mailoutbox):
    """The broker was down at commit (no task ran): the request stays TO_SEND until STALE_AFTER has passed."""
    request = refuse(file(published, mailed_clerk_a), provincial_staff)  # on_commit never runs in this test
    assert request.mail_status == NoticeMail.TO_SEND
    assert notices.retry_failed_mails(now=DECIDED + dt.timedelta(minutes=5)) == 0  # its task may still come
    assert notices.retry_failed_mails(now=DECIDED + notices.STALE_AFTER + dt.timedelta(minutes=1)) == 1
    assert CorrectionRequest.objects.get(pk=request.pk).mail_status == NoticeMail.SENT
    assert notices.send_decision_mails(correction_ids=[request.pk]) == 0  # a redelivered task sends nothing twice
    assert len(mailoutbox) == 1


# ----------------------------------------------------------------------------------------------------------------
# Scope: the firm that filed it, never another
# ----------------------------------------------------------------------------------------------------------------


def test_j7_clerk_b_never_sees_clerk_as_correction_notice(
    client, published, clerk_a, clerk_b, firm_a, provincial_staff, county_reviewer
):
    request = refuse(file(published, clerk_a), provincial_staff)
    colleague = UserFactory(username="clerk_a2", role=Role.ENTERPRISE, enterprise=firm_a)
    assert list(correction_notices_for(colleague)) == [request]  # the firm's clerks
    for outsider in (clerk_b, provincial_staff, county_reviewer):
        assert not correction_notices_for(outsider).exists()
    assert unread_notice_count(clerk_b) == 0
    assert mark_notices_read(user=clerk_b, correction_ids=[request.pk]) == 0
    assert mark_notices_read(user=clerk_b, record_id=published.pk) == 0
    assert mark_notices_read(user=clerk_b, all=True) == 0
    assert CorrectionRequest.objects.get(pk=request.pk).read_at is None
    client.force_login(clerk_b)
    body = client.get(NOTICES).content.decode()
    assert "correction-notice-" not in body and REFUSAL not in body and published.project.prj_num not in body
    assert client.get(f"/portal/records/{published.pk}/").status_code == 404
    assert mark_notices_read(user=clerk_a, correction_ids=[request.pk]) == 1


# ----------------------------------------------------------------------------------------------------------------
# The record page: the open request's state, the last one's outcome
# ----------------------------------------------------------------------------------------------------------------


def test_j7_the_record_page_says_the_open_request_and_the_last_outcome(client, published, clerk_a, provincial_staff):
    client.force_login(clerk_a)
    page = f"/portal/records/{published.pk}/"
    body = client.get(page).content.decode()
    assert 'id="correction-state"' not in body and 'id="correction-outcome"' not in body

    first = file(published, clerk_a)
    body = client.get(page).content.decode()
    state = re.search(r'<p class="alert alert-info" id="correction-state">(.*?)</p>', body, re.S).group(1)
    assert "更正申请待省厅审核" in state and "提交于 2017-12-22 10:00" in state
    assert f'href="#correction-{first.pk}"' in state

    refuse(first, provincial_staff)
    body = client.get(page).content.decode()
    outcome = re.search(r'id="correction-outcome">(.*?)</p>', body, re.S).group(1)
    assert "最近一次更正申请" in outcome and "已于 2017-12-22 15:30 驳回" in outcome and REFUSAL in outcome
    assert 'id="correction-state"' not in body

    second = file(published, clerk_a)
    accept(second, provincial_staff)
    body = client.get(page).content.decode()
    outcome = re.search(r'id="correction-outcome">(.*?)</p>', body, re.S).group(1)
    assert "已于 2017-12-22 15:30 同意，业绩记录现以第 2 版发布。" in outcome and REFUSAL not in outcome
    assert f'href="#correction-{second.pk}"' in outcome


@pytest.mark.parametrize("n", [2, 30])
def test_the_notices_page_with_corrections_runs_a_bounded_number_of_queries(
    client, published, clerk_a, provincial_staff, n, django_assert_max_num_queries
):
    """Records' and corrections' notices in one list: a page costs the same few queries whatever their number."""
    first = refuse(file(published, clerk_a), provincial_staff)
    CorrectionRequest.objects.bulk_create(  # earlier decided requests of the record, each a notice
        CorrectionRequest(
            record=published,
            status=CorrectionStatus.REFUSED,
            changes=first.changes,
            reason=WHY,
            filed_at=FILED - dt.timedelta(days=i + 1),
            decided_at=DECIDED - dt.timedelta(days=i + 1),
            decider_department=first.decider_department,
            decision_reason=f"{REFUSAL}{i}",
        )
        for i in range(n)
    )
    client.force_login(clerk_a)
    with django_assert_max_num_queries(9):
        response = client.get(NOTICES, {"page": 2 if n > 20 else 1})
    assert response.status_code == 200
    body = response.content.decode()
    shown = re.findall(r'<tr id="(correction-notice|notice)-(\d+)"', body)
    assert shown and (n > 20 or len(shown) == n + 2)  # every correction and the record's approval
