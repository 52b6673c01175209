"""Writes of review/: submitting a record (提交审核), deciding it (审核通过 / 审核不通过), the nightly auto-approval
(逾期视为审核通过) and the transition log. The portal, the API, the admin, the command and the task call these
services; no rule lives in a view.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from functools import partial

import pghistory
from django.apps import apps
from django.db import connection, transaction
from django.db.models import OuterRef, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts import pii
from accounts.errors import DomainError
from accounts.models import Authority, Role
from accounts.scoping import jurisdiction_prefix
from grading import grades
from grading.checks import Problem, check_record, load_record
from grading.rules import section_of
from projects.campaigns import Admission, admission_for_record
from projects.models import (
    FRAUD_SOURCES,
    AttachmentKind,
    BuilderLicence,
    Censor,
    Contract,
    FinishCheck,
    FinishRecord,
    Project,
    Record,
    RecordStatus,
    Tender,
)
from projects.selectors import declared_match, enterprise_refusal, refuse_if_deregistered
from projects.services import lock_shared_project, next_in_sequence

from . import signals
from .corrections import merge_approved_completions
from .models import CalendarAlert, CreditEntry, NoticeMail, PiiReveal, RecordTransition, TransitionBy
from .notices import queue_decision_mails
from .reasons import DirectReviewReason, direct_review_log_reason
from .selectors import is_notice, missing_calendar_years, responsible_authority
from .workdays import SHANGHAI, submission_deadline

#: The rule ids of the problems this service adds to grading's.
RULE_J3 = "J3"


class SubmitRefused(DomainError):
    """The record has problems: `problems` lists every one of them (grading, G1–G4, J3)."""

    def __init__(self, problems: list[Problem]) -> None:
        count = len(problems)
        super().__init__(
            ngettext(
                "The record cannot be submitted: %(count)s problem must be corrected first.",
                "The record cannot be submitted: %(count)s problems must be corrected first.",
                count,
            )
            % {"count": count},
            code="refused",
            messages=[p.message for p in problems],
        )
        self.problems = problems


#: The transitions an enterprise gets a receipt (回执) for: a submission to its authority or to direct review.
RECEIPT_STATES = (RecordStatus.SUBMITTED, RecordStatus.DIRECT_REVIEW)


def receipt_number(record: Record, at: dt.datetime) -> str:
    """回执编号 of a submission: HZ-<the project's county code>-<day, Beijing time>-<6-digit sequence of that county
    and day>, e.g. HZ-450103-20261207-000123; drawn atomically, so unique (and the column says so too)."""
    day = at.astimezone(SHANGHAI).date()
    county = record.project.county_id
    seq = next_in_sequence(f"receipt:{county}:{day:%Y%m%d}")
    return f"HZ-{county}-{day:%Y%m%d}-{seq:06d}"


def write_transition(
    *,
    record: Record,
    from_status: str,
    to_status: str,
    at: dt.datetime,
    actor=None,
    by: str = TransitionBy.PERSON,
    reason: str = "",
) -> RecordTransition:
    """The log row of one transition: who (real name, department, authority and its level, or enterprise), when, why.

    The nightly job and migrations pass no actor and their `by`; their row names no person (P1).
    A decision (approved, rejected, fraud) is a notice to the enterprise: written TO_SEND, its e-mail queued after
    commit (review.notices).
    """
    row = RecordTransition(
        record=record, from_status=from_status, to_status=to_status, at=at, by=by, reason=reason, actor=actor
    )
    if is_notice(to_status=to_status, by=by):
        row.mail_status = NoticeMail.TO_SEND
    if to_status in RECEIPT_STATES:
        row.receipt_no = receipt_number(record, at)
    if actor is not None:
        row.actor_name = (actor.real_name or actor.get_full_name() or actor.username)[:50]
        department = getattr(actor, "department", None) if actor.department_id else None
        authority = getattr(actor, "authority", None) if actor.authority_id else None
        enterprise = getattr(actor, "enterprise", None) if actor.enterprise_id else None
        row.actor_department = department.name if department else ""
        row.actor_authority = authority.name if authority else ""
        row.actor_level = authority.level if authority else ""
        row.actor_enterprise = enterprise.name if enterprise else ""
    row.save()
    if row.mail_status == NoticeMail.TO_SEND:
        transaction.on_commit(partial(queue_decision_mails, [row.pk]))
    return row


def _admission_problems(answer: Admission, known: set[tuple[str, str]]) -> list[Problem]:
    """G1–G4 refusals as problems, in the notice's words; a G1 grading already reported on the same field is not
    repeated."""
    problems = []
    for refusal in answer.refusals:
        path = refusal.field if "." in refusal.field else (f"project.{refusal.field}" if refusal.field else "")
        if (refusal.rule, path) in known:
            continue
        problems.append(Problem(section_of(path) if path else "", path, str(refusal.message), refusal.rule))
    return problems


def _j3_problems(record: Record) -> list[Problem]:
    """J3: a project or permit already declared in the 工改系统 or the 施工许可管理系统 is not backfilled
    (projects.selectors.declared_matches, the one answer submit and every import ask)."""
    licence = getattr(record, "licence", None)  # None when the permit stage was never entered
    licence_cert_no = licence.licence_cert_no if licence is not None else ""
    match = declared_match(prj_num=record.project.prj_num, licence_cert_no=licence_cert_no)
    if match is None:
        return []
    return [Problem(section_of(match.path), match.path, match.message, RULE_J3)]


def record_deadline(record: Record, submitted_at: dt.datetime) -> dt.datetime:
    """G5: the end of the campaign's N-th working day after submission; J1: pulled in to the end of the 3rd working
    day before the campaign's close date, but never before the end of the submission's own working day (a record
    submitted in those last days is not due in the past)."""
    campaign = record.campaign
    return submission_deadline(submitted_at, campaign.review_working_days, campaign.close_date, close_working_days=3)


# ------------------------------------------------------------------------------------------------------------------
# The calendar check of the nightly deadline job (issue 5 item 3): a year nobody knows raises an alert
# ------------------------------------------------------------------------------------------------------------------

calendar_log = logging.getLogger("review.calendar")


def check_calendar(*, now: dt.datetime | None = None) -> list[int]:
    """Raise a CalendarAlert for each coming year whose working days are unknown (review.selectors.
    missing_calendar_years: this year and the next, neither in the chinesecalendar package nor declared complete by
    staff) and resolve the alerts of years that have become known; return the unknown years.

    Never guesses a day: deadlines reaching into such a year stay uncomputable (submissions are refused with the
    reason) until staff enter the year. A newly raised alert is also logged at ERROR, which reaches the ADMINS by
    mail when a mail backend is configured. Idempotent; safe to run twice at once (one row per year).
    """
    now = now or timezone.now()
    missing = missing_calendar_years(now.astimezone(SHANGHAI).date())
    with transaction.atomic():
        for year in missing:
            alert, created = CalendarAlert.objects.select_for_update().get_or_create(
                year=year, defaults={"raised_at": now, "last_checked_at": now}
            )
            if not created:
                reopened = alert.resolved_at is not None
                alert.last_checked_at = now
                if reopened:
                    alert.raised_at, alert.resolved_at = now, None
                alert.save(update_fields=["last_checked_at", "raised_at", "resolved_at"])
            if created or alert.raised_at == now:
                calendar_log.error(
                    "The working-day calendar of %s is unknown: review deadlines reaching into it cannot be computed. "
                    "Enter the State Council's holidays for %s in the admin (Review › Working-day overrides, Calendar "
                    "years).",
                    year,
                    year,
                )
        CalendarAlert.objects.filter(resolved_at__isnull=True).exclude(year__in=missing).update(
            resolved_at=now, last_checked_at=now
        )
    return missing


def _lock_for_enterprise(record_id: int, user) -> Record:
    """The record's row, locked, when `user` is a clerk of its enterprise and it is still theirs to change (G7)."""
    locked = Record.objects.select_for_update(of=("self",)).filter(pk=record_id).first()
    if locked is None:
        raise DomainError(_("This record does not exist."), code="not_found")
    if getattr(user, "role", None) != Role.ENTERPRISE or user.enterprise_id != locked.enterprise_id:
        raise DomainError(_("This record belongs to another enterprise."), code="forbidden")
    refuse_if_deregistered(locked.enterprise)
    if not locked.is_editable_by_enterprise:
        if locked.status in (RecordStatus.SUBMITTED, RecordStatus.DIRECT_REVIEW):
            message = _("This record has already been submitted and is waiting for review.")
        elif locked.status == RecordStatus.FRAUD:
            message = _("This record was rejected for fraud and is locked for good (G10): it can no longer be changed.")
        else:
            message = _("This record has been decided by the authority and can no longer be changed.")
        raise DomainError(message, code="locked")
    lock_shared_project(locked)  # submitting freezes the project's shared part (ADR 0008): no save slips in between
    return locked


