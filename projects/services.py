"""Writes of projects/: starting a record (新增报建) that joins a known project, and number allocation."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import validators
from accounts.errors import DomainError
from accounts.models import Enterprise, Region, RegionLevel

from .models import BuilderLicence, Campaign, NumberSequence, Project, Record
from .selectors import find_known_project


def allocate_prj_num(*, county_code: str, on: dt.date) -> str:
    """项目编号 = region(6) + yyMMdd + 4-digit sequence, the sequence drawn atomically per region and day."""
    key = f"prj:{county_code}:{on:%y%m%d}"
    table = NumberSequence._meta.db_table
    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (key, last) VALUES (%s, 1) "
                f"ON CONFLICT (key) DO UPDATE SET last = {table}.last + 1 RETURNING last",
                [key],
            )
            seq = cursor.fetchone()[0]
        if seq > 9999:
            raise DomainError(
                _("No project number is left for this region today; try again tomorrow."),
                code="prj_num_exhausted",
            )
        prj_num = f"{county_code}{on:%y%m%d}{seq:04d}"
        if not Project.objects.filter(prj_num=prj_num).exists():  # a typed number may already hold it
            return prj_num


def _check(validator, value: str, field: str) -> None:
    try:
        validator(value)
    except ValidationError as exc:
        raise DomainError(exc.messages[0], code="invalid", field=field) from exc


@transaction.atomic
def record_start(
    *,
    enterprise: Enterprise,
    campaign: Campaign,
    user=None,
    prj_name: str,
    county: Region,
    prj_num: str = "",
    licence_cert_no: str = "",
    **project_fields,
) -> Record:
    """新增报建: a record of `enterprise` for a project.

    A project already known by its 项目编号 or 施工许可证编号 is joined, not created again; an enterprise claims
    a project once.
    """
    prj_num, licence_cert_no = prj_num.strip(), licence_cert_no.strip()
    if prj_num:
        _check(validators.validate_prj_num, prj_num, "prj_num")
    if licence_cert_no:
        _check(validators.validate_licence_cert_no, licence_cert_no, "licence_cert_no")
    if county.level != RegionLevel.COUNTY:
        raise DomainError(
            _("Choose the county-level region where the project is located."),
            code="county_level",
            field="county",
        )
    by_number = find_known_project(prj_num=prj_num) if prj_num else None
    by_licence = find_known_project(licence_cert_no=licence_cert_no) if licence_cert_no else None
    if by_number and by_licence and by_number.pk != by_licence.pk:
        raise DomainError(
            _(
                "The project number %(prj_num)s and the construction permit %(licence)s belong to two different "
                "projects on the platform; check both numbers."
            )
            % {"prj_num": prj_num, "licence": licence_cert_no},
            code="numbers_disagree",
            field="licence_cert_no",
        )
    project = by_number or by_licence
    if project is not None and Record.objects.filter(enterprise=enterprise, project=project).exists():
        raise DomainError(
            _(
                "Your enterprise has already declared this project (project number %(prj_num)s); "
                "open the existing record instead of declaring it again."
            )
            % {"prj_num": project.prj_num},
            code="already_claimed",
            field="prj_num",
        )
    if project is None:
        try:
            with transaction.atomic():
                project = Project.objects.create(
                    prj_num=prj_num or allocate_prj_num(county_code=county.code, on=timezone.localdate()),
                    prj_name=prj_name,
                    county=county,
                    **project_fields,
                )
        except IntegrityError:  # another enterprise created the same 项目编号 a moment ago: join it
            project = Project.objects.get(prj_num=prj_num)
    try:
        with transaction.atomic():
            record = Record.objects.create(enterprise=enterprise, project=project, campaign=campaign, created_by=user)
    except IntegrityError as exc:  # two tabs racing to claim the same project
        raise DomainError(
            _("Your enterprise has already declared this project."), code="already_claimed", field="prj_num"
        ) from exc
    if licence_cert_no:
        BuilderLicence.objects.create(record=record, licence_cert_no=licence_cert_no)
    return record
