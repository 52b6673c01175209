"""Corrections and completions of published records (J7, P4): the rules of who may ask, who decides, and what an
acceptance does. The writes on the record itself are projects.revisions' (the one path that writes a decided
record); grading (A by the province, B/C/D) and the log are ours.

- B/C record: the firm files a 更正申请 (`file_correction`: the changes, a reason, evidence files); provincial staff
  of the record's province decide (`accept_correction` / `refuse_correction`, the request row locked NOWAIT so two
  staff cannot both decide). Accepted: a new version, the changed stages graded A by the deciding staff (J9), and
  the record pushed again under the same national numbers (`signals.record_revised`, sync fills its outbox).
- D record: 下载并完善 (`start_completion`) makes a working copy the firm completes and submits to the ordinary
  review; once approved (by a person or the nightly job) `merge_approved_completions` applies it to the record.
- One open correction or completion per record (also in the database).
- A decision (accepted or refused) is a notice to the firm, as a record's decision is (review.notices): written
  TO_SEND with the decision, shown in the portal's 审核结果通知, its e-mail queued after commit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import partial

from django.db import IntegrityError, OperationalError, transaction
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.errors import DomainError
from accounts.models import Role
from grading import grades
from grading.checks import check_record, load_record
from grading.eligibility import record_grade
from projects import revisions, versions
from projects.attachments import check_upload, original_name_for
from projects.codes import DataLevel
from projects.models import Record, RecordStatus, RecordVersion, StageFields
from projects.selectors import refuse_if_deregistered

from . import notices, signals
from .models import (
    CorrectionEvidence,
    CorrectionRequest,
    CorrectionStatus,
    NoticeMail,
    RecordTransition,
    TransitionBy,
)
from .workdays import SHANGHAI

#: the grades a correction request is for (J7); a D record is completed instead
CORRECTABLE_GRADES = (DataLevel.B, DataLevel.C)
#: the most evidence files one request carries
MAX_EVIDENCE = 10
AUTO_APPROVED = "逾期视为审核通过"


# --------------------------------------------------------------------------------------------------------------
# Who may ask
# --------------------------------------------------------------------------------------------------------------


def open_correction(record: Record) -> CorrectionRequest | None:
    return CorrectionRequest.objects.filter(record=record, status=CorrectionStatus.PENDING).first()


def _open_refusal(record: Record) -> str:
    if open_correction(record) is not None:
        return str(
            _(
                "A correction request of this record is waiting for the provincial office's decision: only one "
                "correction or completion is open at a time."
            )
        )
    if revisions.open_completion(record) is not None:
        return str(_("A completion of this record is open: only one correction or completion is open at a time."))
    return ""


def correction_refusal(record: Record) -> str:
    """Why the firm cannot file a correction of `record` now, or "" (J7: a published B/C record, none open)."""
    if record.status != RecordStatus.APPROVED or record.revision_of_id is not None:
        return str(_("Only an approved record can be corrected."))
    if record_grade(record) not in CORRECTABLE_GRADES:
        return str(
            _(
                "Only a B or C record (published nationally) is corrected by a request to the provincial office; "
                "a D record is completed (下载并完善) and reviewed again."
            )
        )
    return _open_refusal(record)


def completion_refusal(record: Record) -> str:
    """Why the firm cannot start 下载并完善 of `record` now, or "" (J7: a published D record, none open)."""
    if record.status != RecordStatus.APPROVED or record.revision_of_id is not None:
        return str(_("Only an approved record can be completed."))
    if record_grade(record) != DataLevel.D:
        return str(_("Only a D record (published provincially only) is completed and reviewed again (J7)."))
    return _open_refusal(record)


def _lock_own(record_id: int, user) -> Record:
    record = (
        Record.objects.select_for_update(of=("self",))
        .select_related("project", "enterprise")
        .filter(pk=record_id)
        .first()
    )
    if record is None:
        raise DomainError(_("This record does not exist."), code="not_found")
    if getattr(user, "role", None) != Role.ENTERPRISE or user.enterprise_id != record.enterprise_id:
        raise DomainError(_("This record belongs to another enterprise."), code="forbidden")
    refuse_if_deregistered(record.enterprise)
    return record


# --------------------------------------------------------------------------------------------------------------
# Filing a correction
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Proposal:
    """A correction as the firm reads it before filing: each change with the record's value now."""

    changes: list[revisions.Change]
    rows: list[dict]  # part_label, row_label, label, old_text, new_text, part, row, field, value

    def as_json(self) -> list[dict]:
        return self.rows


