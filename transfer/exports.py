"""Exports that are no plain admin list (issue 13 item 4); the lists themselves: config/admin_export.py.

- 附件3 of the Guangxi notice (桂建设〔2017〕29号, G9): the campaigns' contact persons as the notice's form lays them
  out — its title row 业绩录入工作联系人名单, then 单位名称, 姓名, 科室, 职务, 办公电话, 手机 — for the contacts the
  admin's list of them shows (its filters, search and the official's scope).
- 抽查: published records (Record.objects.published(), J5) as CSV for the national platform's spot checks, one line
  per record, the columns named by the national standard's table and field codes (TBProjectInfo.PrjNum, …) and filled
  by the push's own payload (sync.payload.rows_of), so the file says what was pushed. UTF-8 with a BOM, so that Excel
  opens it with its Chinese intact. `manage.py export_spot_check` writes it for a province; the records list's
  抽查导出 button for the official's own scope.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import pii
from accounts.models import Region
from config.admin_export import MAX_ROWS, xlsx_response
from config.spreadsheet import csv_row
from projects.models import (
    BuilderLicence,
    CampaignContact,
    Censor,
    Contract,
    FinishCheck,
    FinishRecord,
    Project,
    Record,
    Tender,
)
from sync.payload import records_for_push, rows_of

# ------------------------------------------------------------------------------------------------------------------
# 附件3: 业绩录入工作联系人名单
# ------------------------------------------------------------------------------------------------------------------

ATTACHMENT3_TITLE = "业绩录入工作联系人名单"
ATTACHMENT3_HEADERS = ("单位名称", "姓名", "科室", "职务", "办公电话", "手机")


def attachment3_rows(contacts: QuerySet[CampaignContact]) -> Iterator[list[str]]:
    """One line per contact, by unit: 单位名称, 姓名, 科室, 职务, 办公电话, 手机 (published with the notice: not
    masked, G9)."""
    for contact in contacts.select_related("authority").order_by("authority__region_id", "authority__name", "pk"):
        yield [
            contact.authority.name,
            contact.name,
            contact.department,
            contact.title,
            contact.office_phone,
            contact.mobile,
        ]


def attachment3_view(request, site=admin.site):
    """The contacts' list as 附件3: the rows of the admin's list of contacts for this request."""
    model_admin = site._registry[CampaignContact]
    if not model_admin.has_view_or_change_permission(request):
        raise PermissionDenied
    changelist = model_admin.get_changelist_instance(request)
    return xlsx_response(
        "附件3",
        ATTACHMENT3_HEADERS,
        attachment3_rows(changelist.queryset),
        "contacts-attachment3",
        headings=("附件3", ATTACHMENT3_TITLE),
        widths=(36, 12, 20, 14, 18, 16),
    )


# ------------------------------------------------------------------------------------------------------------------
# 抽查: published records for the national platform's spot checks
# ------------------------------------------------------------------------------------------------------------------

#: the national tables with at most one row per record: one line of the CSV holds them all
SPOT_CHECK_TABLES = (
    "TBProjectInfo",
    "TBTenderInfo",
    "TBContractRecordManage",
    "TBProjectCensorInfo",
    "TBBuilderLicenceManage",
    "TBProjectFinishCheckInfo",
    "TBProjectFinishManage",
)
CHUNK = 500


def spot_check_columns() -> list[tuple[str, str]]:
    """(table, field code) of every column, in the standard's table order and the payload's field order: read off
    the payload of an empty record, so the columns are the push's own whatever records are exported."""
    county = Region(code="450103", name="")
    project = Project(pk=0, county=county, prj_num="")
    record = Record(pk=0, project=project, version=1)
    for attribute, model in (
        ("tender", Tender),
        ("contract", Contract),
        ("censor", Censor),
        ("licence", BuilderLicence),
        ("finish_check", FinishCheck),
        ("finish_record", FinishRecord),
    ):
        setattr(record, attribute, model(pk=0, record=record))
    project._prefetched_objects_cache = {"units": _NoRows()}
    record._prefetched_objects_cache = {"corps": _NoRows()}
    record.censor._prefetched_objects_cache = {"staff": _NoRows()}
    rows = rows_of(record)
    return [(table, code) for table in SPOT_CHECK_TABLES for code in rows[table][0][1]]


class _NoRows(list):
    """An empty prefetched relation (the sample record of `spot_check_columns` has no rows behind it)."""

    def all(self):
        return self


def spot_check_records(queryset: QuerySet[Record]) -> QuerySet[Record]:
    return queryset.published().order_by("project__prj_num", "pk")


#: national columns of the file that hold personal data (accounts.pii): masked as every page and export masks them
SPOT_CHECK_PII = {("TBTenderInfo", "ConstructorIDCard"): pii.pii_kind("projects.tender", "constructor_id_card")}


def spot_check_lines(queryset: QuerySet[Record]) -> Iterator[list[str]]:
    """The header, then one line per published record of `queryset`, read in chunks with the push's prefetches;
    ID numbers masked (SPOT_CHECK_PII)."""
    columns = spot_check_columns()
    yield [f"{table}.{code}" for table, code in columns]
    ids = list(spot_check_records(queryset).values_list("pk", flat=True))
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        order = {pk: index for index, pk in enumerate(chunk)}
        for record in sorted(records_for_push(chunk), key=lambda r: order[r.pk]):
            rows = rows_of(record)
            values = {(table, code): value for table in rows for code, value in (rows[table][0][1].items())}
            for column, kind in SPOT_CHECK_PII.items():
                if values.get(column):
                    values[column] = pii.mask(kind, values[column])
            yield [values.get(column, "") for column in columns]


def csv_chunks(lines: Iterable[list[str]]) -> Iterator[str]:
    """CSV text in pieces, a UTF-8 BOM first (Excel then reads the file as UTF-8)."""
    yield "\ufeff"
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for count, line in enumerate(lines, start=1):
        writer.writerow(csv_row(line))
        if count % 200 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def spot_check_view(request, site=admin.site):
    """抽查导出: the published records the official sees (Record.visible_to: the province for its staff)."""
    if not request.user.has_perm("projects.view_record"):
        raise PermissionDenied
    records = Record.visible_to(request.user)
    if spot_check_records(records).count() > MAX_ROWS * 5:
        raise PermissionDenied(_("Too many records for one file: use the command export_spot_check."))
    response = StreamingHttpResponse(csv_chunks(spot_check_lines(records)), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="spot-check-{stamp}.csv"'
    return response


def install(site: admin.AdminSite) -> None:
    """Add 附件3 and 抽查导出 to the admin (once): /admin/export/contacts-attachment3/, /admin/export/spot-check/."""
    if getattr(site, "_yeji_transfer_exports_installed", False):
        return
    site_urls = site.get_urls

    def get_urls():
        return [
            path(
                "export/contacts-attachment3/",
                site.admin_view(lambda request: attachment3_view(request, site)),
                name="transfer_attachment3",
            ),
            path(
                "export/spot-check/",
                site.admin_view(lambda request: spot_check_view(request, site)),
                name="transfer_spot_check",
            ),
            *site_urls(),
        ]

    site.get_urls = get_urls
    site._yeji_transfer_exports_installed = True
