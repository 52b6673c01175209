"""删除草稿 (issue 11 item 7): a draft never submitted is deleted after a confirmation page naming it, with its
attachments' files; G7: a record ever submitted (pending, rejected, decided) is never deleted, by the portal, the API,
the admin or the model (projects.services.record_delete)."""

from __future__ import annotations

from pathlib import Path

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.errors import DomainError
from projects.models import Attachment, AttachmentKind, Project, Record, RecordStatus
from projects.selectors import shared_access
from projects.services import record_delete, record_start
from review.models import RecordTransition
from review.services import reject_record, submit_record
from tests.factories import region
from tests.portal.test_api_support import SUBMIT_DAY, client_for
from tests.review.builders import valid_record

from .conftest import PDF_BYTES

pytestmark = pytest.mark.django_db


def upload(client, record):
    response = client.post(
        f"/portal/records/{record.pk}/attachments/",
        {"kind": AttachmentKind.CONTRACT, "file": SimpleUploadedFile("合同.pdf", PDF_BYTES, "application/pdf")},
    )
    assert response.status_code == 302
    return Attachment.objects.filter(record=record).latest("pk")


def test_delete_the_confirmation_page_names_the_draft_and_posting_deletes_it_with_its_files(
    client_a, record_a, django_capture_on_commit_callbacks
):
    attachment = upload(client_a, record_a)
    path = Path(attachment.file.path)
    assert path.exists()
    confirm = client_a.get(f"/portal/records/{record_a.pk}/delete/")
    assert confirm.status_code == 200
    body = confirm.content.decode()
    assert "青秀区草稿项目" in body and record_a.project.prj_num in body
    assert "删除草稿" in body and "无法恢复" in body and 'id="delete-button"' in body
    assert Record.objects.filter(pk=record_a.pk).exists()  # the GET deletes nothing
    with django_capture_on_commit_callbacks(execute=True):
        response = client_a.post(f"/portal/records/{record_a.pk}/delete/")
    assert response.status_code == 302 and response["Location"] == "/portal/"
    assert not Record.objects.filter(pk=record_a.pk).exists()
    assert not Project.objects.filter(pk=record_a.project_id).exists()  # nobody else claims it
    assert not Attachment.objects.filter(pk=attachment.pk).exists()
    assert not path.exists()
    listing = client_a.get("/portal/").content.decode()
    assert "草稿“青秀区草稿项目”已删除" in listing


def test_delete_is_offered_on_the_list_and_the_record_page_of_a_draft_only(client_a, record_a, firm_a):
    link = f'href="/portal/records/{record_a.pk}/delete/"'
    assert link in client_a.get("/portal/").content.decode()
    assert link in client_a.get(f"/portal/records/{record_a.pk}/").content.decode()
    Record.objects.filter(pk=record_a.pk).update(status=RecordStatus.REJECTED, submitted_at=SUBMIT_DAY)
    assert link not in client_a.get("/portal/").content.decode()
    assert link not in client_a.get(f"/portal/records/{record_a.pk}/").content.decode()


def test_delete_is_a_get_confirmation_and_a_post(client_a, record_a):
    assert client_a.put(f"/portal/records/{record_a.pk}/delete/").status_code == 405


def test_delete_another_enterprises_draft_is_not_found(client, clerk_b, record_a):
    client.force_login(clerk_b)
    assert client.get(f"/portal/records/{record_a.pk}/delete/").status_code == 404
    assert client.post(f"/portal/records/{record_a.pk}/delete/").status_code == 404
    assert Record.objects.filter(pk=record_a.pk).exists()


@pytest.fixture
def rejected(firm_a, clerk_a, county_reviewer):
    """A record submitted and rejected: it has a review history."""
    record = valid_record(firm_a)
    with time_machine.travel(SUBMIT_DAY, tick=False):
        submit_record(record_id=record.pk, user=clerk_a)
        reject_record(record_id=record.pk, user=county_reviewer, reason="合同金额与中标金额不一致")
    return Record.objects.get(pk=record.pk)


