"""更正申请 (J7): the provincial office's own queue of correction requests — the record, the changes as a diff
(personal data masked), the firm's reason and evidence — and the decision: accept, or refuse with a reason (J9: the
deciding staff's real name and department are recorded). The admin is an adapter of review.corrections."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.errors import DomainError
from projects import versions

from ..corrections import accept_correction, may_decide_correction, refuse_correction
from ..models import CorrectionRequest, CorrectionStatus


@admin.register(CorrectionRequest)
class CorrectionRequestAdmin(admin.ModelAdmin):
    change_form_template = "admin/review/correctionrequest/decide.html"
    # mail_status: the decision's notice mailed to the firm (review.notices), as the transition log shows it
    list_display = ["prj_name", "enterprise", "status", "filed_at", "decider_name", "decided_at", "mail_status"]
    list_filter = ["status"]
    search_fields = ["record__project__prj_name", "record__project__prj_num", "record__enterprise__name"]
    list_select_related = ["record__project", "record__enterprise"]
    ordering = ["-filed_at", "-id"]

    @admin.display(description=gettext_lazy("project name"), ordering="record__project__prj_name")
    def prj_name(self, obj: CorrectionRequest) -> str:
        return obj.record.project.prj_name

    @admin.display(description=gettext_lazy("enterprise"), ordering="record__enterprise__name")
    def enterprise(self, obj: CorrectionRequest) -> str:
        return obj.record.enterprise.name

    def get_queryset(self, request):
        return CorrectionRequest.visible_to(request.user, super().get_queryset(request))

    def get_ordering(self, request):
        """Pending requests first, oldest first among them; then the decided ones, newest first."""
        from django.db.models import Case, IntegerField, Value, When

        return [
            Case(When(status=CorrectionStatus.PENDING, then=Value(0)), default=Value(1), output_field=IntegerField()),
            "-filed_at",
        ]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/accept/", view(self.accept_view), name="review_correctionrequest_accept"),
            path("<int:pk>/refuse/", view(self.refuse_view), name="review_correctionrequest_refuse"),
            *super().get_urls(),
        ]

    def _request_or_404(self, request, pk) -> CorrectionRequest:
        obj = (
            self.get_queryset(request)
            .select_related("record__project__county", "record__enterprise", "version")
            .filter(pk=pk)
            .first()
        )
        if obj is None:
            raise Http404
        return obj

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        if not str(object_id).isdigit():
            raise Http404
        obj = self._request_or_404(request, int(object_id))
        return self._page(request, obj)

    def _page(self, request, obj: CorrectionRequest, *, error: str = "", reason: str = "", status: int = 200):
        record = obj.record
        decidable = obj.status == CorrectionStatus.PENDING and may_decide_correction(request.user, record)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Correction request"),
            "original": obj,
            "correction": obj,
            "record": record,
            "record_url": reverse("admin:projects_record_change", args=[record.pk]),
            "changes": versions.change_rows(obj.changes),
            "evidence": list(obj.evidence.all()),
            "decidable": decidable and self.has_change_permission(request, obj),
            "accept_url": reverse("admin:review_correctionrequest_accept", args=[obj.pk]),
            "refuse_url": reverse("admin:review_correctionrequest_refuse", args=[obj.pk]),
            "error": error,
            "reason": reason,
            "version_changes": versions.change_rows(obj.version.changes) if obj.version_id else [],
        }
        return TemplateResponse(request, self.change_form_template, context, status=status)

    def _decide(self, request, pk: int, decide):
        if not self.has_change_permission(request):
            raise PermissionDenied
        obj = self._request_or_404(request, pk)
        try:
            decide(obj)
        except DomainError as exc:
            status = 409 if exc.code in ("busy", "already_decided") else 400
            reason = request.POST.get("reason", "")[:2000]
            return self._page(request, obj, error=str(exc.message), reason=reason, status=status)
        return HttpResponseRedirect(reverse("admin:review_correctionrequest_change", args=[obj.pk]))

    @staticmethod
    def _done(request, text: str) -> None:
        messages.success(request, text)

    def accept_view(self, request, pk: int):
        if request.method != "POST":
            return HttpResponseRedirect(reverse("admin:review_correctionrequest_change", args=[pk]))

        def decide(obj):
            accept_correction(request_id=obj.pk, user=request.user)
            self._done(
                request,
                _("The correction was accepted: the record's new version is published and will be pushed again."),
            )

        return self._decide(request, pk, decide)

    def refuse_view(self, request, pk: int):
        if request.method != "POST":
            return HttpResponseRedirect(reverse("admin:review_correctionrequest_change", args=[pk]))

        def decide(obj):
            refuse_correction(request_id=obj.pk, user=request.user, reason=request.POST.get("reason", "")[:2000])
            self._done(request, _("The correction was refused; the enterprise reads your reason."))

        return self._decide(request, pk, decide)
