"""Must this record be pushed to the national platform, and by when? One answer, next to `admission()`.

`push_eligibility()` is the one function the outbox, the push command, the dashboard, the portal and the digest
ask. A record is pushed when it is approved; passes the whole rule set (J8, `check_record`); its track reaches the
national platform and it was entered in time (G2, G3, `Record.reaches_national`, set at submit by `admission()`);
the campaign's national cutoff has not passed (G3); its grade may be pushed (P3, `Campaign.push_d_records`); and it
is not fraud (G10). Every "no" carries its reason in Chinese with its rule id.

`eligible_filter()` is the same answer as a query condition, for the set-based paths (the nightly auto-approval
fills the outbox with one INSERT … SELECT): every condition but J8, which needs the record's rows in Python — the
push re-asks `push_eligibility()` for every item before sending it. tests/sync/test_eligibility.py pins that the
two agree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from projects.campaigns import national_reach
from projects.codes import DataLevel
from projects.models import Record, RecordStatus

from .checks import Problem, check_record

#: the record's grade is the grade its own stages were given at approval (all alike); 竣工验收 is the stage every
#: submitted record has (G1 asks its date)
GRADE_FIELD = "finish_check__data_level"

SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class Reason:
    rule: str  # DOMAIN.md rule id: G2, G3, G10, J8, P3, or "status"
    message: str


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    #: the last day a push may happen (the campaign's national cutoff), None when the campaign sets none
    due: dt.date | None = None
    reasons: tuple[Reason, ...] = ()
    problems: tuple[Problem, ...] = field(default=(), compare=False)

    @property
    def message(self) -> str:
        return "；".join(r.message for r in self.reasons)

    @property
    def rules(self) -> list[str]:
        return [r.rule for r in self.reasons]


def record_grade(record: Record) -> str:
    finish = getattr(record, "finish_check", None)
    return (finish.data_level if finish is not None else "") or record.project.data_level


def _entered_on(record: Record) -> dt.date | None:
    return record.submitted_at.astimezone(SHANGHAI).date() if record.submitted_at else None


def push_eligibility(
    record: Record, *, on: dt.date | None = None, problems: list[Problem] | None = None
) -> Eligibility:
    """Every reason why `record` is not to be pushed on `on` (today in Asia/Shanghai by default), or eligible and
    due by the campaign's national cutoff. `problems` may pass the record's `check_record()` when the caller has
    it already."""
    on = on or timezone.localdate()
    campaign = record.campaign
    due = campaign.national_cutoff
    reasons: list[Reason] = []
    if record.status == RecordStatus.FRAUD:
        return Eligibility(
            False,
            due,
            (Reason("G10", _("Rejected for fraud (G10): never pushed; once pushed, it is marked false nationally.")),),
        )
    if record.revision_of_id is not None:  # J7: its content is pushed as its record's, once merged
        reasons.append(Reason("J7", _("A working copy of a D record's completion: never pushed on its own.")))
    if record.status != RecordStatus.APPROVED:
        reasons.append(
            Reason(
                "status",
                _("Not approved yet (%(status)s): only approved records are pushed.")
                % {"status": RecordStatus(record.status).label},
            )
        )
    entered = _entered_on(record)
    if record.track_id is not None and entered is not None:
        late = national_reach(campaign, record.track, entered)
        if late is not None:
            reasons.append(Reason(late.rule, late.message))
    elif not record.reaches_national and record.status == RecordStatus.APPROVED:
        reasons.append(Reason("G3", _("Entered on a track that stays on the provincial platform (G3).")))
    if due is not None and on > due:
        reasons.append(
            Reason(
                "G3",
                _("The national platform's cutoff (%(date)s) has passed: the record stays provincial (G3).")
                % {"date": due.isoformat()},
            )
        )
    if record.status == RecordStatus.APPROVED and record_grade(record) == DataLevel.D and not campaign.push_d_records:
        reasons.append(Reason("P3", _("D records are published on the provincial platform only (P3).")))
    if problems is None and record.status == RecordStatus.APPROVED:  # a pending record passed it at submit
        problems = check_record(record)
    if problems:
        reasons.append(
            Reason(
                "J8",
                ngettext(
                    "Does not meet the national data standard: %(count)d problem (J8).",
                    "Does not meet the national data standard: %(count)d problems (J8).",
                    len(problems),
                )
                % {"count": len(problems)},
            )
        )
    return Eligibility(not reasons, due, tuple(reasons), tuple(problems or ()))


def eligible_filter(on: dt.date, prefix: str = "") -> Q:
    """`push_eligibility()` but J8 as a condition on Record (`prefix` leads to the record, e.g. "record__")."""
    p = prefix
    return (
        Q(**{f"{p}status": RecordStatus.APPROVED, f"{p}reaches_national": True, f"{p}revision_of__isnull": True})
        & (Q(**{f"{p}campaign__national_cutoff__isnull": True}) | Q(**{f"{p}campaign__national_cutoff__gte": on}))
        & (Q(**{f"{p}campaign__push_d_records": True}) | ~Q(**{f"{p}{GRADE_FIELD}": DataLevel.D}))
    )
