"""Read-side queries of projects/: what a user may see, known projects (joining), declared projects (J3)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Min, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.errors import DomainError
from accounts.models import Region

from .models import BuilderLicence, DeclaredProject, DeclaredSource, Project, Record, RecordStatus

#: The parts of a record's page and data that belong to the project and so to every claim on it (ADR 0008):
#: TBProjectInfo and its 单体. Every other part (stages, 参建单位, persons, 审图人员, attachments) is the claim's own.
SHARED_PARTS = ("project", "units")

#: The project's own fields every claimant sees: the three a firm types to join it (项目编号, name, county).
PROJECT_IDENTITY_FIELDS = ("prj_num", "prj_name", "county")

#: A claim in one of these states freezes the shared part for every claim (a rejected claim is back in its firm's
#: hands and freezes nothing).
FREEZING_STATES = (RecordStatus.SUBMITTED, RecordStatus.DIRECT_REVIEW, RecordStatus.APPROVED, RecordStatus.FRAUD)


@dataclass(frozen=True)
class SharedAccess:
    """What one claim may do with its project's shared part (ADR 0008)."""

    keeper: bool  # the project's first claim still on the platform: the one firm that enters the shared part
    frozen: bool  # some claim on the project is submitted, in direct review or decided
    published: bool  # some claim on the project is approved: its shared part has been checked by an authority
    alone: bool  # no other firm claims the project

    @property
    def editable(self) -> bool:
        """The claim may write the shared part (its own record still being editable is checked by the caller)."""
        return self.keeper and not self.frozen

    @property
    def visible(self) -> bool:
        """The claim may read the shared part beyond the project's identity."""
        return self.keeper or self.published


def shared_access(record: Record) -> SharedAccess:
    """The one rule of shared projects (ADR 0008), read in one query."""
    row = (
        Record.objects.claims()
        .filter(project_id=record.project_id)
        .aggregate(  # a working copy is no claim
            keeper=Min("pk"),
            claims=Count("pk"),
            frozen=Count("pk", filter=Q(status__in=FREEZING_STATES)),
            published=Count("pk", filter=Q(status=RecordStatus.APPROVED)),
        )
    )
    return SharedAccess(
        keeper=row["keeper"] == record.pk,
        frozen=bool(row["frozen"]),
        published=bool(row["published"]),
        alone=row["claims"] <= 1,
    )


def records_visible_to(user) -> QuerySet[Record]:
    """The records `user` may see: the one scoping rule of records (Record.scope), as portal and API name it."""
    return Record.visible_to(user)


def find_known_project(*, prj_num: str = "", licence_cert_no: str = "") -> Project | None:
    """A project already on the platform with this 项目编号, or whose 施工许可证编号 a record already names."""
    if prj_num:
        project = Project.objects.filter(prj_num=prj_num).first()
        if project is not None:
            return project
    if licence_cert_no:
        licence = (
            BuilderLicence.objects.filter(licence_cert_no=licence_cert_no).select_related("record__project").first()
        )
        if licence is not None:
            return licence.record.project
    return None


#: The systems' short names as the J3 refusal says them (the choice labels are the long names).
DECLARED_SYSTEM_NAMES = {
    DeclaredSource.REFORM_SYSTEM: gettext_lazy("the reform system (工改系统)"),
    DeclaredSource.PERMIT_SYSTEM: gettext_lazy("the permit system (施工许可管理系统)"),
}


@dataclass(frozen=True)
class DeclaredMatch:
    """J3: a number of a record (or of an imported row) that the registry of declared projects already holds."""

    field: str  # "prj_num" or "licence_cert_no": which number matched
    number: str
    source: str  # DeclaredSource code of the system that declares it

    @property
    def path(self) -> str:
        """The grading path of the matched number (where submit and the import's report name it)."""
        return "project.prj_num" if self.field == "prj_num" else "licence.licence_cert_no"

    @property
    def system(self) -> str:
        name = DECLARED_SYSTEM_NAMES.get(self.source)
        return str(name) if name is not None else self.source

    @property
    def message(self) -> str:
        """项目编号4501…已在工改系统中申报，不能补录（J3）."""
        what = _("project number") if self.field == "prj_num" else _("construction permit number")
        return _("%(what)s %(number)s is already declared in %(system)s and cannot be backfilled (J3).") % {
            "what": what,
            "number": self.number,
            "system": self.system,
        }


