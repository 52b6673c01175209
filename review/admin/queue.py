"""The review queue (审核队列, issue 5 item 4): the records waiting for a decision in the official's jurisdiction,
oldest deadline first, with the working days left; each record's page read-only with every section of the record
(`record_page`), its attachments, its rule-check report and history, and the buttons that approve or reject it —
or why this official cannot (J9, P2) — and the link that marks it as fraud (G10); approve in bulk from the list;
the queue as an Excel file.

The admin is an adapter: `review.selectors.queue_for` scopes, `review.services` decides and says why not; the page
asks the services' own rules (J9, who may mark fraud) rather than repeating them.
"""

from __future__ import annotations

import threading

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from accounts import pii
from accounts.errors import DomainError
from config.admin_export import changelist_xlsx
from grading.amounts import compare_amounts
from grading.checks import check_record
from projects.admin.common import HistoryMixin, TrackListFilter
from projects.admin.panels import record_panels
from projects.models import AttachmentKind, Record

from ..models import ReviewQueueItem
from ..reasons import COMMON_REJECT_REASONS
from ..selectors import (
    WorkingDaysLeft,
    cities_for,
    decidable_by,
    decision_sentence,
    due_bands,
    queue_for,
    waiting_for,
)
from ..services import approve_record, check_real_name, may_mark_fraud, reject_record
from .fast_list import CampaignListFilter
from .history import review_log
from .record_page import (
    RECORD_PAGE_PREFETCH,
    RECORD_PAGE_RELATED,
    attachment_url,
    record_attachments,
    record_sections,
)

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
        return [
            ("overdue", gettext_lazy("overdue")),
            ("today", gettext_lazy("due today")),
            ("soon", gettext_lazy("due next working day")),
        ]

    def queryset(self, request, queryset):
        q = due_bands().q(self.value() or "")
        return queryset if q is None else queryset.filter(q)


