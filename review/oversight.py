"""Provincial oversight (issue 11 item 5), read side: the progress of a campaign (补录工作进度) by city and county,
and the bureaus that let records run over their review window.

Each record of the campaign is counted once, in the county of its project (rolled up to the county's city, and to
the total), by where it stands now:

- 已录入 `entered`: every record of the campaign (drafts included);
- 已提交审核 `submitted`: the records that reached review at least once (`submitted_at` is set);
  of them, by the outcome of their latest review (the first decision after the latest submission):
  - 按期审结 `in_time`: decided by a person on or before the record's review deadline (G5);
  - 逾期后审结 `late`: decided by a person after the deadline, before the nightly job took it (a direct review);
  - 逾期视为通过 `auto_approved`: approved by the nightly job because nobody decided in time (G5, P1;
    RecordTransition.by = nightly_job);
  - 已逾期未审 `overdue_now`: still pending with the deadline passed at this moment — the queue's and the workbench's
    已逾期 (`review.selectors.overdue_q`), so the page never contradicts them or the digest;
  - 待审未到期 `not_yet_due`: still pending, the deadline not passed.

  A record found fraudulent after its decision (G10) keeps the outcome of that decision. The five outcomes add up to
  `submitted`.

The bureaus that let records run over are the responsible authorities (P2) of the records approved by the nightly
job or overdue now, worst first, each with the departments its officials are registered in (J9) and the contact
person it named for the campaign (G9).

Who may read it: provincial staff (the campaigns of their province, `Campaign.visible_to`, and the records of it,
`Record.visible_to`) and the superuser. `campaign_progress` runs a fixed number of queries whatever the number of
cities and records (tests/review/test_oversight.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from accounts.models import Department, Region, RegionLevel, Role
from projects.models import Campaign, CampaignContact, Record, RecordStatus

from .models import RecordTransition, TransitionBy
from .selectors import DECISION_STATUSES, overdue_q

PENDING = (RecordStatus.SUBMITTED, RecordStatus.DIRECT_REVIEW)


def may_oversee(user) -> bool:
    """Provincial staff of an authority, and the superuser: the people the progress pages are for."""
    if not (getattr(user, "is_authenticated", False) and user.is_active):
        return False
    if user.is_superuser:
        return True
    return getattr(user, "role", None) == Role.PROVINCIAL and bool(user.authority_id)


def campaigns_for(user) -> QuerySet[Campaign]:
    """The campaigns whose progress `user` may read, newest notice first (none for anybody but `may_oversee`)."""
    if not may_oversee(user):
        return Campaign.objects.none()
    return Campaign.visible_to(user).select_related("province").order_by("-notice_date", "pk")


@dataclass
class Counts:
    entered: int = 0
    submitted: int = 0
    in_time: int = 0
    late: int = 0
    auto_approved: int = 0
    overdue_now: int = 0
    not_yet_due: int = 0

    #: the column order of the page and the export
    KEYS = ("entered", "submitted", "in_time", "late", "auto_approved", "overdue_now", "not_yet_due")

    def add(self, other: Counts) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    def values(self) -> list[int]:
        return [getattr(self, key) for key in self.KEYS]

    @property
    def ran_over(self) -> int:
        return self.auto_approved + self.overdue_now


@dataclass
class Area:
    """A county, or a city with its counties; `code` the GB/T 2260 code."""

    code: str
    name: str
    counts: Counts = field(default_factory=Counts)
    counties: list[Area] = field(default_factory=list)


@dataclass(frozen=True)
class Bureau:
    """A responsible authority that let records run over: `auto_approved` taken by the nightly job, `overdue_now`
    pending past their deadline right now."""

    authority_id: int | None
    name: str
    departments: str
    contact: str
    auto_approved: int
    overdue_now: int

    @property
    def total(self) -> int:
        return self.auto_approved + self.overdue_now


@dataclass
class Progress:
    campaign: Campaign
    now: dt.datetime
    cities: list[Area]
    total: Counts
    bureaus: list[Bureau]


def _aggregates(now: dt.datetime) -> dict:
    """The seven counts as conditional aggregates over records annotated (aliased) by `_with_outcome`."""
    pending = Q(status__in=PENDING)
    decided = Q(status__in=DECISION_STATUSES, first_decision_at__isnull=False)
    by_person = decided & Q(first_decision_by=TransitionBy.PERSON)
    overdue = pending & overdue_q(now)
    return {
        "entered": Count("id"),
        "submitted": Count("id", filter=Q(submitted_at__isnull=False)),
        "in_time": Count("id", filter=by_person & Q(first_decision_at__lte=F("review_deadline"))),
        "late": Count("id", filter=by_person & ~Q(first_decision_at__lte=F("review_deadline"))),
        "auto_approved": Count("id", filter=decided & Q(first_decision_by=TransitionBy.NIGHTLY_JOB)),
        "overdue_now": Count("id", filter=overdue),
        "not_yet_due": Count("id", filter=pending & ~overdue_q(now)),
    }


def _with_outcome(qs: QuerySet[Record]) -> QuerySet[Record]:
    """`qs` with the first decision after the latest submission aliased: when (`first_decision_at`) and by whom
    (`first_decision_by`: a person or the nightly job)."""
    first = RecordTransition.objects.filter(
        record_id=OuterRef("pk"), to_status__in=DECISION_STATUSES, at__gte=OuterRef("submitted_at")
    ).order_by("at", "id")
    return qs.alias(
        first_decision_at=Subquery(first.values("at")[:1]),
        first_decision_by=Subquery(first.values("by")[:1]),
    )


def _counts(row: dict) -> Counts:
    return Counts(**{key: row[key] for key in Counts.KEYS})


def campaign_progress(user, campaign_id, now: dt.datetime | None = None) -> Progress | None:
    """The progress of campaign `campaign_id` as `user` may read it at `now`; None when the campaign does not exist
    or is not the user's to oversee (the page answers 404). Five queries."""
    if not may_oversee(user):
        return None
    try:
        pk = int(campaign_id)
    except (TypeError, ValueError):
        return None
    campaign = campaigns_for(user).filter(pk=pk).first()
    if campaign is None:
        return None
    now = now or timezone.now()
    records = _with_outcome(Record.visible_to(user).claims().filter(campaign_id=campaign.pk))  # no working copy (J7)

    # 1. per county, with its city
    by_county = (
        records.order_by()
        .values("project__county_id", "project__county__name", "project__county__parent_id")
        .annotate(**_aggregates(now))
    )
    county_rows = list(by_county)
    # 2. the cities: every current city of the campaign's province (a city with nothing entered says 0) and the
    # parents of the counties counted (a code since renamed keeps its row)
    city_codes = {row["project__county__parent_id"] for row in county_rows if row["project__county__parent_id"]}
    cities_qs = Region.objects.filter(
        Q(level=RegionLevel.CITY, parent_id=campaign.province_id, valid_until__isnull=True) | Q(code__in=city_codes)
    ).order_by("code")
    cities = {region.code: Area(region.code, region.name) for region in cities_qs}
    total = Counts()
    for row in sorted(county_rows, key=lambda r: r["project__county_id"]):
        county = Area(row["project__county_id"], row["project__county__name"], _counts(row))
        parent = row["project__county__parent_id"]
        city = cities.get(parent)
        if city is None:  # a county directly under the province (省直管县): its own line
            city = cities.setdefault(county.code, Area(county.code, county.name))
        else:
            city.counties.append(county)
        city.counts.add(county.counts)
        total.add(county.counts)
    return Progress(
        campaign=campaign,
        now=now,
        cities=sorted(cities.values(), key=lambda area: area.code),
        total=total,
        bureaus=_bureaus(records, campaign, now),  # 3–5
    )


