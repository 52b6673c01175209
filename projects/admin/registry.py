"""J3: the registry of projects already declared elsewhere, and the counters of system-assigned numbers.

The registry lists projects and permits declared in the 工改系统 or the 施工许可管理系统; provincial staff import it
from Excel or CSV through the import job "registry" (transfer/registry.py).
"""

from __future__ import annotations

from django.contrib import admin

from ..models import DeclaredProject, NumberSequence


@admin.register(DeclaredProject)
class DeclaredProjectAdmin(admin.ModelAdmin):
    """The list of the registry; rows come in through the import job "registry" (transfer/registry.py: checked row by
    row with the portal's validators, merged by COPY; linked from the list's tools), the one way in (ADR 0018)."""

    list_display = ["prj_num", "licence_cert_no", "prj_name", "source", "imported_at"]
    list_filter = ["source"]
    search_fields = ["prj_num", "licence_cert_no", "prj_name"]
    readonly_fields = ["imported_at"]
    date_hierarchy = "imported_at"


@admin.register(NumberSequence)
class NumberSequenceAdmin(admin.ModelAdmin):
    list_display = ["key", "last"]
    search_fields = ["^key"]
    ordering = ["key"]

    def get_readonly_fields(self, request, obj=None):
        # The key is the primary key: editing it would copy the row.
        return ["key"] if obj is not None else []
