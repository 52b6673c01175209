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

from .models import CalendarAlert, CalendarYear, CreditEntry, RecordTransition, ReviewQueueItem, TransitionBy
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

    def __call__(self, deadline: dt.datetime | None) -> DaysLeft | None:
        if deadline is None:
            return None
        if deadline < self.now:
            return DaysLeft(0, True, deadline)
        last = deadline.astimezone(SHANGHAI).date()
        try:
            days = sum(
                1
                for n in range(1, (last - self.today).days + 1)
                if self._calendar.is_workday(self.today + dt.timedelta(days=n))
            )
        except DomainError:  # a year nobody has entered the calendar of
            days = None
        return DaysLeft(days, False, deadline)


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


def notices_for(user) -> QuerySet[RecordTransition]:
    """The decision notices `user` may read, newest first: an enterprise clerk those of its enterprise's records;
    anybody else none (officials read the transition log in the admin)."""
    qs = RecordTransition.objects.filter(to_status__in=DECISION_STATUSES, by__in=NOTICE_MADE_BY)
    if not (user.is_authenticated and getattr(user, "role", None) == Role.ENTERPRISE and user.enterprise_id):
        return qs.none()
    return qs.filter(record__enterprise_id=user.enterprise_id).order_by("-at", "-id")


def unread_notice_count(user) -> int:
    """How many of `user`'s decision notices nobody of the enterprise has read yet (one query; none for others)."""
    if not (user.is_authenticated and getattr(user, "role", None) == Role.ENTERPRISE and user.enterprise_id):
        return 0
    return notices_for(user).filter(read_at__isnull=True).count()
