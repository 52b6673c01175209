"""Read-side queries of projects/: what a user may see, known projects (joining), declared projects (J3)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from accounts.models import Region, Role

from .models import BuilderLicence, DeclaredProject, Project, Record


def records_visible_to(user) -> QuerySet[Record]:
    """The one scoping rule for records: an enterprise sees its own, officials their province (refined by review/)."""
    qs = Record.objects.all()
    if not user.is_authenticated:
        return qs.none()
    if user.is_superuser:
        return qs
    if user.role == Role.ENTERPRISE:
        return qs.filter(enterprise_id=user.enterprise_id)
    if user.role in (Role.REVIEWER, Role.PROVINCIAL) and user.authority_id:
        region_code = user.authority.region_id
        level = user.authority.region.level
        prefix = region_code[: {1: 2, 2: 4, 3: 6}[level]]
        return qs.filter(project__county__code__startswith=prefix)
    return qs.none()


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


def declared_elsewhere(*, prj_num: str = "", licence_cert_no: str = "") -> DeclaredProject | None:
    """J3: the entry of another system (工改系统, 施工许可管理系统) that already declares this project or permit."""
    condition = Q()
    if prj_num:
        condition |= Q(prj_num=prj_num)
    if licence_cert_no:
        condition |= Q(licence_cert_no=licence_cert_no)
    if not condition:
        return None
    return DeclaredProject.objects.filter(condition).first()


def region_accepted(code: str, year: int) -> bool:
    """A region code is accepted for a campaign year when it was in force that year or is in force now."""
    region = Region.objects.filter(code=code).first()
    return region is not None and (region.is_valid_in(year) or region.is_current)