def _submission_problems(record: Record, now: dt.datetime) -> tuple[list[Problem], Admission]:
    """Every reason the record cannot be sent for review: grading's rule check, G1–G4 with the notice's words, J3."""
    problems = check_record(record)
    answer = admission_for_record(record, on=now.astimezone(SHANGHAI).date())
    admission_problems = _admission_problems(answer, {(p.rule, p.path) for p in problems})
    if not answer.allowed and not answer.refusals:  # no track and no words for it: the campaign does not cover
        admission_problems.append(Problem("", "", record.campaign.msg_kind_not_covered, "G2"))
    return problems + admission_problems + _j3_problems(record), answer


def _save_sent(locked: Record) -> None:
    """Save what a transition to a review queue (submit, request_direct_review) set, raising the version."""
    locked.version += 1
    locked.save(
        update_fields=[
            "status",
            "submitted_at",
            "responsible_authority",
            "review_deadline",
            "track",
            "reaches_national",
            "decided_at",
            "version",
            "updated_at",
        ]
    )


@dataclass
class SubmitPreview:
    """What 提交审核 would say if pressed now (核对信息): every problem, and otherwise where the record would go."""

    problems: list[Problem]
    admission: Admission
    authority: Authority | None = None
    deadline: dt.datetime | None = None

    @property
    def ready(self) -> bool:
        return not self.problems


