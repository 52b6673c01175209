"""The push in the admin (provincial staff): a dashboard per campaign, every item with its tries, the batches'
calls with their request and reply, and retry / re-push with a confirmation. Nothing here writes but through
sync.services; the lists are scoped by each model's `visible_to` (accounts/admin_scope.py)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.errors import DomainError
from projects.models import Campaign

from . import services
from .models import PushAttempt, PushBatch, PushCall, PushItem, PushState
from .selectors import campaign_summary

QUERY_DETAIL = "/APi/webApi/dataservice/query/project/projectDetail?prjnum="


def national_link(prj_num: str) -> str:
    from django.conf import settings

    return f"{settings.NATIONAL_PLATFORM_URL.rstrip('/')}{QUERY_DETAIL}{prj_num}"


class _ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PushAttemptInline(_ReadOnly, admin.TabularInline):
    model = PushAttempt
    extra = 0
    fields = ["number", "started_at", "duration_ms", "outcome", "error", "rows_view", "batch_link"]
    readonly_fields = fields
    ordering = ["-number"]

    @admin.display(description=gettext_lazy("rows"))
    def rows_view(self, obj):
        return format_html_join(
            "",
            "<div>{} · {} · {} {}</div>",
            (
                (r["table"], r["row"], "✓" if r["accepted"] else "✗", r.get("national_num") or r.get("message", ""))
                for r in obj.rows
            ),
        )

    @admin.display(description=gettext_lazy("batch"))
    def batch_link(self, obj):
        url = reverse("admin:sync_pushbatch_change", args=[obj.batch_id])
        return format_html('<a href="{}">#{}</a>', url, obj.batch_id)


@admin.register(PushItem)
class PushItemAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = [
        "id",
        "project_column",
        "record__enterprise",
        "record__campaign",
        "kind",
        "record_version",
        "state",
        "tries",
        "next_attempt_at",
        "pushed_at",
        "national_num",
        "error_excerpt",
    ]
    list_filter = ["state", "kind", "record__campaign"]
    search_fields = ["record__project__prj_num", "record__project__prj_name", "record__enterprise__name"]
    list_select_related = ["record__project", "record__enterprise", "record__campaign"]
    readonly_fields = [
        "record",
        "kind",
        "record_version",
        "state",
        "tries",
        "next_attempt_at",
        "pushed_at",
        "national_num",
        "on_the_national_platform",
        "reasons_view",
        "last_error",
        "created_at",
        "updated_at",
    ]
    fields = readonly_fields
    inlines = [PushAttemptInline]
    actions = ["retry_selected", "repush_selected"]
    change_list_template = "admin/sync/pushitem/change_list.html"

    def has_change_permission(self, request, obj=None):
        # the actions need it; every field stays read-only
        return request.user.has_perm("sync.change_pushitem") and obj is None

    @admin.display(description=gettext_lazy("project"), ordering="record__project__prj_name")
    def project_column(self, obj):
        return f"{obj.record.project.prj_name}（{obj.record.project.prj_num}）"

    @admin.display(description=gettext_lazy("last error"))
    def error_excerpt(self, obj):
        text = obj.last_error or "；".join(r["message"] for r in obj.reasons if not r.get("accepted"))
        return text[:80]

    @admin.display(description=gettext_lazy("reasons"))
    def reasons_view(self, obj):
        return format_html_join("", "<div>{}：{}</div>", ((r["table"], r["message"]) for r in obj.reasons)) or "—"

    @admin.display(description=gettext_lazy("on the national platform"))
    def on_the_national_platform(self, obj):
        if obj.state != PushState.PUSHED:
            return "—"
        url = national_link(obj.record.project.prj_num)
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, url)

    def _confirm(self, request, queryset, action: str, question: str, run):
        if request.POST.get("confirmed") == "yes":
            done, refused = 0, []
            for item in queryset:
                try:
                    run(item)
                    done += 1
                except DomainError as exc:
                    refused.append(f"#{item.pk}：{exc.message}")
            if done:
                self.message_user(request, _("%(count)s items queued for the next push.") % {"count": done})
            for text in refused:
                self.message_user(request, text, messages.WARNING)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": question,
            "items": queryset,
            "action": action,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/sync/pushitem/confirm.html", context)

    @admin.action(description=gettext_lazy("Push the selected rejected or failed items again"))
    def retry_selected(self, request, queryset):
        return self._confirm(
            request,
            queryset,
            "retry_selected",
            _("Push these items again? Each is sent at the next push, from its first try."),
            lambda item: services.retry_item(item_id=item.pk, user=request.user),
        )

    @admin.action(description=gettext_lazy("Re-push the current version of the selected items' records"))
    def repush_selected(self, request, queryset):
        return self._confirm(
            request,
            queryset,
            "repush_selected",
            _("Send these records to the national platform again, as their current versions?"),
            lambda item: services.repush_record(record_id=item.record_id, user=request.user),
        )

    def get_urls(self):
        return [
            path(
                "dashboard/",
                self.admin_site.admin_view(self.dashboard_view),
                name="sync_pushitem_dashboard",
            ),
            *super().get_urls(),
        ]

    def dashboard_view(self, request):
        if not self.has_view_permission(request):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        today = timezone.localdate()
        campaigns = Campaign.visible_to(request.user).order_by("-notice_date")
        summaries = [campaign_summary(c, on=today, user=request.user) for c in campaigns]
        rows = []
        for s in summaries:
            rows.append(
                {
                    "summary": s,
                    "pushed": s.counts.get(PushState.PUSHED, 0),
                    "waiting": s.counts.get(PushState.PENDING, 0) + s.counts.get(PushState.SENDING, 0),
                    "rejected": s.counts.get(PushState.REJECTED, 0),
                    "failed": s.counts.get(PushState.FAILED, 0),
                    "withdrawn": s.counts.get(PushState.WITHDRAWN, 0),
                    "list_url": reverse("admin:sync_pushitem_changelist")
                    + f"?record__campaign__id__exact={s.campaign.pk}",
                }
            )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Push to the national platform"),
            "rows": rows,
            "today": today,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/sync/pushitem/dashboard.html", context)


class PushCallInline(_ReadOnly, admin.StackedInline):
    model = PushCall
    extra = 0
    fields = ["table", "rows", "started_at", "duration_ms", "http_status", "error", "request_view", "response_view"]
    readonly_fields = fields

    @admin.display(description=gettext_lazy("request"))
    def request_view(self, obj):
        return format_html('<pre style="white-space:pre-wrap;max-height:20em;overflow:auto">{}</pre>', obj.request)

    @admin.display(description=gettext_lazy("response"))
    def response_view(self, obj):
        return format_html('<pre style="white-space:pre-wrap;max-height:20em;overflow:auto">{}</pre>', obj.response)


@admin.register(PushBatch)
class PushBatchAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ["id", "started_at", "finished_at", "worker", "items"]
    readonly_fields = ["started_at", "finished_at", "worker", "items"]
    fields = readonly_fields
    inlines = [PushCallInline]
