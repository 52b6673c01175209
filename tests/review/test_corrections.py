"""Corrections of published B/C records (J7, P4): filed by the firm with a reason and evidence, decided by the
province's staff (one decision, NOWAIT lock), accepted as a new version graded A and pushed again under the same
national numbers; one open request per record; every other write path to a decided record stays refused."""

from __future__ import annotations

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from accounts.errors import DomainError
from projects.models import Record, RecordVersion
from review import corrections
from review.models import CorrectionEvidence, CorrectionRequest, CorrectionStatus
from sync import services as sync
from sync.models import PushItem, PushState
from tests.sync.test_push import approved

SHANGHAI = ZoneInfo("Asia/Shanghai")
D = dt.date


@pytest.fixture
def platform(mock_server, settings):
    """The mock national platform, emptied, as this test's (tests/sync/conftest.py `national`)."""
    mock_server.reset()
    settings.NATIONAL_PLATFORM_URL = mock_server.url
    settings.NATIONAL_PLATFORM_TIMEOUT = 3.0
    settings.NATIONAL_PUSH_RETRY_BASE_SECONDS = 0.0
    settings.NATIONAL_PUSH_RETRY_MAX_SECONDS = 0.0
    settings.NATIONAL_PUSH_CALL_RETRY_SECONDS = 0.0
    return mock_server


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


def pdf(name="变更说明.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 evidence", content_type="application/pdf")


def b_record(firm, clerk, city_reviewer) -> Record:
    """A B record: approved by the city bureau (no county reviewer exists, P2)."""
    record = approved(firm, clerk, city_reviewer)
    assert record.finish_check.data_level == "B"
    return record


MONEY = [{"part": "tender", "field": "tender_money", "value": "7123.5"}]


FILED_ON = D(2017, 12, 22)


def file(record, clerk, changes=MONEY, day=FILED_ON) -> CorrectionRequest:
    with time_machine.travel(at(day), tick=False):
        return corrections.file_correction(
            record_id=record.pk, user=clerk, changes=changes, reason="中标通知书金额录入有误", files=[pdf()]
        )


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.mark.django_db
def test_j7_a_b_correction_round_trip_through_the_mock(platform, firm_a, clerk_a, city_reviewer_x, provincial_staff):
    record = b_record(firm_a, clerk_a, city_reviewer_x)
    with time_machine.travel(at(D(2017, 12, 21)), tick=True):
        assert sync.drain().pushed == 1
    first = {r["row_id"]: r for r in platform.rows("TBTenderInfo")}
    tender_num = Record.objects.get(pk=record.pk).tender.national_num
    assert tender_num

    request = file(record, clerk_a)
    assert request.status == CorrectionStatus.PENDING
    assert CorrectionEvidence.objects.filter(request=request).count() == 1
    assert Record.objects.get(pk=record.pk).tender.tender_money != 7123.5  # published as it was meanwhile
    with time_machine.travel(at(D(2017, 12, 22), 15), tick=False):
        corrections.accept_correction(request_id=request.pk, user=provincial_staff)
    record = Record.objects.get(pk=record.pk)
    assert record.edition == 2
    assert str(record.tender.tender_money).startswith("7123.5")
    assert record.tender.data_level == "A" and record.tender.check_person_name == provincial_staff.real_name
    assert record.contract.data_level == "B"  # not corrected, not re-graded
    assert PushItem.objects.filter(record=record, state=PushState.PENDING).count() == 1

    with time_machine.travel(at(D(2017, 12, 23)), tick=True):
        assert sync.drain().pushed == 1
    after = {r["row_id"]: r for r in platform.rows("TBTenderInfo")}
    assert after.keys() == first.keys()  # the same row, replaced
    (row_id,) = after
    assert after[row_id]["version"] > first[row_id]["version"]
    assert after[row_id]["national_id"] == first[row_id]["national_id"] == tender_num
    detail = platform.detail(record.project.prj_num)["data"]
    assert detail["tenderInfo"][0]["TENDERMONEY"] in ("7123.5", 7123.5)
    assert detail["tenderInfo"][0]["NATIONALNUM"] == tender_num
    assert Record.objects.get(pk=record.pk).tender.national_num == tender_num

    v1, v2 = RecordVersion.objects.filter(record=record).order_by("number")
    assert v1.author_name == city_reviewer_x.real_name and v2.author_name == provincial_staff.real_name
    assert v2.reason == "中标通知书金额录入有误"
    assert {c["field"] for c in v2.changes} >= {"tender_money", "data_level"}


