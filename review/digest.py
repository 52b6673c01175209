"""The daily digest (issue 5 item 8), read side: what an official should know this morning.

- A reviewer: the pending records of its jurisdiction (`review.selectors.queue_for`) already past their
  deadline (已逾期: never called "due today" — the queue says 已逾期 too), due today and due on the next working day
  (review.workdays; a record due on a day off in between is counted with the next working day). When the calendar
  of the next working day is not known, the digest says so instead of guessing. A reviewer who may not decide yet
  (J9: real-name registration incomplete) is told that instead of being told that records are due.
- Provincial staff: the direct-review records of their province due today and next working day (G6: theirs to
  decide), the records the nightly job approved since the previous morning (逾期视为审核通过, P1) grouped by their
  responsible authority — the bureaus that let records run over —, the records of the province pending past their
  deadline right now (the hourly sweep has not taken them yet), by bureau, and the calendar warning when a coming year's
  working days are unknown.
- A superuser: the nightly approvals of every province and the calendar warning.

`digest_for` runs a bounded number of queries whatever the number of records. The mail is sent by
`review.notices.send_daily_digests` (07:30 Asia/Shanghai, Celery beat and `manage.py send_daily_digest`); the
admin shows the same digest at /admin/review/digest/ (review.admin.digest).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils.translation import gettext as _

from accounts.errors import DomainError
from accounts.models import Role
from projects.models import RecordStatus

from .models import RecordTransition, TransitionBy
from .selectors import calendar_warning, queue_for
from .workdays import SHANGHAI, UnknownCalendarDay, _Calendar, end_of_day

#: The morning the digest is sent; "since the previous morning" starts at this time of the day before.
DIGEST_TIME = dt.time(7, 30)
#: At most this many records are listed per day (the counts are complete; the queue has the rest).
DIGEST_ROWS = 50

REVIEWER, PROVINCIAL, SUPERUSER = "reviewer", "provincial", "superuser"


@dataclass(frozen=True)
class DueDay:
    """The records due on `day` (and on the days off before it): `count` in all, the first DIGEST_ROWS in `rows`.
    `day` is None and `unknown` says why when the day cannot be determined (calendar unknown)."""

    day: dt.date | None
    count: int = 0
    rows: list = field(default_factory=list)
    unknown: str = ""

    @property
    def more(self) -> int:
        return max(self.count - len(self.rows), 0)


@dataclass(frozen=True)
class Overrun:
    """A responsible authority that let `count` records run over their review window (approved by the night job)."""

    authority_id: int | None
    name: str
    count: int


@dataclass(frozen=True)
class DigestSection:
    """A part of the digest that a layer above review/ adds (sync/: at risk before the national cutoff)."""

    id: str
    title: str
    lines: list[str]
    link_url: str = ""
    link_text: str = ""


#: Functions of a Digest returning a DigestSection or None, registered by the layers above (review imports none).
DIGEST_SECTIONS: list = []


@dataclass
class Digest:
    user: object
    today: dt.date
    kind: str = ""
    today_is_workday: bool | None = None
    overdue: DueDay | None = None
    due_today: DueDay | None = None
    due_next: DueDay | None = None
    since: dt.datetime | None = None
    overruns: list[Overrun] = field(default_factory=list)
    #: provincial staff: the records of the province pending past their deadline now, by responsible authority
    overdue_now: list[Overrun] = field(default_factory=list)
    #: J9: why this reviewer may not decide yet (then no record is called due for it)
    cannot_decide: str = ""
    calendar_warning: str | None = None
    sections: list[DigestSection] = field(default_factory=list)

    @property
    def overrun_count(self) -> int:
        return sum(o.count for o in self.overruns)

    @property
    def overdue_now_count(self) -> int:
        return sum(o.count for o in self.overdue_now)

    @property
    def due_count(self) -> int:
        return sum(d.count for d in (self.overdue, self.due_today, self.due_next) if d is not None)

    @property
    def is_empty(self) -> bool:
        """Nothing to show: no record due, no nightly approval, no calendar warning."""
        return not (
            self.due_count
            or self.overruns
            or self.overdue_now
            or self.calendar_warning
            or self.sections
            or self.cannot_decide
        )

    @property
    def worth_mailing(self) -> bool:
        """Worth a mail this morning: records due (on a working day or a day the calendar does not know — on a day
        off nobody reviews, and the next working day's digest lists them as due today), nightly approvals, or, for
        staff, the calendar warning alone."""
        due = self.due_count if self.today_is_workday is not False else 0
        return bool(
            due or self.overruns or self.overdue_now or self.calendar_warning or self.sections or self.cannot_decide
        )


def kind_of(user) -> str:
    if not user.is_authenticated or not user.is_active:
        return ""
    if user.is_superuser:
        return SUPERUSER
    role = getattr(user, "role", None)
    if role == Role.REVIEWER and user.authority_id:
        return REVIEWER
    if role == Role.PROVINCIAL and user.authority_id:
        return PROVINCIAL
    return ""


def digest_for(user, today: dt.date) -> Digest:
    """The digest of `user` on the morning of `today` (Asia/Shanghai); empty for anybody but officials."""
    digest = Digest(user=user, today=today, kind=kind_of(user))
    if digest.kind in (REVIEWER, PROVINCIAL):
        missing = user.missing_real_name_registration
        if missing:
            # J9: nothing is "due" for somebody who may not decide; say what is missing instead
            digest.cannot_decide = _(
                "You cannot decide records until your real-name registration is complete (J9): %(missing)s missing. "
                "Ask the platform administrator to complete your account; until then no record is yours to decide."
            ) % {"missing": _(", ").join(missing)}
        else:
            queue = queue_for(user)
            if digest.kind == PROVINCIAL:
                queue = queue.filter(status=RecordStatus.DIRECT_REVIEW)  # G6: the office decides these itself
            _due_sections(digest, queue)
    if digest.kind in (PROVINCIAL, SUPERUSER):
        digest.since = dt.datetime.combine(today - dt.timedelta(days=1), DIGEST_TIME, tzinfo=SHANGHAI)
        digest.overruns = _overruns(user, digest.since, end_of_day(today))
        digest.overdue_now = _overdue_now(user, today)
        digest.calendar_warning = calendar_warning(today)
    digest.sections = [section for section in (add(digest) for add in DIGEST_SECTIONS) if section is not None]
    return digest


def _due_sections(digest: Digest, queue) -> None:
    today = digest.today
    calendar = _Calendar()
    try:
        digest.today_is_workday = calendar.is_workday(today)
    except DomainError:
        digest.today_is_workday = None
    end_today, end_yesterday = end_of_day(today), end_of_day(today - dt.timedelta(days=1))
    # Past the deadline already (a record the sweep did not take yet, e.g. a direct review past its deadline): 已逾期,
    # listed on its own — never as due today, which would contradict the queue.
    digest.overdue = _due(queue.filter(review_deadline__lte=end_yesterday), today)
    digest.due_today = _due(queue.filter(review_deadline__gt=end_yesterday, review_deadline__lte=end_today), today)
    try:
        next_day = calendar.add_working_days(today + dt.timedelta(days=1), 0)
    except UnknownCalendarDay as error:
        digest.due_next = DueDay(day=None, unknown=_unknown_next_day(today, error.day))
        return
    except DomainError as error:  # no working day within a year: a broken calendar, said as it is
        digest.due_next = DueDay(day=None, unknown=str(error))
        return
    digest.due_next = _due(
        queue.filter(review_deadline__gt=end_today, review_deadline__lte=end_of_day(next_day)), next_day
    )


def _unknown_next_day(today: dt.date, day: dt.date) -> str:
    return _(
        "The next working day after %(today)s cannot be determined: the working-day calendar of %(year)s is not known "
        "(%(day)s). Records due after today are not listed; provincial staff must enter the year's calendar in the "
        "admin (Review › Working-day overrides, Calendar years)."
    ) % {"today": today.isoformat(), "year": day.year, "day": day.isoformat()}


def _due(queue, day: dt.date) -> DueDay:
    rows = list(
        queue.select_related("project", "enterprise", "responsible_authority").order_by("review_deadline", "pk")[
            :DIGEST_ROWS
        ]
    )
    count = len(rows) if len(rows) < DIGEST_ROWS else queue.count()
    return DueDay(day=day, count=count, rows=rows)


def _overruns(user, since: dt.datetime, until: dt.datetime) -> list[Overrun]:
    """The records the nightly job approved in [since, until], counted by responsible authority, most first."""
    qs = RecordTransition.objects.filter(
        by=TransitionBy.NIGHTLY_JOB, to_status=RecordStatus.APPROVED, at__gte=since, at__lte=until
    )
    if not user.is_superuser:
        qs = qs.filter(record__project__county__code__startswith=user.authority.region_id[:2])
    groups = (
        qs.order_by()
        .values("record__responsible_authority_id", "record__responsible_authority__name")
        .annotate(n=Count("id"))
        .order_by("-n", "record__responsible_authority__name")
    )
    return [
        Overrun(
            authority_id=g["record__responsible_authority_id"],
            name=g["record__responsible_authority__name"] or _("(no responsible authority)"),
            count=g["n"],
        )
        for g in groups
    ]


def _overdue_now(user, today: dt.date) -> list[Overrun]:
    """The records of the province (every province for a superuser) still pending review with a deadline before
    `today`, counted by responsible authority, most first: the bureaus letting records run over right now."""
    qs = queue_for(user).filter(review_deadline__lte=end_of_day(today - dt.timedelta(days=1)))
    groups = (
        qs.order_by()
        .values("responsible_authority_id", "responsible_authority__name")
        .annotate(n=Count("id"))
        .order_by("-n", "responsible_authority__name")
    )
    return [
        Overrun(
            authority_id=g["responsible_authority_id"],
            name=g["responsible_authority__name"] or _("(no responsible authority)"),
            count=g["n"],
        )
        for g in groups
    ]