def submit_preview(*, record: Record, user, now: dt.datetime | None = None) -> SubmitPreview:
    """The check of `submit_record` without the transition, for the page a clerk reads before submitting: the same
    problems (grading, G1–G4, J3, a deregistered enterprise), and when there is none the responsible authority (P2)
    and the deadline (G5, J1) a submission now would get. `record` is loaded as grading.checks.load_record reads
    it (the portal's record_for_page does). Changes nothing."""
    now = now or timezone.now()
    problems, answer = _submission_problems(record, now)
    refusal = enterprise_refusal(record.enterprise)
    if refusal:
        problems = [Problem("", "", refusal, "deregistered"), *problems]
    preview = SubmitPreview(problems, answer)
    if problems:
        return preview
    try:
        preview.authority = responsible_authority(record.project.county)
        preview.deadline = record_deadline(record, now)
    except DomainError as exc:  # no authority, or a year whose calendar nobody entered: submit says the same
        preview.problems.append(Problem("", "", str(exc.message), exc.code or "calendar"))
    return preview


def submit_record(*, record_id: int, user) -> Record:
    """提交审核: check the whole record and, when nothing is wrong, send it to its responsible authority.

    Inside one transaction with the record's row locked: the user must be a clerk of the record's enterprise and the
    record a draft or rejected; every problem is collected (grading's rule check, the campaign's admission G1–G4 with
    the notice's words, J3) and `SubmitRefused` lists them all, saving nothing. Otherwise the record goes to
    `submitted` with its responsible authority (P2), its deadline (G5, J1), its track and whether it reaches the
    national platform (G2/G3), and the transition is logged.
    """
    with transaction.atomic():
        locked = _lock_for_enterprise(record_id, user)

        record = load_record(record_id)
        now = timezone.now()
        problems, answer = _submission_problems(record, now)
        if problems:
            raise SubmitRefused(problems)

        authority = responsible_authority(record.project.county)
        deadline = record_deadline(record, now)
        from_status = locked.status
        locked.submit(
            at=now,
            authority=authority,
            deadline=deadline,
            track=answer.track,
            reaches_national=answer.reaches_national,
        )
        _save_sent(locked)
        write_transition(
            record=locked, from_status=from_status, to_status=locked.status, at=now, actor=user, by=TransitionBy.PERSON
        )
    return locked


