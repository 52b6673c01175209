"""Campaigns (补录工作) with their opening dates (G4), tracks (G2, G3) and contact persons (G9)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ..models import Campaign, CampaignContact, CampaignOpening, Track
from .common import AuthorityLevelFilter
from .panels import campaign_links


class CampaignOpeningInline(admin.TabularInline):
    model = CampaignOpening
    extra = 0
    fields = ["enterprise_kind", "opens_on", "message_before_open"]


class TrackInline(admin.StackedInline):
    model = Track
    extra = 0
    autocomplete_fields = ["qualifications"]
    fields = [
        ("code", "name", "priority"),
        ("entry_deadline", "reaches_national", "national_deadline"),
        "qualifications",
        "message_after_deadline",
        "message_after_national_deadline",
    ]


class CampaignContactInline(admin.TabularInline):
    model = CampaignContact
    extra = 0
    autocomplete_fields = ["authority"]
    fields = ["authority", "name", "department", "title", "office_phone", "mobile"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("authority")


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "province",
        "notice_number",
        "notice_date",
        "scope_completed_before",
        "national_cutoff",
        "close_date",
        "is_active",
    ]
    list_filter = ["is_active", "province", "auto_approval_grade", "push_d_records"]
    search_fields = ["name", "notice_number", "notice_title"]
    list_select_related = ["province"]
    autocomplete_fields = ["province"]
    date_hierarchy = "notice_date"
    inlines = [CampaignOpeningInline, TrackInline, CampaignContactInline]
    fieldsets = [
        (
            _("Notice"),
            {"fields": ["name", "province", "notice_number", "notice_title", "notice_date", "is_active"]},
        ),
        (_("Scope and dates"), {"fields": ["scope_completed_before", "national_cutoff", "close_date"]}),
        (
            _("Review and policy (P1, P3)"),
            {"fields": ["review_working_days", "auto_approval_grade", "push_d_records"]},
        ),
        (
            _("Messages"),
            {
                "classes": ["collapse"],
                "fields": [
                    "msg_outside_province",
                    "msg_overseas",
                    "msg_not_completed",
                    "msg_closed",
                    "msg_kind_not_covered",
                    "msg_after_national_cutoff",
                ],
            },
        ),
    ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # the links the layers above add (projects.admin.panels: review/'s progress page, 补录工作进度)
        extra_context = dict(extra_context or {})
        campaign = self.get_object(request, object_id)
        if campaign is not None:
            extra_context.setdefault("campaign_links", campaign_links(request, campaign))
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(CampaignOpening)
class CampaignOpeningAdmin(admin.ModelAdmin):
    list_display = ["campaign", "enterprise_kind", "opens_on"]
    list_filter = ["campaign", "enterprise_kind"]
    search_fields = ["campaign__name"]
    list_select_related = ["campaign"]
    date_hierarchy = "opens_on"


@admin.register(Track)
class TrackAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "campaign", "entry_deadline", "reaches_national", "national_deadline", "priority"]
    list_filter = ["campaign", "reaches_national"]
    search_fields = ["code", "name", "campaign__name"]
    list_select_related = ["campaign"]
    filter_horizontal = ["qualifications"]
    fields = [
        "campaign",
        "code",
        "name",
        "priority",
        "entry_deadline",
        "reaches_national",
        "national_deadline",
        "qualifications",
        "message_after_deadline",
        "message_after_national_deadline",
    ]

    def get_queryset(self, request):
        # __str__ names the campaign (autocomplete results and the change page title use it).
        return super().get_queryset(request).select_related(*self.list_select_related)


@admin.register(CampaignContact)
class CampaignContactAdmin(admin.ModelAdmin):
    list_display = ["name", "authority", "department", "title", "office_phone", "mobile", "campaign"]
    list_filter = ["campaign", ("authority__level", AuthorityLevelFilter)]
    search_fields = ["name", "authority__name", "department", "mobile"]
    list_select_related = ["campaign", "authority"]
    autocomplete_fields = ["authority"]
