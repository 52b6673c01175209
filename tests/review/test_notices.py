"""Decision notices by e-mail (issue 5 item 8): every decision (审核通过, 审核不通过, 弄虚作假, 逾期视为审核通过) is
written TO_SEND and mailed after commit to the enterprise's clerks; no address → NO_ADDRESS; a failing backend →
FAILED, retried by the periodic job up to the attempt limit; sending twice (also at once) sends once; the nightly
job's thousands of approvals are sent in batches with a bounded number of queries."""

from __future__ import annotations

import datetime as dt
import threading
from smtplib import SMTPException

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from projects.models import Record, RecordStatus
from review import notices, tasks
from review.models import NoticeMail, RecordTransition, TransitionBy
from review.services import AUTO_APPROVED, approve_record, auto_approve_overdue, mark_fraud, reject_record
from tests.factories import UserFactory

from .decisions import NIGHT_AFTER, submitted_record

SITE = "https://yeji.example.gov.cn"
REASON = "中标通知书与合同金额不一致，请核对后重新提交。"
FACTS = "合同备案编号系伪造，经合同备案机关核实无此备案。"


class BrokenBackend(BaseEmailBackend):
    """A mail server that answers every message with a temporary failure."""

    def send_messages(self, email_messages):
        raise SMTPException("451 4.3.0 Mail server temporarily rejected message")


class DownBackend(BaseEmailBackend):
    """A mail server that cannot be reached at all."""

    opened = 0

    def open(self):
        DownBackend.opened += 1
        raise ConnectionRefusedError("Connection refused")

    def send_messages(self, email_messages):  # pragma: no cover — never reached
        raise AssertionError("sent without a connection")


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def queued(monkeypatch):
    """The ids each committed decision queues (instead of a broker): review.services' queue_decision_mails."""
    calls: list[list[int]] = []
    monkeypatch.setattr("review.services.queue_decision_mails", lambda ids: calls.append(list(ids)))
    return calls


@pytest.fixture
def eager():
    """Celery runs a queued task at once, in this process (the whole path: on_commit → task → service → mail)."""
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
def pending(firm_a, mailed_clerk_a, county_reviewer):
    return submitted_record(firm_a, mailed_clerk_a)


def decision_of(record: Record) -> RecordTransition:
    return RecordTransition.objects.filter(record=record).order_by("-at", "-id").first()


# ----------------------------------------------------------------------------------------------------------------
# Each decision is a notice, mailed after commit
# ----------------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_approval_is_mailed_to_the_enterprise_after_commit(
    pending, county_reviewer, eager, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        approve_record(record_id=pending.pk, user=county_reviewer)
    row = decision_of(pending)
    assert (row.to_status, row.mail_status, row.mail_attempts) == (RecordStatus.APPROVED, NoticeMail.TO_SEND, 0)
    assert mailoutbox == []  # nothing before commit
    assert len(callbacks) == 1
    callbacks[0]()  # the commit
    row.refresh_from_db()
    assert (row.mail_status, row.mail_attempts, row.mail_error) == (NoticeMail.SENT, 1, "")
    assert row.mailed_at is not None
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    project = pending.project
    assert message.to == ["clerk_a@firm-a.example.com"]
    assert project.prj_name in message.subject
    assert project.prj_name in message.body and project.prj_num in message.body
    assert county_reviewer.authority.name in message.body  # the reviewing authority
    assert f"{SITE}/portal/records/{pending.pk}/" in message.body
    assert f"{SITE}/portal/notices/" in message.body