# ------------------------------------------------------------------------------------------------------------------
# Decisions: 审核通过 / 审核不通过 (G5, G7, P2, J9)
# ------------------------------------------------------------------------------------------------------------------

#: The stage tables every decision fills (信息审核部门, 信息审核人, 数据来源, 数据等级), by the record's relation name.
STAGE_MODELS = {
    "censor": Censor,
    "tender": Tender,
    "contract": Contract,
    "licence": BuilderLicence,
    "finish_check": FinishCheck,
    "finish_record": FinishRecord,
}
STAGE_FIELDS = ["check_depart_name", "check_person_name", "data_level", "data_source", "updated_at"]


def _lock_for_decision(record_id: int) -> Record:
    """The record with its row locked until the transaction ends: of two deciders, the second waits here and then
    sees the first one's decision."""
    locked = (
        Record.objects.select_for_update(of=("self",), nowait=False)
        .select_related("project__county", "campaign", "responsible_authority")
        .filter(pk=record_id)
        .first()
    )
    if locked is None:
        raise DomainError(_("This record does not exist."), code="not_found")
    return locked


def _may_decide(user, record: Record) -> bool:
    """P2: the reviewers of the record's responsible authority decide its submitted records; provincial staff of the
    record's province decide its submitted and its direct-review records."""
    role = getattr(user, "role", None)
    if role == Role.PROVINCIAL:
        return bool(user.authority_id) and user.authority.region_id == record.project.county.province_code
    if role == Role.REVIEWER:
        return (
            bool(user.authority_id)
            and user.authority_id == record.responsible_authority_id
            and record.status != RecordStatus.DIRECT_REVIEW
        )
    return False


def _check_decider(user, record: Record) -> None:
    if not _may_decide(user, record):
        raise DomainError(
            _(
                "This record is not in your jurisdiction: only its responsible authority or the provincial office "
                "decides it."
            ),
            code="not_your_jurisdiction",
        )
    check_real_name(user)
    if record.status not in (RecordStatus.SUBMITTED, RecordStatus.DIRECT_REVIEW):
        status = RecordStatus(record.status).label
        if record.status in (RecordStatus.APPROVED, RecordStatus.REJECTED, RecordStatus.FRAUD):
            message = _("This record has already been decided: it is now “%(status)s”. Nothing was changed.")
            code = "already_decided"
        else:
            message = _("This record is not waiting for review: it is “%(status)s”. Nothing was changed.")
            code = "not_pending"
        raise DomainError(message % {"status": status}, code=code)


def check_real_name(user) -> None:
    """J9: an official decides (approves, rejects, records fraud) only once registered by real name and department."""
    missing = user.missing_real_name_registration
    if missing:
        # Translators: the separator between the items of a list, e.g. "real name, department" (Chinese: "、").
        separator = _(", ")
        raise DomainError(
            _(
                "You cannot decide records until your real-name registration is complete (J9): %(missing)s missing. "
                "Ask the platform administrator to complete your account."
            )
            % {"missing": separator.join(missing)},
            code="real_name_required",
        )


def _submitted_on(record: Record, at: dt.datetime) -> dt.date:
    return (record.submitted_at or at).astimezone(SHANGHAI).date()


def approval_stamp(key: str, values, *, depart: str, person: str, level: str, submitted_on: dt.date) -> dict:
    """What an approval writes into a stage row `key` (or the project) whose values are `values` (a row or a dict):
    the deciding department and person (J9), the grade and the data source of the stage's business date."""
    field = grades.STAGE_DATE_FIELDS[key]
    business_date = values.get(field) if isinstance(values, dict) else getattr(values, field)
    return {
        "check_depart_name": depart[:100],
        "check_person_name": person[:50],
        "data_level": level,
        "data_source": grades.data_source_for(business_date, submitted_on),
    }


