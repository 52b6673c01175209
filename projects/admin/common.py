"""Pieces shared by the project admins: the stage records' system fields, filters, the history field."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ..models import Track
from ..selectors import records_visible_to
from .history import history_table

#: StageFields set by review and grading (信息审核部门, 信息审核人, 数据来源, 数据等级, national number).
STAGE_SYSTEM_FIELDS = [
    "data_source",
    "data_level",
    "check_depart_name",
    "check_person_name",
    "national_num",
    "updated_at",
]
STAGE_SYSTEM_TITLE = _("Review and grading (set by the system)")


class StageFieldsMixin:
    """For admins and inlines of StageFields models: the system fields are read-only and set apart."""

    stage_collapsed = True

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        return readonly + [f for f in STAGE_SYSTEM_FIELDS if f not in readonly]

    def get_fieldsets(self, request, obj=None):
        if self.fieldsets:
            return super().get_fieldsets(request, obj)
        fields = [f for f in self.get_fields(request, obj) if f not in STAGE_SYSTEM_FIELDS]
        classes = ["collapse"] if self.stage_collapsed else []
        return [
            (None, {"fields": fields}),
            (STAGE_SYSTEM_TITLE, {"classes": classes, "fields": STAGE_SYSTEM_FIELDS}),
        ]


class RecordScopeMixin:
    """Officials see the records of their own region only: the one scoping rule of projects.selectors (STYLE.md).

    `record_path` leads from the admin's model to its record ("" for the record itself).
    """

    record_path = "record"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        lookup = f"{self.record_path}__in" if self.record_path else "pk__in"
        return queryset.filter(**{lookup: records_visible_to(request.user).values("pk")})

    def has_change_permission(self, request, obj=None) -> bool:
        """G7, P4: a decided record (approved, fraud) is changed by nobody here, the superuser included: an accepted
        correction or an approved completion is the one path that writes it (projects.revisions)."""
        if obj is not None and _decided(obj, self.record_path):
            return False
        return super().has_change_permission(request, obj)


def _decided(obj, record_path: str) -> bool:
    from ..models import RecordStatus

    record = obj
    for step in [s for s in record_path.split("__") if s]:
        record = getattr(record, step, None)
        if record is None:
            return False
    return getattr(record, "status", None) in (RecordStatus.APPROVED, RecordStatus.FRAUD)


class TrackListFilter(admin.RelatedFieldListFilter):
    """The track filter, naming each track with its campaign in one query (Track.__str__ reads it)."""

    def field_choices(self, field, request, model_admin):
        ordering = self.field_admin_ordering(field, request, model_admin) or Track._meta.ordering
        tracks = Track.visible_to(request.user).select_related("campaign").order_by(*ordering)
        return [(track.pk, str(track)) for track in tracks]


class TitledChoicesFilter(admin.ChoicesFieldListFilter):
    """A choices filter on a related field whose own verbose name ("level") would be ambiguous."""

    custom_title = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.custom_title is not None:
            self.title = self.custom_title


class ResponsibleLevelFilter(TitledChoicesFilter):
    custom_title = _("responsible authority level")


class AuthorityLevelFilter(TitledChoicesFilter):
    custom_title = _("authority level")


class HistoryMixin:
    """A read-only `history` field with the object's last events (pghistory), on change pages only."""

    history_title = _("History")

    @admin.display(description=_("last 20 changes"))
    def history(self, obj):
        return history_table(obj)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        return [*readonly, "history"] if "history" not in readonly else readonly

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (name, {**options, "fields": [f for f in options["fields"] if f != "history"]})
            for name, options in super().get_fieldsets(request, obj)
        ]
        if obj is not None:
            fieldsets.append((self.history_title, {"fields": ["history"]}))
        return fieldsets


def short_sha(value: str) -> str:
    return f"{value[:12]}…" if len(value) > 12 else value


def human_size(size: int | None) -> str:
    if size is None:
        return ""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"
