"""The migration's keys in the admin (provincial staff, read-only): which record and which account each old id
became. The file itself is imported on transfer's import page (importer "legacy") or with `manage.py
import_legacy`."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import LegacyRecord, LegacyReviewer


class _ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LegacyRecord)
class LegacyRecordAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = [
        "old_id",
        "province",  # each province's old system numbered alike: the key is (province, old id)
        "record_link",
        "old_status",
        "grade",
        "department",
        "reviewer_name",
        "reviewed_at",
        "file_name",
        "imported_at",
    ]
    list_filter = ["old_status", "record__status", "imported_at"]
    search_fields = ["=old_id", "record__project__prj_num", "record__enterprise__credit_code", "reviewer_name"]
    list_select_related = ["province", "record__project", "record__enterprise", "record__finish_check"]
    date_hierarchy = "imported_at"

    @admin.display(description=_("record"), ordering="record__project__prj_num")
    def record_link(self, obj):
        url = reverse("admin:projects_record_change", args=[obj.record_id])
        return format_html('<a href="{}">{} · {}</a>', url, obj.record.project.prj_num, obj.record.enterprise.name)

    @admin.display(description=_("data level"))
    def grade(self, obj):
        finish = getattr(obj.record, "finish_check", None)
        return (finish.data_level if finish is not None else "") or obj.record.project.data_level or "—"


@admin.register(LegacyReviewer)
class LegacyReviewerAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ["old_id", "province", "user_link", "authority", "department", "file_name", "imported_at"]
    search_fields = ["=old_id", "user__username", "user__real_name"]
    list_select_related = ["province", "user__authority", "user__department"]

    @admin.display(description=_("user"), ordering="user__username")
    def user_link(self, obj):
        url = reverse("admin:accounts_user_change", args=[obj.user_id])
        return format_html('<a href="{}">{}（{}）</a>', url, obj.user.real_name, obj.user.username)

    @admin.display(description=_("authority"))
    def authority(self, obj):
        return obj.user.authority.name if obj.user.authority_id else "—"

    @admin.display(description=_("department"))
    def department(self, obj):
        return obj.user.department.name if obj.user.department_id else "—"