class RejectForm(forms.Form):
    """审核不通过: common reasons to tick and/or a reason in the reviewer's words; at least one (the enterprise reads
    it). Both are optional fields so that the page, not the browser's popup, says what is missing."""

    common = forms.MultipleChoiceField(
        label=gettext_lazy("common reasons"),
        choices=COMMON_REJECT_REASONS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    reason = forms.CharField(
        label=gettext_lazy("reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("The enterprise reads this reason; say what to correct."),
    )

    def clean(self):
        data = super().clean()
        labels = dict(COMMON_REJECT_REASONS)
        parts = [str(labels[key]) for key in data.get("common") or [] if key in labels]
        text = (data.get("reason") or "").strip()
        if text:
            parts.append(text)
        if not parts:
            self.add_error(
                "reason",
                _("Give the reason for the rejection, or tick a common reason: the enterprise reads it."),
            )
        data["full_reason"] = "\n".join(parts)
        return data


#: The queue's columns: the countdown first, then what identifies the record; they fit 1366 px.
COLUMNS = [
    "days_left",
    "prj_name",
    "enterprise",
    "responsible_authority",
    "review_deadline",
    "status",
    "track",
]


@admin.register(ReviewQueueItem)
class ReviewQueueAdmin(HistoryMixin, admin.ModelAdmin):
    list_display = COLUMNS
    list_display_links = ["prj_name"]
    list_filter = ["status", CityFilter, ("campaign", CampaignListFilter), ("track", TrackListFilter), DeadlineFilter]
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
        if obj.revision_of_id is not None:  # a D record's completion (J7): reviewed like any record, said so
            return format_html(
                '{} <span class="completion-tag">{}</span><br><small class="quiet">{}</small>',
                obj.project.prj_name,
                _("D record completion"),
                obj.project.prj_num,
            )
        return format_html('{}<br><small class="quiet">{}</small>', obj.project.prj_name, obj.project.prj_num)

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
            return format_html('<strong class="days-left overdue">{}</strong>', _("overdue"))
        text = _("unknown calendar") if left.days is None else str(left.days)
        if left.urgent:
            return format_html('<strong class="days-left urgent">{}</strong>', text)
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
        extra_context = {"title": _("Completed projects' historical performance · to review"), **(extra_context or {})}
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
        if obj is None:
            return self._not_pending(request, object_id)
        extra_context = dict(extra_context or {})
        problems = _problems(obj)
        extra_context.update(
            record_sections=record_sections(obj, problems, revealed=pii.take_revealed(request)),
            record_attachments=record_attachments(obj, problems),
            record_panels=record_panels(obj),
            summary=self._summary(obj, problems),
            pii_reveal_url=reverse("admin:review_piireveal_reveal"),
            review_log=review_log(obj),
            **self._decision_context(request, obj),
        )
        return super().change_view(request, object_id, form_url, extra_context)

    def _summary(self, obj: ReviewQueueItem, problems: list) -> dict:
        """The card at the top of the record's page: what is decided on, at a glance."""
        counter = getattr(_page, "counter", None) or WorkingDaysLeft()
        return {
            "project": obj.project,
            "enterprise": obj.enterprise,
            "county": obj.project.county,
            "authority": obj.responsible_authority,
            "campaign": obj.campaign,
            "track": obj.track,
            "submitted_at": obj.submitted_at,
            "deadline": obj.review_deadline,
            "days_left": self.days_left(obj),
            "left": counter(obj.review_deadline),
            "problems": problems,
            "amounts": compare_amounts(obj),
            # G6: why the enterprise asked the provincial office, and its written application, at the top
            "waiting": waiting_for(obj, counter),
            "applications": [
                {"name": a.original_name, "url": attachment_url(a.pk)}
                for a in obj.attachments.all()
                if a.kind == AttachmentKind.DIRECT_REVIEW
            ],
        }

    def _decision_context(self, request, obj: ReviewQueueItem, reject_form: RejectForm | None = None) -> dict:
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
            "reject_form": reject_form or RejectForm(),
        }
        if may_mark_fraud(user, obj):
            context["fraud_url"] = mark_fraud_url(obj.pk)
        return context

    def _not_pending(self, request, object_id) -> HttpResponse:
        """A record no longer in the queue: who decided it and when, and its page in the records list — or 404 when
        the official may not see it at all (issue 11 item 6)."""
        record = _visible_record(request.user, object_id)
        if record is None:
            raise Http404(_("No such record in your review queue."))
        sentence = decision_sentence(record)
        if sentence:
            text = _("%(record)s is no longer waiting for review. %(decision)s") % {
                "record": record,
                "decision": sentence,
            }
        else:
            text = _("%(record)s is no longer waiting for review (now: %(status)s).") % {
                "record": record,
                "status": record.get_status_display(),
            }
        self.message_user(request, text, messages.WARNING)
        records_admin = self.admin_site._registry.get(Record)
        target = reverse("admin:review_reviewqueueitem_changelist")
        if records_admin is not None and records_admin.has_view_permission(request, record):
            target = reverse("admin:projects_record_change", args=[record.pk])
        return HttpResponseRedirect(target)

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

    def _pending_or_none(self, request, object_id) -> ReviewQueueItem | None:
        if not self.has_change_permission(request):
            raise PermissionDenied
        try:
            return self.get_queryset(request).get(pk=int(object_id))
        except (ReviewQueueItem.DoesNotExist, ValueError):
            return None

    def _decide(self, request, obj: ReviewQueueItem, decide) -> HttpResponse:
        info = self.opts.app_label, self.opts.model_name
        try:
            decide(obj)
        except DomainError as error:
            self.message_user(request, str(error), messages.ERROR)
            return HttpResponseRedirect(reverse("admin:{}_{}_change".format(*info), args=[obj.pk]))
        return HttpResponseRedirect(reverse("admin:{}_{}_changelist".format(*info)))

    def _decision_page(self, request, obj: ReviewQueueItem, template: str, title: str, **context) -> HttpResponse:
        problems = _problems(obj)
        return TemplateResponse(
            request,
            template,
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": title,
                "subtitle": str(obj),
                "obj": obj,
                "summary": self._summary(obj, problems),
                "change_url": reverse("admin:review_reviewqueueitem_change", args=[obj.pk]),
                **context,
            },
        )

    def approve_view(self, request, object_id):
        obj = self._pending_or_none(request, object_id)
        if obj is None:
            return self._not_pending(request, object_id)
        if request.POST.get("confirmed") != "yes" and decidable_by(request.user, obj):
            # 审核通过 is final for the enterprise (G5): a page that shows what is approved and asks once more
            return self._decision_page(
                request,
                obj,
                "admin/review/reviewqueueitem/confirm_approve.html",
                _("Approve this record?"),
                approve_url=reverse("admin:review_reviewqueueitem_approve", args=[obj.pk]),
            )

        def decide(obj):
            approve_record(record_id=obj.pk, user=request.user)
            self.message_user(request, _("%(record)s: approved.") % {"record": obj}, messages.SUCCESS)

        return self._decide(request, obj, decide)

    def reject_view(self, request, object_id):
        obj = self._pending_or_none(request, object_id)
        if obj is None:
            return self._not_pending(request, object_id)
        form = RejectForm(request.POST)
        if not form.is_valid() and decidable_by(request.user, obj):
            # the reason is missing: said next to the field, with the common reasons to pick, nothing lost
            return self._decision_page(
                request,
                obj,
                "admin/review/reviewqueueitem/reject.html",
                _("Reject this record"),
                reject_form=form,
                reject_url=reverse("admin:review_reviewqueueitem_reject", args=[obj.pk]),
            )

        def decide(obj):
            reason = form.cleaned_data.get("full_reason", "") if form.is_valid() else ""
            reject_record(record_id=obj.pk, user=request.user, reason=reason)
            self.message_user(request, _("%(record)s: rejected.") % {"record": obj}, messages.SUCCESS)

        return self._decide(request, obj, decide)

    @admin.action(description=gettext_lazy("Approve the selected records"), permissions=["change"])
    def approve_selected(self, request, queryset):
        items = list(queryset.select_related("project", "enterprise", "responsible_authority"))
        if request.POST.get("confirmed") != "yes":
            # no approval without seeing what is approved: the records listed, each with its rule check
            counter = WorkingDaysLeft()
            rows = [
                {
                    "obj": item,
                    "url": reverse("admin:review_reviewqueueitem_change", args=[item.pk]),
                    "decidable": decidable_by(request.user, item),
                    "left": counter(item.review_deadline),
                }
                for item in items
            ]
            return TemplateResponse(
                request,
                "admin/review/reviewqueueitem/confirm_bulk_approve.html",
                {
                    **self.admin_site.each_context(request),
                    "opts": self.opts,
                    "title": _("Approve the selected records?"),
                    "rows": rows,
                    "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                    "select_across": request.POST.get("select_across", "0"),
                },
            )
        approved = 0
        for pk, label in [(obj.pk, str(obj)) for obj in items]:
            try:
                approve_record(record_id=pk, user=request.user)
            except DomainError as error:
                self.message_user(request, f"{label}: {error}", messages.ERROR)
            else:
                approved += 1
        if approved:
            text = ngettext("%(count)s record approved.", "%(count)s records approved.", approved)
            self.message_user(request, text % {"count": approved}, messages.SUCCESS)
        return None

    # ---- export ------------------------------------------------------------------------------------------------

    #: the Excel file's columns (config.admin_export, the export of every admin list): the project's number in a
    #: column of its own, the counter as text
    export_columns = [
        "project__prj_name",
        "prj_num",
        "enterprise",
        "status",
        "responsible_authority",
        "review_deadline",
        "days_left",
        "campaign",
        "track",
    ]

    def export_view(self, request):
        """The queue as the list shows it (filters, search, scope), every row counted with one calendar."""
        _page.counter = WorkingDaysLeft()
        try:
            return changelist_xlsx(self, request, filename="review-queue")
        finally:
            _page.counter = None

    xlsx_export = export_view  # the list's 导出 Excel button (config.admin_export) answers here too


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


def _visible_record(user, object_id) -> Record | None:
    """The record `object_id` when `user` may see it (Record.visible_to), else None."""
    try:
        pk = int(object_id)
    except (TypeError, ValueError):
        return None
    return Record.visible_to(user).select_related("project", "enterprise").filter(pk=pk).first()
