"""The review queue (审核队列, issue 5 item 4): the records waiting for a decision in the official's jurisdiction,
oldest deadline first, with the working days left; each record's page read-only with every section of the record
(`record_page`), its attachments, its rule-check report and history, and the buttons that approve or reject it —
or why this official cannot (J9, P2) — and the link that marks it as fraud (G10); approve in bulk from the list;
the queue as an Excel file.

The admin is an adapter: `review.selectors.queue_for` scopes, `review.services` decides and says why not; the page
asks the services' own rules (J9, who may mark fraud) rather than repeating them.
"""

from __future__ import annotations

import datetime as dt
import threading
from io import BytesIO

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST
from openpyxl import Workbook

from accounts.errors import DomainError
from grading.checks import check_record
from projects.admin.common import HistoryMixin, TrackListFilter
from projects.admin.panels import record_panels

from ..models import ReviewQueueItem
from ..selectors import WorkingDaysLeft, cities_for, decidable_by, queue_for
from ..services import approve_record, check_real_name, may_mark_fraud, reject_record
from ..workdays import SHANGHAI, end_of_day
from .record_page import RECORD_PAGE_PREFETCH, RECORD_PAGE_RELATED, record_attachments, record_sections

#: The working-day counter of the changelist being rendered (one per request thread): every row's days are counted
#: with one calendar, so the list runs a bounded number of queries.
_page = threading.local()


class CityFilter(admin.SimpleListFilter):
    title = gettext_lazy("region (city)")
    parameter_name = "city"

    def lookups(self, request, model_admin):
        return [(city.code, city.name) for city in cities_for(request.user)]

    def queryset(self, request, queryset):
        value = self.value()
        if value and len(value) == 6 and value.isdigit():
            return queryset.filter(project__county__code__startswith=value[:4])
        return queryset


class DeadlineFilter(admin.SimpleListFilter):
    title = gettext_lazy("deadline")
    parameter_name = "due"

    def lookups(self, request, model_admin):
        return [("overdue", gettext_lazy("overdue")), ("today", gettext_lazy("due today"))]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "overdue":
            return queryset.filter(review_deadline__lt=now)
        if self.value() == "today":
            return queryset.filter(
                review_deadline__gte=now, review_deadline__lte=end_of_day(now.astimezone(SHANGHAI).date())
            )
        return queryset


class RejectForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


#: The queue's columns, in the list and in the Excel file.
COLUMNS = [
    "prj_name",
    "prj_num",
    "enterprise",
    "status",
    "responsible_authority",
    "review_deadline",
    "days_left",
    "campaign",
    "track",
]


