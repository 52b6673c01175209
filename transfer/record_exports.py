"""导出业绩（完整）: the admin's record list exported with every stage and part (the records file's layout,
transfer/record_rows.py), as XLSX or as a ZIP of CSV files; what the user may see only (Record.visible_to).

The actions are added to the record list of the admin (projects' RecordAdmin) from transfer's ready(): transfer
sits above projects, so projects' admin never imports it. "Select all" over a filtered list exports the filtered
list.
"""

from __future__ import annotations

import io

from django.contrib import admin, messages
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from accounts.models import Role
from projects.models import Record

from . import record_rows as rr

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _name(suffix: str) -> str:
    return f"records-{timezone.localtime():%Y%m%d-%H%M}.{suffix}"


def _response(data: bytes, content_type: str, suffix: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{_name(suffix)}"'
    return response


def export_xlsx(queryset) -> HttpResponse:
    out = io.BytesIO()
    rr.write_xlsx(rr.export_queryset(queryset), out)
    return _response(out.getvalue(), XLSX, "xlsx")


def export_csv(queryset, encoding: str):
    out = io.BytesIO()
    rr.write_csv_zip(rr.export_queryset(queryset), out, encoding=encoding)
    return _response(out.getvalue(), "application/zip", "zip")


def _scoped(request, queryset):
    return Record.visible_to(request.user, queryset.claims())


#: the complete export carries ID and phone numbers whole (export → import gives the same records): provincial staff
#: and the superuser only, who import; a bureau reviewer reads a number through the logged 显示 of the decision page
PERMISSION = "complete_export"


def may_export_complete(request) -> bool:
    return request.user.is_superuser or getattr(request.user, "role", None) == Role.PROVINCIAL


@admin.action(description=gettext_lazy("Export records (complete), Excel"), permissions=[PERMISSION])
def export_records_xlsx(modeladmin, request, queryset):
    return export_xlsx(_scoped(request, queryset))


def _csv_action(encoding: str, description):
    @admin.action(description=description, permissions=[PERMISSION])
    def action(modeladmin, request, queryset):
        try:
            return export_csv(_scoped(request, queryset), encoding)
        except rr.ExportEncodingError as exc:
            modeladmin.message_user(request, str(exc), messages.ERROR)
            return None

    action.__name__ = f"export_records_csv_{encoding.replace('-', '_')}"
    return action


export_records_csv_utf8 = _csv_action("utf-8", gettext_lazy("Export records (complete), CSV UTF-8"))
export_records_csv_gbk = _csv_action("gbk", gettext_lazy("Export records (complete), CSV GBK"))
export_records_csv_gb18030 = _csv_action("gb18030", gettext_lazy("Export records (complete), CSV GB18030"))
ACTIONS = (export_records_xlsx, export_records_csv_utf8, export_records_csv_gbk, export_records_csv_gb18030)


def add_to_record_admin(site=admin.site) -> None:
    """Add the export actions to the admin's record list (once)."""
    model_admin = site._registry.get(Record)
    if model_admin is None:
        return
    model_admin.has_complete_export_permission = may_export_complete
    present = list(model_admin.actions or [])
    model_admin.actions = [*present, *(a for a in ACTIONS if a not in present)]
