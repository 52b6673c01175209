"""版本记录 (P4) as a list of its own: every version of every record the official may see (the admin site scopes it
by RecordVersion.visible_to), read-only — a version is written by projects.revisions, never by hand."""

from __future__ import annotations

from django.contrib import admin

from ..models import RecordVersion


@admin.register(RecordVersion)
class RecordVersionAdmin(admin.ModelAdmin):
    list_display = ["record", "number", "kind", "author_name", "author_department", "created_at"]
    list_filter = ["kind"]
    list_select_related = ["record__enterprise", "record__project"]
    search_fields = ["record__project__prj_name", "record__project__prj_num", "record__enterprise__name"]
    date_hierarchy = "created_at"
    fields = ["record", "number", "kind", "reason", "author_name", "author_department", "created_by", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
