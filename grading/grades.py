"""Grades (数据等级) and data sources (数据来源) of the national data standard, each as one rule.

Every rule has a Python form for one record (a reviewer's decision) and an ORM form of the very same mapping for the
set-based nightly auto-approval (P1); tests/review/test_auto_approve.py pins that both agree.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Case, Value, When
from django.db.models.expressions import Func

from accounts.models import Authority, AuthorityLevel
from projects.codes import DataLevel, DataSource
from projects.models import AutoApprovalGrade, Record

#: Grade by the level of the authority that reviewed the record: A provincial, B city, C county (DOMAIN.md).
LEVEL_OF_AUTHORITY: dict[str, str] = {
    AuthorityLevel.PROVINCE: DataLevel.A,
    AuthorityLevel.CITY: DataLevel.B,
    AuthorityLevel.COUNTY: DataLevel.C,
}

#: The business date of each stage record (its 数据来源 follows from it), by the record's relation name;
#: "project" is the record's TBProjectInfo.
STAGE_DATE_FIELDS: dict[str, str] = {
    "project": "prj_approval_date",
    "censor": "censor_e_date",
    "tender": "tender_result_date",
    "contract": "contract_date",
    "licence": "release_date",
    "finish_check": "e_date",
    "finish_record": "e_date",
}


def level_for_authority(authority: Authority) -> DataLevel:
    """The grade of a record approved by `authority`: A provincial, B city, C county."""
    return DataLevel(LEVEL_OF_AUTHORITY[authority.level])


def auto_approval_level(record: Record) -> DataLevel:
    """P1: the grade of a record approved because its review window ran out — the level of its responsible authority,
    or D when its campaign grades such records D."""
    if record.campaign.auto_approval_grade == AutoApprovalGrade.D:
        return DataLevel.D
    return level_for_authority(record.responsible_authority)


def auto_approval_level_expression(prefix: str = "") -> Case:
    """`auto_approval_level` as an ORM expression over a Record query (`prefix` leads to the record, e.g.
    "record__")."""
    return Case(
        When(**{f"{prefix}campaign__auto_approval_grade": AutoApprovalGrade.D}, then=Value(DataLevel.D)),
        *(
            When(**{f"{prefix}responsible_authority__level": level}, then=Value(grade))
            for level, grade in LEVEL_OF_AUTHORITY.items()
        ),
        default=Value(DataLevel.D),
        output_field=models.CharField(),
    )


def one_year_before(day: dt.date) -> dt.date:
    """The same day a year earlier (29 February → 28 February), as PostgreSQL's `date - interval '1 year'`."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def data_source_for(business_date: dt.date | None, submitted_on: dt.date) -> DataSource:
    """3 历史业绩补录 when the stage's business date is more than one year before the submission day, else
    2 信息登记 (DOMAIN.md). A stage without its date is registration."""
    if business_date is not None and business_date < one_year_before(submitted_on):
        return DataSource.BACKFILL
    return DataSource.REGISTRATION


class OneYearBefore(Func):
    """SQL: the day one year before a date expression (same rule as `one_year_before`)."""

    template = "((%(expressions)s) - interval '1 year')::date"
    output_field = models.DateField()


def data_source_expression(date_field: str, submitted_on) -> Case:
    """`data_source_for` as an ORM expression: `date_field` of the stage row, `submitted_on` an expression of the
    submission day."""
    return Case(
        When(**{f"{date_field}__lt": OneYearBefore(submitted_on)}, then=Value(DataSource.BACKFILL)),
        default=Value(DataSource.REGISTRATION),
        output_field=models.PositiveSmallIntegerField(),
    )