def _row_place(target: revisions.Target, change: revisions.Change) -> str:
    if change.row is None:
        return ""
    ids = list(target.rows[change.part])
    return _("row %(n)d") % {"n": ids.index(change.row) + 1}


def propose(record: Record, proposed) -> Proposal:
    """The changes read and checked (projects.revisions.parse_changes), with the record's current values, and the
    national standard's check of the record as it would be (a change that breaks it is refused now, not at the
    push). Changes nothing."""
    target = revisions.targets(record)
    changes = revisions.parse_changes(record, proposed, target=target)
    rows = []
    for change in changes:
        model = versions.PART_MODELS[change.part]
        obj = target.rows[change.part][change.row] if change.row is not None else target.singles[change.part]
        model_field = model._meta.get_field(change.field)
        rows.append(
            {
                "part": change.part,
                "row": change.row,
                "field": change.field,
                "value": change.raw,
                "part_label": str(model._meta.verbose_name),
                "row_label": _row_place(target, change),
                "label": str(model_field.verbose_name),
                "old_text": versions.value_text(model, change.field, versions._json(getattr(obj, model_field.attname))),
                "new_text": versions.value_text(model, change.field, versions._json(change.value)),
            }
        )
    _refuse_new_problems(record, changes)
    return Proposal(changes, rows)


def _refuse_new_problems(record: Record, changes: list[revisions.Change]) -> None:
    """J8: the record with the changes must still meet the national data standard (only problems the changes bring
    are reported: a rule added since the approval does not block a correction)."""
    before = {(p.path, p.rule, p.message) for p in check_record(load_record(record.pk))}
    loaded = load_record(record.pk)
    target = revisions.Target(
        singles={k: (loaded.project if k == "project" else getattr(loaded, k, None)) for k in versions.SINGLE_PARTS},
        rows={
            "units": {u.pk: u for u in loaded.project.units.all()},
            "corps": {c.pk: c for c in loaded.corps.all()},
            "persons": {p.pk: p for p in loaded.persons.all()},
            "censor_staff": {s.pk: s for s in loaded.censor.staff.all()} if getattr(loaded, "censor", None) else {},
        },
    )
    revisions.apply_to(target, changes)
    new = [p for p in check_record(loaded) if (p.path, p.rule, p.message) not in before]
    if new:
        raise DomainError(
            _("With these changes the record would no longer meet the national data standard: %(list)s")
            % {"list": "；".join(p.message for p in new)},
            code="invalid",
            field="changes",
            messages=[p.message for p in new],
        )


def _save_evidence(request: CorrectionRequest, checked) -> list[str]:
    stored = []
    for uploaded, file_type, sha256 in checked:
        evidence = CorrectionEvidence(
            request=request,
            original_name=original_name_for(getattr(uploaded, "name", ""), file_type),
            content_type=file_type.content_type,
            size=uploaded.size,
            sha256=sha256,
        )
        evidence.file.save(f"evidence{file_type.suffix}", uploaded, save=False)
        stored.append(evidence.file.name)
        evidence.save()
    return stored


def _refuse_nul(text: str, field: str) -> None:
    if "\x00" in text:
        raise DomainError(
            _("The text contains a NUL character (\\0), which cannot be stored: remove it."),
            code="invalid",
            field=field,
        )