def test_g7_a_rejected_record_cannot_be_deleted_it_has_a_review_history(client_a, rejected, clerk_a):
    page = client_a.get(f"/portal/records/{rejected.pk}/delete/")
    assert page.status_code == 403
    assert "留有审核记录，不能删除" in page.content.decode()
    assert 'id="delete-button"' not in page.content.decode()
    assert client_a.post(f"/portal/records/{rejected.pk}/delete/").status_code == 403
    with pytest.raises(DomainError) as refused:
        record_delete(record_id=rejected.pk, user=clerk_a)
    assert refused.value.code == "locked"
    assert Record.objects.filter(pk=rejected.pk).exists()


@pytest.mark.parametrize(
    "state", [RecordStatus.SUBMITTED, RecordStatus.DIRECT_REVIEW, RecordStatus.APPROVED, RecordStatus.FRAUD]
)
def test_g7_a_submitted_or_decided_record_is_never_deleted_by_any_path(
    client_a, clerk_a, superuser, firm_a, county_reviewer, state
):
    record = valid_record(firm_a)
    with time_machine.travel(SUBMIT_DAY, tick=False):
        submit_record(record_id=record.pk, user=clerk_a)
    Record.objects.filter(pk=record.pk).update(status=state)
    record.refresh_from_db()
    # the portal
    assert client_a.post(f"/portal/records/{record.pk}/delete/").status_code == 403
    # the API, by session and by token
    for api in (client_for(clerk_a), client_for(clerk_a, token=True)):
        answer = api.delete(f"/api/v1/records/{record.pk}/")
        assert answer.status_code == 403 and answer.json()["code"] == "locked"
    # the admin, even a superuser: no delete page, no bulk action
    admin = client_for(superuser)
    assert admin.get(f"/admin/projects/record/{record.pk}/delete/").status_code in (302, 403)
    assert admin.post(f"/admin/projects/record/{record.pk}/delete/", {"post": "yes"}).status_code in (302, 403)
    changelist = admin.get("/admin/projects/record/").content.decode()
    assert 'value="delete_selected"' not in changelist
    # the model and the database
    with pytest.raises(DomainError):
        record.delete()
    assert Record.objects.filter(pk=record.pk).exists()
    assert RecordTransition.objects.filter(record=record).exists()


def test_a_draft_is_deleted_through_the_api_too(clerk_a, record_a, clerk_b):
    assert client_for(clerk_b).delete(f"/api/v1/records/{record_a.pk}/").status_code == 404
    assert client_for(clerk_a).delete(f"/api/v1/records/{record_a.pk}/").status_code == 204
    assert not Record.objects.filter(pk=record_a.pk).exists()


def test_delete_the_first_claim_of_a_shared_project_keeps_it_for_the_others(record_a, clerk_a, firm_b, guangxi):
    """ADR 0008: the project and its 单体 stay while another enterprise claims it; the next claim becomes keeper."""
    joined = record_start(
        historical=True,
        enterprise=firm_b,
        campaign=guangxi,
        prj_name="青秀区草稿项目",
        county=region("450103"),
        prj_num=record_a.project.prj_num,
    )
    assert joined.project_id == record_a.project_id
    assert not shared_access(joined).keeper
    name = record_delete(record_id=record_a.pk, user=clerk_a)
    assert name == "青秀区草稿项目"
    assert Project.objects.filter(pk=joined.project_id).exists()
    joined.refresh_from_db()
    assert shared_access(joined).keeper
    page = client_for(clerk_a)
    assert page.get(f"/portal/records/{record_a.pk}/").status_code == 404


def test_a_joining_firms_confirmation_says_the_project_stays(client, record_a, firm_b, guangxi, clerk_b):
    joined = record_start(
        historical=True,
        enterprise=firm_b,
        campaign=guangxi,
        prj_name="x",
        county=region("450103"),
        prj_num=record_a.project.prj_num,
    )
    client.force_login(clerk_b)
    body = client.get(f"/portal/records/{joined.pk}/delete/").content.decode()
    assert "其他企业也申报了此项目" in body
    assert client.post(f"/portal/records/{joined.pk}/delete/").status_code == 302
    assert Record.objects.filter(pk=record_a.pk).exists()
    assert Project.objects.filter(pk=record_a.project_id).exists()