def _fill_stages(record: Record, *, depart: str, person: str, level: str, at: dt.datetime) -> None:
    """Write the reviewer, grade and data source into the record's stage rows and its project (TBProjectInfo)."""
    submitted_on = _submitted_on(record, at)
    stages: list[tuple[str, object]] = [("project", record.project)]
    for key, model in STAGE_MODELS.items():
        stages.extend((key, stage) for stage in model.objects.filter(record=record))
    for key, stage in stages:
        stamp = approval_stamp(key, stage, depart=depart, person=person, level=level, submitted_on=submitted_on)
        for name, value in stamp.items():
            setattr(stage, name, value)
        stage.save(update_fields=STAGE_FIELDS)


def approve_record(*, record_id: int, user) -> Record:
    """审核通过 by a reviewer of the responsible authority or by provincial staff (P2), with the row locked: of two
    deciders exactly one wins, the other gets `already_decided`. Every stage gets the deciding department and
    person (J9), the grade of the deciding authority (A/B/C) and its data source; the transition is logged."""
    with transaction.atomic():
        locked = _lock_for_decision(record_id)
        _check_decider(user, locked)
        now = timezone.now()
        authority = user.authority
        from_status = locked.status
        locked.approve(at=now)
        locked.version += 1
        locked.save(update_fields=["status", "decided_at", "version", "updated_at"])
        _fill_stages(
            locked,
            depart=f"{authority.name}{user.department.name}",
            person=user.real_name.strip(),
            level=grades.level_for_authority(authority),
            at=now,
        )
        write_transition(record=locked, from_status=from_status, to_status=locked.status, at=now, actor=user)
        signals.records_approved.send(sender=Record, ids=[locked.pk], at=now)
        if locked.revision_of_id is not None:  # a D record's completion (J7): applied to its record now
            merge_approved_completions([locked.pk], at=now)
    return locked


