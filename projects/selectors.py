"""Read-side queries of projects/: what a user may see, known projects (joining), declared projects (J3)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from accounts.models import Region

from .models import BuilderLicence, DeclaredProject, Project, Record


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
