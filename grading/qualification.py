"""Does a record count in a qualification application (J4, G11)? One answer, asked by the portal's 资质申报业绩
page, its Excel and PDF exports and the qualification API.

The rule is the qualification's own setting (accounts.Qualification: the grades accepted for enterprise
performance and for personal performance, the stage screens whose grade is checked), seeded from
建市规〔2023〕3号 (national-standard.md §2.1: enterprise performance A-level, personal performance A or B; 施工
资质 checks 基本信息, 施工许可, 竣工验收, 设计 checks 基本信息, 施工图审, 竣工验收). A record counts when it is
published (approved, its current version, not fraud) and every checked stage exists and carries an accepted grade.
Every "no" carries its reason in the active language (Chinese in the portal).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from accounts.models import PerformanceStage, PerformanceUse, Qualification
from projects.models import Record, RecordStatus

#: the relations to read for `verdict()` without a query per record (select_related of a Record queryset)
RELATED = ["project", "censor", "tender", "contract", "licence", "finish_check", "finish_record"]

#: the order in which stages are checked and named (the record's order)
STAGE_ORDER = [choice.value for choice in PerformanceStage]


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
    }


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


def verdict(record: Record, qualification: Qualification, use: str = PerformanceUse.ENTERPRISE) -> Verdict:
    """Whether `record` counts as `use` (enterprise or personal performance) in an application for
    `qualification`, and every reason why not."""
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
    return Verdict(ok=not reasons, reasons=tuple(reasons), grades=tuple(grades))
