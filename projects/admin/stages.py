"""Each part of a record on its own page: stage records, drawing review staff, persons, attachments.

Normally edited inline on the record; their own changelists serve searches across records (a certificate
number, a person's registration number, an attachment's SHA-256).
"""

from __future__ import annotations

import hashlib
import mimetypes
from pathlib import PurePosixPath

from django import forms
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from accounts.pii import MaskedPiiAdminMixin

from ..models import (
    Attachment,
    BuilderLicence,
    Censor,
    CensorStaff,
    Contract,
    FinishCheck,
    FinishRecord,
    ProjectCorp,
    RecordPerson,
    Tender,
)
from .common import RecordScopeMixin, StageFieldsMixin, human_size, short_sha

RECORD_COLUMNS = ["record__project__prj_num", "record__project__prj_name", "record__enterprise__name"]
RECORD_SEARCH = [
    "record__project__prj_num",
    "record__project__prj_name",
    "record__enterprise__name",
    "record__enterprise__credit_code",
]
RECORD_RELATED = ["record__project", "record__enterprise"]


class RecordPartAdmin(RecordScopeMixin, admin.ModelAdmin):
    """A part of a record: the record is chosen by autocomplete and named by its project and enterprise."""

    autocomplete_fields = ["record"]
    list_select_related = RECORD_RELATED
    search_fields = RECORD_SEARCH

    def get_queryset(self, request):
        # Delete confirmations and change pages name the record (enterprise · project). The changelist skips
        # list_select_related once a queryset selects related rows: select them all here.
        return super().get_queryset(request).select_related(*RECORD_RELATED, *self.list_select_related)


class StageAdmin(StageFieldsMixin, RecordPartAdmin):
    list_filter = ["data_level", "data_source"]
    stage_collapsed = False


@admin.register(Tender)
class TenderAdmin(MaskedPiiAdminMixin, StageAdmin):
    list_display = [
        "tender_num",
        "tender_class",
        "tender_method",
        "tender_money",
        "tender_result_date",
        *RECORD_COLUMNS,
        "data_level",
    ]
    list_filter = ["tender_class", "tender_method", *StageAdmin.list_filter]
    search_fields = ["tender_num", "tender_corp_name", "=tender_corp_code", *RECORD_SEARCH]
    date_hierarchy = "tender_result_date"


@admin.register(Contract)
class ContractAdmin(StageAdmin):
    list_display = [
        "record_num",
        "contract_num",
        "contract_type",
        "contract_money",
        "contract_date",
        *RECORD_COLUMNS,
        "data_level",
    ]
    list_filter = ["contract_type", *StageAdmin.list_filter]
    search_fields = ["record_num", "contract_num", "contractor_corp_name", *RECORD_SEARCH]
    date_hierarchy = "contract_date"


class CensorStaffInline(MaskedPiiAdminMixin, admin.TabularInline):
    model = CensorStaff
    extra = 0
    fields = [
        "corp_name",
        "corp_code",
        "user_name",
        "id_card_type",
        "id_card",
        "specialty",
        "duty",
        "tech_title_level",
        "registration_type",
    ]


@admin.register(Censor)
class CensorAdmin(StageAdmin):
    list_display = ["censor_num", "censor_corp_name", "censor_e_date", *RECORD_COLUMNS, "data_level"]
    search_fields = ["censor_num", "censor_corp_name", "design_corp_name", "survey_corp_name", *RECORD_SEARCH]
    date_hierarchy = "censor_e_date"
    inlines = [CensorStaffInline]


@admin.register(CensorStaff)
class CensorStaffAdmin(MaskedPiiAdminMixin, RecordScopeMixin, admin.ModelAdmin):
    record_path = "censor__record"
    list_display = ["user_name", "corp_name", "specialty", "duty", "registration_type", "censor_num", "prj_name"]
    list_filter = ["specialty", "duty", "registration_type"]
    search_fields = [
        "user_name",
        "corp_name",
        "=id_card",
        "censor__censor_num",
        "censor__record__project__prj_num",
    ]
    list_select_related = ["censor__record__project"]
    autocomplete_fields = ["censor"]

    @admin.display(description=_("drawing review certificate number"), ordering="censor__censor_num")
    def censor_num(self, obj: CensorStaff) -> str:
        return obj.censor.censor_num

    @admin.display(description=_("project name"), ordering="censor__record__project__prj_name")
    def prj_name(self, obj: CensorStaff) -> str:
        return obj.censor.record.project.prj_name


@admin.register(BuilderLicence)
class BuilderLicenceAdmin(StageAdmin):
    list_display = [
        "licence_cert_no",
        "bui_prj_name",
        "issuing_authority",
        "release_date",
        *RECORD_COLUMNS,
        "data_level",
    ]
    search_fields = ["licence_cert_no", "bui_prj_name", "issuing_authority", *RECORD_SEARCH]
    date_hierarchy = "release_date"


