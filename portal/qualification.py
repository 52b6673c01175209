"""资质申报业绩 (J4, G11): the reads and writes behind the portal's page, its exports and the qualification API.

Reads start from `Record.visible_to(user)` (a clerk: its firm's records; a review system: its province's published
records) narrowed to `Record.objects.published()`; whether a record counts is `grading.qualification.verdict()`,
asked here for every row shown. Writes are services: keyword-only, atomic, `DomainError` with a Chinese message.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.postgres.expressions import ArraySubquery
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils.translation import gettext as _

from accounts.errors import DomainError
from accounts.models import PerformanceStage, PerformanceUse, Qualification, Role
from grading.qualification import RELATED, Verdict, verdict
from projects.models import ProjectCorp, Record, RecordPerson
from projects.selectors import refuse_if_deregistered
from sync.selectors import on_national_platform

from .models import ApplicationList, ApplicationPick

# ----------------------------------------------------------------------------------------------------------------
# Filters (the page's and the API's)
# ----------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordFilters:
    """What the firm (or a review system) narrows the published records by. `grade` applies to `stage`'s grade
    (竣工验收, the record's grade, when no stage is named); a stage alone keeps the records that have it."""

    grades: tuple[str, ...] = ()
    stage: str = ""
    role: str = ""  # the enterprise's role on the project (TBCORPROLEDIC, its own 参建单位 row)
    completed_from: dt.date | None = None
    completed_to: dt.date | None = None
    year: int | None = None
    name: str = ""

    @property
    def active(self) -> bool:
        return any((self.grades, self.stage, self.role, self.completed_from, self.completed_to, self.year, self.name))


def _grade_field(stage: str) -> str:
    if stage == PerformanceStage.PROJECT:
        return "project__data_level"
    return f"{stage or PerformanceStage.FINISH_CHECK}__data_level"


def filter_records(qs: QuerySet[Record], filters: RecordFilters) -> QuerySet[Record]:
    if filters.grades:
        qs = qs.filter(**{f"{_grade_field(filters.stage)}__in": list(filters.grades)})
    elif filters.stage and filters.stage != PerformanceStage.PROJECT:
        qs = qs.filter(**{f"{filters.stage}__isnull": False})
    if filters.role:
        own_row = ProjectCorp.objects.filter(
            record=OuterRef("pk"), corp_role=filters.role, corp_code=OuterRef("enterprise__credit_code")
        )
        qs = qs.filter(Exists(own_row))
    if filters.completed_from:
        qs = qs.filter(finish_check__e_date__gte=filters.completed_from)
    if filters.completed_to:
        qs = qs.filter(finish_check__e_date__lte=filters.completed_to)
    if filters.year:
        qs = qs.filter(finish_check__e_date__year=filters.year)
    if filters.name:
        qs = qs.filter(project__prj_name__icontains=filters.name)
    return qs


def published_records(user) -> QuerySet[Record]:
    """The published records `user` may use: a clerk its firm's, a review system its province's."""
    return Record.visible_to(user, Record.objects.published())


def rule_facts(path: str = "") -> dict:
    """What `verdict()` is told besides the stages, as annotations over the records at `path` ("" the records
    themselves, "record__" a pick's): whether the national platform accepted it (sync's one rule) and the firm's
    roles on its own 参建单位 rows — in the same query as the records, never one per row."""
    return {
        "rule_on_platform": on_national_platform(f"{path}pk", f"{path}version"),
        "rule_roles": ArraySubquery(
            ProjectCorp.objects.filter(
                record_id=OuterRef(f"{path}pk"), corp_code=OuterRef(f"{path}enterprise__credit_code")
            )
            .exclude(corp_role="")
            .values("corp_role")
        ),
    }


def verdict_of(row, record: Record, qualification: Qualification, use: str) -> Verdict:
    """`verdict()` of a record whose facts `row` carries (annotated by `rule_facts()`)."""
    return verdict(record, qualification, use, on_national_platform=row.rule_on_platform, roles=row.rule_roles)


def with_stages(qs: QuerySet[Record]) -> QuerySet[Record]:
    """Every stage row and every fact `verdict()` reads, in the same query."""
    return qs.select_related(*RELATED, "project__county", "enterprise").annotate(**rule_facts())


def completion_years(user) -> list[int]:
    """The completion years of the firm's published records, newest first (the year filter's choices)."""
    dates = (
        published_records(user)
        .filter(finish_check__e_date__isnull=False)
        .values_list("finish_check__e_date__year", flat=True)
    )
    return sorted(set(dates), reverse=True)


# ----------------------------------------------------------------------------------------------------------------
# The firm's lists
# ----------------------------------------------------------------------------------------------------------------


def application_lists(user) -> QuerySet[ApplicationList]:
    from django.db.models import Count

    return (
        ApplicationList.visible_to(user)
        .select_related("qualification")
        .annotate(pick_count=Count("picks"))
        .order_by("-updated_at", "-id")
    )


def application_for(user, pk: int) -> ApplicationList:
    """One of the firm's lists, or DomainError "not_found" (another firm's list is not found either)."""
    found = ApplicationList.visible_to(user).select_related("qualification", "enterprise").filter(pk=pk).first()
    if found is None:
        raise DomainError(_("This application list does not exist or is not your enterprise's."), code="not_found")
    return found


@dataclass(frozen=True)
class PickRow:
    pick: ApplicationPick
    record: Record
    verdict: Verdict


def picks_with_verdicts(application: ApplicationList) -> list[PickRow]:
    """The list's picks in the order they were added, each with the verdict of the list's qualification's rule."""
    picks = (
        ApplicationPick.objects.filter(application=application)
        .select_related(*(f"record__{name}" for name in RELATED), "record__project__county", "record__enterprise")
        .annotate(**rule_facts("record__"))
        .order_by("id")
    )
    return [PickRow(p, p.record, verdict_of(p, p.record, application.qualification, p.use)) for p in picks]


@dataclass(frozen=True)
class CandidateRow:
    record: Record
    verdicts: dict[str, Verdict] = field(default_factory=dict)  # by use
    picked: frozenset[str] = frozenset()  # the uses it is already picked as


def candidates(user, application: ApplicationList, records) -> list[CandidateRow]:
    """`records` (a page of the firm's published records) with the verdict of each use and what is picked."""
    records = list(records)
    picked: dict[int, set[str]] = {}
    for record_id, use in ApplicationPick.objects.filter(
        application=application, record_id__in=[r.pk for r in records]
    ).values_list("record_id", "use"):
        picked.setdefault(record_id, set()).add(use)
    qualification = application.qualification
    return [
        CandidateRow(
            record,
            {use: verdict_of(record, record, qualification, use) for use in PerformanceUse.values},
            frozenset(picked.get(record.pk, ())),
        )
        for record in records
    ]


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Give the list a name, e.g. the application it is for."), code="invalid", field="name")
    if len(name) > 100 or "\x00" in name:
        raise DomainError(
            _("A list's name has at most 100 characters and no control characters."), code="invalid", field="name"
        )
    return name


def _check_clerk(user) -> None:
    """An enterprise's clerk, of an enterprise that may still change things (a deregistered one applies for
    nothing: projects.selectors.enterprise_refusal, asked by every write service)."""
    if getattr(user, "role", None) != Role.ENTERPRISE or not user.enterprise_id:
        raise DomainError(_("Only an enterprise's clerk keeps application lists."), code="forbidden")
    refuse_if_deregistered(user.enterprise)


def application_create(*, user, name: str, qualification_id: int) -> ApplicationList:
    _check_clerk(user)
    name = _clean_name(name)
    qualification = Qualification.objects.filter(pk=qualification_id).first()
    if qualification is None:
        raise DomainError(_("Choose the qualification applied for."), code="invalid", field="qualification")
    try:
        with transaction.atomic():
            return ApplicationList.objects.create(
                enterprise_id=user.enterprise_id, name=name, qualification=qualification, created_by=user
            )
    except IntegrityError:
        raise DomainError(
            _("Your enterprise already has a list named “%(name)s”: choose another name.") % {"name": name},
            code="invalid",
            field="name",
        ) from None


def application_delete(*, user, application_id: int) -> None:
    _check_clerk(user)
    with transaction.atomic():
        application = application_for(user, application_id)
        ApplicationPick.objects.filter(application=application).delete()
        application.delete()


def pick_add(*, user, application_id: int, record_id: int, use: str = PerformanceUse.ENTERPRISE) -> ApplicationPick:
    """Put one of the firm's published records in the list as `use`. Another firm's record, a record not published,
    a use that does not exist: refused. A pick that does not satisfy the rule is kept (the page says why): the firm
    decides, the review system checks again."""
    if use not in PerformanceUse.values:
        raise DomainError(_("Choose enterprise or personal performance."), code="invalid", field="use")
    _check_clerk(user)
    with transaction.atomic():
        application = application_for(user, application_id)
        record = published_records(user).filter(pk=record_id, enterprise_id=application.enterprise_id).first()
        if record is None:
            raise DomainError(
                _("Only your enterprise's published (approved) records can be picked for an application."),
                code="not_found",
                field="record",
            )
        pick, created = ApplicationPick.objects.get_or_create(application=application, record=record, use=use)
        if not created:
            raise DomainError(
                _("This record is already in the list as %(use)s.") % {"use": PerformanceUse(use).label},
                code="invalid",
                field="record",
            )
        application.save(update_fields=["updated_at"])
    return pick


def pick_remove(*, user, application_id: int, pick_id: int) -> None:
    _check_clerk(user)
    with transaction.atomic():
        application = application_for(user, application_id)
        deleted, _rows = ApplicationPick.objects.filter(application=application, pk=pick_id).delete()
        if not deleted:
            raise DomainError(_("This record is no longer in the list."), code="not_found")
        application.save(update_fields=["updated_at"])


# ----------------------------------------------------------------------------------------------------------------
# The review systems' read (the API)
# ----------------------------------------------------------------------------------------------------------------


def system_records(user, credit_code: str, filters: RecordFilters) -> QuerySet[Record]:
    """The published records of the enterprise `credit_code` that the review system `user` may read (its province),
    filtered, with every stage and the enterprise's persons in a fixed number of queries."""
    qs = filter_records(published_records(user).filter(enterprise__credit_code=credit_code), filters)
    return (
        with_stages(qs)
        .prefetch_related(
            Prefetch("persons", queryset=RecordPerson.objects.order_by("id")),
            Prefetch("corps", queryset=ProjectCorp.objects.order_by("id")),
        )
        .order_by("-finish_check__e_date", "-id")
    )
