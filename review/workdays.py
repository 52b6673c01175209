"""The one working-day service (G5, J1): the `chinesecalendar` package and the calendar staff enter in the admin.

The rule: chinese_calendar knows 2004–2026 only; a year it lacks comes from a table that staff edit in the admin; a
day that neither knows raises an alert and is never guessed. A day is decided by
1. a WorkdayOverride row of that day — an override always wins;
2. else the package, when it knows the year (make-up weekend days included);
3. else, when staff have declared the year complete (a CalendarYear with `is_complete`, entered from the State
   Council's notice together with the year's holidays and make-up days as overrides): Monday–Friday work, weekends
   do not;
4. else nothing: `UnknownCalendarDay` is raised. Overrides alone never make the other days of a year known.
review.selectors.missing_calendar_years is the alert for the coming years.

Counting follows `chinese_calendar.find_workday(n, day)`: for n ≥ 0 the first working day on or after `day` is
working day 0 and the result is the n-th working day after it (so a Saturday submission counts from Monday); for
n < 0 it is the |n|-th working day strictly before `day`.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from zoneinfo import ZoneInfo

import chinese_calendar
from django.utils.translation import gettext as _

from accounts.errors import DomainError

from .models import CalendarYear, WorkdayOverride

SHANGHAI = ZoneInfo("Asia/Shanghai")
END_OF_DAY = dt.time(23, 59, 59)
#: How far a count may walk before the calendar is declared broken (a year of days off is a typing error).
_MAX_WALK = 400
#: Overrides are read in windows of this many days around the walk (one query per window).
_WINDOW = 120


@cache
def package_years() -> tuple[int, int]:
    """The first and last year the installed `chinesecalendar` package knows (2004–2026 in 1.11); whole years."""
    holidays = chinese_calendar.holidays
    return min(holidays).year, max(holidays).year


def package_knows_year(year: int) -> bool:
    """Does the installed `chinesecalendar` package hold the State Council's schedule of `year`?"""
    first, last = package_years()
    return first <= year <= last


class UnknownCalendarDay(DomainError):
    """The working status of `day` is not known: no override, the package lacks its year and staff have not declared
    the year complete."""

    def __init__(self, day: dt.date) -> None:
        super().__init__(
            _(
                "The working-day calendar of %(year)s is not known yet (%(day)s), so the review deadline cannot be "
                "computed. Provincial staff must enter that year's public holidays and make-up working days in the "
                "admin under “Review › Working-day overrides” and then mark the year complete under “Review › "
                "Calendar years”."
            )
            % {"year": day.year, "day": day.isoformat()},
            code="unknown_calendar_day",
        )
        self.day = day


class _Calendar:
    """Overrides read once per window of days, so a count runs a bounded number of queries."""

    def __init__(self) -> None:
        self._overrides: dict[dt.date, bool] = {}
        self._loaded: list[tuple[dt.date, dt.date]] = []
        self._complete_years: set[int] | None = None

    def _load(self, day: dt.date) -> None:
        low, high = day - dt.timedelta(days=_WINDOW), day + dt.timedelta(days=_WINDOW)
        rows = WorkdayOverride.objects.filter(day__range=(low, high)).values_list("day", "is_workday")
        self._overrides.update(rows)
        self._loaded.append((low, high))

    def _override(self, day: dt.date) -> bool | None:
        if not any(low <= day <= high for low, high in self._loaded):
            self._load(day)
        return self._overrides.get(day)

    def _year_complete(self, year: int) -> bool:
        if self._complete_years is None:
            self._complete_years = set(CalendarYear.objects.filter(is_complete=True).values_list("year", flat=True))
        return year in self._complete_years

    def is_workday(self, day: dt.date) -> bool:
        override = self._override(day)
        if override is not None:
            return override
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            pass
        if self._year_complete(day.year):
            return day.weekday() < 5
        raise UnknownCalendarDay(day)

    def add_working_days(self, day: dt.date, n: int) -> dt.date:
        step = 1 if n >= 0 else -1
        current, walked = day, 0
        if n >= 0:
            while not self.is_workday(current):  # working day 0: the first on or after `day`
                current, walked = current + dt.timedelta(days=1), walked + 1
                _guard(walked, day)
        for _count in range(abs(n)):
            current, walked = current + dt.timedelta(days=step), walked + 1
            while not self.is_workday(current):
                current, walked = current + dt.timedelta(days=step), walked + 1
                _guard(walked, day)
        return current


def _guard(walked: int, start: dt.date) -> None:
    if walked > _MAX_WALK:
        raise DomainError(
            _("No working day was found within a year of %(day)s; check the working-day overrides.")
            % {"day": start.isoformat()},
            code="no_working_day",
        )


def _as_date(day: dt.date | dt.datetime) -> dt.date:
    if isinstance(day, dt.datetime):
        return day.astimezone(SHANGHAI).date() if day.tzinfo else day.date()
    return day


def is_workday(day: dt.date) -> bool:
    """Is `day` a working day (its override, else the package, else a complete year's Monday–Friday)?"""
    return _Calendar().is_workday(_as_date(day))


def add_working_days(day: dt.date, n: int) -> dt.date:
    """`chinese_calendar.find_workday(n, day)` with the overrides: the n-th working day after `day`.

    For n ≥ 0 the first working day on or after `day` counts as working day 0; for n < 0 the |n|-th working day
    before `day`. Raises UnknownCalendarDay when the walk reaches a day nobody knows.
    """
    return _Calendar().add_working_days(_as_date(day), n)


def end_of_day(day: dt.date) -> dt.datetime:
    """23:59:59 Asia/Shanghai of `day`."""
    return dt.datetime.combine(day, END_OF_DAY, tzinfo=SHANGHAI)


def review_deadline(submitted_at: dt.datetime, n: int) -> dt.datetime:
    """G5: the end (23:59:59 Asia/Shanghai) of the n-th working day after the day of submission in Asia/Shanghai."""
    return end_of_day(add_working_days(_as_date(submitted_at), n))


def closing_deadline(close_date: dt.date, n: int = 3) -> dt.datetime:
    """J1: the end of the n-th working day before a campaign's close date; pending records are decided by then."""
    return end_of_day(add_working_days(close_date, -n))


def submission_deadline(
    submitted_at: dt.datetime, n: int, close_date: dt.date | None = None, *, close_working_days: int = 3
) -> dt.datetime:
    """The review deadline of a record submitted at `submitted_at` (G5 with J1), 23:59:59 Asia/Shanghai of:

        max(min(n-th working day after submission, `close_working_days`-th working day before `close_date`),
            the submission's own working day)

    G5 gives the n-th working day; J1 pulls it in to the 3rd working day before the campaign's close date; but a
    record submitted inside those last days is never due before the end of the day it was submitted on (or of the
    next working day when it was submitted on a day off), so it is never due in the past and the nightly job does
    not approve it at once. One calendar, so the overrides are read once.
    """
    calendar = _Calendar()
    day = _as_date(submitted_at)
    due = calendar.add_working_days(day, n)
    if close_date is not None:
        due = min(due, calendar.add_working_days(close_date, -close_working_days))
    return end_of_day(max(due, calendar.add_working_days(day, 0)))
