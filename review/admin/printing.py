"""打印 for officials (issue 12 item 5): /admin/review/records/<id>/print/ ("admin:review_record_print"), the record
as a PDF (review.printing), for any record the official may see (Record.visible_to; 404 otherwise). Every record
page of the admin links it (a panel, projects.admin.panels): the records' page and the review queue's decision page.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from projects.admin.panels import register_record_panel
from projects.models import Record

from .pages import install_pages

PRINT = "review_record_print"


@require_safe
def print_view(request, pk: int) -> HttpResponse:
    from ..printing import pdf_response, printable  # review.printing reads admin.record_page: imported on use

    return pdf_response(printable(Record.visible_to(request.user), pk))


@register_record_panel
def print_panel(record: Record) -> dict:
    """The link to the PDF on the record's admin pages."""
    published = record.is_published
    text = (
        _("The published record with its verification code.")
        if published
        else _("Not published: printed marked “not reviewed — for checking only”.")
    )
    return {
        "id": "record-print",
        "title": _("Print"),
        "text": text,
        "tone": "info",
        "link_url": reverse(f"admin:{PRINT}", args=[record.pk]),
        "link_text": _("Print (PDF)"),
    }


def install(site: admin.AdminSite) -> None:
    def urls():
        return [path("review/records/<int:pk>/print/", site.admin_view(print_view), name=PRINT)]

    install_pages(site, "print", urls, lambda request: None)


install(admin.site)
