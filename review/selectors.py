"""Read-side queries of review/: who reviews a project (P2); which coming years nobody knows the calendar of."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.errors import DomainError
from accounts.models import Authority, Region, RegionLevel, Role
from projects.models import Record, RecordStatus

from .models import (
    CalendarAlert,
    CalendarYear,
    CorrectionRequest,
    CorrectionStatus,
    CreditEntry,
    RecordTransition,
    ReviewQueueItem,
    TransitionBy,
)
from .reasons import parse_direct_review_reason
from .workdays import SHANGHAI, _Calendar, package_knows_year

#: The alert looks this many years ahead of today's year (deadlines of December reach into January).
CALENDAR_YEARS_AHEAD = 1


def responsible_authority(county: Region) -> Authority:
    """P2: the county bureau of the project's county when it has at least one active reviewer, else the city bureau
    when it has, else the provincial office of the province. One query.

    Raises DomainError when the province has no authority on the platform.
    """
    city_code = county.parent_id if county.parent_id and county.level == RegionLevel.COUNTY else county.city_code
    province_code = county.province_code
    wanted = [county.code, city_code, province_code]
    authorities = {
        a.region_id: a
        for a in Authority.objects.filter(region_id__in=wanted).annotate(
            active_reviewers=Count("users", filter=Q(users__role=Role.REVIEWER, users__is_active=True))
        )
    }
    for code in (county.code, city_code):
        authority = authorities.get(code)
        if authority is not None and authority.is_active and authority.active_reviewers > 0:
            return authority
    province = authorities.get(province_code)
    if province is None:
        raise DomainError(
            _(
                "No housing and construction authority of the province %(province)s is registered on the platform, "
                "so nobody can review this project; ask the platform administrator to add it."
            )
            % {"province": province_code},
            code="no_authority",
        )
    return province


def missing_calendar_years(today: dt.date) -> list[int]:
    """The years from `today`'s to the next that neither the chinesecalendar package knows nor a complete
    CalendarYear covers: review deadlines reaching into them cannot be computed (UnknownCalendarDay). At most one
    query. The alert of the admin (review.admin) and of the daily digest."""
    years = [year for year in range(today.year, today.year + CALENDAR_YEARS_AHEAD + 1) if not package_knows_year(year)]
    if not years:
        return []
    complete = set(CalendarYear.objects.filter(year__in=years, is_complete=True).values_list("year", flat=True))
    return [year for year in years if year not in complete]


def calendar_warning(today: dt.date) -> str | None:
    """The alert text for `missing_calendar_years(today)` in the current language, or None when nothing is missing;
    for the admin's warning and the daily digest (issue 5)."""
    years = missing_calendar_years(today)
    if not years:
        return None
    # Translators: the separator between the years of a list, e.g. "2027, 2028" (Chinese: "、").
    separator = _(", ")
    return _(
        "The working-day calendar of %(years)s is not known: the chinesecalendar package does not cover it and no "
        "complete calendar year has been entered. Review deadlines that reach into it cannot be computed, so such "
        "submissions are refused. Enter the public holidays and make-up working days of the State Council's notice "
        "under “Review › Working-day overrides”, then enter the year under “Review › Calendar years” and mark it "
        "complete."
    ) % {"years": separator.join(str(year) for year in years)}


def open_calendar_alerts() -> list[CalendarAlert]:
    """The alerts the nightly calendar check raised and nobody has resolved yet (one query)."""
    return list(CalendarAlert.objects.filter(resolved_at__isnull=True).order_by("year"))


# ------------------------------------------------------------------------------------------------------------------
# The review queue (issue 5 item 4)
# ------------------------------------------------------------------------------------------------------------------


def queue_for(user) -> QuerySet[ReviewQueueItem]:
    """The pending records `user` may see in the review queue, oldest deadline first.

    A reviewer: the submitted records its authority is responsible for and, read-only, those of its subordinate
    (county) authorities; provincial staff: the submitted and direct-review records of their province; a superuser:
    every pending record; anybody else: none. Deciding is still checked by the services (P2).
    """
    qs = ReviewQueueItem.objects.filter(status__in=[RecordStatus.SUBMITTED, RecordStatus.DIRECT_REVIEW])
    role = getattr(user, "role", None)
    if not user.is_authenticated:
        qs = qs.none()
    elif user.is_superuser:
        pass
    elif role == Role.REVIEWER and user.authority_id:
        # its own and its subordinates' authority ids, read first (one small query): the (responsible_authority,
        # status) index finds the rows, where an OR over a join to the authority read every pending record, and no
        # join is added to the page's query (bench queue_page)
        own_and_subordinates = [
            user.authority_id,
            *Authority.objects.filter(parent_id=user.authority_id).values_list("pk", flat=True),
        ]
        qs = qs.filter(status=RecordStatus.SUBMITTED, responsible_authority_id__in=own_and_subordinates)
    elif role == Role.PROVINCIAL and user.authority_id:
        qs = qs.filter(project__county__code__startswith=user.authority.region_id[:2])
    else:
        qs = qs.none()
    return qs.order_by(F("review_deadline").asc(nulls_last=True), "pk")