def file_correction(*, record_id: int, user, changes, reason: str, files) -> CorrectionRequest:
    """更正申请 (J7): a clerk of the record's enterprise asks the provincial office to change fields of a published
    B/C record. The changes are checked as the portal's save reads values; the reason and at least one evidence file
    (PDF, JPG or PNG, checked by content) are required; one open request per record. The record itself is unchanged
    until the province accepts."""
    reason = str(reason or "").strip()
    _refuse_nul(reason, "reason")
    if not reason:
        raise DomainError(
            _("Explain why the record must be corrected: the provincial office reads it."),
            code="reason_required",
            field="reason",
        )
    files = list(files or [])
    if not files:
        raise DomainError(
            _("Attach at least one document proving the correction (PDF, JPG or PNG)."),
            code="evidence_required",
            field="evidence",
        )
    if len(files) > MAX_EVIDENCE:
        raise DomainError(
            _("Attach at most %(n)d files to one request.") % {"n": MAX_EVIDENCE}, code="too_many", field="evidence"
        )
    checked = []
    for uploaded in files:
        try:
            file_type, sha256 = check_upload(uploaded)
        except DomainError as exc:
            raise DomainError(
                f"{getattr(uploaded, 'name', '')[:100]}: {exc.message}", code=exc.code, field="evidence"
            ) from exc
        checked.append((uploaded, file_type, sha256))
    stored: list[str] = []
    try:
        with transaction.atomic():
            record = _lock_own(record_id, user)
            refusal = correction_refusal(record)
            if refusal:
                raise DomainError(refusal, code="not_correctable")
            proposal = propose(record, changes)
            try:
                with transaction.atomic():
                    request = CorrectionRequest.objects.create(
                        record=record, changes=proposal.as_json(), reason=reason, filed_by=user, filed_at=timezone.now()
                    )
            except IntegrityError as exc:
                raise DomainError(_open_refusal(record) or str(exc), code="already_open") from exc
            stored = _save_evidence(request, checked)
    except Exception:
        from django.core.files.storage import default_storage

        for name in stored:
            default_storage.delete(name)
        raise
    return request


# --------------------------------------------------------------------------------------------------------------
# The province decides
# --------------------------------------------------------------------------------------------------------------


def may_decide_correction(user, record: Record) -> bool:
    """J7: the provincial office (建筑管理处) of the record's province decides its corrections."""
    return (
        getattr(user, "role", None) == Role.PROVINCIAL
        and bool(user.authority_id)
        and user.authority.region_id == record.project.county.province_code
    )


def _lock_request(request_id: int) -> CorrectionRequest:
    """The request's row, locked NOWAIT: a colleague deciding it at this moment makes us stop at once, in words."""
    try:
        with transaction.atomic():
            request = (
                CorrectionRequest.objects.select_for_update(nowait=True, of=("self",))
                .select_related("record__project__county")
                .filter(pk=request_id)
                .first()
            )
    except OperationalError as exc:
        raise DomainError(
            _(
                "Another member of staff is deciding this correction request right now. Nothing was changed: "
                "reload the page in a moment to see their decision."
            ),
            code="busy",
        ) from exc
    if request is None:
        raise DomainError(_("This correction request does not exist."), code="not_found")
    return request


def _check_decider(user, request: CorrectionRequest) -> None:
    from .services import check_real_name

    if not may_decide_correction(user, request.record):
        raise DomainError(
            _("Only the provincial office of the record's province decides its correction requests (J7)."),
            code="not_your_jurisdiction",
        )
    check_real_name(user)
    if request.status != CorrectionStatus.PENDING:
        raise DomainError(
            _("This correction request has already been decided: it is now “%(status)s”. Nothing was changed.")
            % {"status": CorrectionStatus(request.status).label},
            code="already_decided",
        )


def _staff_names(user) -> tuple[str, str]:
    return user.real_name.strip()[:50], f"{user.authority.name}{user.department.name}"[:200]


def approval_author(record: Record) -> revisions.Author:
    """Who approved `record` and when, as the log says (version 1 of a record is its approved content)."""
    row = RecordTransition.objects.filter(record=record, to_status=RecordStatus.APPROVED).order_by("-at", "-id").first()
    if row is None:
        return revisions.Author(None, "", "", record.decided_at or timezone.now())
    name = AUTO_APPROVED if row.by == TransitionBy.NIGHTLY_JOB else row.actor_name
    return revisions.Author(row.actor, name, f"{row.actor_authority}{row.actor_department}", row.at)


