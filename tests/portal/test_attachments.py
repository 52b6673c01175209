"""Attachments on the record page (issue 4 item 5): PDF, JPG or PNG by content, a size limit, unguessable storage,
served only to the owner enterprise, the reviewers of the project's region and provincial staff, with a preview."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from projects.models import Attachment, AttachmentKind, Record, RecordStatus

from .conftest import JPEG_BYTES, PDF_BYTES, PNG_BYTES

pytestmark = pytest.mark.django_db


def upload(
    client, record, content: bytes, name="合同.pdf", kind=AttachmentKind.CONTRACT, content_type="application/pdf"
):
    return client.post(
        f"/portal/records/{record.pk}/attachments/",
        {"kind": kind, "file": SimpleUploadedFile(name, content, content_type=content_type)},
    )


@pytest.mark.parametrize(
    ("content", "name", "stored_type"),
    [
        (PDF_BYTES, "中标通知书.pdf", "application/pdf"),
        (PNG_BYTES, "扫描件.png", "image/png"),
        (JPEG_BYTES, "照片.jpg", "image/jpeg"),
    ],
)
def test_pdf_png_and_jpg_are_accepted(client_a, record_a, content, name, stored_type):
    response = upload(client_a, record_a, content, name)
    assert response.status_code == 302
    assert response["Location"].endswith("#s-attachments")
    attachment = Attachment.objects.get(record=record_a)
    assert attachment.content_type == stored_type
    assert attachment.original_name == name
    assert name not in attachment.file.name  # stored under a random name
    assert attachment.uploaded_by.username == "clerk_a"


def test_the_type_is_decided_by_the_content_not_the_name(client_a, record_a):
    response = upload(client_a, record_a, b"<html><script>alert(1)</script></html>", "看起来是.pdf")
    assert response.status_code == 400
    assert "仅接受 PDF、JPG 或 PNG 文件" in response.content.decode()
    assert not Attachment.objects.filter(record=record_a).exists()
    # and a PDF named .exe is still a PDF
    assert upload(client_a, record_a, PDF_BYTES, "scan.exe", content_type="application/octet-stream").status_code == 302
    assert Attachment.objects.get(record=record_a).content_type == "application/pdf"


def test_a_file_over_the_limit_is_refused(client_a, record_a, settings):
    settings.ATTACHMENT_MAX_BYTES = 100
    response = upload(client_a, record_a, PDF_BYTES + b"0" * 200)
    assert response.status_code == 400
    assert not Attachment.objects.filter(record=record_a).exists()


def test_the_page_lists_and_previews_attachments(client_a, record_a):
    upload(client_a, record_a, PDF_BYTES, "合同.pdf")
    upload(client_a, record_a, PNG_BYTES, "通知书.png", kind=AttachmentKind.BID_NOTICE)
    body = client_a.get(f"/portal/records/{record_a.pk}/").content.decode()
    pdf, png = Attachment.objects.get(content_type="application/pdf"), Attachment.objects.get(content_type="image/png")
    assert f'<iframe src="/portal/attachments/{pdf.pk}/?inline=1"' in body
    assert f'<img src="/portal/attachments/{png.pk}/?inline=1"' in body
    assert "必传附件 2/3" in body


def test_the_owner_downloads_with_safe_headers(client_a, record_a):
    upload(client_a, record_a, PDF_BYTES, "合同.pdf")
    attachment = Attachment.objects.get(record=record_a)
    response = client_a.get(f"/portal/attachments/{attachment.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''%E5%90%88%E5%90%8C.pdf" in response["Content-Disposition"]
    inline = client_a.get(f"/portal/attachments/{attachment.pk}/?inline=1")
    assert inline["Content-Disposition"].startswith("inline;")


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("clerk_b", 404),  # another enterprise
        ("county_reviewer", 200),  # 青秀区: the project's county
        ("city_reviewer_x", 200),  # 南宁市: the county's city
        ("city_reviewer_y", 404),  # 桂林市: another city
        ("provincial_staff", 200),
        ("superuser", 200),
    ],
)
def test_who_may_read_an_attachment(client, cast, record_a, who, status):
    client.force_login(cast["clerk_a"])
    upload(client, record_a, PDF_BYTES)
    attachment = Attachment.objects.get(record=record_a)
    client.force_login(cast[who])
    assert client.get(f"/portal/attachments/{attachment.pk}/").status_code == status


def test_anonymous_visitors_cannot_read_an_attachment(client, client_a, record_a):
    upload(client_a, record_a, PDF_BYTES)
    attachment = Attachment.objects.get(record=record_a)
    client_a.logout()
    response = client_a.get(f"/portal/attachments/{attachment.pk}/")
    assert response.status_code == 302 and "/portal/login/" in response["Location"]


def test_delete_an_attachment(client_a, record_a):
    upload(client_a, record_a, PDF_BYTES)
    attachment = Attachment.objects.get(record=record_a)
    assert client_a.get(f"/portal/attachments/{attachment.pk}/delete/").status_code == 405
    response = client_a.post(f"/portal/attachments/{attachment.pk}/delete/")
    assert response.status_code == 302
    assert not Attachment.objects.filter(pk=attachment.pk).exists()


def test_another_enterprise_cannot_delete_or_upload(client, clerk_b, client_a, record_a):
    upload(client_a, record_a, PDF_BYTES)
    attachment = Attachment.objects.get(record=record_a)
    client.force_login(clerk_b)
    assert client.post(f"/portal/attachments/{attachment.pk}/delete/").status_code == 404
    assert upload(client, record_a, PDF_BYTES).status_code == 404
    assert Attachment.objects.filter(record=record_a).count() == 1


def test_g7_no_upload_to_a_submitted_record(client_a, record_a):
    Record.objects.filter(pk=record_a.pk).update(status=RecordStatus.SUBMITTED)
    assert upload(client_a, record_a, PDF_BYTES).status_code == 403
    assert not Attachment.objects.filter(record=record_a).exists()
