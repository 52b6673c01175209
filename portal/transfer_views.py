"""导出 and 批量导入 of 我的业绩 (issue 13): the firm's records to Excel or to CSV (GBK, for old Excel) as the list's
filters show them, and the records import for the firm's clerk — the template, the upload with its mode, the job's
page with its progress, problems and files. Adapters: parse, call transfer's services (record_exports, jobs),
render. The import writes drafts of the clerk's own enterprise only (transfer.records); its jobs are the clerk's own
(ImportJob.visible_to)."""

from __future__ import annotations

from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.errors import DomainError
from projects.selectors import enterprise_refusal
from transfer import jobs, views
from transfer import record_exports as exports
from transfer import record_rows as rr
from transfer.models import JobMode
from transfer.records import records_importer
from transfer.workbooks import XLSX_CONTENT_TYPE, template_workbook

from . import selectors
from .forms import ListFilterForm

JOBS_LISTED = 20


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    response["Cache-Control"] = "private, no-store"
    return response


def _stamp() -> str:
    return timezone.localtime().strftime("%Y%m%d-%H%M")


# --------------------------------------------------------------------------------------------------------------
# 导出: what the list's filters show
# --------------------------------------------------------------------------------------------------------------


@require_GET
def records_export(request, fmt: str):
    """The list's records (its status, year and name filters, from the query string) with every stage and part:
    `xlsx`, or `csv` — a ZIP of one GBK CSV per sheet, which old Excel opens as it is."""
    if fmt not in ("xlsx", "csv"):
        raise Http404
    user = request.user
    form = ListFilterForm(request.GET or None, years=selectors.list_summary(user).years)
    filters = form.cleaned_data if form.is_valid() else {}
    records = selectors.records_for_export(
        user, status=filters.get("status") or "", year=filters.get("year"), q=filters.get("q") or ""
    )
    name = _("My records")
    if fmt == "xlsx":
        return _attachment(exports.export_xlsx(records), f"{name}-{_stamp()}.xlsx")
    try:
        response = exports.export_csv(records, "gbk")
    except rr.ExportEncodingError as exc:
        messages.error(
            request,
            _("The CSV (GBK) file was not made: %(reason)s The Excel export holds every character.") % {"reason": exc},
        )
        query = request.GET.urlencode()
        return redirect(reverse("portal:records") + (f"?{query}" if query else ""))
    return _attachment(response, f"{name}-CSV-GBK-{_stamp()}.zip")


# --------------------------------------------------------------------------------------------------------------
# 批量导入
# --------------------------------------------------------------------------------------------------------------


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy(
            "The Excel workbook (.xlsx) of the template or of 导出 Excel, or the ZIP of CSV files of 导出 CSV; "
            "CSV in UTF-8 or GBK."
        ),
        error_messages={
            "required": gettext_lazy("Choose a file to import."),
            "empty": gettext_lazy("The file is empty."),
        },
    )
    mode = forms.ChoiceField(
        label=gettext_lazy("How to import"),
        choices=JobMode.choices,
        initial=JobMode.CHECK,
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("Choose how to import: check only, all or nothing, or the correct rows.")
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def imports(request):
    """The template, the upload with its mode (POST starts the job and opens its page) and the clerk's jobs."""
    user = request.user
    refusal = enterprise_refusal(user.enterprise)  # a deregistered enterprise changes nothing (said on every page)
    form = ImportForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if refusal:
            return render(request, "portal/forbidden.html", {"message": refusal}, status=403)
        if form.is_valid():
            try:
                job = jobs.start_import(
                    user=user,
                    key=records_importer.key,
                    uploaded_file=form.cleaned_data["file"],
                    mode=form.cleaned_data["mode"],
                )
            except DomainError as exc:
                form.add_error("file", str(exc.message))
            else:
                messages.success(
                    request,
                    _("The file “%(name)s” is queued; you may leave this page and come back from 批量导入.")
                    % {"name": job.original_name},
                )
                return redirect("portal:import_job", pk=job.pk)
        status = 400
    context = {
        "nav": "imports",
        "form": form,
        "refusal": refusal,
        "jobs": list(selectors.import_jobs(user)[:JOBS_LISTED]),
        "max_mb": jobs.limit("IMPORT_MAX_BYTES") // (1024 * 1024),
        "sheets": [lay.name for lay in rr.layouts()],
    }
    return render(request, "portal/imports.html", context, status=status)


@require_GET
def import_template(request):
    """The records import's template: its sheets, the red-star columns marked, each column's hint."""
    response = HttpResponse(template_workbook(records_importer), content_type=XLSX_CONTENT_TYPE)
    return _attachment(response, f"{records_importer.label}-导入模板.xlsx")


@never_cache
@require_GET
def import_job(request, pk: int):
    """The job's page: progress (refreshed by static/transfer/import_job.js from its JSON, or by a <noscript>
    refresh), then its result, its problems by sheet, row and column, and its files."""
    job = selectors.import_job_for(request.user, pk)
    context = {
        "nav": "imports",
        **views.page_context(job, lambda name: reverse(f"portal:import_job_{name}", args=[job.pk])),
    }
    return render(request, "portal/import_job.html", context)


@never_cache
@require_GET
def import_job_progress(request, pk: int):
    job = selectors.import_job_for(request.user, pk)
    return JsonResponse(jobs.progress_of(job), json_dumps_params={"ensure_ascii": False})


@require_GET
def import_job_report(request, pk: int):
    return views.job_file(selectors.import_job_for(request.user, pk), "report")


@require_GET
def import_job_errors(request, pk: int):
    return views.job_file(selectors.import_job_for(request.user, pk), "errors")


@require_POST
def import_job_requeue(request, pk: int):
    job = selectors.import_job_for(request.user, pk)
    if views.requeue(job):
        messages.info(request, _("The job is queued again."))
    return redirect("portal:import_job", pk=job.pk)