def decidable_by(user, record: Record) -> bool:
    """Whether the queue offers `user` the decision buttons for `record` (the services decide in the end, P2)."""
    if user.is_superuser:
        return False
    role = getattr(user, "role", None)
    if role == Role.REVIEWER:
        return record.status == RecordStatus.SUBMITTED and record.responsible_authority_id == user.authority_id
    return role == Role.PROVINCIAL and bool(user.authority_id)


def cities_for(user) -> QuerySet[Region]:
    """The cities the queue's region filter offers: those of the user's province (all of them for a superuser)."""
    qs = Region.objects.filter(level=RegionLevel.CITY)
    if not user.is_superuser:
        region_id = user.authority.region_id if getattr(user, "authority_id", None) else ""
        qs = qs.filter(code__startswith=region_id[:2]) if region_id else qs.none()
    return qs.order_by("code")


@dataclass(frozen=True)
class DaysLeft:
    """Working days after today up to the deadline's day (0: due today); `days` None when the calendar is unknown.
    The one count of the admin queue and the portal (its pages show `deadline` and read `due_today`)."""

    days: int | None
    overdue: bool
    deadline: dt.datetime | None = None

    @property
    def due_today(self) -> bool:
        return not self.overdue and self.days == 0

    @property
    def urgent(self) -> bool:
        return self.overdue or self.days == 0


class WorkingDaysLeft:
    """Counts working days left for many deadlines with one calendar, so a page runs a bounded number of queries."""

    def __init__(self, now: dt.datetime | None = None) -> None:
        self.now = now or timezone.now()
        self.today = self.now.astimezone(SHANGHAI).date()
        self._calendar = _Calendar()
        self._days: dict[dt.date, int | None] = {}  # by the deadline's day: a page's rows share a few days

    def __call__(self, deadline: dt.datetime | None) -> DaysLeft | None:
        if deadline is None:
            return None
        if deadline < self.now:
            return DaysLeft(0, True, deadline)
        last = deadline.astimezone(SHANGHAI).date()
        if last not in self._days:
            try:
                self._days[last] = sum(
                    1
                    for n in range(1, (last - self.today).days + 1)
                    if self._calendar.is_workday(self.today + dt.timedelta(days=n))
                )
            except DomainError:  # a year nobody has entered the calendar of
                self._days[last] = None
        return DaysLeft(self._days[last], False, deadline)


# ------------------------------------------------------------------------------------------------------------------
# The credit file (诚信档案, G10)
# ------------------------------------------------------------------------------------------------------------------


def credit_entries_visible_to(user) -> QuerySet[CreditEntry]:
    """The credit-file entries `user` may read, newest first: the one scoping rule (CreditEntry.scope)."""
    return CreditEntry.visible_to(user).order_by("-at", "-id")


# ------------------------------------------------------------------------------------------------------------------
# Decision notices to the enterprise (issue 5 item 8)
# ------------------------------------------------------------------------------------------------------------------

#: The transitions that are decisions the enterprise is told of: 审核通过, 审核不通过, 弄虚作假 (G10).
DECISION_STATUSES = (RecordStatus.APPROVED, RecordStatus.REJECTED, RecordStatus.FRAUD)
#: Who makes a decision the enterprise is told of: a person or the nightly job (P1); a data migration (J2) is not a
#: decision anybody waits for.
NOTICE_MADE_BY = (TransitionBy.PERSON, TransitionBy.NIGHTLY_JOB)


def is_notice(*, to_status: str, by: str) -> bool:
    """Is a transition to `to_status` made by `by` a decision notice (shown in the portal and e-mailed)?"""
    return to_status in DECISION_STATUSES and by in NOTICE_MADE_BY


#: The decisions on a correction request the firm is told of (J7): 已同意 (a new version) or 已驳回 (the reason).
CORRECTION_DECISIONS = (CorrectionStatus.ACCEPTED, CorrectionStatus.REFUSED)


def _is_clerk(user) -> bool:
    return bool(user.is_authenticated and getattr(user, "role", None) == Role.ENTERPRISE and user.enterprise_id)