@pytest.mark.django_db
def test_a_rejection_is_mailed_with_its_reason(pending, county_reviewer, eager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        reject_record(record_id=pending.pk, user=county_reviewer, reason=REASON)
    assert decision_of(pending).mail_status == NoticeMail.SENT
    (message,) = mail.outbox
    assert REASON in message.body
    assert pending.project.prj_name in message.subject


@pytest.mark.django_db
def test_g10_fraud_is_a_decision_and_mailed_with_the_facts(
    pending, county_reviewer, eager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        mark_fraud(record_id=pending.pk, user=county_reviewer, facts=FACTS)
    row = decision_of(pending)
    assert (row.to_status, row.mail_status) == (RecordStatus.FRAUD, NoticeMail.SENT)
    (message,) = mail.outbox
    assert FACTS in message.body


@pytest.mark.django_db
def test_submitting_is_no_notice(firm_a, mailed_clerk_a, county_reviewer, queued):
    record = submitted_record(firm_a, mailed_clerk_a)
    assert decision_of(record).mail_status == NoticeMail.NONE
    assert queued == []


@pytest.mark.django_db
def test_p1_the_nightly_approvals_are_notices_and_name_no_person(
    pending, eager, django_capture_on_commit_callbacks, county_reviewer
):
    with django_capture_on_commit_callbacks(execute=True):
        assert auto_approve_overdue(now=NIGHT_AFTER) == 1
    row = decision_of(pending)
    assert (row.by, row.mail_status) == (TransitionBy.NIGHTLY_JOB, NoticeMail.SENT)
    (message,) = mail.outbox
    assert AUTO_APPROVED in message.body
    assert county_reviewer.authority.name in message.body
    assert county_reviewer.real_name not in message.body


# ----------------------------------------------------------------------------------------------------------------
# No address, failures and the retry job
# ----------------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_no_clerk_with_an_address_is_no_address(firm_a, clerk_a, county_reviewer, queued, mailoutbox):
    record = submitted_record(firm_a, clerk_a)  # clerk_a has no e-mail address
    UserFactory(username="gone", role="enterprise", enterprise=firm_a, email="gone@firm-a.example.com", is_active=False)
    approve_record(record_id=record.pk, user=county_reviewer)
    row = decision_of(record)
    assert notices.send_decision_mails(transition_ids=[row.pk]) == 0
    row.refresh_from_db()
    assert (row.mail_status, row.mail_attempts) == (NoticeMail.NO_ADDRESS, 0)
    assert mailoutbox == []


@pytest.mark.django_db
def test_every_active_clerk_with_an_address_receives_it(pending, firm_a, firm_b, county_reviewer, queued, mailoutbox):
    UserFactory(username="clerk_a2", role="enterprise", enterprise=firm_a, email="a2@firm-a.example.com")
    UserFactory(username="clerk_b2", role="enterprise", enterprise=firm_b, email="b2@firm-b.example.com")
    approve_record(record_id=pending.pk, user=county_reviewer)
    notices.send_decision_mails(transition_ids=[decision_of(pending).pk])
    (message,) = mailoutbox
    assert sorted(message.to) == ["a2@firm-a.example.com", "clerk_a@firm-a.example.com"]


@pytest.mark.django_db
def test_a_failing_backend_is_failed_then_retried(pending, county_reviewer, queued, settings, mailoutbox):
    reject_record(record_id=pending.pk, user=county_reviewer, reason=REASON)
    row = decision_of(pending)
    settings.EMAIL_BACKEND = "tests.review.test_notices.BrokenBackend"
    assert notices.send_decision_mails(transition_ids=[row.pk]) == 0
    row.refresh_from_db()
    assert (row.mail_status, row.mail_attempts) == (NoticeMail.FAILED, 1)
    assert "451" in row.mail_error
    assert notices.send_decision_mails(transition_ids=[row.pk]) == 0  # the task sends only what is to send
    row.refresh_from_db()
    assert row.mail_attempts == 1

    assert notices.retry_failed_mails() == 0  # still broken: a second attempt
    row.refresh_from_db()
    assert (row.mail_status, row.mail_attempts) == (NoticeMail.FAILED, 2)

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert tasks.retry_notice_mails() == 1  # the periodic task
    row.refresh_from_db()
    assert (row.mail_status, row.mail_attempts, row.mail_error) == (NoticeMail.SENT, 3, "")
    assert len(mailoutbox) == 1
    assert notices.retry_failed_mails() == 0  # nothing left


@pytest.mark.django_db
def test_the_retry_gives_up_after_the_attempt_limit(pending, county_reviewer, queued, mailoutbox):
    approve_record(record_id=pending.pk, user=county_reviewer)
    row = decision_of(pending)
    RecordTransition.objects.filter(pk=row.pk).update(
        mail_status=NoticeMail.FAILED, mail_attempts=notices.MAX_ATTEMPTS, mail_error="boom"
    )
    assert notices.retry_failed_mails() == 0
    row.refresh_from_db()
    assert (row.mail_status, row.mail_attempts) == (NoticeMail.FAILED, notices.MAX_ATTEMPTS)
    assert mailoutbox == []


@pytest.mark.django_db
def test_a_server_that_cannot_be_reached_fails_the_batch_at_once(firm_a, mailed_clerk_a, county_reviewer, settings):
    records = [submitted_record(firm_a, mailed_clerk_a) for _ in range(3)]
    ids = []
    for record in records:
        approve_record(record_id=record.pk, user=county_reviewer)
        ids.append(decision_of(record).pk)
    settings.EMAIL_BACKEND = "tests.review.test_notices.DownBackend"
    DownBackend.opened = 0
    assert notices.send_decision_mails(transition_ids=ids) == 0
    assert DownBackend.opened == 1  # one attempt to connect, not one timeout per mail
    rows = RecordTransition.objects.filter(pk__in=ids)
    assert {(r.mail_status, r.mail_attempts) for r in rows} == {(NoticeMail.FAILED, 1)}
    assert all("Connection refused" in r.mail_error for r in rows)


@pytest.mark.django_db
def test_a_lost_message_is_sent_by_the_retry_job(pending, county_reviewer, queued, mailoutbox):
    """The broker was down at commit: the row stays TO_SEND; the retry sends it once STALE_AFTER has passed."""
    decided = dt.datetime(2017, 12, 4, 10, 0, tzinfo=dt.UTC)
    with time_machine.travel(decided, tick=False):
        approve_record(record_id=pending.pk, user=county_reviewer)
    row = decision_of(pending)
    assert notices.retry_failed_mails(now=decided + dt.timedelta(minutes=5)) == 0  # its task may still come
    assert notices.retry_failed_mails(now=decided + notices.STALE_AFTER + dt.timedelta(minutes=1)) == 1
    row.refresh_from_db()
    assert row.mail_status == NoticeMail.SENT
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_a_broker_that_cannot_be_reached_loses_no_decision(pending, county_reviewer, monkeypatch, caplog):
    def refuse(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.send_decision_mails, "delay", refuse)
    approve_record(record_id=pending.pk, user=county_reviewer)
    row = decision_of(pending)
    notices.queue_decision_mails([row.pk])  # what the commit runs: logged, not raised
    assert "retry job" in caplog.text
    row.refresh_from_db()
    assert row.mail_status == NoticeMail.TO_SEND


# ----------------------------------------------------------------------------------------------------------------
# Once, and in batches
# ----------------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_sending_twice_sends_once(pending, county_reviewer, queued, mailoutbox):
    approve_record(record_id=pending.pk, user=county_reviewer)
    ids = [decision_of(pending).pk]
    assert tasks.send_decision_mails(ids) == 1  # the task, as a worker runs it
    assert tasks.send_decision_mails(ids) == 0  # redelivered (acks_late)
    assert notices.retry_failed_mails() == 0
    assert len(mailoutbox) == 1


class SlowLocmem(BaseEmailBackend):
    """locmem that takes its time, so two senders overlap."""

    def send_messages(self, email_messages):
        import time

        time.sleep(0.2)
        mail.outbox.extend(email_messages)
        return len(email_messages)


@pytest.mark.django_db(transaction=True)
def test_two_senders_at_once_send_each_mail_once(seeded, firm_a, clerk_a, county_reviewer, queued, settings):
    clerk_a.email = "clerk_a@firm-a.example.com"
    clerk_a.save(update_fields=["email"])
    records = [submitted_record(firm_a, clerk_a) for _ in range(4)]
    for record in records:
        approve_record(record_id=record.pk, user=county_reviewer)
    ids = [i for batch in queued for i in batch]
    assert len(ids) == 4
    settings.EMAIL_BACKEND = "tests.review.test_notices.SlowLocmem"
    mail.outbox = []
    start = threading.Barrier(2)
    results: list[int] = []

    def sender():
        try:
            start.wait()
            results.append(notices.send_decision_mails(transition_ids=ids))
        finally:
            connection.close()

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(results)[-1] >= 1 and sum(results) == 4
    assert len(mail.outbox) == 4
    assert set(RecordTransition.objects.filter(pk__in=ids).values_list("mail_status", flat=True)) == {NoticeMail.SENT}
    assert notices.send_decision_mails(transition_ids=ids) == 0


@pytest.mark.django_db
def test_the_nightly_job_queues_its_mails_in_batches_not_one_task_a_row(
    firm_a, mailed_clerk_a, firm_b, clerk_b, county_reviewer, monkeypatch, django_capture_on_commit_callbacks
):
    for _ in range(5):
        submitted_record(firm_a, mailed_clerk_a)
    for _ in range(2):
        submitted_record(firm_b, clerk_b)  # firm B has no address
    monkeypatch.setattr(notices, "NOTICE_BATCH", 3)
    messages: list[list[int]] = []
    monkeypatch.setattr(tasks.send_decision_mails, "delay", lambda ids: messages.append(ids))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert auto_approve_overdue(now=NIGHT_AFTER) == 7
    assert len(callbacks) == 1  # one callback for the whole night
    assert [len(batch) for batch in messages] == [3, 3, 1]
    rows = RecordTransition.objects.filter(by=TransitionBy.NIGHTLY_JOB)
    assert sorted(i for batch in messages for i in batch) == sorted(rows.values_list("pk", flat=True))
    assert set(rows.values_list("mail_status", flat=True)) == {NoticeMail.TO_SEND}
    for batch in messages:
        tasks.send_decision_mails(batch)
    assert len(mail.outbox) == 5
    assert rows.filter(mail_status=NoticeMail.SENT).count() == 5
    assert rows.filter(mail_status=NoticeMail.NO_ADDRESS).count() == 2


@pytest.mark.django_db
def test_a_batch_runs_a_bounded_number_of_queries(pending, firm_b, clerk_b, county_reviewer, queued):
    clerk_b.email = "clerk_b@firm-b.example.com"
    clerk_b.save(update_fields=["email"])
    other = Record.objects.select_related("project").get(pk=submitted_record(firm_b, clerk_b).pk)
    approve_record(record_id=pending.pk, user=county_reviewer)
    approve_record(record_id=other.pk, user=county_reviewer)
    template = [decision_of(pending), decision_of(other)]

    def rows(n: int) -> list[int]:
        copies = [
            RecordTransition(
                record_id=template[i % 2].record_id,
                from_status=RecordStatus.SUBMITTED,
                to_status=RecordStatus.APPROVED,
                at=timezone.now(),
                by=TransitionBy.NIGHTLY_JOB,
                reason=AUTO_APPROVED,
                mail_status=NoticeMail.TO_SEND,
            )
            for i in range(n)
        ]
        return [row.pk for row in RecordTransition.objects.bulk_create(copies)]

    few, many = rows(2), rows(40)
    with CaptureQueriesContext(connection) as few_queries:
        assert notices.send_decision_mails(transition_ids=few) == 2
    with CaptureQueriesContext(connection) as many_queries:
        assert notices.send_decision_mails(transition_ids=many) == 40
    assert len(many_queries.captured_queries) == len(few_queries.captured_queries)
    assert len(many_queries.captured_queries) <= 8


def test_the_beat_retries_every_ten_minutes(settings):
    from config.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["review.retry_notice_mails"]
    assert entry["task"] == "review.tasks.retry_notice_mails"
    assert entry["schedule"].minute == set(range(0, 60, 10))
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks
