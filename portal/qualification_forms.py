"""Parsing of 资质申报业绩's forms and of the qualification API's query (one filter form for both)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import PERFORMANCE_GRADES, PerformanceStage, PerformanceUse, Qualification
from projects.codes import CorpRole

from .qualification import RecordFilters

GRADES = [value for value, _label in PERFORMANCE_GRADES]


class ApplicationListForm(forms.Form):
    name = forms.CharField(
        label=_("List name"),
        max_length=100,
        error_messages={
            "required": _("Give the list a name, e.g. the application it is for."),
            "max_length": _("A list's name has at most %(limit_value)d characters (it has %(show_value)d)."),
        },
    )
    qualification = forms.ModelChoiceField(
        label=_("Qualification applied for"),
        queryset=Qualification.objects.order_by("kind", "code"),
        error_messages={
            "required": _("Choose the qualification applied for."),
            "invalid_choice": _("Choose the qualification applied for."),
        },
    )


class PickForm(forms.Form):
    record = forms.IntegerField(
        min_value=1,
        max_value=2**31 - 1,
        error_messages={
            "required": _("Choose a record."),
            "invalid": _("Choose a record."),
            "min_value": _("Choose a record."),
            "max_value": _("Choose a record."),
        },
    )
    use = forms.ChoiceField(
        choices=PerformanceUse.choices,
        error_messages={
            "required": _("Choose enterprise or personal performance."),
            "invalid_choice": _("Choose enterprise or personal performance."),
        },
    )


class RecordFilterForm(forms.Form):
    """The filters of the page (grade, stage, role, completion year, name) and of the API (grade, stage, role,
    completion date from/to, qualification)."""

    grade = forms.CharField(
        label=_("Grade"),
        required=False,
        max_length=20,
        help_text=_("A, B, C or D; several separated by commas (A,B)."),
    )
    stage = forms.ChoiceField(
        label=_("Stage"),
        required=False,
        choices=[("", _("Completion acceptance (the record's grade)")), *PerformanceStage.choices],
        error_messages={"invalid_choice": _("Unknown stage “%(value)s”.")},
    )
    role = forms.ChoiceField(
        label=_("Role of the enterprise"),
        required=False,
        choices=[("", _("Any role")), *CorpRole.choices],
        error_messages={"invalid_choice": _("Unknown role “%(value)s”.")},
    )
    completed_from = forms.DateField(
        label=_("Completed from"),
        required=False,
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": _("Write the date as YYYY-MM-DD, e.g. 2016-06-18.")},
    )
    completed_to = forms.DateField(
        label=_("Completed until"),
        required=False,
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": _("Write the date as YYYY-MM-DD, e.g. 2016-06-18.")},
    )
    year = forms.IntegerField(
        label=_("Completion year"),
        required=False,
        min_value=1949,
        max_value=2100,
        error_messages={
            "invalid": _("The completion year is a year such as 2016."),
            "min_value": _("The completion year is a year such as 2016."),
            "max_value": _("The completion year is a year such as 2016."),
        },
    )
    q = forms.CharField(label=_("Project name"), required=False, max_length=100)

    def clean_grade(self) -> tuple[str, ...]:
        raw = (self.cleaned_data.get("grade") or "").replace("，", ",").upper()
        grades = tuple(dict.fromkeys(g.strip() for g in raw.split(",") if g.strip()))
        unknown = [g for g in grades if g not in GRADES]
        if unknown:
            raise forms.ValidationError(_("Unknown grade: the grades are A, B, C and D."))
        return grades

    def clean(self):
        data = super().clean()
        start, end = data.get("completed_from"), data.get("completed_to")
        if start and end and start > end:
            raise forms.ValidationError({"completed_to": _("The end of the period is before its start.")})
        return data

    def filters(self) -> RecordFilters:
        data = self.cleaned_data
        return RecordFilters(
            grades=data.get("grade") or (),
            stage=data.get("stage") or "",
            role=data.get("role") or "",
            completed_from=data.get("completed_from"),
            completed_to=data.get("completed_to"),
            year=data.get("year"),
            name=(data.get("q") or "").strip(),
        )

    def first_error(self) -> tuple[str, str]:
        """(field, message) of the first refused value."""
        for name, errors in self.errors.items():
            return name, str(errors[0])
        return "", ""
