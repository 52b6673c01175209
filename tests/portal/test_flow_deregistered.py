"""A deregistered enterprise (已注销, issue 11 item 7): its status and what it may still do on every portal page; it
looks at and prints its records, and every service refuses what it may no longer do — start, save, upload or remove
an attachment, submit, ask for direct review, delete (one rule: projects.selectors.enterprise_refusal)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.errors import DomainError
from accounts.models import EnterpriseStatus
from projects.attachments import attachment_add
from projects.models import Record, RecordStatus
from projects.services import record_delete, record_save, record_start
from review.services import request_direct_review, submit_preview, submit_record
from tests.factories import region
from tests.portal.test_api_support import client_for

from .conftest import PDF_BYTES

pytestmark = pytest.mark.django_db
FRIDAY = dt.datetime(2017, 12, 1, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
WORDS = "本企业已注销"


@pytest.fixture
def deregistered(firm_a, record_a, valid_a):
    firm_a.status = EnterpriseStatus.DEREGISTERED
    firm_a.save()
    return firm_a


@pytest.fixture(autouse=True)
def _friday():
    with time_machine.travel(FRIDAY, tick=False):
        yield


@pytest.mark.parametrize("path", ["/portal/", "/portal/records/new/", "/portal/credit/", "/portal/notices/"])
def test_deregistered_every_portal_page_says_so_and_what_it_may_still_do(client_a, deregistered, path):
    body = client_a.get(path).content.decode()
    assert 'id="enterprise-status"' in body
    assert "企业状态：已注销" in body
    assert "仍可查看、打印本企业的业绩" in body and "不能再新增报建、修改、提交审核或删除业绩" in body


def test_deregistered_the_record_page_is_read_only_and_printable(client_a, deregistered, record_a):
    response = client_a.get(f"/portal/records/{record_a.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert WORDS in body
    for control in ('id="save-button"', 'id="submit-button"', 'id="upload-button"', 'id="delete-link"'):
        assert control not in body, control
    assert "portal/flow.css" in body  # its print rules


def test_deregistered_new_record_offers_no_form_and_refuses_a_post(client_a, deregistered, guangxi):
    body = client_a.get("/portal/records/new/").content.decode()
    assert 'name="prj_name"' not in body
    response = client_a.post("/portal/records/new/", {"campaign": guangxi.pk, "prj_name": "新项目", "county": "450103"})
    assert response.status_code == 403
    assert WORDS in response.content.decode()


def test_deregistered_the_portal_refuses_save_submit_check_and_delete(client_a, deregistered, record_a, valid_a):
    saved = client_a.post(f"/portal/records/{record_a.pk}/", {"version": record_a.version, "project.prj_name": "x"})
    assert saved.status_code == 403
    assert client_a.post(f"/portal/records/{valid_a.pk}/submit/").status_code == 403
    assert client_a.post(f"/portal/records/{record_a.pk}/delete/").status_code == 403
    assert client_a.get(f"/portal/records/{record_a.pk}/delete/").status_code == 403
    check = client_a.get(f"/portal/records/{valid_a.pk}/check/").content.decode()
    assert WORDS in check and 'id="confirm-submit-button"' not in check
    upload = client_a.post(
        f"/portal/records/{record_a.pk}/attachments/",
        {"kind": "contract", "file": SimpleUploadedFile("合同.pdf", PDF_BYTES, "application/pdf")},
    )
    assert upload.status_code == 403
    assert Record.objects.get(pk=valid_a.pk).status == RecordStatus.DRAFT
    assert Record.objects.get(pk=record_a.pk).project.prj_name == "青秀区草稿项目"


def test_deregistered_every_service_refuses_with_one_rule(deregistered, clerk_a, record_a, valid_a, guangxi):
    calls = [
        lambda: record_start(
            enterprise=deregistered, campaign=guangxi, user=clerk_a, prj_name="x", county=region("450103")
        ),
        lambda: record_save(record_id=record_a.pk, user=clerk_a, data={}, expected_version=record_a.version),
        lambda: attachment_add(
            record_id=record_a.pk,
            user=clerk_a,
            kind="contract",
            uploaded_file=SimpleUploadedFile("合同.pdf", PDF_BYTES, "application/pdf"),
        ),
        lambda: submit_record(record_id=valid_a.pk, user=clerk_a),
        lambda: request_direct_review(record_id=valid_a.pk, user=clerk_a, reason_code="owner_deregistered"),
        lambda: record_delete(record_id=record_a.pk, user=clerk_a),
    ]
    for call in calls:
        with pytest.raises(DomainError) as refused:
            call()
        assert refused.value.code == "deregistered"
        assert WORDS in str(refused.value.message)
    assert not submit_preview(record=valid_a, user=clerk_a).ready


def test_deregistered_the_api_answers_403_in_chinese(deregistered, clerk_a, record_a, guangxi):
    api = client_for(clerk_a)
    created = api.post("/api/v1/records/", {"campaign": guangxi.pk, "prj_name": "x", "county": "450103"}, format="json")
    assert created.status_code == 403 and created.json()["code"] == "deregistered"
    saved = api.patch(f"/api/v1/records/{record_a.pk}/", {"version": record_a.version}, format="json")
    assert saved.status_code == 403 and WORDS in saved.json()["detail"]
    assert api.get(f"/api/v1/records/{record_a.pk}/").status_code == 200  # it still reads its records


def test_an_active_enterprise_sees_no_status_banner(client_a, record_a):
    assert 'id="enterprise-status"' not in client_a.get("/portal/").content.decode()