@admin.register(FinishCheck)
class FinishCheckAdmin(StageAdmin):
    list_display = ["prj_finish_check_num", "fin_prj_name", "b_date", "e_date", *RECORD_COLUMNS, "data_level"]
    list_filter = ["prj_structure_type", *StageAdmin.list_filter]
    search_fields = ["prj_finish_check_num", "fin_prj_name", "builder_licence_nums", *RECORD_SEARCH]
    date_hierarchy = "e_date"


@admin.register(FinishRecord)
class FinishRecordAdmin(StageAdmin):
    list_display = ["prj_finish_num", "fin_prj_name", "b_date", "e_date", *RECORD_COLUMNS, "data_level"]
    list_filter = ["prj_structure_type", *StageAdmin.list_filter]
    search_fields = ["prj_finish_num", "fin_prj_name", "builder_licence_nums", *RECORD_SEARCH]
    date_hierarchy = "e_date"


@admin.register(ProjectCorp)
class ProjectCorpAdmin(MaskedPiiAdminMixin, RecordPartAdmin):
    list_display = ["corp_name", "corp_code", "corp_role", "person_name", "unit", *RECORD_COLUMNS]
    list_filter = ["corp_role"]
    search_fields = ["corp_name", "corp_code", "person_name", "=person_id_card", *RECORD_SEARCH]
    list_select_related = [*RECORD_RELATED, "unit"]
    autocomplete_fields = ["record", "unit"]


@admin.register(RecordPerson)
class RecordPersonAdmin(MaskedPiiAdminMixin, RecordPartAdmin):
    list_display = ["name", "role", "corp_name", "registration_type", "registration_cert_no", *RECORD_COLUMNS]
    list_filter = ["role", "registration_type"]
    search_fields = ["name", "corp_name", "registration_cert_no", "=id_card", *RECORD_SEARCH]


# ----------------------------------------------------------------------------------------------------------
# Attachments: never linked to the stored file (a permission-checking view serves them).
# ----------------------------------------------------------------------------------------------------------

ATTACHMENT_EXTENSIONS = ["pdf", "jpg", "jpeg", "png"]


class AttachmentAddForm(forms.ModelForm):
    """Upload one file; its name, type, size and SHA-256 are taken from the upload."""

    class Meta:
        model = Attachment
        fields = ["record", "kind", "file"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].validators.append(FileExtensionValidator(ATTACHMENT_EXTENSIONS))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.ATTACHMENT_MAX_BYTES
        if upload.size > limit:
            raise ValidationError(
                _("The file is larger than %(limit)s."),
                code="too_large",
                params={"limit": filesizeformat(limit)},
            )
        return upload

    def _post_clean(self):
        upload = self.cleaned_data.get("file")
        if upload is not None and hasattr(upload, "chunks"):
            digest = hashlib.sha256()
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)
            name = PurePosixPath(upload.name).name
            self.instance.original_name = name[:255]
            content_type = getattr(upload, "content_type", None) or mimetypes.guess_type(name)[0]
            self.instance.content_type = (content_type or "application/octet-stream")[:100]
            self.instance.size = upload.size
            self.instance.sha256 = digest.hexdigest()
        super()._post_clean()


@admin.register(Attachment)
class AttachmentAdmin(RecordPartAdmin):
    list_display = [
        "original_name",
        "kind",
        "size_display",
        "sha256_short",
        *RECORD_COLUMNS,
        "uploaded_by",
        "uploaded_at",
    ]
    list_filter = ["kind", "content_type"]
    search_fields = ["original_name", "=sha256", *RECORD_SEARCH]
    list_select_related = [*RECORD_RELATED, "uploaded_by"]
    date_hierarchy = "uploaded_at"
    add_form = AttachmentAddForm
    change_fields = [
        "record",
        "kind",
        "original_name",
        "content_type",
        "size_display",
        "sha256",
        "uploaded_by",
        "uploaded_at",
    ]

    @admin.display(description=_("size"), ordering="size")
    def size_display(self, obj: Attachment) -> str:
        return human_size(obj.size)

    @admin.display(description=Attachment._meta.get_field("sha256").verbose_name)
    def sha256_short(self, obj: Attachment) -> str:
        return short_sha(obj.sha256)

    def get_fields(self, request, obj=None):
        return ["record", "kind", "file"] if obj is None else self.change_fields

    def get_readonly_fields(self, request, obj=None):
        # Only the kind may be corrected; the file itself is never shown nor replaced here.
        return [] if obj is None else [f for f in self.change_fields if f != "kind"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = self.add_form
        return super().get_form(request, obj, **kwargs)

    def save_model(self, request, obj: Attachment, form, change: bool) -> None:
        if not change:
            obj.uploaded_by = request.user
        super().save_model(request, obj, form, change)