def reject_record(*, record_id: int, user, reason: str) -> Record:
    """审核不通过 with the reason the enterprise reads (G5), under the same rules and lock as `approve_record`."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason for the rejection: the enterprise reads it."), code="reason_required")
    with transaction.atomic():
        locked = _lock_for_decision(record_id)
        _check_decider(user, locked)
        now = timezone.now()
        from_status = locked.status
        locked.reject(at=now)
        locked.version += 1
        locked.save(update_fields=["status", "decided_at", "version", "updated_at"])
        write_transition(
            record=locked, from_status=from_status, to_status=locked.status, at=now, actor=user, reason=reason
        )
    return locked


# ------------------------------------------------------------------------------------------------------------------
# The nightly auto-approval: 逾期视为审核通过 (G5, P1)
# ------------------------------------------------------------------------------------------------------------------

#: The reviewer name, log reason and history actor of a record approved because its review window ran out (P1:
#: never a person's name). The standard's own wording, the same in every language.
AUTO_APPROVED = "逾期视为审核通过"
NIGHTLY_ACTOR = "nightly auto-approval"


def auto_approve_overdue(now: dt.datetime | None = None) -> int:
    """Approve every submitted record whose review deadline has passed (G5, P1); return how many.

    Set-based: one `UPDATE … WHERE status = 'submitted' AND review_deadline < now RETURNING id`, then one UPDATE per
    stage table and one INSERT of the log rows, whatever the number of records. The WHERE on the status makes it a
    compare-and-set: a record a reviewer holds locked is waited for and, once decided, no longer matches; two runs at
    once approve each record once. Running it again changes nothing.
    """
    now = now or timezone.now()
    with transaction.atomic(), pghistory.context(actor=NIGHTLY_ACTOR):
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {Record._meta.db_table} "  # the table name is ours; values are parameters
                "SET status = %s, decided_at = %s, updated_at = %s, version = version + 1 "
                "WHERE status = %s AND review_deadline < %s RETURNING id",
                [RecordStatus.APPROVED, now, now, RecordStatus.SUBMITTED, now],
            )
            ids = sorted(row[0] for row in cursor.fetchall())
        if not ids:
            return 0
        _grade_auto_approved(ids, now)
        rows = RecordTransition.objects.bulk_create(
            [
                RecordTransition(
                    record_id=record_id,
                    from_status=RecordStatus.SUBMITTED,
                    to_status=RecordStatus.APPROVED,
                    at=now,
                    by=TransitionBy.NIGHTLY_JOB,
                    reason=AUTO_APPROVED,
                    mail_status=NoticeMail.TO_SEND,  # the enterprise is told (issue 5 item 8)
                )
                for record_id in ids
            ],
            batch_size=5000,
        )
        # One callback queues the mails in batches (review.notices.NOTICE_BATCH rows a message), never one a row.
        transaction.on_commit(partial(queue_decision_mails, [row.pk for row in rows]))
        signals.records_approved.send(sender=Record, ids=ids, at=now)  # the outbox, set-based (sync/)
        merge_approved_completions(ids, at=now)  # the completions among them applied to their records (J7)
    return len(ids)


def _grade_auto_approved(ids: list[int], decided_at: dt.datetime) -> None:
    """P1, set-based: every stage of the records `ids` (and their projects) gets the responsible authority as
    reviewing department, 逾期视为审核通过 as reviewer, the campaign's P1 grade and its data source."""
    ids_sql = RawSQL("SELECT unnest(%s::bigint[])", (ids,))
    records = Record.objects.filter(pk=OuterRef("record_id"))
    submitted_on = Subquery(records.annotate(day=TruncDate("submitted_at", tzinfo=SHANGHAI)).values("day")[:1])
    values = {
        "data_level": Subquery(records.annotate(grade=grades.auto_approval_level_expression()).values("grade")[:1]),
        "check_depart_name": Subquery(records.values("responsible_authority__name")[:1]),
        "check_person_name": AUTO_APPROVED,
        "updated_at": timezone.now(),
    }
    for key, model in STAGE_MODELS.items():
        model.objects.filter(record_id__in=ids_sql).update(
            data_source=grades.data_source_expression(grades.STAGE_DATE_FIELDS[key], submitted_on), **values
        )
    # The project (TBProjectInfo) is shared by the enterprises that claim it: the latest of its records approved
    # tonight speaks for it.
    # The records of this run are those it stamped `decided_at = now`, found through the project's index. Neither
    # `pk IN (SELECT unnest(ids))` (rescanned for every project) nor a condition on the status (statistics from
    # before the run say "approved" is rare, so the planner walks the status index) may appear here: either makes
    # the update O(N²), over an hour for 100,000 records (bench auto_approve).
    latest = Record.objects.filter(project_id=OuterRef("pk"), decided_at=decided_at).order_by("-pk")
    Project.objects.filter(pk__in=Record.objects.filter(pk__in=ids_sql).values("project_id")).update(
        data_level=Subquery(latest.annotate(grade=grades.auto_approval_level_expression()).values("grade")[:1]),
        check_depart_name=Subquery(latest.values("responsible_authority__name")[:1]),
        check_person_name=AUTO_APPROVED,
        data_source=grades.data_source_expression(
            grades.STAGE_DATE_FIELDS["project"],
            Subquery(latest.annotate(day=TruncDate("submitted_at", tzinfo=SHANGHAI)).values("day")[:1]),
        ),
        updated_at=timezone.now(),
    )


# ------------------------------------------------------------------------------------------------------------------
# Direct review by the provincial office: 申请直接审核 (G6, P2)
# ------------------------------------------------------------------------------------------------------------------


#: G6: an owner that no longer exists cannot be asked to complete its data, so these problems do not stop a request
#: made for that reason.
OWNER_FIELDS_PREFIX = "project.build_corp_"
RULE_G6 = "G6"


def _direct_review_problems(record: Record, reason_code: str, now: dt.datetime) -> tuple[list[Problem], Admission]:
    """The problems of `submit_record` (grading, G1–G4, J3), without those of the owner's fields when the owner is
    deregistered, plus the written application (G6) when it is not attached."""
    problems, answer = _submission_problems(record, now)
    if reason_code == DirectReviewReason.OWNER_DEREGISTERED:
        problems = [p for p in problems if not p.path.startswith(OWNER_FIELDS_PREFIX)]
    if not record.attachments.filter(kind=AttachmentKind.DIRECT_REVIEW).exists():
        path = f"attachments.{AttachmentKind.DIRECT_REVIEW}"
        problems.append(
            Problem(
                section_of(path),
                path,
                _("Attach the written application for direct review (G6) signed and sealed by the enterprise."),
                RULE_G6,
            )
        )
    return problems, answer


