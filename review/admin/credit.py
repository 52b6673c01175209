"""The credit file (诚信档案, G10): the entries officials may read, and the form that rejects a record for fraud
(弄虚作假).

The list and each entry are read-only: an entry is written only by `review.services.mark_fraud`, together with the
record's transition. "Mark as fraud" is this admin's add page, opened from a record as
`reverse("admin:review_creditentry_add") + "?record=<record id>"`: it shows the record, takes the facts and a
confirmation, calls the service and opens the new entry (or shows the service's refusal, keeping the typed facts).
`review.selectors.credit_entries_visible_to` scopes the list; the service decides who may mark a record.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import csrf_protect_m
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.errors import DomainError
from projects.models import Record, RecordStatus
from projects.selectors import records_visible_to

from ..models import CreditEntry
from ..selectors import credit_entries_visible_to
from ..services import FRAUD_SOURCES, mark_fraud

#: The length of the facts shown in the list.
FACTS_EXCERPT = 60
#: At most this many records answer the add page's search.
SEARCH_LIMIT = 20


class MarkFraudForm(forms.Form):
    """The facts of the fraud and the official's confirmation; the service checks the rest (who, J9, the state)."""

    facts = forms.CharField(
        label=gettext_lazy("facts"),
        required=False,  # the service says what is missing, in the words the enterprise's clerk also reads
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8, "cols": 90}),
        help_text=gettext_lazy(
            "What was found false, and how it was established. The enterprise reads this in its credit file."
        ),
    )
    confirm = forms.BooleanField(
        label=gettext_lazy(
            "I confirm: the record is rejected for fraud and locked for good, and these facts enter the enterprise's "
            "credit file."
        ),
        error_messages={"required": gettext_lazy("Tick the confirmation to record the fraud.")},
    )


@admin.register(CreditEntry)
class CreditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "enterprise", "record_column", "facts_excerpt", "recorder", "recorder_authority"]
    list_display_links = ["at"]
    list_filter = ["recorder_level"]
    search_fields = [
        "enterprise__name",
        "enterprise__credit_code",
        "record__project__prj_name",
        "record__project__prj_num",
        "facts",
        "recorder_name",
    ]
    date_hierarchy = "at"
    list_select_related = ["enterprise", "record__project", "record__enterprise"]
    ordering = ["-at", "-id"]
    fields = [
        "enterprise",
        "record_link",
        "facts",
        "at",
        "recorder_name",
        "recorder_department",
        "recorder_authority",
        "recorder_level",
        "transition_link",
    ]
    readonly_fields = fields
    mark_fraud_template = "admin/review/creditentry/mark_fraud.html"

    # ---- scope and permissions -------------------------------------------------------------------------------

    def get_queryset(self, request):
        # The changelist skips list_select_related once a queryset selects related rows, so select them all here.
        return credit_entries_visible_to(request.user).select_related(*self.list_select_related)

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    # ---- columns -----------------------------------------------------------------------------------------------

    @admin.display(description=gettext_lazy("record"), ordering="record__project__prj_name")
    def record_column(self, obj: CreditEntry) -> str:
        project = obj.record.project
        return format_html("{}<br><code>{}</code>", project.prj_name, project.prj_num)

    @admin.display(description=gettext_lazy("facts"))
    def facts_excerpt(self, obj: CreditEntry) -> str:
        return Truncator(obj.facts).chars(FACTS_EXCERPT)

    @admin.display(description=gettext_lazy("recorded by"), ordering="recorder_name")
    def recorder(self, obj: CreditEntry) -> str:
        return " · ".join(part for part in (obj.recorder_name, obj.recorder_department) if part)

    @admin.display(description=gettext_lazy("record"))
    def record_link(self, obj: CreditEntry) -> str:
        url = reverse("admin:projects_record_change", args=[obj.record_id])
        return format_html(
            '<a href="{}">{}</a> <code>{}</code> ({})',
            url,
            obj.record.project.prj_name,
            obj.record.project.prj_num,
            obj.record.get_status_display(),
        )

    @admin.display(description=gettext_lazy("record transition"))
    def transition_link(self, obj: CreditEntry) -> str:
        url = reverse("admin:review_recordtransition_change", args=[obj.transition_id])
        return format_html('<a href="{}">{}</a>', url, obj.transition)

    # ---- mark as fraud: the add page -----------------------------------------------------------------------------

    def _record_of(self, request) -> tuple[Record | None, bool]:
        """The record named by `?record=` among those the official may see, and whether one was named at all."""
        raw = request.GET.get("record", "")
        if not raw:
            return None, False
        if not raw.isdigit():
            return None, True
        record = (
            records_visible_to(request.user)
            .select_related("project", "enterprise", "responsible_authority")
            .filter(pk=int(raw))
            .first()
        )
        return record, True

    def _candidates(self, request, query: str) -> list[Record]:
        """The records the add page's search finds (by project number or name) that may still be marked."""
        if not query:
            return []
        return list(
            records_visible_to(request.user)
            .filter(status__in=FRAUD_SOURCES)
            .filter(Q(project__prj_num=query) | Q(project__prj_name__icontains=query))
            .select_related("project", "enterprise")
            .order_by("project__prj_num", "pk")[:SEARCH_LIMIT]
        )

    @csrf_protect_m
    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        record, named = self._record_of(request)
        form = MarkFraudForm(request.POST or None)
        status = 200 if record is not None or not named else 404
        if request.method == "POST" and record is not None:
            if form.is_valid():
                try:
                    entry = mark_fraud(record_id=record.pk, user=request.user, facts=form.cleaned_data["facts"])
                except DomainError as error:
                    form.add_error("facts" if error.field == "facts" else None, str(error))
                else:
                    self.message_user(
                        request,
                        _("%(record)s: rejected for fraud; the facts are in the enterprise's credit file.")
                        % {"record": record},
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(reverse("admin:review_creditentry_change", args=[entry.pk]))
            status = 400
        query = request.GET.get("q", "").strip()[:100]
        existing = None
        if record is not None and record.status == RecordStatus.FRAUD:
            existing = credit_entries_visible_to(request.user).filter(record=record).first()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Reject a record for fraud"),
            "record": record,
            "record_named": named,
            "existing_url": reverse("admin:review_creditentry_change", args=[existing.pk]) if existing else "",
            "record_url": reverse("admin:projects_record_change", args=[record.pk]) if record else "",
            "query": query,
            "candidates": self._candidates(request, query) if not named else [],
            "search_limit": SEARCH_LIMIT,
            "form": form,
            **(extra_context or {}),
        }
        return TemplateResponse(request, self.mark_fraud_template, context, status=status)