def _bureaus(records: QuerySet[Record], campaign: Campaign, now: dt.datetime) -> list[Bureau]:
    """The responsible authorities with records approved by the nightly job or overdue now, worst first."""
    aggregates = _aggregates(now)
    groups = list(
        records.filter(responsible_authority__isnull=False)
        .order_by()
        .values("responsible_authority_id", "responsible_authority__name")
        .annotate(auto_approved=aggregates["auto_approved"], overdue_now=aggregates["overdue_now"])
        .filter(Q(auto_approved__gt=0) | Q(overdue_now__gt=0))
    )
    ids = [g["responsible_authority_id"] for g in groups]
    departments: dict[int, list[str]] = {}
    contacts: dict[int, str] = {}
    if ids:
        for authority_id, name in (
            Department.objects.filter(
                authority_id__in=ids,
                users__role__in=[Role.REVIEWER, Role.PROVINCIAL],
                users__is_active=True,
            )
            .values_list("authority_id", "name")
            .distinct()
            .order_by("authority_id", "name")
        ):
            departments.setdefault(authority_id, []).append(name)
        for contact in CampaignContact.objects.filter(campaign_id=campaign.pk, authority_id__in=ids):
            phone = contact.office_phone or contact.mobile
            parts = [contact.department, contact.name, contact.title, phone]
            contacts[contact.authority_id] = " ".join(part for part in parts if part)
    bureaus = [
        Bureau(
            authority_id=g["responsible_authority_id"],
            name=g["responsible_authority__name"],
            departments="、".join(departments.get(g["responsible_authority_id"], [])),
            contact=contacts.get(g["responsible_authority_id"], ""),
            auto_approved=g["auto_approved"],
            overdue_now=g["overdue_now"],
        )
        for g in groups
    ]
    return sorted(bureaus, key=lambda b: (-b.total, -b.overdue_now, b.name))


def campaign_totals(user, campaigns: list[Campaign], now: dt.datetime | None = None) -> dict[int, Counts]:
    """The totals of each of `campaigns` (the index of the progress pages), in one query."""
    if not campaigns:
        return {}
    now = now or timezone.now()
    rows = (
        _with_outcome(Record.visible_to(user).claims().filter(campaign_id__in=[c.pk for c in campaigns]))
        .order_by()
        .values("campaign_id")
        .annotate(**_aggregates(now))
    )
    totals = {c.pk: Counts() for c in campaigns}
    for row in rows:
        totals[row["campaign_id"]] = _counts(row)
    return totals
