"""Writes of attachments (中标通知书, 中标工程合同, 竣工验收证明 …): the one place that checks and stores an upload.

The portal's record page and the REST API both call `attachment_add` / `attachment_remove`, so the content check
(PDF, JPG or PNG recognised by their first bytes, never by the name or the browser's content type), the size limit
(`settings.ATTACHMENT_MAX_BYTES`), the unguessable storage name (`models.attachment_path`) and the G7 lock are the
same whatever the door. Reading an attachment is scoped by `records_visible_to(user)` in the callers' selectors.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.errors import DomainError

from .models import Attachment, AttachmentKind, Record, RecordStatus
from .selectors import refuse_if_deregistered


@dataclass(frozen=True)
class FileType:
    content_type: str
    suffix: str
    label: str


PDF = FileType("application/pdf", ".pdf", "PDF")
JPEG = FileType("image/jpeg", ".jpg", "JPG")
PNG = FileType("image/png", ".png", "PNG")
ACCEPTED_TYPES = (PDF, JPEG, PNG)
#: PDF readers accept the %PDF- header anywhere in the first kilobyte (scanners sometimes write a preamble).
PDF_HEADER_WINDOW = 1024


def sniff(head: bytes) -> FileType | None:
    """The accepted type these first bytes are, or None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if b"%PDF-" in head[:PDF_HEADER_WINDOW]:
        return PDF
    return None


def several_files_refusal(files) -> str:
    """Why an upload carrying more than one file part (`request.FILES`) is refused, or "": which one was meant is
    not guessed (the portal and the API ask this)."""
    if len(files) > 1 or any(len(files.getlist(name)) > 1 for name in files):
        return _("Send exactly one file per upload: this request carried several. Nothing was saved.")
    return ""


def _max_megabytes() -> str:
    return f"{settings.ATTACHMENT_MAX_BYTES / (1024 * 1024):g}"


#: The suffixes a name may keep for each type (anything else, "a.exe" included, is replaced by the type's own).
_SUFFIXES = {PDF: (".pdf",), JPEG: (".jpg", ".jpeg", ".jpe"), PNG: (".png",)}


def _original_name(name: str, file_type: FileType) -> str:
    """The uploaded name without any directory, at most 255 characters, with a suffix of the type its content is:
    a PDF sent as "a.exe" is kept as "a.pdf", so nobody downloads it as a program."""
    name = PurePosixPath((name or "").replace("\\", "/")).name.strip().replace("\x00", "") or "upload"
    path = PurePosixPath(name)
    stem = path.stem if path.suffix else name
    suffix = path.suffix if path.suffix.lower() in _SUFFIXES[file_type] else file_type.suffix
    return stem[: 255 - len(suffix)] + suffix


def original_name_for(name: str, file_type: FileType) -> str:
    """The name an upload is kept under for people to read (no directory, the suffix of its real type)."""
    return _original_name(name, file_type)


def _lock_open_record(record_id: int, user) -> Record:
    """The record's row, locked, when `user` is a clerk of its enterprise and the record is still theirs to change."""
    record = Record.objects.select_for_update(of=("self",)).filter(pk=record_id).first()
    if record is None:
        raise DomainError(_("This record does not exist."), code="not_found")
    if not getattr(user, "enterprise_id", None) or user.enterprise_id != record.enterprise_id:
        raise DomainError(_("This record belongs to another enterprise."), code="forbidden")
    refuse_if_deregistered(record.enterprise)
    if not record.is_editable_by_enterprise:
        if record.status in (RecordStatus.SUBMITTED, RecordStatus.DIRECT_REVIEW):
            message = _("This record has already been submitted and is waiting for review.")
        else:
            message = _("This record has been decided by the authority and can no longer be changed.")
        raise DomainError(message, code="locked")
    return record


def check_upload(uploaded_file) -> tuple[FileType, str]:
    """The type and SHA-256 of an upload, or DomainError "file_empty" / "file_too_large" / "file_type"."""
    size = uploaded_file.size
    if not size:
        raise DomainError(_("The file is empty."), code="file_empty", field="file")
    if size > settings.ATTACHMENT_MAX_BYTES:
        raise DomainError(
            _("The file is larger than %(mb)s MB.") % {"mb": _max_megabytes()}, code="file_too_large", field="file"
        )
    digest = hashlib.sha256()
    head = b""
    for chunk in uploaded_file.chunks():
        if len(head) < PDF_HEADER_WINDOW:
            head += chunk[: PDF_HEADER_WINDOW - len(head)]
        digest.update(chunk)
    file_type = sniff(head)
    if file_type is None:
        raise DomainError(
            _("Only PDF, JPG or PNG files are accepted; this file is none of them (checked by its content)."),
            code="file_type",
            field="file",
        )
    return file_type, digest.hexdigest()


def attachment_add(*, record_id: int, user, kind: str, uploaded_file) -> Attachment:
    """Attach an uploaded file to a record of the user's enterprise that is a draft or rejected (G7).

    The content decides the type (PDF, JPG, PNG); the stored name is random with the type's suffix; the original
    name, size, content type and SHA-256 are kept in the row. Raises DomainError "not_found", "forbidden", "locked",
    "kind", "file_empty", "file_too_large" or "file_type". A caller's outer transaction that rolls back later leaves
    the stored file behind, under its unguessable name, reachable by no row.
    """
    if kind not in AttachmentKind.values:
        raise DomainError(_("Choose the kind of attachment."), code="kind", field="kind")
    file_type, sha256 = check_upload(uploaded_file)  # before the lock: reading a large file takes a while
    with transaction.atomic():
        record = _lock_open_record(record_id, user)
        attachment = Attachment(
            record=record,
            kind=kind,
            original_name=_original_name(getattr(uploaded_file, "name", ""), file_type),
            content_type=file_type.content_type,
            size=uploaded_file.size,
            sha256=sha256,
            uploaded_by=user,
        )
        attachment.file.save(f"{kind}{file_type.suffix}", uploaded_file, save=False)
        stored = attachment.file.name
        try:
            attachment.save()
            # the list's "last change" moves; the version does not (an upload never makes an open page stale)
            Record.objects.filter(pk=record.pk).update(updated_at=timezone.now())
        except Exception:
            attachment.file.storage.delete(stored)
            raise
    return attachment


def attachment_remove(*, attachment_id: int, user, record_id: int | None = None) -> None:
    """Remove an attachment of a record of the user's enterprise that is a draft or rejected (G7).

    With `record_id`, the attachment must belong to that record (a URL naming another record's attachment is
    "not_found"). The file is deleted from storage once the transaction commits.
    """
    with transaction.atomic():
        attachment = Attachment.objects.filter(pk=attachment_id).first()
        if attachment is None or (record_id is not None and attachment.record_id != record_id):
            raise DomainError(_("This attachment does not exist."), code="not_found")
        record = _lock_open_record(attachment.record_id, user)
        storage, name = attachment.file.storage, attachment.file.name
        attachment.delete()
        Record.objects.filter(pk=record.pk).update(updated_at=timezone.now())
        transaction.on_commit(lambda: storage.delete(name))
