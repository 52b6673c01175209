"""Importers of enterprises and of authorities with their campaign contact persons (issue 13 item 1), and their
exports in the same columns, so that export → import changes nothing.

- "enterprises" (企业): keyed on the 统一社会信用代码; a row creates the enterprise or updates it; registered in the
  importing official's province (a region outside it is refused); an enterprise another province registered is not
  changed.
- "authorities" (主管部门及联系人): sheet 主管部门 keyed on the region code (one authority per region), with
  its departments (处室/科室); sheet 联系人 in the layout of the Guangxi notice's 附件3 (单位名称, 姓名, 科室, 职务,
  办公电话, 手机) plus the campaign (补录工作; empty: the province's one active campaign), keyed on campaign and
  authority.

Values are checked with the models' own validators (accounts/validators.py); importing a file twice writes nothing
the second time (`unchanged`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import validators
from accounts.models import (
    AUTHORITY_LEVEL_OF_REGION,
    Authority,
    AuthorityLevel,
    Department,
    Enterprise,
    EnterpriseKind,
    EnterpriseStatus,
    Region,
)
from accounts.scoping import province_prefix
from projects.models import Campaign, CampaignContact

from .book import Book, Column, Mode, Problem, Progress, Report, Sheet, no_progress, register

SEPARATORS = re.compile(r"[、,，;；/\s]+")


def _messages(error: ValidationError) -> str:
    return "；".join(str(m) for m in error.messages)


def _province_of(user) -> str | None:
    """The two digits of the official's province (accounts.scoping.province_prefix: None for anybody else); "" for the
    superuser (every province)."""
    return "" if user.is_superuser else province_prefix(user)


@dataclass
class _Row:
    sheet: str
    number: int
    values: dict = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def problem(self, column: str, message) -> None:
        self.problems.append(Problem(self.sheet, self.number, column, str(message)))


def _required(row: _Row, cells: dict, header: str) -> str | None:
    value = cells.get(header)
    if not value:
        row.problem(header, _("Fill in this red-star column."))
    return value


def _check(row: _Row, header: str, validator, value) -> None:
    try:
        validator(value)
    except ValidationError as error:
        row.problem(header, _messages(error))


def _max_length(row: _Row, header: str, value: str | None, length: int) -> None:
    if value and len(value) > length:
        row.problem(
            header, _("At most %(max)s characters; %(length)s were entered.") % {"max": length, "length": len(value)}
        )


def _region(row: _Row, header: str, code: str | None, regions: dict[str, Region], prefix: str) -> Region | None:
    if not code:
        return None
    region = regions.get(code)
    if region is None:
        row.problem(header, _("“%(code)s” is not an administrative region code (GB/T 2260).") % {"code": code})
        return None
    if prefix and not code.startswith(prefix):
        row.problem(
            header,
            _("The region %(region)s is outside your province: it is imported by that province's office.")
            % {"region": str(region)},
        )
        return None
    return region


def _finish(report: Report, rows: list[_Row], mode: Mode) -> list[_Row]:
    """The rows to write for `mode` (none for a check, none for all-or-nothing with a problem)."""
    for row in rows:
        report.problems += row.problems
    if mode == Mode.CHECK:
        return []
    if mode == Mode.ALL and report.problems:
        return []
    return [row for row in rows if not row.problems]


# --------------------------------------------------------------------------------------------------------------
# enterprises
# --------------------------------------------------------------------------------------------------------------

KIND_NAMES = {
    "勘察": EnterpriseKind.SURVEY,
    "设计": EnterpriseKind.DESIGN,
    "施工": EnterpriseKind.CONSTRUCTION,
    "监理": EnterpriseKind.SUPERVISION,
    **{kind.value: kind for kind in EnterpriseKind},
}
KIND_LABELS = {EnterpriseKind.SURVEY: "勘察", EnterpriseKind.DESIGN: "设计", EnterpriseKind.CONSTRUCTION: "施工"}
KIND_LABELS[EnterpriseKind.SUPERVISION] = "监理"
STATUS_NAMES = {
    "存续": EnterpriseStatus.ACTIVE,
    "正常": EnterpriseStatus.ACTIVE,
    "在业": EnterpriseStatus.ACTIVE,
    "已注销": EnterpriseStatus.DEREGISTERED,
    "注销": EnterpriseStatus.DEREGISTERED,
    "已吊销": EnterpriseStatus.REVOKED,
    "吊销": EnterpriseStatus.REVOKED,
    "已吊销营业执照": EnterpriseStatus.REVOKED,
    **{status.value: status for status in EnterpriseStatus},
}
STATUS_LABELS = {EnterpriseStatus.ACTIVE: "存续", EnterpriseStatus.DEREGISTERED: "已注销"}
STATUS_LABELS[EnterpriseStatus.REVOKED] = "已吊销"

E_CODE, E_NAME, E_KINDS, E_REGION = "统一社会信用代码", "企业名称", "企业类型", "注册地区代码"
E_STATUS, E_ADDRESS, E_CONTACT, E_PHONE = "状态", "地址", "联系人", "联系电话"

ENTERPRISE_SHEET = Sheet(
    "企业",
    (
        Column(E_CODE, required=True, hint="18 位，按营业执照填写，字母大写", code=True, width=24),
        Column(E_NAME, required=True, hint="与营业执照一致", width=36),
        Column(E_KINDS, required=True, hint="勘察、设计、施工、监理，可填多个，用“、”分隔"),
        Column(E_REGION, required=True, hint="6 位行政区划代码（GB/T 2260），须在本省", code=True),
        Column(E_STATUS, hint="存续、已注销或已吊销；不填为存续"),
        Column(E_ADDRESS, width=36),
        Column(E_CONTACT),
        Column(E_PHONE, hint="手机 11 位，或带区号的固定电话如 0771-2368335", code=True, width=18),
    ),
    keys=(E_CODE,),
)


class EnterpriseImporter:
    key = "enterprises"
    label = gettext_lazy("Enterprises")
    sheets = (ENTERPRISE_SHEET,)
    permissions = ("accounts.add_enterprise", "accounts.change_enterprise")
    fields = ("name", "kinds", "region_id", "status", "address", "contact_name", "contact_phone")

    def run(self, book: Book, *, user, mode: Mode, progress: Progress = no_progress) -> Report:
        report = Report(total=book.rows())
        prefix = _province_of(user)
        table = book.tables[ENTERPRISE_SHEET.name]
        if prefix is None:
            report.problems.append(Problem(ENTERPRISE_SHEET.name, 0, "", _("You may not import enterprises.")))
            return report
        regions = {r.code: r for r in Region.objects.all()}
        codes = [validators.normalize_uscc(cells[E_CODE]) for _n, cells in table.rows if cells[E_CODE]]
        existing = {e.credit_code: e for e in Enterprise.objects.filter(credit_code__in=codes)}
        visible = set(Enterprise.visible_to(user).filter(credit_code__in=codes).values_list("credit_code", flat=True))
        rows = []
        for done, (number, cells) in enumerate(table.rows, start=1):
            rows.append(self._parse(number, cells, regions, prefix, existing, visible))
            progress(done, report.total, sum(len(r.problems) for r in rows))
        to_write = _finish(report, rows, mode)
        with transaction.atomic():
            for row in to_write:
                values = row.values
                found = existing.get(values["credit_code"])
                if found is None:
                    Enterprise.objects.create(**values)
                    report.written += 1
                elif all(getattr(found, name) == values[name] for name in self.fields):
                    report.unchanged += 1
                else:
                    for name in self.fields:
                        setattr(found, name, values[name])
                    found.save(update_fields=[f.removesuffix("_id") for f in self.fields])
                    report.written += 1
        return report

    def _parse(self, number, cells, regions, prefix, existing, visible) -> _Row:
        row = _Row(ENTERPRISE_SHEET.name, number)
        code = _required(row, cells, E_CODE)
        if code:
            code = validators.normalize_uscc(code)
            _check(row, E_CODE, validators.validate_uscc, code)
            if code in existing and code not in visible:
                row.problem(E_CODE, _("This enterprise is registered by another province and is not changed here."))
        name = _required(row, cells, E_NAME)
        _max_length(row, E_NAME, name, 200)
        kinds: list[str] = []
        if _required(row, cells, E_KINDS):
            for word in filter(None, SEPARATORS.split(cells[E_KINDS])):
                kind = KIND_NAMES.get(word.removesuffix("企业").removesuffix("单位"))
                if kind is None:
                    row.problem(
                        E_KINDS,
                        _("“%(value)s” is not a kind of enterprise: write 勘察, 设计, 施工 or 监理.") % {"value": word},
                    )
                elif kind not in kinds:
                    kinds.append(kind)
        region = _region(row, E_REGION, _required(row, cells, E_REGION), regions, prefix)
        status = EnterpriseStatus.ACTIVE
        if cells.get(E_STATUS):
            status = STATUS_NAMES.get(cells[E_STATUS])
            if status is None:
                row.problem(E_STATUS, _("Write 存续, 已注销 or 已吊销."))
        address, contact, phone = cells.get(E_ADDRESS) or "", cells.get(E_CONTACT) or "", cells.get(E_PHONE) or ""
        _max_length(row, E_ADDRESS, address, 200)
        _max_length(row, E_CONTACT, contact, 50)
        if phone:
            _check(row, E_PHONE, validators.validate_phone, phone)
        row.values = {
            "credit_code": code,
            "name": name,
            "kinds": sorted(kinds, key=list(EnterpriseKind).index),
            "region_id": region.code if region else None,
            "status": status,
            "address": address,
            "contact_name": contact,
            "contact_phone": phone,
        }
        return row

    def export_rows(self, user, queryset=None) -> dict[str, list[list]]:
        qs = Enterprise.visible_to(user, queryset).order_by("credit_code")
        rows = []
        for e in qs.iterator(chunk_size=2000):
            rows.append(
                [
                    e.credit_code,
                    e.name,
                    "、".join(KIND_LABELS[k] for k in e.kinds),
                    e.region_id or "",
                    STATUS_LABELS.get(e.status, e.status),
                    e.address,
                    e.contact_name,
                    e.contact_phone,
                ]
            )
        return {ENTERPRISE_SHEET.name: rows}


# --------------------------------------------------------------------------------------------------------------
# authorities and their contact persons
# --------------------------------------------------------------------------------------------------------------

A_NAME, A_LEVEL, A_REGION, A_PARENT = "单位名称", "级别", "行政区划代码", "上级单位"
A_ADDRESS, A_PHONE, A_DEPARTMENTS = "地址", "办公电话", "处室/科室"
C_UNIT, C_NAME, C_DEPT, C_TITLE, C_PHONE, C_MOBILE, C_CAMPAIGN = (
    "单位名称",
    "姓名",
    "科室",
    "职务",
    "办公电话",
    "手机",
    "补录工作",
)
LEVEL_LABELS = {AuthorityLevel.PROVINCE: "省级", AuthorityLevel.CITY: "市级", AuthorityLevel.COUNTY: "县级"}
LEVEL_NAMES = {
    **{label: level for level, label in LEVEL_LABELS.items()},
    "省": AuthorityLevel.PROVINCE,
    "市": AuthorityLevel.CITY,
    "县": AuthorityLevel.COUNTY,
    **{level.value: level for level in AuthorityLevel},
}

AUTHORITY_SHEET = Sheet(
    "主管部门",
    (
        Column(A_NAME, required=True, hint="如 南宁市住房和城乡建设局", width=30),
        Column(A_REGION, required=True, hint="6 位行政区划代码（GB/T 2260），一个区划一个主管部门", code=True),
        Column(A_LEVEL, hint="省级、市级或县级；不填按区划代码确定"),
        Column(A_PARENT, hint="不填按区划确定：上级区划的主管部门", width=30),
        Column(A_ADDRESS, width=36),
        Column(A_PHONE, hint="带区号，如 0771-2368335", code=True, width=18),
        Column(A_DEPARTMENTS, hint="审核人员所在的处室或科室，多个用“、”分隔", width=36),
    ),
    keys=(A_REGION,),
)
CONTACT_SHEET = Sheet(
    "联系人",
    (
        Column(C_UNIT, required=True, hint="主管部门名称，与“主管部门”表或系统中一致", width=30),
        Column(C_NAME, required=True),
        Column(C_DEPT, required=True),
        Column(C_TITLE),
        Column(C_PHONE, hint="带区号，如 0771-2368335", code=True, width=18),
        Column(C_MOBILE, hint="11 位手机号", code=True, width=16),
        Column(C_CAMPAIGN, hint="补录工作名称或文号；不填为本省正在进行的补录工作", width=30),
    ),
    keys=(C_CAMPAIGN, C_UNIT),
    required=False,
)


class AuthorityImporter:
    key = "authorities"
    label = gettext_lazy("Authorities and contact persons")
    sheets = (AUTHORITY_SHEET, CONTACT_SHEET)
    permissions = (
        "accounts.add_authority",
        "accounts.change_authority",
        "accounts.add_department",
        "projects.add_campaigncontact",
        "projects.change_campaigncontact",
    )

    def run(self, book: Book, *, user, mode: Mode, progress: Progress = no_progress) -> Report:
        report = Report(total=book.rows())
        prefix = _province_of(user)
        if prefix is None:
            report.problems.append(Problem(AUTHORITY_SHEET.name, 0, "", _("You may not import authorities.")))
            return report
        regions = {r.code: r for r in Region.objects.all()}
        authorities = {a.region_id: a for a in Authority.objects.select_related("region")}
        by_name = {a.name: a for a in authorities.values()}
        done = 0
        errors = 0

        # sheet 主管部门, parents before children
        a_rows: list[_Row] = []
        table = book.tables[AUTHORITY_SHEET.name]
        for number, cells in table.rows:
            row = self._parse_authority(number, cells, regions, prefix, authorities, by_name)
            a_rows.append(row)
            done += 1
            errors += len(row.problems)
            progress(done, report.total, errors)
        names_in_file = {r.values["name"]: r for r in a_rows if not r.problems}

        # sheet 联系人
        campaigns = list(Campaign.objects.all()) if prefix == "" else list(Campaign.visible_to(user))
        c_rows: list[_Row] = []
        for number, cells in book.tables[CONTACT_SHEET.name].rows:
            row = self._parse_contact(number, cells, campaigns, prefix, by_name, names_in_file)
            c_rows.append(row)
            done += 1
            errors += len(row.problems)
            progress(done, report.total, errors)

        write_a, write_c = _finish(report, [*a_rows, *c_rows], mode), []
        write_a, write_c = (
            [r for r in write_a if r.sheet == AUTHORITY_SHEET.name],
            [r for r in write_a if r.sheet == CONTACT_SHEET.name],
        )
        if mode == Mode.VALID_ROWS:  # a contact of an authority refused in this file cannot be written
            refused = {r.values.get("name") for r in a_rows if r.problems}
            kept = []
            for row in write_c:
                if row.values["unit"] in refused and row.values["unit"] not in by_name:
                    problem = Problem(
                        CONTACT_SHEET.name,
                        row.number,
                        C_UNIT,
                        _("The authority of this contact was refused on the sheet 主管部门."),
                    )
                    report.problems.append(problem)
                else:
                    kept.append(row)
            write_c = kept
        if mode == Mode.CHECK:
            return report
        with transaction.atomic():
            for row in sorted(write_a, key=lambda r: r.values["region"].level):
                self._write_authority(row, authorities, report)
            by_name = {a.name: a for a in authorities.values()}
            for row in write_c:
                self._write_contact(row, by_name, report)
        return report

    def _parse_authority(self, number, cells, regions, prefix, authorities, by_name) -> _Row:
        row = _Row(AUTHORITY_SHEET.name, number)
        name = _required(row, cells, A_NAME)
        _max_length(row, A_NAME, name, 100)
        region = _region(row, A_REGION, _required(row, cells, A_REGION), regions, prefix)
        level = AUTHORITY_LEVEL_OF_REGION[region.level] if region else None
        if region and cells.get(A_LEVEL):
            given = LEVEL_NAMES.get(cells[A_LEVEL])
            if given is None:
                row.problem(A_LEVEL, _("Write 省级, 市级 or 县级."))
            elif given != level:
                row.problem(
                    A_LEVEL,
                    _("The region %(region)s is of level %(level)s; the level must match it.")
                    % {"region": str(region), "level": LEVEL_LABELS[level]},
                )
        if region and name and name in by_name and by_name[name].region_id != region.code:
            row.problem(
                A_NAME,
                _("The name is already used by the authority of region %(region)s.")
                % {"region": by_name[name].region_id},
            )
        if region and cells.get(A_PARENT):
            expected = region.parent_id
            parent = by_name.get(cells[A_PARENT])
            if parent is not None and parent.region_id != expected:
                row.problem(A_PARENT, _("The superior authority must be the one of the parent region."))
        phone = cells.get(A_PHONE) or ""
        if phone:
            _check(row, A_PHONE, validators.validate_phone, phone)
        address = cells.get(A_ADDRESS) or ""
        _max_length(row, A_ADDRESS, address, 200)
        departments = [d for d in SEPARATORS.split(cells.get(A_DEPARTMENTS) or "") if d]
        for department in departments:
            _max_length(row, A_DEPARTMENTS, department, 100)
        row.values = {
            "name": name,
            "region": region,
            "level": level,
            "address": address,
            "phone": phone,
            "departments": departments,
        }
        return row

    def _parse_contact(self, number, cells, campaigns, prefix, by_name, names_in_file) -> _Row:
        row = _Row(CONTACT_SHEET.name, number)
        unit = _required(row, cells, C_UNIT)
        if unit:
            authority = by_name.get(unit)
            if authority is None and unit not in names_in_file:
                row.problem(
                    C_UNIT, _("No authority is called “%(name)s”: add it on the sheet 主管部门 first.") % {"name": unit}
                )
            elif authority is not None and prefix and not authority.region_id.startswith(prefix):
                row.problem(C_UNIT, _("This authority is outside your province."))
        name = _required(row, cells, C_NAME)
        _max_length(row, C_NAME, name, 50)
        department = _required(row, cells, C_DEPT)
        _max_length(row, C_DEPT, department, 100)
        title = cells.get(C_TITLE) or ""
        _max_length(row, C_TITLE, title, 50)
        phone, mobile = cells.get(C_PHONE) or "", cells.get(C_MOBILE) or ""
        if phone:
            _check(row, C_PHONE, validators.validate_phone, phone)
        if mobile:
            _check(row, C_MOBILE, validators.validate_mobile, mobile)
        campaign = None
        wanted = cells.get(C_CAMPAIGN)
        if wanted:
            matches = [c for c in campaigns if wanted in (c.name, c.notice_number)]
            if not matches:
                row.problem(C_CAMPAIGN, _("No campaign of your province is called “%(name)s”.") % {"name": wanted})
            else:
                campaign = matches[0]
        else:
            active = [c for c in campaigns if c.is_active]
            if len(active) == 1:
                campaign = active[0]
            else:
                row.problem(
                    C_CAMPAIGN,
                    _("Name the campaign (its name or notice number): %(count)s campaigns are active.")
                    % {"count": len(active)},
                )
        row.values = {
            "unit": unit,
            "campaign": campaign,
            "name": name,
            "department": department,
            "title": title,
            "office_phone": phone,
            "mobile": mobile,
        }
        return row

    def _write_authority(self, row: _Row, authorities: dict, report: Report) -> None:
        values = row.values
        region = values["region"]
        parent = authorities.get(region.parent_id) if region.parent_id else None
        found = authorities.get(region.code)
        wanted = {
            "name": values["name"],
            "level": values["level"],
            "address": values["address"],
            "phone": values["phone"],
            "parent_id": parent.pk if parent else (found.parent_id if found else None),
        }
        changed = False
        if found is None:
            found = Authority.objects.create(region=region, **wanted)
            authorities[region.code] = found
            changed = True
        elif any(getattr(found, k) != v for k, v in wanted.items()):
            for k, v in wanted.items():
                setattr(found, k, v)
            found.save()
            changed = True
        have = set(found.departments.values_list("name", flat=True))
        new = [d for d in dict.fromkeys(values["departments"]) if d not in have]
        if new:
            Department.objects.bulk_create([Department(authority=found, name=d) for d in new])
            changed = True
        if changed:
            report.written += 1
        else:
            report.unchanged += 1

    def _write_contact(self, row: _Row, by_name: dict, report: Report) -> None:
        values = dict(row.values)
        authority = by_name[values.pop("unit")]
        campaign = values.pop("campaign")
        found = CampaignContact.objects.filter(campaign=campaign, authority=authority).first()
        if found is None:
            CampaignContact.objects.create(campaign=campaign, authority=authority, **values)
            report.written += 1
        elif all(getattr(found, k) == v for k, v in values.items()):
            report.unchanged += 1
        else:
            for k, v in values.items():
                setattr(found, k, v)
            found.save()
            report.written += 1

    def export_rows(self, user, queryset=None) -> dict[str, list[list]]:
        authorities = (
            Authority.visible_to(user, queryset)
            .select_related("region", "parent")
            .prefetch_related("departments")
            .order_by("region__code")
        )
        a_rows = [
            [
                a.name,
                a.region_id,
                LEVEL_LABELS.get(a.level, a.level),
                a.parent.name if a.parent else "",
                a.address,
                a.phone,
                "、".join(sorted(d.name for d in a.departments.all())),
            ]
            for a in authorities
        ]
        contacts = (
            CampaignContact.visible_to(user)
            .filter(authority__in=authorities.values("pk"))
            .select_related("campaign", "authority")
            .order_by("campaign__name", "authority__region__code")
        )
        c_rows = [
            [c.authority.name, c.name, c.department, c.title, c.office_phone, c.mobile, c.campaign.name]
            for c in contacts
        ]
        return {AUTHORITY_SHEET.name: a_rows, CONTACT_SHEET.name: c_rows}


enterprise_importer = EnterpriseImporter()
authority_importer = AuthorityImporter()


def register_all() -> None:
    register(enterprise_importer)
    register(authority_importer)