def declared_matches(pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], DeclaredMatch]:
    """J3, the one answer for submit and for every import: which (项目编号, 施工许可证编号) pairs are already
    declared in the 工改系统 or the 施工许可管理系统 (DeclaredProject), in ONE query for the whole batch.

    `pairs` are (prj_num, licence_cert_no), either may be "" (a record without a permit stage). The answer maps each
    refused pair to its match — the project number first when both match, the 工改系统 before the 施工许可管理系统 —
    and leaves allowed pairs out. `match.message` is the refusal in the user's language, naming the system and the
    number (项目编号4501…已在工改系统中申报，不能补录（J3）). Callers: review.services (submit) and the records import
    (transfer). Pass batches of a few thousand pairs.
    """
    pairs = [(prj_num or "", licence_cert_no or "") for prj_num, licence_cert_no in pairs]
    prj_nums = {prj_num for prj_num, _licence in pairs if prj_num}
    licences = {licence for _prj_num, licence in pairs if licence}
    if not prj_nums and not licences:
        return {}
    by_prj_num: dict[str, str] = {}
    by_licence: dict[str, str] = {}
    rows = (
        DeclaredProject.objects.filter(Q(prj_num__in=prj_nums) | Q(licence_cert_no__in=licences))
        .order_by("pk")
        .values_list("source", "prj_num", "licence_cert_no")
    )
    order = {code: index for index, code in enumerate(DECLARED_SYSTEM_NAMES)}
    for source, prj_num, licence in sorted(rows, key=lambda row: order.get(row[0], len(order))):
        if prj_num in prj_nums:
            by_prj_num.setdefault(prj_num, source)
        if licence in licences:
            by_licence.setdefault(licence, source)
    answer = {}
    for prj_num, licence in pairs:
        if prj_num in by_prj_num:
            answer[(prj_num, licence)] = DeclaredMatch("prj_num", prj_num, by_prj_num[prj_num])
        elif licence in by_licence:
            answer[(prj_num, licence)] = DeclaredMatch("licence_cert_no", licence, by_licence[licence])
    return answer


def declared_match(*, prj_num: str = "", licence_cert_no: str = "") -> DeclaredMatch | None:
    """J3 for one record: `declared_matches` of its one pair (None: not declared elsewhere)."""
    return declared_matches([(prj_num, licence_cert_no)]).get((prj_num or "", licence_cert_no or ""))


def region_accepted(region: Region | str, year: int) -> bool:
    """A region code is accepted for a campaign year when it was in force that year or is in force now. Given the
    Region itself (a record's loaded county), no query is made: the check of every record of an import asks it."""
    if isinstance(region, str):
        region = Region.objects.filter(code=region).first()
    return region is not None and (region.is_valid_in(year) or region.is_current)


# --------------------------------------------------------------------------------------------------------------
# A deregistered enterprise (已注销, issue 11 item 7): the one rule of what it may still do
# --------------------------------------------------------------------------------------------------------------


def enterprise_refusal(enterprise) -> str:
    """Why `enterprise` may no longer change anything on the platform, or "" when it may.

    An enterprise marked 已注销 no longer exists as a legal person: nobody can answer for new declarations in its
    name. The notices say nothing of it, so it keeps what is already there (its records and their decisions, to
    look at and print) and may not start, change, submit, send to direct review or delete a record. Every write
    service asks this one function (projects.services, projects.attachments, review.services); the portal shows its
    words on every page.
    """
    if enterprise is not None and enterprise.is_deregistered:
        return str(
            _(
                "Your enterprise has been deregistered (已注销): you can still look at and print its records and "
                "their decisions, but you can no longer start, change, submit or delete a record."
            )
        )
    return ""


def refuse_if_deregistered(enterprise) -> None:
    """Raise DomainError "deregistered" when `enterprise` may no longer change anything (enterprise_refusal)."""
    refusal = enterprise_refusal(enterprise)
    if refusal:
        raise DomainError(refusal, code="deregistered")