@pytest.mark.django_db
def test_j7_refusal_changes_nothing_and_the_firm_reads_why(firm_a, clerk_a, city_reviewer_x, provincial_staff):
    record = b_record(firm_a, clerk_a, city_reviewer_x)
    request = file(record, clerk_a)
    with pytest.raises(DomainError) as exc:
        corrections.refuse_correction(request_id=request.pk, user=provincial_staff, reason="  ")
    assert exc.value.code == "reason_required"
    corrections.refuse_correction(request_id=request.pk, user=provincial_staff, reason="证明材料不足")
    request.refresh_from_db()
    assert request.status == CorrectionStatus.REFUSED and request.decision_reason == "证明材料不足"
    assert request.decider_name == provincial_staff.real_name
    assert Record.objects.get(pk=record.pk).edition == 1
    assert not RecordVersion.objects.filter(record=record).exists()
    with pytest.raises(DomainError) as exc:
        corrections.accept_correction(request_id=request.pk, user=provincial_staff)
    assert exc.value.code == "already_decided"


@pytest.mark.django_db
def test_j7_one_open_correction_per_record_in_the_service_and_the_database(
    firm_a, clerk_a, city_reviewer_x, provincial_staff
):
    record = b_record(firm_a, clerk_a, city_reviewer_x)
    file(record, clerk_a)
    with pytest.raises(DomainError) as exc:
        file(record, clerk_a, changes=[{"part": "contract", "field": "contract_num", "value": "HT-2"}])
    assert "只能" in str(exc.value.message) or exc.value.code == "not_correctable"
    with pytest.raises(IntegrityError), transaction.atomic():
        CorrectionRequest.objects.create(record=record, changes=[], reason="x", filed_at=at(D(2017, 12, 22)))
    with pytest.raises(DomainError) as exc:  # nor a completion meanwhile
        corrections.start_completion(record_id=record.pk, user=clerk_a)


@pytest.mark.django_db
def test_j7_who_may_file_and_decide(firm_a, clerk_a, clerk_b, city_reviewer_x, provincial_staff):
    record = b_record(firm_a, clerk_a, city_reviewer_x)
    with pytest.raises(DomainError) as exc:
        file(record, clerk_b)
    assert exc.value.code == "forbidden"
    for missing in ({"reason": ""}, {"files": []}):
        kwargs = {"record_id": record.pk, "user": clerk_a, "changes": MONEY, "reason": "理由", "files": [pdf()]}
        with pytest.raises(DomainError):
            corrections.file_correction(**{**kwargs, **missing})
    with pytest.raises(DomainError) as exc:  # not a PDF, JPG or PNG by content
        corrections.file_correction(
            record_id=record.pk,
            user=clerk_a,
            changes=MONEY,
            reason="理由",
            files=[SimpleUploadedFile("a.pdf", b"MZ not a pdf")],
        )
    assert exc.value.code == "file_type"
    with pytest.raises(DomainError) as exc:  # the change would break the national standard (J8): refused now
        file(record, clerk_a, changes=[{"part": "finish_check", "field": "e_date", "value": "2030-01-01"}])
    request = file(record, clerk_a)
    with pytest.raises(DomainError) as exc:
        corrections.accept_correction(request_id=request.pk, user=city_reviewer_x)
    assert exc.value.code == "not_your_jurisdiction"
    assert CorrectionRequest.objects.get(pk=request.pk).status == CorrectionStatus.PENDING


