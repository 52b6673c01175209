"""Read-side queries of review/: who reviews a project (P2); which coming years nobody knows the calendar of."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from accounts.errors import DomainError
from accounts.models import Authority, Region, RegionLevel, Role

from .models import CalendarYear
from .workdays import package_knows_year

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
