"""Provincial oversight in the admin (issue 11 item 5): 补录工作进度, the progress of each campaign by city and county
and the bureaus that let records run over, on a page and as an Excel file with the same numbers.

- /admin/review/progress/ ("admin:review_progress"): the campaigns the official oversees, with their totals;
- /admin/review/progress/<id>/ ("admin:review_progress_campaign"): one campaign's page;
- /admin/review/progress/<id>/export/ ("admin:review_progress_export"): the same tables as .xlsx.

The counting is `review.oversight`; these views parse, ask it and render. Like the digest, the pages have no model:
`install` adds them to the site's URLs and a "Backfill progress" line (object name CampaignProgress) to the Review
application of the index, which config/admin_menu.py puts in provincial staff's 项目管理. Who may open them:
provincial staff and the superuser (config/access.py and `review.oversight.may_oversee`); another province's campaign
answers 404. A campaign's admin page links its progress (projects.admin.panels).
"""

from __future__ import annotations

from io import BytesIO

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from projects.admin.panels import register_campaign_link

from ..oversight import Counts, Progress, campaign_progress, campaign_totals, campaigns_for, may_oversee
from ..workdays import SHANGHAI
from .pages import index_entry, install_pages

INDEX, CAMPAIGN, EXPORT = "review_progress", "review_progress_campaign", "review_progress_export"


def columns() -> list[tuple[str, str, str]]:
    """(key, heading, what it counts) of the count columns, in Counts.KEYS order: the page's and the file's."""
    return [
        ("entered", _("Records entered"), _("every record of the campaign, drafts included")),
        ("submitted", _("Submitted for review"), _("records that reached review at least once")),
        ("in_time", _("Decided in time"), _("decided by a reviewer on or before the review deadline (G5)")),
        ("late", _("Decided after the deadline"), _("decided by a reviewer after the review deadline")),
        (
            "auto_approved",
            _("Approved by timeout"),
            _("nobody decided in time: approved by the nightly job (逾期视为审核通过, G5, P1)"),
        ),
        ("overdue_now", _("Overdue now"), _("pending with the review deadline passed at this moment (已逾期)")),
        ("not_yet_due", _("Pending, not yet due"), _("pending, the review deadline not yet passed")),
    ]


def _progress_or_404(request, campaign_id) -> Progress:
    if not may_oversee(request.user):
        raise PermissionDenied
    progress = campaign_progress(request.user, campaign_id)
    if progress is None:
        raise Http404(_("No such campaign in your province."))
    return progress


def index_view(request, site=admin.site):
    if not may_oversee(request.user):
        raise PermissionDenied
    campaigns = list(campaigns_for(request.user))
    totals = campaign_totals(request.user, campaigns)
    rows = [
        {
            "campaign": campaign,
            "counts": totals[campaign.pk],
            "url": reverse(f"admin:{CAMPAIGN}", args=[campaign.pk]),
            "export_url": reverse(f"admin:{EXPORT}", args=[campaign.pk]),
        }
        for campaign in campaigns
    ]
    context = {
        **site.each_context(request),
        "title": _("Backfill progress"),
        "rows": rows,
        "columns": columns(),
    }
    return TemplateResponse(request, "admin/review/progress_index.html", context)


def campaign_view(request, campaign_id, site=admin.site):
    progress = _progress_or_404(request, campaign_id)
    context = {
        **site.each_context(request),
        "title": _("Backfill progress: %(campaign)s") % {"campaign": progress.campaign.name},
        "progress": progress,
        "columns": columns(),
        "as_of": progress.now.astimezone(SHANGHAI),
        "index_url": reverse(f"admin:{INDEX}"),
        "export_url": reverse(f"admin:{EXPORT}", args=[progress.campaign.pk]),
        "campaign_url": reverse("admin:projects_campaign_change", args=[progress.campaign.pk]),
        "queue_url": reverse("admin:review_reviewqueueitem_changelist"),
    }
    return TemplateResponse(request, "admin/review/progress_campaign.html", context)


def export_view(request, campaign_id, site=admin.site):
    progress = _progress_or_404(request, campaign_id)
    as_of = progress.now.astimezone(SHANGHAI)
    bold = Font(bold=True)
    book = Workbook()

    sheet = book.active
    sheet.title = str(_("Progress by region"))[:31]
    sheet.append([_("Backfill progress: %(campaign)s") % {"campaign": progress.campaign.name}])
    sheet.append([_("As of %(time)s") % {"time": as_of.strftime("%Y-%m-%d %H:%M")}])
    sheet.append([_("City or prefecture"), _("County or district"), *(heading for _key, heading, _what in columns())])
    for cell in sheet[3]:
        cell.font = bold
    for city in progress.cities:
        _row(sheet, [city.name, ""], city.counts, bold)
        for county in city.counties:
            _row(sheet, [city.name, county.name], county.counts)
    _row(sheet, [_("Total"), ""], progress.total, bold)
    sheet.column_dimensions["A"].width = 18
    sheet.column_dimensions["B"].width = 18
    sheet.freeze_panes = "C4"

    bureaus = book.create_sheet(str(_("Bureaus that let records run over"))[:31])
    bureaus.append(
        [
            _("responsible authority"),
            _("Departments"),
            _("Campaign contact"),
            _("Approved by timeout"),
            _("Overdue now"),
            _("Total"),
        ]
    )
    for cell in bureaus[1]:
        cell.font = bold
    for bureau in progress.bureaus:
        bureaus.append(
            [bureau.name, bureau.departments, bureau.contact, bureau.auto_approved, bureau.overdue_now, bureau.total]
        )
    bureaus.column_dimensions["A"].width = 28
    bureaus.column_dimensions["B"].width = 20
    bureaus.column_dimensions["C"].width = 30

    buffer = BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    stamp = as_of.strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="campaign-{progress.campaign.pk}-progress-{stamp}.xlsx"'
    return response


def _row(sheet, labels: list, counts: Counts, font: Font | None = None) -> None:
    sheet.append([*labels, *counts.values()])
    if font is not None:
        for cell in sheet[sheet.max_row]:
            cell.font = font


def _app_list_entry(request) -> dict | None:
    return index_entry(_("Backfill progress"), "CampaignProgress", INDEX) if may_oversee(request.user) else None


@register_campaign_link
def _campaign_link(request, campaign) -> dict | None:
    """The campaign's admin page links its progress, for those who may read it."""
    if not may_oversee(request.user):
        return None
    return {
        "id": "campaign-progress-link",
        "url": reverse(f"admin:{CAMPAIGN}", args=[campaign.pk]),
        "text": _("Backfill progress"),
    }


def install(site: admin.AdminSite) -> None:
    """Add the progress pages and their index line to `site` (once)."""

    def urls():
        return [
            path("review/progress/", site.admin_view(lambda request: index_view(request, site)), name=INDEX),
            path(
                "review/progress/<int:campaign_id>/",
                site.admin_view(lambda request, campaign_id: campaign_view(request, campaign_id, site)),
                name=CAMPAIGN,
            ),
            path(
                "review/progress/<int:campaign_id>/export/",
                site.admin_view(lambda request, campaign_id: export_view(request, campaign_id, site)),
                name=EXPORT,
            ),
        ]

    install_pages(site, "oversight", urls, _app_list_entry)


install(admin.site)