@pytest.mark.django_db
def test_j7_a_d_record_is_completed_not_corrected_and_a_draft_is_neither(firm_a, clerk_a, city_reviewer_x):
    from tests.review.builders import valid_record

    record = b_record(firm_a, clerk_a, city_reviewer_x)
    with pytest.raises(DomainError) as exc:
        corrections.start_completion(record_id=record.pk, user=clerk_a)
    assert exc.value.code == "not_completable"
    draft = valid_record(firm_a)
    with pytest.raises(DomainError) as exc:
        file(draft, clerk_a)
    assert exc.value.code == "not_correctable"


@pytest.mark.django_db(transaction=True)
def test_j7_two_staff_cannot_both_decide(
    seeded, firm_a, clerk_a, city_reviewer_x, provincial_staff, settings, tmp_path
):
    from tests.factories import official

    colleague = official("gx_staff_2", "provincial", "450000")
    record = b_record(firm_a, clerk_a, city_reviewer_x)
    request = file(record, clerk_a)
    holding, release = threading.Event(), threading.Event()

    def colleague_deciding():
        from django.db import connection

        with transaction.atomic():
            CorrectionRequest.objects.select_for_update().get(pk=request.pk)
            holding.set()
            release.wait(10)
        connection.close()

    thread = threading.Thread(target=colleague_deciding)
    thread.start()
    assert holding.wait(10)
    try:
        with pytest.raises(DomainError) as exc:
            corrections.accept_correction(request_id=request.pk, user=provincial_staff)
        assert exc.value.code == "busy"
        assert "正在处理" in str(exc.value.message)
    finally:
        release.set()
        thread.join(10)
    corrections.accept_correction(request_id=request.pk, user=colleague)
    with pytest.raises(DomainError) as exc:
        corrections.refuse_correction(request_id=request.pk, user=provincial_staff, reason="晚了")
    assert exc.value.code == "already_decided"
    assert CorrectionRequest.objects.get(pk=request.pk).decided_by_id == colleague.pk


@pytest.mark.django_db
def test_p4_every_other_write_path_to_a_decided_record_is_refused(
    client, firm_a, clerk_a, city_reviewer_x, provincial_staff, superuser
):
    """Only an accepted correction or an approved completion writes a decided record (projects.revisions): the
    portal's save, the API's PUT and PATCH, an upload, and the admin (provincial staff and the superuser) refuse."""
    from django.urls import reverse

    record = b_record(firm_a, clerk_a, city_reviewer_x)
    before = (record.version, str(record.tender.tender_money))
    client.force_login(clerk_a)
    page = client.post(
        f"/portal/records/{record.pk}/", {"version": record.version, "tender.tender_money": "1", "rows": []}
    )
    assert page.status_code == 403
    for method in ("put", "patch"):
        answer = getattr(client, method)(
            f"/api/v1/records/{record.pk}/", {"tender": {"tender_money": "1"}}, content_type="application/json"
        )
        assert answer.status_code in (403, 409, 423), (method, answer.status_code)
    upload = client.post(f"/portal/records/{record.pk}/attachments/", {"kind": "other", "file": pdf("x.pdf")})
    assert upload.status_code == 403
    for user in (provincial_staff, superuser):
        client.force_login(user)
        url = reverse("admin:projects_tender_change", args=[record.tender.pk])
        answer = client.post(url, {"tender_money": "1", "tender_num": "x"})
        assert answer.status_code in (302, 403) or b'name="tender_money"' not in answer.content, user
        url = reverse("admin:projects_record_change", args=[record.pk])
        answer = client.get(url)
        assert answer.status_code == 200 and b'name="tender-0-tender_money"' not in answer.content, user
    record = Record.objects.get(pk=record.pk)
    assert (record.version, str(record.tender.tender_money)) == before
