"""Writes of review/: submitting a record (提交审核) and the transition log. The portal, the API and the admin call
these services; no rule lives in a view.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.errors import DomainError
from accounts.models import Role
from grading.checks import Problem, check_record, load_record
from grading.rules import section_of
from projects.campaigns import Admission, admission_for_record
from projects.models import DeclaredSource, Record, RecordStatus
from projects.selectors import declared_elsewhere

from .models import RecordTransition, TransitionBy
from .selectors import responsible_authority
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
    """
    row = RecordTransition(
        record=record, from_status=from_status, to_status=to_status, at=at, by=by, reason=reason, actor=actor
    )
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
    """J3: a project or permit already declared in the 工改系统 or the 施工许可管理系统 is not backfilled."""
    licence = getattr(record, "licence", None)  # None when the permit stage was never entered
    prj_num = record.project.prj_num
    licence_cert_no = licence.licence_cert_no if licence is not None else ""
    declared = declared_elsewhere(prj_num=prj_num, licence_cert_no=licence_cert_no)
    if declared is None:
        return []
    if prj_num and declared.prj_num == prj_num:
        path, number = "project.prj_num", prj_num
    else:
        path, number = "licence.licence_cert_no", licence_cert_no
    system = DeclaredSource(declared.source).label if declared.source in DeclaredSource.values else declared.source
    return [
        Problem(
            section_of(path),
            path,
            _("%(number)s is already declared in the %(system)s: only projects not declared there may be backfilled.")
            % {"number": number, "system": system},
            RULE_J3,
        )
    ]


def _deadline(record: Record, submitted_at: dt.datetime) -> dt.datetime:
    """G5: the end of the campaign's N-th working day after submission; J1: pulled in to the end of the 3rd working
    day before the campaign's close date, but never before the end of the submission's own working day (a record
    submitted in those last days is not due in the past)."""
    campaign = record.campaign
    return submission_deadline(submitted_at, campaign.review_working_days, campaign.close_date, close_working_days=3)


def submit_record(*, record_id: int, user) -> Record:
    """提交审核: check the whole record and, when nothing is wrong, send it to its responsible authority.

    Inside one transaction with the record's row locked: the user must be a clerk of the record's enterprise and the
    record a draft or rejected; every problem is collected (grading's rule check, the campaign's admission G1–G4 with
    the notice's words, J3) and `SubmitRefused` lists them all, saving nothing. Otherwise the record goes to
    `submitted` with its responsible authority (P2), its deadline (G5, J1), its track and whether it reaches the
    national platform (G2/G3), and the transition is logged.
    """
    with transaction.atomic():
        locked = Record.objects.select_for_update(of=("self",)).filter(pk=record_id).first()
        if locked is None:
            raise DomainError(_("This record does not exist."), code="not_found")
        if getattr(user, "role", None) != Role.ENTERPRISE or user.enterprise_id != locked.enterprise_id:
            raise DomainError(_("This record belongs to another enterprise."), code="forbidden")
        if not locked.is_editable_by_enterprise:
            if locked.status in (RecordStatus.SUBMITTED, RecordStatus.DIRECT_REVIEW):
                message = _("This record has already been submitted and is waiting for review.")
            else:
                message = _("This record has been decided by the authority and can no longer be changed.")
            raise DomainError(message, code="locked")

        record = load_record(record_id)
        now = timezone.now()
        problems = check_record(record)
        answer = admission_for_record(record, on=now.astimezone(SHANGHAI).date())
        admission_problems = _admission_problems(answer, {(p.rule, p.path) for p in problems})
        if not answer.allowed and not answer.refusals:  # no track and no words for it: the campaign does not cover
            admission_problems.append(Problem("", "", record.campaign.msg_kind_not_covered, "G2"))
        problems += admission_problems + _j3_problems(record)
        if problems:
            raise SubmitRefused(problems)

        authority = responsible_authority(record.project.county)
        deadline = _deadline(record, now)
        from_status = locked.status
        locked.submit(
            at=now,
            authority=authority,
            deadline=deadline,
            track=answer.track,
            reaches_national=answer.reaches_national,
        )
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
        write_transition(
            record=locked, from_status=from_status, to_status=locked.status, at=now, actor=user, by=TransitionBy.PERSON
        )
    return locked