def notices_for(user) -> QuerySet[RecordTransition]:
    """The decision notices `user` may read, newest first: an enterprise clerk those of its enterprise's records;
    anybody else none (officials read the transition log in the admin)."""
    qs = RecordTransition.objects.filter(to_status__in=DECISION_STATUSES, by__in=NOTICE_MADE_BY)
    if not _is_clerk(user):
        return qs.none()
    return qs.filter(record__enterprise_id=user.enterprise_id).order_by("-at", "-id")


def correction_notices_for(user) -> QuerySet[CorrectionRequest]:
    """The decided correction requests `user` is told of (J7), newest decision first: an enterprise clerk those of
    its enterprise's records (the firm that filed them); anybody else none (staff decide them in the admin)."""
    qs = CorrectionRequest.objects.filter(status__in=CORRECTION_DECISIONS)
    if not _is_clerk(user):
        return qs.none()
    return qs.filter(record__enterprise_id=user.enterprise_id).order_by("-decided_at", "-id")


def unread_notice_count(user) -> int:
    """How many of `user`'s decision notices (records' and corrections') nobody of the enterprise has read yet (one
    query; none for others)."""
    if not _is_clerk(user):
        return 0
    transitions = notices_for(user).filter(read_at__isnull=True).order_by().values("pk")
    requests = correction_notices_for(user).filter(read_at__isnull=True).order_by().values("pk")
    return transitions.union(requests, all=True).count()


# ------------------------------------------------------------------------------------------------------------------
# The reviewer's workbench (审核工作台, issue 11 item 2)
# ------------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkbenchCounts:
    """What an official's workbench counts in the jurisdiction (`queue_for`): 待审核 `pending` in all, of them
    已逾期 `overdue` (deadline passed), 今日到期 `due_today` and 即将超期 `due_soon` (due on the next working day;
    None when that day's calendar is unknown); 已办 `done`: the decisions the official's own authority took by a
    person (a superuser: every person's decision)."""

    pending: int
    overdue: int
    due_today: int
    due_soon: int | None
    done: int


def overdue_q(now: dt.datetime) -> Q:
    """已逾期 at `now`: the review deadline has passed (on a pending record). The one definition the queue, the
    workbench and the provincial progress page (review.oversight) share."""
    return Q(review_deadline__lt=now)


@dataclass(frozen=True)
class DueBands:
    """The deadline bands of the queue at `now`: past `now` is 已逾期; up to `end_today` 今日到期; up to `end_next`
    (the end of the next working day; None when that day's calendar is unknown) 即将超期."""

    now: dt.datetime
    end_today: dt.datetime
    end_next: dt.datetime | None

    def q(self, band: str) -> Q | None:
        """The filter of `band` ("overdue", "today", "soon") on review_deadline, or None for an unknown band."""
        if band == "overdue":
            return overdue_q(self.now)
        if band == "today":
            return Q(review_deadline__gte=self.now, review_deadline__lte=self.end_today)
        if band == "soon":
            if self.end_next is None:
                return Q(pk__in=[])
            return Q(review_deadline__gt=self.end_today, review_deadline__lte=self.end_next)
        return None


def due_bands(now: dt.datetime | None = None) -> DueBands:
    from .workdays import end_of_day

    now = now or timezone.now()
    today = now.astimezone(SHANGHAI).date()
    try:
        end_next = end_of_day(_Calendar().add_working_days(today + dt.timedelta(days=1), 0))
    except DomainError:
        end_next = None
    return DueBands(now=now, end_today=end_of_day(today), end_next=end_next)


def workbench_counts(user, now: dt.datetime | None = None) -> WorkbenchCounts:
    """The workbench's counts for `user` at `now`: two queries (the queue's aggregate and the decisions)."""
    bands = due_bands(now)
    aggregates = {
        "pending": Count("id"),
        "overdue": Count("id", filter=bands.q("overdue")),
        "due_today": Count("id", filter=bands.q("today")),
    }
    if bands.end_next is not None:
        aggregates["due_soon"] = Count("id", filter=bands.q("soon"))
    row = queue_for(user).order_by().aggregate(**aggregates)
    return WorkbenchCounts(
        pending=row["pending"],
        overdue=row["overdue"],
        due_today=row["due_today"],
        due_soon=row.get("due_soon"),
        done=decisions_by(user).values("record_id").distinct().count(),
    )


def decisions_by(user) -> QuerySet[RecordTransition]:
    """The decisions (通过, 不通过, 弄虚作假) people of `user`'s authority took; a superuser: everybody's."""
    decisions = RecordTransition.objects.filter(
        by=TransitionBy.PERSON, to_status__in=[RecordStatus.APPROVED, RecordStatus.REJECTED, RecordStatus.FRAUD]
    )
    if user.is_superuser:
        return decisions
    return decisions.filter(actor__authority_id=user.authority_id) if user.authority_id else decisions.none()