@admin.register(ReviewQueueItem)
class ReviewQueueAdmin(HistoryMixin, admin.ModelAdmin):
    list_display = COLUMNS
    list_display_links = ["prj_name", "prj_num"]
    list_filter = ["status", CityFilter, "campaign", ("track", TrackListFilter), DeadlineFilter]
    search_fields = ["project__prj_name", "project__prj_num", "enterprise__name", "enterprise__credit_code"]
    list_select_related = ["enterprise", "project", "campaign", "track__campaign", "responsible_authority"]
    actions = ["approve_selected"]
    ordering = ["review_deadline", "pk"]  # the oldest deadline first, as queue_for
    # Django counts the unfiltered queue on every page for "(N total)", a second COUNT of the whole jurisdiction
    # (100,000 rows for provincial staff); the filtered count stays (bench queue_page)
    show_full_result_count = False
    change_form_template = "admin/review/reviewqueueitem/change_form.html"
    change_list_template = "admin/review/reviewqueueitem/change_list.html"
    fieldsets = [
        (None, {"fields": ["prj_name", "prj_num", "enterprise", "campaign", "track", "status"]}),
        (
            gettext_lazy("Review"),
            {"fields": ["responsible_authority", "reaches_national", "submitted_at", "review_deadline", "days_left"]},
        ),
        (gettext_lazy("Rule check"), {"fields": ["check_report"]}),
    ]

    # ---- scope and permissions -------------------------------------------------------------------------------

    def get_queryset(self, request):
        # __str__ names the enterprise and the project; the changelist skips list_select_related once a queryset
        # selects related rows, so select them all here.
        return queue_for(request.user).select_related(*self.list_select_related)

    def get_readonly_fields(self, request, obj=None):
        return [field for _name, options in self.fieldsets for field in options["fields"]] + ["history"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        # The record's page is read-only; "change" is the permission to decide (the buttons and the bulk action).
        return obj is None and super().has_change_permission(request)

    # ---- columns -----------------------------------------------------------------------------------------------

    @admin.display(description=gettext_lazy("project name"), ordering="project__prj_name")
    def prj_name(self, obj: ReviewQueueItem) -> str:
        return obj.project.prj_name

    @admin.display(description=gettext_lazy("project number"), ordering="project__prj_num")
    def prj_num(self, obj: ReviewQueueItem) -> str:
        return obj.project.prj_num

    @admin.display(description=gettext_lazy("working days left"), ordering="review_deadline")
    def days_left(self, obj: ReviewQueueItem) -> str:
        counter = getattr(_page, "counter", None) or WorkingDaysLeft()
        left = counter(obj.review_deadline)
        if left is None:
            return "—"
        if left.overdue:
            text = _("overdue")
        elif left.days is None:
            text = _("unknown calendar")
        else:
            text = str(left.days)
        if left.urgent:
            return format_html('<strong style="color: #ba2121">{}</strong>', text)
        return text

    @admin.display(description=gettext_lazy("rule check"))
    def check_report(self, obj: ReviewQueueItem) -> str:
        problems = _problems(obj)
        if not problems:
            return _("No problem found.")
        return format_html(
            "<ul>{}</ul>",
            format_html_join("", "<li>{} <code>{}</code>: {}</li>", ((p.rule, p.path, p.message) for p in problems)),
        )

    def changelist_view(self, request, extra_context=None):
        _page.counter = WorkingDaysLeft()
        try:
            response = super().changelist_view(request, extra_context)
            if hasattr(response, "render"):
                response.render()  # the rows are rendered while the page's counter is set
            return response
        finally:
            _page.counter = None

    # ---- the record's page ----------------------------------------------------------------------------------

    def get_object(self, request, object_id, from_field=None):
        """The record with every stage and row its page shows, in a fixed number of queries; loaded once per
        request (the change view, its form and the rule check share it)."""
        cache = request.__dict__.setdefault("_review_queue_objects", {})
        key = (str(object_id), from_field)
        if key not in cache:
            queryset = self.get_queryset(request).select_related(*RECORD_PAGE_RELATED)
            field = self.opts.pk if from_field is None else self.opts.get_field(from_field)
            try:
                obj = queryset.prefetch_related(*RECORD_PAGE_PREFETCH).get(**{field.name: field.to_python(object_id)})
            except (ReviewQueueItem.DoesNotExist, ValidationError, ValueError):
                obj = None
            else:
                obj._grading_loaded = True  # grading.checks.load_record: everything it reads is loaded above
            cache[key] = obj
        return cache[key]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        extra_context = dict(extra_context or {})
        if obj is not None:
            problems = _problems(obj)
            extra_context.update(
                record_sections=record_sections(obj, problems),
                record_attachments=record_attachments(obj, problems),
                record_panels=record_panels(obj),
                **self._decision_context(request, obj),
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def _decision_context(self, request, obj: ReviewQueueItem) -> dict:
        """The buttons, or why this official sees none: not the deciding authority (P2), or J9 not met (the
        service's own check and words); and the link that marks the record as fraud (G10) for those who may."""
        user = request.user
        if not (super().has_change_permission(request) and decidable_by(user, obj)):
            return {"decision_note": _not_decider_note(user, obj)}
        try:
            check_real_name(user)
        except DomainError as error:
            return {"decision_blocked": str(error), "fix_account_url": _own_account_url(user)}
        info = self.opts.app_label, self.opts.model_name
        context = {
            "approve_url": reverse("admin:{}_{}_approve".format(*info), args=[obj.pk]),
            "reject_url": reverse("admin:{}_{}_reject".format(*info), args=[obj.pk]),
            "reject_form": RejectForm(),
        }
        if may_mark_fraud(user, obj):
            context["fraud_url"] = mark_fraud_url(obj.pk)
        return context

    # ---- decisions ---------------------------------------------------------------------------------------------

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        wrap = self.admin_site.admin_view
        approve, reject = require_POST(self.approve_view), require_POST(self.reject_view)
        return [
            path("export/", wrap(self.export_view), name="{}_{}_export".format(*info)),
            path("<path:object_id>/approve/", wrap(approve), name="{}_{}_approve".format(*info)),
            path("<path:object_id>/reject/", wrap(reject), name="{}_{}_reject".format(*info)),
            *super().get_urls(),
        ]

    def _decide(self, request, object_id, decide) -> HttpResponse:
        if not self.has_change_permission(request):
            raise PermissionDenied
        obj = get_object_or_404(self.get_queryset(request), pk=object_id)
        info = self.opts.app_label, self.opts.model_name
        try:
            decide(obj)
        except DomainError as error:
            self.message_user(request, str(error), messages.ERROR)
            return HttpResponseRedirect(reverse("admin:{}_{}_change".format(*info), args=[obj.pk]))
        return HttpResponseRedirect(reverse("admin:{}_{}_changelist".format(*info)))

    def approve_view(self, request, object_id):
        def decide(obj):
            approve_record(record_id=obj.pk, user=request.user)
            self.message_user(request, _("%(record)s: approved.") % {"record": obj}, messages.SUCCESS)

        return self._decide(request, object_id, decide)

    def reject_view(self, request, object_id):
        def decide(obj):
            form = RejectForm(request.POST)
            reason = form.cleaned_data["reason"] if form.is_valid() else ""
            reject_record(record_id=obj.pk, user=request.user, reason=reason)
            self.message_user(request, _("%(record)s: rejected.") % {"record": obj}, messages.SUCCESS)

        return self._decide(request, object_id, decide)

    @admin.action(description=gettext_lazy("Approve the selected records"), permissions=["change"])
    def approve_selected(self, request, queryset):
        approved = 0
        for pk, label in [(obj.pk, str(obj)) for obj in queryset]:
            try:
                approve_record(record_id=pk, user=request.user)
            except DomainError as error:
                self.message_user(request, f"{label}: {error}", messages.ERROR)
            else:
                approved += 1
        if approved:
            text = ngettext("%(count)s record approved.", "%(count)s records approved.", approved)
            self.message_user(request, text % {"count": approved}, messages.SUCCESS)

    # ---- export ------------------------------------------------------------------------------------------------

    def export_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        changelist = self.get_changelist_instance(request)
        rows = changelist.get_queryset(request)
        counter = WorkingDaysLeft()
        book = Workbook()
        sheet = book.active
        sheet.title = str(_("review queue"))[:31]
        sheet.append(
            [
                _("project name"),
                _("project number"),
                _("enterprise"),
                _("status"),
                _("responsible authority"),
                _("review deadline"),
                _("working days left"),
                _("campaign"),
                _("track"),
            ]
        )
        for obj in rows:
            left = counter(obj.review_deadline)
            deadline = obj.review_deadline.astimezone(SHANGHAI).replace(tzinfo=None) if obj.review_deadline else None
            sheet.append(
                [
                    obj.project.prj_name,
                    obj.project.prj_num,
                    obj.enterprise.name,
                    str(obj.get_status_display()),
                    obj.responsible_authority.name if obj.responsible_authority_id else "",
                    deadline,
                    _days_text(left),
                    str(obj.campaign),
                    str(obj.track) if obj.track_id else "",
                ]
            )
        buffer = BytesIO()
        book.save(buffer)
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        stamp = dt.datetime.now(SHANGHAI).strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="review-queue-{stamp}.xlsx"'
        return response


def _problems(obj: ReviewQueueItem) -> list:
    """The rule check of the record, computed once per page (the report and the sections show it)."""
    if not hasattr(obj, "_check_problems"):
        obj._check_problems = check_record(obj if getattr(obj, "_grading_loaded", False) else obj.pk)
    return obj._check_problems


def mark_fraud_url(record_id: int) -> str:
    """The credit admin's page that marks the record as fraud (G10), or "" while that page is not installed."""
    try:
        return reverse("admin:review_creditentry_add") + f"?record={record_id}"
    except NoReverseMatch:
        return ""


def _own_account_url(user) -> str:
    """The admin page of the user's own account, when the user may change it there (else an administrator must)."""
    if not user.has_perm("accounts.change_user"):
        return ""
    try:
        return reverse("admin:accounts_user_change", args=[user.pk])
    except NoReverseMatch:
        return ""


def _not_decider_note(user, obj: ReviewQueueItem) -> str:
    """Why the page offers no decision to an official who reads the record (P2)."""
    authority = obj.responsible_authority
    if authority is not None and getattr(user, "authority_id", None) != authority.pk:
        return _(
            "%(authority)s, the record's responsible authority, decides it (P2). You can read the record here "
            "but not approve or reject it."
        ) % {"authority": authority.name}
    return _("Only the reviewers of the record's responsible authority and provincial staff decide records.")


def _days_text(left) -> str | int:
    if left is None:
        return ""
    if left.overdue:
        return _("overdue")
    return _("unknown calendar") if left.days is None else left.days