def _province_stamp(depart: str, person: str, record: Record, now: dt.datetime):
    """The province confirmed the corrected stages: grade A, its department and real name (J9), the data source
    from the stage's date as at submission."""
    submitted_on = (record.submitted_at or now).astimezone(SHANGHAI).date()

    def stamp(key: str, stage: StageFields) -> None:
        stage.check_depart_name = depart[:100]
        stage.check_person_name = person[:50]
        stage.data_level = DataLevel.A
        stage.data_source = grades.data_source_for(getattr(stage, grades.STAGE_DATE_FIELDS[key]), submitted_on)

    return stamp


def accept_correction(*, request_id: int, user) -> CorrectionRequest:
    """Accept a correction (J7, P4), in one transaction: the changes on the record's tables (projects.revisions),
    its edition raised with a new version, the changed stages graded A by the deciding staff, the push queued
    again under the same national numbers (signals.record_revised)."""
    with transaction.atomic():
        request = _lock_request(request_id)
        _check_decider(user, request)
        now = timezone.now()
        name, department = _staff_names(user)
        record = request.record
        proposed = [{k: c.get(k) for k in ("part", "row", "field", "value")} for c in request.changes]
        version = revisions.apply_changes(
            record_id=record.pk,
            proposed=proposed,
            reason=request.reason,
            author=revisions.Author(user, name, department, now),
            first=approval_author(record),
            stamp=_province_stamp(department, name, record, now),
        )
        request.accept(at=now, by=user, version=version)
        request.decider_name, request.decider_department = name, department
        _notify(request)
        signals.record_revised.send(sender=Record, ids=[record.pk], at=now)
    return request


def _notify(request: CorrectionRequest) -> None:
    """Save the decided request as a notice to the firm (TO_SEND) and queue its e-mail after commit."""
    request.mail_status, request.mail_attempts, request.mail_error, request.read_at = NoticeMail.TO_SEND, 0, "", None
    request.save()
    transaction.on_commit(partial(notices.queue_correction_mail, request.pk))


def refuse_correction(*, request_id: int, user, reason: str) -> CorrectionRequest:
    """Refuse a correction with the reason the firm reads; nothing of the record changes."""
    reason = str(reason or "").strip()
    _refuse_nul(reason, "reason")
    if not reason:
        raise DomainError(
            _("Give the reason for the refusal: the enterprise reads it."), code="reason_required", field="reason"
        )
    with transaction.atomic():
        request = _lock_request(request_id)
        _check_decider(user, request)
        name, department = _staff_names(user)
        request.refuse(at=timezone.now(), by=user, reason=reason)
        request.decider_name, request.decider_department = name, department
        _notify(request)
    return request


# --------------------------------------------------------------------------------------------------------------
# 下载并完善: a D record's completion
# --------------------------------------------------------------------------------------------------------------


def start_completion(*, record_id: int, user) -> Record:
    """下载并完善 (J7): a working copy of a published D record for the firm to complete and submit again; refused
    while a correction or another completion is open."""
    with transaction.atomic():
        record = _lock_own(record_id, user)
        refusal = completion_refusal(record)
        if refusal:
            raise DomainError(refusal, code="not_completable")
        return revisions.copy_for_completion(record_id=record.pk, user=user)


def merge_approved_completions(ids, *, at: dt.datetime) -> list[int]:
    """After approvals (a person's or the nightly job's): every approved working copy among `ids` applied to its
    record as a new version (projects.revisions.merge_completion); the records are pushed again. Returns the ids of
    the records updated."""
    ids = list(ids)
    if not ids:
        return []
    copies = list(
        Record.objects.filter(pk__in=RawSQL("SELECT unnest(%s::bigint[])", (ids,)))
        .filter(revision_of__isnull=False, merged_at__isnull=True, status=RecordStatus.APPROVED)
        .values_list("pk", "revision_of_id")
    )
    merged = []
    for copy_id, original_id in copies:
        decision = approval_author(Record.objects.get(pk=copy_id))
        original = Record.objects.get(pk=original_id)
        revisions.merge_completion(
            copy_id=copy_id,
            author=revisions.Author(decision.user, decision.name, decision.department, at),
            first=approval_author(original),
        )
        merged.append(original_id)
    if merged:
        signals.record_revised.send(sender=Record, ids=merged, at=at)
    return merged


def version_author_text(version: RecordVersion) -> str:
    who = version.author_name or "—"
    return f"{who}（{version.author_department}）" if version.author_department else who