# ------------------------------------------------------------------------------------------------------------------
# Who decided a record (the portal's record page, the queue of a record already decided; issue 11 items 6, 7)
# ------------------------------------------------------------------------------------------------------------------


def latest_decision(record: Record) -> RecordTransition | None:
    """The transition that decided a decided record (approved, rejected, fraud): who, in which department and
    authority, when, why; None for a record not decided."""
    if record.status not in DECISION_STATUSES:
        return None
    return RecordTransition.objects.filter(record=record, to_status=record.status).order_by("-at", "-id").first()


def decision_sentence(record: Record, row: RecordTransition | None = None) -> str:
    """ "已由 张三（南宁市住房和城乡建设局 建筑市场监管科）于 2017-12-01 10:00 审核通过。" — or the nightly job's words
    (P1: never a person's name); "" for a record not decided."""
    row = row or latest_decision(record)
    if row is None:
        return ""
    at = row.at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    status = str(RecordStatus(row.to_status).label)
    if row.by == TransitionBy.NIGHTLY_JOB:
        return _("%(status)s automatically on %(at)s: the review window ran out (P1).") % {"status": status, "at": at}
    if row.by != TransitionBy.PERSON:
        return _("%(status)s on %(at)s (%(by)s).") % {
            "status": status,
            "at": at,
            "by": str(TransitionBy(row.by).label),
        }
    where = " ".join(part for part in (row.actor_authority, row.actor_department) if part)
    who = f"{row.actor_name}（{where}）" if where and row.actor_name else (row.actor_name or where or "—")
    return _("Decided by %(who)s on %(at)s: %(status)s.") % {"who": who, "at": at, "status": status}


# ------------------------------------------------------------------------------------------------------------------
# What a pending record waits for: its queue, whose decision, until when, and why a direct review (G6; issue 11 item 6)
# ------------------------------------------------------------------------------------------------------------------

#: The queues a pending record waits in: its responsible authority's (G5, P2), or the provincial office's (G6).
QUEUE_LOCAL = "local"
QUEUE_PROVINCIAL = "provincial"


@dataclass(frozen=True)
class Waiting:
    """A pending record's wait: the queue, the authority that decides, the deadline with the working days left, and
    for a direct review (G6) the reason the enterprise gave (its code, the text as logged, its own words) and when it
    asked. The one source of the waiting text of the portal's pages and of the API."""

    queue: str
    authority_name: str
    left: DaysLeft | None
    reason_code: str = ""
    reason: str = ""
    words: str = ""
    requested_at: dt.datetime | None = None

    @property
    def is_direct_review(self) -> bool:
        return self.queue == QUEUE_PROVINCIAL

    @property
    def sentence(self) -> str:
        """The waiting text: for a record in the provincial queue the provincial office's direct review, never
        the local bureau's words (等待主管部门审核)."""
        if self.is_direct_review:
            return _(
                "This record is waiting for the direct review of %(authority)s (G6), as your enterprise asked, and "
                "cannot be changed meanwhile."
            ) % {"authority": self.authority_name or _("the provincial office")}
        return _("This record is waiting for the review of %(authority)s and cannot be changed meanwhile.") % {
            "authority": self.authority_name or _("the responsible authority")
        }


def waiting_for(record: Record, counter: WorkingDaysLeft | None = None) -> Waiting | None:
    """What a submitted or direct-review record waits for; None for any other record. One query for a direct
    review (the reason is kept by its log row), none otherwise."""
    if record.status not in (RecordStatus.SUBMITTED, RecordStatus.DIRECT_REVIEW):
        return None
    left = (counter or WorkingDaysLeft())(record.review_deadline)
    authority = record.responsible_authority.name if record.responsible_authority_id else ""
    if record.status == RecordStatus.SUBMITTED:
        return Waiting(QUEUE_LOCAL, authority, left)
    row = (
        RecordTransition.objects.filter(record_id=record.pk, to_status=RecordStatus.DIRECT_REVIEW)
        .order_by("-at", "-id")
        .only("reason", "at")
        .first()
    )
    text = row.reason if row is not None else ""
    code, words = parse_direct_review_reason(text)
    return Waiting(QUEUE_PROVINCIAL, authority, left, code, text, words, row.at if row is not None else None)


def provincial_office_for(record: Record) -> Authority | None:
    """The provincial office that reviews the record directly on the enterprise's written application (G6, P2)."""
    return Authority.objects.filter(region_id=record.project.county.province_code, is_active=True).first()
