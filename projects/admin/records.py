"""Projects (TBProjectInfo, with their units) and performance records with every stage inline.

The record's `status` is a protected FSM field: the admin shows it and never writes it (transitions live in
review/). Review actions are not here.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.pii import MaskedPiiAdminMixin

from ..models import (
    Attachment,
    BuilderLicence,
    Censor,
    Contract,
    FinishCheck,
    FinishRecord,
    Project,
    ProjectCorp,
    Record,
    RecordPerson,
    Tender,
    Track,
    UnitProject,
)
from .common import (
    STAGE_SYSTEM_FIELDS,
    STAGE_SYSTEM_TITLE,
    HistoryMixin,
    RecordScopeMixin,
    ResponsibleLevelFilter,
    StageFieldsMixin,
    TrackListFilter,
    human_size,
)
from .panels import record_panels

SHANGHAI = ZoneInfo("Asia/Shanghai")

# ----------------------------------------------------------------------------------------------------------
# Projects
# ----------------------------------------------------------------------------------------------------------


class UnitProjectInline(admin.StackedInline):
    model = UnitProject
    extra = 0
    fields = [
        ("unit_code", "sub_prj_name"),
        ("invest", "build_area"),
        ("floor_build_area", "bottom_floor_build_area"),
        ("floor_count", "bottom_floor_count"),
        ("build_height", "sub_project_length", "sub_project_span"),
        ("structure_type", "prj_level"),
        ("seismic_intensity", "is_super_high_building", "is_shock_isolation"),
        ("is_green_building", "green_building_level"),
        "memo",
    ]


@admin.register(Project)
class ProjectAdmin(HistoryMixin, admin.ModelAdmin):
    list_display = [
        "prj_num",
        "prj_name",
        "prj_type",
        "county",
        "build_corp_name",
        "data_level",
        "created_at",
    ]
    list_filter = ["prj_type", "prj_property", "is_overseas", "is_major", "data_level"]
    search_fields = ["prj_num", "prj_name", "prj_code", "province_prj_num", "build_corp_name"]
    list_select_related = ["county"]
    autocomplete_fields = ["county"]
    date_hierarchy = "created_at"
    readonly_fields = [*STAGE_SYSTEM_FIELDS, "created_at"]
    inlines = [UnitProjectInline]

    def has_change_permission(self, request, obj=None) -> bool:
        """P4: a project a decided record claims is changed only by an accepted correction (projects.revisions)."""
        if obj is not None and _project_decided(obj.pk):
            return False
        return super().has_change_permission(request, obj)

    fieldsets = [
        (
            _("Basic information"),
            {
                "fields": [
                    "prj_num",
                    "province_prj_num",
                    "prj_code",
                    "prj_name",
                    "prj_type",
                    "prj_function",
                    "prj_property",
                    "county",
                    "is_overseas",
                    "address",
                    ("location_x", "location_y"),
                ]
            },
        ),
        (
            _("Approval and planning"),
            {
                "fields": [
                    "prj_approval_num",
                    "prj_approval_level",
                    "prj_approval_depart",
                    "prj_approval_date",
                    "build_plan_num",
                    "project_plan_num",
                ]
            },
        ),
        (
            _("Owner and investment"),
            {
                "fields": [
                    "build_corp_name",
                    "build_corp_code",
                    "inv_property",
                    "fund_source",
                    "national_percentage",
                    "all_invest",
                    "all_area",
                    "all_length",
                    "prj_size",
                    "is_major",
                ]
            },
        ),
        (_("Planned dates"), {"fields": ["begin_date", "end_date"]}),
        (_("Other information"), {"classes": ["collapse"], "fields": ["jzjn_info", "cxxm_info"]}),
        (STAGE_SYSTEM_TITLE, {"classes": ["collapse"], "fields": [*STAGE_SYSTEM_FIELDS, "created_at"]}),
    ]


def _project_decided(project_id) -> bool:
    from ..models import RecordStatus

    return Record.objects.filter(project_id=project_id, status__in=[RecordStatus.APPROVED, RecordStatus.FRAUD]).exists()


@admin.register(UnitProject)
class UnitProjectAdmin(admin.ModelAdmin):
    list_display = ["sub_prj_name", "unit_code", "project", "structure_type", "build_area", "floor_count"]

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and _project_decided(obj.project_id):
            return False
        return super().has_change_permission(request, obj)

    list_filter = ["structure_type", "prj_level", "is_green_building", "is_super_high_building"]
    search_fields = ["sub_prj_name", "unit_code", "project__prj_num", "project__prj_name"]
    list_select_related = ["project"]
    autocomplete_fields = ["project"]


# ----------------------------------------------------------------------------------------------------------
# Records and their stages, inline
# ----------------------------------------------------------------------------------------------------------


class StageInline(StageFieldsMixin, admin.StackedInline):
    """A one-to-one stage of the record (TBTenderInfo, TBContractRecordManage …): at most one."""

    extra = 0
    max_num = 1


class TenderInline(MaskedPiiAdminMixin, StageInline):
    model = Tender


class ContractInline(StageInline):
    model = Contract


class CensorInline(StageInline):
    model = Censor
    readonly_fields = ["staff_link"]

    @admin.display(description=_("drawing review staff"))
    def staff_link(self, obj: Censor) -> str:
        if obj is None or obj.pk is None:
            return _("Save the drawing review first, then add its staff on its own page.")
        url = reverse("admin:projects_censor_change", args=[obj.pk])
        count = obj.staff.count()
        label = ngettext("%(count)d person (edit)", "%(count)d persons (edit)", count) % {"count": count}
        return format_html('<a href="{}">{}</a>', url, label)


class BuilderLicenceInline(StageInline):
    model = BuilderLicence


class FinishCheckInline(StageInline):
    model = FinishCheck


class FinishRecordInline(StageInline):
    model = FinishRecord


class ProjectCorpInline(MaskedPiiAdminMixin, admin.TabularInline):
    model = ProjectCorp
    extra = 0
    fields = [
        "corp_role",
        "corp_name",
        "corp_code",
        "person_name",
        "id_card_type",
        "person_id_card",
        "person_phone",
        "unit",
    ]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        unit = formset.form.base_fields.get("unit")
        if unit is not None:
            # Only the units of the record's own project (none before the record exists).
            project_id = obj.project_id if obj is not None else None
            unit.queryset = UnitProject.objects.filter(project_id=project_id)
        return formset


class RecordPersonInline(MaskedPiiAdminMixin, admin.TabularInline):
    model = RecordPerson
    extra = 0
    fields = [
        "corp_name",
        "corp_code",
        "name",
        "role",
        "id_card_type",
        "id_card",
        "registration_type",
        "registration_cert_no",
        "specialty",
        "phone",
    ]


class AttachmentInline(admin.TabularInline):
    """Read-only: uploads go through the portal or the attachment admin; the stored file is never linked."""

    model = Attachment
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ["kind", "original_name", "content_type", "size_display", "sha256", "uploaded_by", "uploaded_at"]
    readonly_fields = fields

    @admin.display(description=_("size"))
    def size_display(self, obj: Attachment) -> str:
        return human_size(obj.size)

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("uploaded_by")


@admin.register(Record)
class RecordAdmin(HistoryMixin, RecordScopeMixin, admin.ModelAdmin):
    record_path = ""
    list_display = [
        "prj_num",
        "prj_name",
        "enterprise",
        "campaign",
        "track",
        "status",
        "responsible_authority",
        "reaches_national",
        "submitted_at",
        "review_deadline",
        "updated_at",
    ]
    list_display_links = ["prj_num", "prj_name"]
    list_filter = [
        "status",
        "campaign",
        ("track", TrackListFilter),
        ("responsible_authority__level", ResponsibleLevelFilter),
        "reaches_national",
    ]
    search_fields = ["project__prj_name", "project__prj_num", "enterprise__name", "enterprise__credit_code"]
    list_select_related = ["enterprise", "project", "campaign", "track__campaign", "responsible_authority"]
    autocomplete_fields = ["enterprise", "project", "responsible_authority"]
    date_hierarchy = "submitted_at"
    # `status` is a protected FSM field: only review/ transitions change it, never a form.
    readonly_fields = [
        "status",
        "version",
        "submitted_at",
        "review_deadline",
        "decided_at",
        "created_by",
        "created_at",
        "updated_at",
        "draft_inputs",
        "national_platform",
        "edition",
        "version_history",
        "revision_of",
        "merged_at",
    ]
    fieldsets = [
        (None, {"fields": ["enterprise", "project", "campaign", "track", "status", "version"]}),
        (
            _("Review"),
            {
                "fields": [
                    "responsible_authority",
                    "reaches_national",
                    "submitted_at",
                    "review_deadline",
                    "decided_at",
                    "national_platform",
                ]
            },
        ),
        (_("Versions"), {"fields": ["edition", "version_history", "revision_of", "merged_at"]}),  # 版本记录 (P4)
        (
            _("System"),
            {"classes": ["collapse"], "fields": ["created_by", "created_at", "updated_at", "draft_inputs"]},
        ),
    ]
    inlines = [
        TenderInline,
        ContractInline,
        CensorInline,
        BuilderLicenceInline,
        FinishCheckInline,
        FinishRecordInline,
        ProjectCorpInline,
        RecordPersonInline,
        AttachmentInline,
    ]

    @admin.display(description=_("national platform"))
    def national_platform(self, obj: Record) -> str:
        """The record's push state, as the layers above say it (projects.admin.panels; sync/ registers one)."""
        parts = [
            format_html(
                '<span id="{}"><strong>{}</strong> {}{}</span>',
                p["id"],
                p["title"],
                p["text"],
                format_html(' <a href="{}" target="_blank" rel="noopener">{}</a>', p["link_url"], p["link_text"])
                if p.get("link_url")
                else "",
            )
            for p in record_panels(obj)
        ]
        return format_html_join("", "{}", ((part,) for part in parts)) or "—"

    @admin.display(description=_("version history"))
    def version_history(self, obj: Record) -> str:
        """版本记录 (P4): every version, newest first — who, when, why, what changed field by field, with ID and
        phone numbers masked (accounts.pii)."""
        from ..versions import change_rows, versions_of

        blocks = []
        for version in versions_of(obj):
            who = version.author_name or "—"
            if version.author_department:
                who = f"{who}（{version.author_department}）"
            rows = format_html_join(
                "",
                "<tr><td>{} {}</td><td>{}</td><td>{}</td><td><strong>{}</strong></td></tr>",
                ((c.part, c.row, c.field, c.old or "—", c.new or "—") for c in change_rows(version.changes)),
            )
            table = (
                format_html(
                    '<table class="version-diff"><thead><tr><th scope="col">{}</th><th scope="col">{}</th>'
                    '<th scope="col">{}</th><th scope="col">{}</th></tr></thead><tbody>{}</tbody></table>',
                    _("Part"),
                    _("Field"),
                    _("Old value"),
                    _("New value"),
                    rows,
                )
                if version.changes
                else format_html("<p>{}</p>", _("The content as approved."))
            )
            blocks.append(
                format_html(
                    '<div class="record-version" id="version-{}"><p><strong>{}</strong> · {} · {} · {}</p>{}{}</div>',
                    version.number,
                    _("Version %(n)d") % {"n": version.number},
                    version.get_kind_display(),
                    version.created_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M"),
                    who,
                    format_html("<p>{}：{}</p>", _("Reason"), version.reason) if version.reason else "",
                    table,
                )
            )
        if not blocks:
            return _("Version 1: the content as approved. Nothing has been changed since.")
        return format_html_join("", "{}", ((b,) for b in blocks))

    @admin.display(description=_("project number"), ordering="project__prj_num")
    def prj_num(self, obj: Record) -> str:
        return obj.project.prj_num

    @admin.display(description=_("project name"), ordering="project__prj_name")
    def prj_name(self, obj: Record) -> str:
        return obj.project.prj_name

    def get_queryset(self, request):
        # __str__ names the enterprise and the project (autocomplete results, page titles, delete pages). The
        # changelist skips list_select_related once a queryset selects related rows: select them all here.
        return super().get_queryset(request).select_related(*self.list_select_related)

    def has_delete_permission(self, request, obj=None) -> bool:
        """Records are never deleted in the admin: a draft is deleted by its enterprise (删除草稿,
        projects.services.record_delete, which removes its files too); anything submitted never is (G7)."""
        return False

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "track":
            kwargs["queryset"] = Track.visible_to(request.user).select_related("campaign")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj: Record, form, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        else:
            # A save from a page opened before this one is refused by the portal (Record.version).
            obj.version += 1
        super().save_model(request, obj, form, change)
