"""J3: the registry of projects already declared elsewhere, and the counters of system-assigned numbers.

The registry lists projects and permits declared in the 工改系统 or the 施工许可管理系统; staff import it
from Excel or CSV.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets
from import_export.admin import ImportExportModelAdmin
from import_export.formats import base_formats

from ..models import DeclaredProject, DeclaredSource, NumberSequence


class NumberTextWidget(widgets.CharWidget):
    """A number kept as text: spreadsheets turn 4501031711200001 into a float or pad it with spaces."""

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = super().clean(value, row, **kwargs)
        return "".join(text.split())


class TrimmedTextWidget(widgets.CharWidget):
    def clean(self, value, row=None, **kwargs):
        return super().clean(value, row, **kwargs).strip()


class ChoiceWidget(widgets.CharWidget):
    """A code of a TextChoices, read from the code itself or from its name in English or Chinese."""

    def __init__(self, choices, **kwargs):
        super().__init__(**kwargs)
        self.choices = choices

    def _names(self) -> dict[str, str]:
        names = {}
        for language in ("en", "zh-hans"):
            with translation.override(language):
                names.update({str(label).strip(): code for code, label in self.choices})
        names.update({code: code for code, _label in self.choices})
        return names

    def clean(self, value, row=None, **kwargs):
        text = super().clean(value, row, **kwargs).strip()
        names = self._names()
        if text not in names:
            raise ValueError(
                _("Unknown value %(value)r; expected one of: %(choices)s")
                % {"value": text, "choices": ", ".join(code for code, _label in self.choices)}
            )
        return names[text]


class DeclaredProjectResource(resources.ModelResource):
    """Columns: source (gaige / permit, or their names), prj_num, licence_cert_no, prj_name.

    A row is identified by (source, prj_num, licence_cert_no): importing the same file twice changes nothing.
    """

    source = fields.Field(attribute="source", column_name="source", widget=ChoiceWidget(DeclaredSource.choices))
    prj_num = fields.Field(attribute="prj_num", column_name="prj_num", widget=NumberTextWidget())
    licence_cert_no = fields.Field(
        attribute="licence_cert_no", column_name="licence_cert_no", widget=NumberTextWidget()
    )
    prj_name = fields.Field(attribute="prj_name", column_name="prj_name", widget=TrimmedTextWidget())

    class Meta:
        model = DeclaredProject
        fields = ["source", "prj_num", "licence_cert_no", "prj_name"]
        import_id_fields = ["source", "prj_num", "licence_cert_no"]
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True


@admin.register(DeclaredProject)
class DeclaredProjectAdmin(ImportExportModelAdmin):
    resource_classes = [DeclaredProjectResource]
    list_display = ["prj_num", "licence_cert_no", "prj_name", "source", "imported_at"]
    list_filter = ["source"]
    search_fields = ["prj_num", "licence_cert_no", "prj_name"]
    readonly_fields = ["imported_at"]
    date_hierarchy = "imported_at"

    def has_import_permission(self, request) -> bool:
        # django-import-export lets every admin user import unless a setting names a permission: an import adds
        # and changes rows, so it takes both permissions (provincial staff have them, reviewers only view).
        return self.has_add_permission(request) and self.has_change_permission(request)

    def has_export_permission(self, request) -> bool:
        return self.has_view_permission(request)

    @property
    def formats(self):
        # Excel needs openpyxl (xlsx) or xlrd (xls); a format whose library is missing is not offered.
        return [fmt for fmt in (base_formats.XLSX, base_formats.XLS, base_formats.CSV) if fmt.is_available()]


@admin.register(NumberSequence)
class NumberSequenceAdmin(admin.ModelAdmin):
    list_display = ["key", "last"]
    search_fields = ["^key"]
    ordering = ["key"]

    def get_readonly_fields(self, request, obj=None):
        # The key is the primary key: editing it would copy the row.
        return ["key"] if obj is not None else []
