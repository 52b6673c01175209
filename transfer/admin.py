"""导入任务 in the admin (issue 13 item 5): the list of jobs (ImportJob.visible_to), a start page per importer (file +
mode, the template beside it), the job's page with its progress bar and problems, and the files it leaves.

URLs (config/access.py names them; `jobs.may_import` and `visible_to` decide inside):
- /admin/transfer/importjob/ — the jobs, running ones included, with each importer's start, template and export;
- /admin/transfer/importjob/start/<key>/ — choose a file and a mode; POST stores it and queues the job;
- /admin/transfer/importjob/template/<key>/ and …/export/<key>/ — the template, and the data as the template's XLSX;
- /admin/transfer/importjob/<id>/change/ — the job's page: progress (rows done / total, problems, time left), refreshed
  by static/transfer/import_job.js from …/<id>/progress/ (JSON), or by a <noscript> refresh; the first 500 problems;
- /admin/transfer/importjob/<id>/report/ and …/<id>/errors/ — 问题清单 and the error file of the refused rows.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.errors import DomainError
from accounts.models import Role

from . import jobs, views
from .models import ImportJob, JobMode, JobStatus
from .workbooks import XLSX_CONTENT_TYPE, export_workbook, template_workbook

OPTS = ImportJob._meta
NAME = f"{OPTS.app_label}_{OPTS.model_name}"


class StartForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("An Excel workbook (.xlsx) from the template, or a CSV file in UTF-8 or GBK."),
    )
    mode = forms.ChoiceField(
        label=gettext_lazy("How to import"),
        choices=JobMode.choices,
        initial=JobMode.CHECK,
        widget=forms.RadioSelect,
    )


def _download(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ["created_at", "importer_name", "original_name", "mode", "status", "progress", "errors", "result"]
    list_display_links = ["created_at", "original_name"]
    list_filter = ["status", "mode", "importer"]
    search_fields = ["original_name"]
    list_per_page = 50
    change_list_template = "admin/transfer/importjob/change_list.html"

    # --- who may do what: importing is provincial work (jobs.may_import); jobs are seen as visible_to says ---

    def _may_see_jobs(self, request) -> bool:
        # an enterprise clerk's jobs are on the portal's 批量导入 pages, never in the admin
        if getattr(request.user, "role", None) == Role.ENTERPRISE and not request.user.is_superuser:
            return False
        return request.user.is_superuser or bool(jobs.importers_for(request.user))

    def has_module_permission(self, request) -> bool:
        return self._may_see_jobs(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._may_see_jobs(request)

    def has_add_permission(self, request) -> bool:
        return False  # a job is started from an importer's start page

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("created_by")

    # --- the list ---

    @admin.display(description=gettext_lazy("import"))
    def importer_name(self, job: ImportJob) -> str:
        return job.importer_label

    @admin.display(description=gettext_lazy("progress"))
    def progress(self, job: ImportJob) -> str:
        if job.status == JobStatus.RUNNING:
            return f"{job.done} / {job.total} ({job.percent}%)"
        return f"{job.done} / {job.total}"

    @admin.display(description=gettext_lazy("result"))
    def result(self, job: ImportJob) -> str:
        return job.message[:120]

    def changelist_view(self, request, extra_context=None):
        user = request.user
        importers = [
            {
                "key": found.key,
                "label": found.label,
                "start_url": reverse(f"admin:{NAME}_start", args=[found.key]),
                "template_url": reverse(f"admin:{NAME}_template", args=[found.key]),
                "export_url": reverse(f"admin:{NAME}_export", args=[found.key])
                if hasattr(found, "export_rows")
                else "",
            }
            for found in jobs.importers_for(user)
        ]
        running = self.get_queryset(request).filter(status__in=[JobStatus.QUEUED, JobStatus.RUNNING]).count()
        extra = {"importers": importers, "running_jobs": running, **(extra_context or {})}
        return super().changelist_view(request, extra_context=extra)

    # --- pages of their own ---

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("start/<str:key>/", wrap(self.start_view), name=f"{NAME}_start"),
            path("template/<str:key>/", wrap(self.template_view), name=f"{NAME}_template"),
            path("export/<str:key>/", wrap(self.export_view), name=f"{NAME}_export"),
            path("<int:job_id>/progress/", wrap(self.progress_view), name=f"{NAME}_progress"),
            path("<int:job_id>/report/", wrap(self.report_view), name=f"{NAME}_report"),
            path("<int:job_id>/errors/", wrap(self.errors_view), name=f"{NAME}_errors"),
            path("<int:job_id>/requeue/", wrap(self.requeue_view), name=f"{NAME}_requeue"),
            *super().get_urls(),
        ]

    def _importer(self, request, key):
        try:
            return jobs.importer_for(request.user, key)
        except DomainError as error:
            if error.code == "no_importer":
                raise Http404(str(error)) from None
            raise PermissionDenied(str(error)) from None

    def _job(self, request, job_id) -> ImportJob:
        # get_object: the scoped get_queryset (visible_to), and None for an id that is not a number (not a 500)
        job = self.get_object(request, str(job_id))
        if job is None:
            raise Http404(_("No such import job."))
        return job

    def start_view(self, request, key):
        found = self._importer(request, key)
        form = StartForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                job = jobs.start_import(
                    user=request.user,
                    key=key,
                    uploaded_file=form.cleaned_data["file"],
                    mode=form.cleaned_data["mode"],
                )
            except DomainError as error:
                form.add_error("file", str(error))
            else:
                messages.success(
                    request,
                    _("The file “%(name)s” is queued; you may leave this page and come back from 导入任务.")
                    % {"name": job.original_name},
                )
                return redirect(reverse(f"admin:{NAME}_change", args=[job.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": OPTS,
            "title": _("Import: %(label)s") % {"label": found.label},
            "importer": found,
            "form": form,
            "template_url": reverse(f"admin:{NAME}_template", args=[key]),
            "changelist_url": reverse(f"admin:{NAME}_changelist"),
            "max_mb": jobs.limit("IMPORT_MAX_BYTES") // (1024 * 1024),
        }
        return TemplateResponse(request, "admin/transfer/importjob/start.html", context)

    def template_view(self, request, key):
        found = self._importer(request, key)
        return _download(template_workbook(found), f"{found.label}-导入模板.xlsx")

    def export_view(self, request, key):
        found = self._importer(request, key)
        if not hasattr(found, "export_rows"):
            raise Http404(_("This import has no export."))
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        return _download(export_workbook(found, request.user), f"{found.label}-{stamp}.xlsx")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        job = self._job(request, unquote(object_id))
        context = {
            **self.admin_site.each_context(request),
            "opts": OPTS,
            "title": _("Import job: %(name)s") % {"name": job.original_name},
            **views.page_context(job, lambda name: reverse(f"admin:{NAME}_{name}", args=[job.pk])),
            "changelist_url": reverse(f"admin:{NAME}_changelist"),
            "start_url": reverse(f"admin:{NAME}_start", args=[job.importer])
            if job.importer in {i.key for i in jobs.importers_for(request.user)}
            else "",
        }
        return TemplateResponse(request, "admin/transfer/importjob/job.html", context)

    def progress_view(self, request, job_id):
        job = self._job(request, job_id)
        return JsonResponse(jobs.progress_of(job), json_dumps_params={"ensure_ascii": False})

    def report_view(self, request, job_id):
        return views.job_file(self._job(request, job_id), "report")

    def errors_view(self, request, job_id):
        return views.job_file(self._job(request, job_id), "errors")

    def requeue_view(self, request, job_id):
        job = self._job(request, job_id)
        if request.method != "POST":
            return redirect(reverse(f"admin:{NAME}_change", args=[job.pk]))
        if views.requeue(job):
            messages.info(request, _("The job is queued again."))
        return redirect(reverse(f"admin:{NAME}_change", args=[job.pk]))

    def history_view(self, request, object_id, extra_context=None):
        raise Http404

    def delete_view(self, request, object_id, extra_context=None):
        raise PermissionDenied
