"""Does a record count in a qualification application (J4, G11)? One answer, asked by the portal's 资质申报业绩
page, its Excel and PDF exports and the qualification API.

The rule is the qualification's own setting (accounts.Qualification: the grades accepted for enterprise
performance and for personal performance, the stage screens whose grade is checked), seeded from
建市规〔2023〕3号 (national-standard.md §2.1: enterprise performance A-level, personal performance A or B; 施工
资质 checks 基本信息, 施工许可, 竣工验收, 设计 checks 基本信息, 施工图审, 竣工验收). A record counts when it is
published (approved, its current version, not fraud), every checked stage exists and carries an accepted grade, the
enterprise took the part on the project that the qualification's kind names (a design qualification counts the
projects it designed: its own 参建单位 row, TBCORPROLEDIC), and — for the qualifications the Ministry approves
(`requires_national_platform`, from 2024-01-01) — the national platform has accepted the record.
Every "no" carries its reason in the active language (Chinese in the portal).

Whether a record is on the national platform is sync's answer (sync.selectors.on_national_platform), a layer above
this one: the caller asks it in the same query as the records and passes it in (`on_national_platform=`).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from accounts.models import EnterpriseKind, PerformanceStage, PerformanceUse, Qualification
from projects.codes import CorpRole
from projects.models import Record, RecordStatus

#: the relations to read for `verdict()` without a query per record (select_related of a Record queryset)
RELATED = ["project", "censor", "tender", "contract", "licence", "finish_check", "finish_record"]

#: the order in which stages are checked and named (the record's order)
STAGE_ORDER = [choice.value for choice in PerformanceStage]

#: the enterprise's role on the project (TBCORPROLEDIC) that a qualification of each kind counts
ROLE_OF_KIND = {
    EnterpriseKind.SURVEY: CorpRole.SURVEY,
    EnterpriseKind.DESIGN: CorpRole.DESIGN,
    EnterpriseKind.CONSTRUCTION: CorpRole.CONSTRUCTION,
    EnterpriseKind.SUPERVISION: CorpRole.SUPERVISION,
}


@dataclass(frozen=True)
class Verdict:
    ok: bool
    reasons: tuple[str, ...] = ()
    #: the grade of every checked stage ("" for a stage without a grade, None for a stage the record lacks)
    grades: tuple[tuple[str, str | None], ...] = ()

    @property
    def message(self) -> str:
        return "；".join(self.reasons) if self.reasons else _("Satisfies the rule")

    @property
    def stage_grades(self) -> list[tuple[str, str, str]]:
        """(stage, its name, its grade — "" ungraded, "—" missing) for every checked stage."""
        return [(stage, PerformanceStage(stage).label, "—" if grade is None else grade) for stage, grade in self.grades]


def describe(qualification: Qualification) -> str:
    """The rule in one sentence, as the page and the exports print it."""
    stages = [str(PerformanceStage(s).label) for s in STAGE_ORDER if s in qualification.checked_stages]
    return _(
        "Enterprise performance: grade %(enterprise)s; personal performance: grade %(personal)s; checked on: "
        "%(stages)s."
    ) % {
        "enterprise": _list(sorted(qualification.enterprise_grades)) or "—",
        "personal": _list(sorted(qualification.personal_grades)) or "—",
        "stages": _list(stages) or "—",
    } + _describe_more(qualification)


def _describe_more(qualification: Qualification) -> str:
    more = ""
    role = ROLE_OF_KIND.get(qualification.kind)
    if role is not None:
        more += _(" Only projects the enterprise took part in as %(role)s.") % {"role": CorpRole(role).label}
    if qualification.requires_national_platform:
        more += _(" Only performance accepted by the national platform (Ministry-approved, since 2024-01-01).")
    return more


def stage_row(record: Record, stage: str):
    """The row of a stage of the record (the shared project for 基本信息), None when the record lacks it."""
    if stage == PerformanceStage.PROJECT:
        return record.project
    return getattr(record, stage, None)  # a missing reverse one-to-one raises a subclass of AttributeError


def stage_grade(record: Record, stage: str) -> str | None:
    row = stage_row(record, stage)
    return None if row is None else (row.data_level or "")


def accepted_grades(qualification: Qualification, use: str) -> list[str]:
    grades = qualification.personal_grades if use == PerformanceUse.PERSONAL else qualification.enterprise_grades
    return sorted(grades)


def _list(values) -> str:
    # Translators: the separator between the items of a list, e.g. "A, B" (Chinese: "、").
    return _(", ").join(values)


def firm_roles(record: Record) -> set[str]:
    """The roles (TBCORPROLEDIC) of the record's enterprise on its own 参建单位 rows (by its credit code); reads
    `record.corps` (prefetch it, or annotate the roles and pass them to `verdict()`)."""
    code = record.enterprise.credit_code
    return {corp.corp_role for corp in record.corps.all() if corp.corp_code == code and corp.corp_role}


def verdict(
    record: Record,
    qualification: Qualification,
    use: str = PerformanceUse.ENTERPRISE,
    *,
    on_national_platform: bool | None = None,
    roles: set[str] | list[str] | None = None,
) -> Verdict:
    """Whether `record` counts as `use` (enterprise or personal performance) in an application for
    `qualification`, and every reason why not.

    `on_national_platform`: sync.selectors.on_national_platform for this record; required when the qualification
    requires it (a caller that forgets is a bug, not a "yes"). `roles`: the enterprise's roles on the project
    (`firm_roles()` when not given)."""
    reasons: list[str] = []
    if record.status != RecordStatus.APPROVED or record.revision_of_id is not None:
        reasons.append(_("Not a published record (approved, current version): it cannot be used in an application."))
    accepted = accepted_grades(qualification, use)
    use_label = PerformanceUse(use).label
    grades: list[tuple[str, str | None]] = []
    checked = [stage for stage in STAGE_ORDER if stage in qualification.checked_stages]
    for stage in checked:
        label = PerformanceStage(stage).label
        grade = stage_grade(record, stage)
        grades.append((stage, grade))
        if grade is None:
            reasons.append(
                _("%(stage)s is missing: %(qualification)s checks the grade of this stage.")
                % {"stage": label, "qualification": qualification.name}
            )
        elif grade not in accepted:
            reasons.append(
                _("%(stage)s is graded %(grade)s: %(use)s for %(qualification)s needs grade %(accepted)s.")
                % {
                    "stage": label,
                    "grade": grade or _("ungraded"),
                    "use": use_label,
                    "qualification": qualification.name,
                    "accepted": _list(accepted) or "—",
                }
            )
    role = ROLE_OF_KIND.get(qualification.kind)
    if role is not None:
        held = set(firm_roles(record) if roles is None else roles)
        if role not in held:
            reasons.append(_role_reason(qualification, role, held))
    if qualification.requires_national_platform:
        if on_national_platform is None:
            raise ValueError("verdict(): this qualification requires on_national_platform (sync.selectors)")
        if not on_national_platform:
            reasons.append(
                _(
                    "Not yet pushed to and accepted by the national platform (全国建筑市场监管公共服务平台): "
                    "%(qualification)s is approved by the Ministry, whose applications since 2024-01-01 count only "
                    "performance on the national platform."
                )
                % {"qualification": qualification.name}
            )
    return Verdict(ok=not reasons, reasons=tuple(reasons), grades=tuple(grades))


def _role_reason(qualification: Qualification, role: str, held: set[str]) -> str:
    needed = CorpRole(role).label
    if not held:
        return _(
            "The enterprise is not among the record's participating units (参建单位): %(qualification)s counts only "
            "projects it took part in as %(role)s."
        ) % {"qualification": qualification.name, "role": needed}
    labels = [str(CorpRole(code).label) if code in CorpRole.values else code for code in sorted(held)]
    return _(
        "The enterprise's role on this project is %(held)s: %(qualification)s counts only projects it took part in "
        "as %(role)s."
    ) % {"held": _list(labels), "qualification": qualification.name, "role": needed}