def _provincial_authority(record: Record) -> Authority:
    """P2 for direct review: the provincial office of the project's province."""
    province_code = record.project.county.province_code
    authority = Authority.objects.filter(region_id=province_code, is_active=True).first()
    if authority is None:
        raise DomainError(
            _(
                "No housing and construction authority of the province %(province)s is registered on the platform, "
                "so nobody can review this project; ask the platform administrator to add it."
            )
            % {"province": province_code},
            code="no_authority",
        )
    return authority


def request_direct_review(*, record_id: int, user, reason_code: str, reason: str = "") -> Record:
    """申请直接审核 (G6): a clerk of the record's enterprise sends a draft or rejected record to the provincial office.

    The reason is a `DirectReviewReason`; "other" needs the enterprise's own words. The record passes the checks of
    `submit_record`, except the owner's fields (build_corp_*) when the owner is deregistered, and the written
    application (an attachment of kind direct_review) must be attached; `SubmitRefused` lists every problem. The
    record then waits in the provincial queue with a deadline like a submission (G5, J1); the nightly job does not
    auto-approve it (only submitted records). The log row keeps the reason.
    """
    reason = (reason or "").strip()
    if reason_code not in DirectReviewReason.values:
        raise DomainError(
            _("Choose why the record needs direct review by the provincial office."),
            code="reason_code",
            field="reason_code",
        )
    if reason_code == DirectReviewReason.OTHER and not reason:
        raise DomainError(
            _("Explain why the record needs direct review by the provincial office."),
            code="reason_required",
            field="reason",
        )
    with transaction.atomic():
        locked = _lock_for_enterprise(record_id, user)

        record = load_record(record_id)
        now = timezone.now()
        problems, answer = _direct_review_problems(record, reason_code, now)
        if problems:
            raise SubmitRefused(problems)

        authority = _provincial_authority(record)
        deadline = record_deadline(record, now)
        from_status = locked.status
        locked.request_direct_review(
            at=now,
            authority=authority,
            deadline=deadline,
            track=answer.track,
            reaches_national=answer.reaches_national,
        )
        _save_sent(locked)
        write_transition(
            record=locked,
            from_status=from_status,
            to_status=locked.status,
            at=now,
            actor=user,
            reason=direct_review_log_reason(reason_code, reason),  # in the platform's language
        )
    return locked


# ------------------------------------------------------------------------------------------------------------------
# The credit file: 弄虚作假 recorded in the enterprise's 诚信档案 (G10)
# ------------------------------------------------------------------------------------------------------------------


def may_mark_fraud(user, record: Record) -> bool:
    """G10, P2: the reviewers of the record's responsible authority, whatever its state now (also once approved), and
    provincial staff of the record's province."""
    role = getattr(user, "role", None)
    if role == Role.PROVINCIAL:
        return bool(user.authority_id) and user.authority.region_id == record.project.county.province_code
    if role == Role.REVIEWER:
        return bool(user.authority_id) and user.authority_id == record.responsible_authority_id
    return False


def _check_fraud_marker(user, record: Record) -> None:
    if not may_mark_fraud(user, record):
        raise DomainError(
            _(
                "This record is not in your jurisdiction: only its responsible authority or the provincial office "
                "decides it."
            ),
            code="not_your_jurisdiction",
        )
    check_real_name(user)
    if record.status == RecordStatus.FRAUD:
        raise DomainError(
            _("This record has already been rejected for fraud and is locked. Nothing was changed."),
            code="already_fraud",
        )
    if record.status not in FRAUD_SOURCES:
        raise DomainError(
            _(
                "This record is a draft the enterprise has never submitted: no authority has received it, so it "
                "cannot be rejected for fraud. Nothing was changed."
            ),
            code="not_submitted",
        )


