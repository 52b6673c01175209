"""The review back-office: the working-day calendar staff enter (overrides and calendar years, with the alert of a
coming year nobody knows), and the transition log (read-only)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from projects.admin.common import RecordScopeMixin

from ..models import CalendarAlert, CalendarYear, RecordTransition, WorkdayOverride
from ..selectors import calendar_warning
from ..workdays import SHANGHAI, package_knows_year, package_years

CALENDAR_RULE = _(
    "How the platform decides whether a day is a working day: (1) a working-day override of that day always wins; "
    "(2) else the chinesecalendar package, which knows %(first)s–%(last)s with their make-up working days; (3) else, "
    "when the day's year is entered here and marked complete, Monday to Friday are working days and weekends are "
    "not — the public holidays and make-up working days being the working-day overrides entered from the State "
    "Council's notice; (4) else the day is unknown: no deadline is computed, submissions that need it are refused "
    "and a warning is shown — a day is never guessed. To enter a year: enter it here with the notice as its source, "
    "enter every public holiday and make-up working day of the notice as working-day overrides, then tick “complete”."
)


def calendar_rule() -> str:
    first, last = package_years()
    return CALENDAR_RULE % {"first": first, "last": last}


class CalendarWarningMixin:
    """The alert of issue 5 in the calendar's own pages: a warning above the changelist while a coming year
    (this year or the next) is known to neither the package nor a complete calendar year."""

    def changelist_view(self, request, extra_context=None):
        if request.method == "GET":
            warning = calendar_warning(timezone.now().astimezone(SHANGHAI).date())
            if warning:
                messages.warning(request, warning)
        return super().changelist_view(request, extra_context)


@admin.register(WorkdayOverride)
class WorkdayOverrideAdmin(CalendarWarningMixin, admin.ModelAdmin):
    """Holidays and make-up working days of the State Council's notice: for the years the chinesecalendar package does
    not know (together with a complete CalendarYear), or to correct a day it does."""

    list_display = ["day", "weekday", "is_workday", "note", "created_by", "created_at"]
    list_filter = ["is_workday"]
    search_fields = ["note"]
    date_hierarchy = "day"
    fields = ["day", "is_workday", "note"]
    readonly_fields = ["created_by", "created_at"]
    list_select_related = ["created_by"]

    @admin.display(description=_("weekday"))
    def weekday(self, obj: WorkdayOverride) -> str:
        return str(WEEKDAYS[obj.day.weekday()])

    def get_fields(self, request, obj=None):
        return [*self.fields, *self.readonly_fields] if obj is not None else list(self.fields)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


def _count_overrides(is_workday: bool) -> Coalesce:
    days = (
        WorkdayOverride.objects.filter(day__year=OuterRef("year"), is_workday=is_workday)
        .order_by()
        .values("day__year")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(days, output_field=IntegerField()), 0)


@admin.register(CalendarYear)
class CalendarYearAdmin(CalendarWarningMixin, admin.ModelAdmin):
    """The declaration that a year the chinesecalendar package lacks has been entered in full (step 3 of the rule)."""

    list_display = [
        "year",
        "is_complete",
        "source",
        "known_to_package",
        "days_off",
        "make_up_days",
        "entered_by",
        "entered_at",
    ]
    list_filter = ["is_complete"]
    search_fields = ["source"]
    readonly_fields = ["year_overrides", "known_to_package", "entered_by", "entered_at"]
    list_select_related = ["entered_by"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(days_off_count=_count_overrides(False), make_up_count=_count_overrides(True))
        )

    def get_fieldsets(self, request, obj=None):
        fields = ["year", "source", "is_complete"]
        if obj is not None:
            fields += ["year_overrides", "known_to_package", "entered_by", "entered_at"]
        return [(None, {"fields": fields, "description": calendar_rule()})]

    def get_readonly_fields(self, request, obj=None):
        # The year of a declaration is not moved: enter another year instead.
        return [*self.readonly_fields, "year"] if obj is not None else list(self.readonly_fields)

    @admin.display(description=_("known to the chinesecalendar package"), boolean=True)
    def known_to_package(self, obj: CalendarYear) -> bool:
        return package_knows_year(obj.year)

    @admin.display(description=_("days off entered"), ordering="days_off_count")
    def days_off(self, obj: CalendarYear) -> int:
        return obj.days_off_count

    @admin.display(description=_("make-up working days entered"), ordering="make_up_count")
    def make_up_days(self, obj: CalendarYear) -> int:
        return obj.make_up_count

    @admin.display(description=_("working-day overrides of the year"))
    def year_overrides(self, obj: CalendarYear) -> str:
        changelist = reverse("admin:review_workdayoverride_changelist")
        return format_html(
            '{} <a href="{}?day__year={}">{}</a> · <a href="{}">{}</a>',
            _("%(off)s days off and %(on)s make-up working days entered.")
            % {"off": obj.days_off_count, "on": obj.make_up_count},
            changelist,
            obj.year,
            _("Show them"),
            reverse("admin:review_workdayoverride_add"),
            _("Add a day"),
        )

    def save_model(self, request, obj, form, change):
        if not change:
            obj.entered_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(CalendarAlert)
class CalendarAlertAdmin(admin.ModelAdmin):
    """The alerts the nightly calendar check raised (review.services.check_calendar): read-only, resolved by the check
    itself once staff have entered the year."""

    list_display = ["year", "open", "raised_at", "last_checked_at", "resolved_at"]
    list_filter = [("resolved_at", admin.EmptyFieldListFilter)]
    readonly_fields = ["year", "raised_at", "last_checked_at", "resolved_at"]

    @admin.display(description=_("open"), boolean=True)
    def open(self, obj: CalendarAlert) -> bool:
        return obj.is_open

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(RecordTransition)
class RecordTransitionAdmin(RecordScopeMixin, admin.ModelAdmin):
    """Every status change of the records an official may see; written by the services, never by hand."""

    list_display = [
        "at",
        "record",
        "from_status",
        "to_status",
        "by",
        "actor_name",
        "actor_department",
        "actor_authority",
    ]
    list_filter = ["to_status", "from_status", "by", "actor_level"]
    search_fields = ["record__project__prj_name", "record__project__prj_num", "actor_name", "actor_authority"]
    date_hierarchy = "at"
    list_select_related = ["record__project", "record__enterprise"]
    fields = [
        "record",
        "from_status",
        "to_status",
        "at",
        "by",
        "actor",
        "actor_name",
        "actor_department",
        "actor_authority",
        "actor_level",
        "actor_enterprise",
        "reason",
    ]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
