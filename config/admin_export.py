"""Every admin list to Excel (issue 13 item 4): what the list shows is what the file holds.

`changelist_xlsx(model_admin, request)` builds the model admin's own ChangeList from the request — so its filters,
its search, its date hierarchy and the official's scope (`get_queryset` → `visible_to`, accounts.admin_scope) all
apply — and writes every row of it (not only the page) with the list's columns: their Chinese headers and what the
page shows (a choice's label, a related row's name, "是/否", ID and phone numbers masked as accounts.pii masks them).
openpyxl's write-only workbook streams the rows to a temporary file, so a long list costs no memory; a list over
`MAX_ROWS` is refused with a message asking to filter it first.

`install(site)` adds one URL to the admin, /admin/export/<app>/<model>/ ("admin:changelist_export"), which every
changelist links as 导出 Excel (templates/admin/change_list.html) with its own query string. A model admin may name
other columns for its file (`export_columns`, names as list_display takes them), or answer the URL itself
(`xlsx_export(request)`: the review queue counts working days with one calendar).

`xlsx_response(title, headers, rows, filename)` is the writer under it, for exports that are no list (附件3, …).
This module sits beside the admin menus in config/: it imports only Django, openpyxl and accounts.pii, so every app's
admin may use it.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import tempfile
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import display_for_field, display_for_value, label_for_field, lookup_field
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import models
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from accounts import pii
from config.spreadsheet import xlsx_row

#: rows one export may hold; a longer list is filtered first (Excel's own limit is 1,048,576)
MAX_ROWS = 200_000
#: a file larger than this is streamed from its temporary file rather than read into the response
STREAM_OVER = 4 * 1024 * 1024
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
URL_NAME = "changelist_export"

_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # characters an XLSX cell cannot hold


def plain(value) -> str:
    """Text of what a list cell shows: tags dropped (a line break becomes a space), entities decoded."""
    text = _TAG.sub("", _BREAK.sub(" ", str(value)))
    return _ILLEGAL.sub("", html.unescape(text)).strip()


def _cell(value):
    """A value as Excel should hold it: numbers and dates as such, everything else as its text."""
    if value is None:
        return None
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, dt.date):
        return value
    return plain(value)


# ------------------------------------------------------------------------------------------------------------------
# The writer
# ------------------------------------------------------------------------------------------------------------------


def xlsx_response(
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence],
    filename: str,
    *,
    headings: Sequence[str] = (),
    widths: Sequence[int] = (),
) -> HttpResponse | FileResponse:
    """An .xlsx download of one sheet: heading lines if any (a notice's 附件 number and title), the headers in bold,
    the rows; written by openpyxl in write-only mode to a temporary file, sent as it is read."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=(re.sub(r"[\[\]:*?/\\]", " ", title) or "Sheet")[:31])
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for index, heading in enumerate(headings, start=1):
        cell = WriteOnlyCell(sheet, value=heading)
        cell.font = Font(bold=True, size=14 if index == len(headings) else 11)
        sheet.append([cell])
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=plain(header))
        cell.font = Font(bold=True)
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append(xlsx_row(sheet, (_cell(value) for value in row)))
    target = tempfile.TemporaryFile(suffix=".xlsx")
    book.save(target)
    size = target.tell()
    target.seek(0)
    name = f"{filename}-{timezone.localtime():%Y%m%d-%H%M}.xlsx"
    if size > STREAM_OVER:  # a long list is sent from the temporary file as it is read
        return FileResponse(target, as_attachment=True, filename=name, content_type=XLSX)
    with target:
        response = HttpResponse(target.read(), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


# ------------------------------------------------------------------------------------------------------------------
# A changelist's rows and columns
# ------------------------------------------------------------------------------------------------------------------


#: fields that are credentials, never written to a file whoever exports and whatever a list shows: passwords, API
#: tokens (DRF's admin lists the key itself), the systems' key hashes, session data; by model label (lower case),
#: "*" for every model
SECRET_FIELDS: dict[str, frozenset[str]] = {
    "*": frozenset({"password", "session_data", "session_key", "key_hash"}),
    "authtoken.token": frozenset({"key"}),
    "authtoken.tokenproxy": frozenset({"key"}),
}


def is_secret(model, name: str) -> bool:
    """Does the list column `name` (a field, or a path through relations: user__password) hold a credential?"""
    from django.contrib.admin.utils import get_fields_from_path

    try:
        fields = get_fields_from_path(model, name)
    except Exception:  # a callable's or a method's name: what it shows is the admin's to decide
        return False
    field = fields[-1]
    label = field.model._meta.label_lower
    return field.name in SECRET_FIELDS["*"] or field.name in SECRET_FIELDS.get(label, ())


def export_columns(changelist) -> list[str]:
    names = getattr(changelist.model_admin, "export_columns", None) or changelist.list_display
    return [name for name in names if name != "action_checkbox" and not is_secret(changelist.model, name)]


def _value(name: str, obj, model_admin):
    """What the list shows for one column of one row (django.contrib.admin's items_for_result, as text)."""
    empty = model_admin.get_empty_value_display()
    try:
        field, attr, value = lookup_field(name, obj, model_admin)
    except ObjectDoesNotExist:
        return None
    if name in ("pgh_diff", "pgh_data") and getattr(obj, "pgh_obj_model", None):
        value = _masked_event(obj.pgh_obj_model, value)  # a history event's values of an ID or phone field
    if isinstance(value, str) and not value.strip():
        return None
    if field is None or field.auto_created:
        boolean = getattr(attr, "boolean", False)
        if isinstance(attr, property) and hasattr(attr, "fget"):
            boolean = getattr(attr.fget, "boolean", False)
        if boolean:
            return None if value is None else bool(value)
        if isinstance(value, int | float | Decimal | dt.date) and not isinstance(value, bool):
            return value
        return None if value is None else plain(display_for_value(value, empty))
    kind = pii.pii_kind(field.model, field.name)
    if kind is not None:  # personal data leaves the platform masked, whoever exports it
        return pii.mask(kind, value)
    if isinstance(field.remote_field, models.ManyToOneRel):
        related = getattr(obj, field.name)
        return None if related is None else str(related)
    if value is None:
        return None
    if field.flatchoices:
        return plain(display_for_field(value, field, empty))
    if isinstance(field, models.BooleanField):
        return bool(value)
    if isinstance(value, int | float | Decimal | dt.date):
        return value
    return plain(display_for_field(value, field, empty))


def _masked_event(model_label: str, value):
    """A pghistory event's data ({field: value}) or diff ({field: [old, new]}) with personal data masked."""
    kinds = pii.pii_fields(model_label)
    if not kinds or not isinstance(value, dict):
        return value
    masked = {}
    for key, item in value.items():
        kind = kinds.get(key)
        if kind is None:
            masked[key] = item
        elif isinstance(item, list):
            masked[key] = [pii.mask(kind, part) if part is not None else None for part in item]
        else:
            masked[key] = pii.mask(kind, item) if item is not None else None
    return masked


def changelist_rows(changelist, request) -> tuple[list[str], Iterable[list]]:
    """The headers and the rows of a changelist: every row its filters, search and scope leave, in its order."""
    model_admin = changelist.model_admin
    names = export_columns(changelist)
    headers = [plain(label_for_field(name, changelist.model, model_admin)) for name in names]
    queryset = changelist.queryset

    def rows():
        for obj in queryset.iterator(chunk_size=2000):
            yield [_value(name, obj, model_admin) for name in names]

    return headers, rows()


def changelist_xlsx(model_admin, request, *, filename: str = ""):
    """The model admin's changelist for this request as an .xlsx download (or back to the list with a message)."""
    if not model_admin.has_view_or_change_permission(request):
        raise PermissionDenied
    opts = model_admin.model._meta
    back = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    query = request.GET.urlencode()
    try:
        changelist = model_admin.get_changelist_instance(request)
    except IncorrectLookupParameters:
        return HttpResponseRedirect(f"{back}?e=1")
    if changelist.result_count > MAX_ROWS:
        model_admin.message_user(
            request,
            _(
                "The list has %(count)s rows; at most %(max)s can be exported at once. Filter or search the list "
                "first, then export again."
            )
            % {"count": f"{changelist.result_count:,}", "max": f"{MAX_ROWS:,}"},
            messages.ERROR,
        )
        return HttpResponseRedirect(f"{back}?{query}" if query else back)
    headers, rows = changelist_rows(changelist, request)
    return xlsx_response(str(opts.verbose_name_plural), headers, rows, filename or opts.model_name)


# ------------------------------------------------------------------------------------------------------------------
# The admin's URL
# ------------------------------------------------------------------------------------------------------------------


def export_view(request, app_label: str, model_name: str, site=admin.site):
    model_admin = next(
        (
            candidate
            for model, candidate in site._registry.items()
            if model._meta.app_label == app_label and model._meta.model_name == model_name
        ),
        None,
    )
    if model_admin is None:
        raise Http404(_("No such list."))
    own = getattr(model_admin, "xlsx_export", None)
    if own is not None:
        return own(request)
    return changelist_xlsx(model_admin, request)


def install(site: admin.AdminSite) -> None:
    """Add /admin/export/<app>/<model>/ to `site` (once)."""
    if getattr(site, "_yeji_export_installed", False):
        return
    site_urls = site.get_urls

    def get_urls():
        view = site.admin_view(lambda request, app_label, model_name: export_view(request, app_label, model_name, site))
        return [path("export/<slug:app_label>/<slug:model_name>/", view, name=URL_NAME), *site_urls()]

    site.get_urls = get_urls
    site._yeji_export_installed = True