def mark_fraud(*, record_id: int, user, facts: str) -> CreditEntry:
    """弄虚作假 (G10): reject the record for fraud, lock it for good and record the facts in the enterprise's credit
    file (诚信档案).

    The facts are required (the enterprise reads them). With the row locked like a decision (of two officials, or an
    official and a decision, the second waits and then sees the first's outcome): a reviewer of the record's
    responsible authority or provincial staff of its province, registered by real name and department (J9), may mark
    a submitted, direct-review, approved or rejected record; a draft or a record already marked is refused. The
    transition is logged with the facts as its reason and the entry names who recorded it (copied, like the log).
    """
    facts = (facts or "").strip()
    if not facts:
        raise DomainError(
            _(
                "State the facts of the fraud: what was found false and how it was established. They are recorded in "
                "the enterprise's credit file, and the enterprise reads them."
            ),
            code="facts_required",
            field="facts",
        )
    with transaction.atomic():
        locked = _lock_for_decision(record_id)
        _check_fraud_marker(user, locked)
        now = timezone.now()
        from_status = locked.status
        locked.mark_fraud(at=now)
        locked.version += 1
        locked.save(update_fields=["status", "decided_at", "version", "updated_at"])
        transition = write_transition(
            record=locked, from_status=from_status, to_status=locked.status, at=now, actor=user, reason=facts
        )
        entry = CreditEntry.objects.create(
            enterprise_id=locked.enterprise_id,
            record=locked,
            transition=transition,
            facts=facts,
            at=now,
            recorded_by=user,
            recorder_name=transition.actor_name,
            recorder_department=transition.actor_department,
            recorder_authority=transition.actor_authority,
            recorder_level=transition.actor_level,
        )
        signals.record_marked_fraud.send(sender=Record, record=locked, at=now)
    return entry


# --------------------------------------------------------------------------------------------------------------
# Personal data revealed to an official (issue 11 item 3)
# --------------------------------------------------------------------------------------------------------------


class RevealRefused(DomainError):
    """The value is not revealed: not personal data of a record this official may see (the page answers 404)."""


#: The names of the person a personal-data row is about, in the order they are tried.
_PERSON_NAME_FIELDS = ("name", "user_name", "person_name", "constructor_name")


def _record_path(model) -> str | None:
    """The lookup from a record part's model to its record ("record", "censor__record"); None when not a part."""
    for f in model._meta.get_fields():
        if f.many_to_one or f.one_to_one:
            if not f.concrete:
                continue
            if f.related_model is Record:
                return f.name
            if any(g.concrete and g.related_model is Record for g in f.related_model._meta.get_fields()):
                return f"{f.name}__record"
    return None


def reveal_pii(*, user, record_id: int, key: str, ip: str | None = None) -> str:
    """The unmasked value `key` names (accounts.pii.reveal_key) of a person of record `record_id`, logged first.

    Only an official who may see the record (Record.visible_to) reveals, and only a personal-data field of a row of
    that record; anything else is refused (RevealRefused, code "not_found") without saying whether it exists.
    """
    parsed = pii.parse_reveal_key(key)
    not_found = RevealRefused(_("No such personal data on a record you may see."), code="not_found")
    if parsed is None or not (user.is_superuser or jurisdiction_prefix(user) is not None):
        raise not_found
    label, row_pk, field_name = parsed
    try:
        model = apps.get_model(label)
    except LookupError:
        raise not_found from None
    path = _record_path(model)
    if path is None:
        raise not_found
    record = Record.visible_to(user).filter(pk=record_id).first()
    if record is None:
        raise not_found
    row = model._default_manager.filter(pk=row_pk, **{path: record}).first()
    if row is None:
        raise not_found
    person = next((getattr(row, name) for name in _PERSON_NAME_FIELDS if getattr(row, name, "")), "")
    department = user.department if user.department_id else None
    authority = user.authority if user.authority_id else None
    PiiReveal.objects.create(
        user=user,
        user_name=(user.real_name or user.get_full_name() or user.username)[:50],
        user_authority=authority.name[:100] if authority else "",
        user_department=department.name[:100] if department else "",
        at=timezone.now(),
        record=record,
        model=label,
        row_id=row_pk,
        field=field_name,
        row_label=str(person)[:200],
        ip=ip or None,
    )
    return getattr(row, field_name)
