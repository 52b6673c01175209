"""Parsing of the portal's small forms. No business rule here: services and grading decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Region
from projects.models import AttachmentKind, RecordStatus

#: The kinds an enterprise uploads on the record page; the written application for direct review (G6) also from the
#: record page's 申请直接审核 panel.
UPLOAD_KINDS = (
    AttachmentKind.BID_NOTICE,
    AttachmentKind.CONTRACT,
    AttachmentKind.COMPLETION,
    AttachmentKind.DIRECT_REVIEW,
    AttachmentKind.OTHER,
)


class LoginForm(forms.Form):
    username = forms.CharField(
        label=_("Account"), max_length=150, error_messages={"required": _("Enter the account of your enterprise.")}
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput,
        error_messages={"required": _("Enter the password.")},
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class ListFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses")), *RecordStatus.choices]
    )
    year = forms.TypedChoiceField(label=_("Completion year"), required=False, coerce=int, empty_value=None)
    q = forms.CharField(label=_("Project name"), required=False, max_length=100)

    def __init__(self, *args, years: list[int] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("All years")), *((y, str(y)) for y in years)]


class RecordStartForm(forms.Form):
    campaign = forms.ModelChoiceField(label=_("Campaign"), queryset=None, empty_label=None)
    prj_name = forms.CharField(
        label=_("Project name"),
        max_length=250,
        error_messages={
            "required": _("Enter the project name, as on the approval or the construction permit."),
            "max_length": _("The project name has at most %(limit_value)d characters (it has %(show_value)d)."),
        },
    )
    county = forms.CharField(
        label=_("Project location (county)"),
        max_length=6,
        error_messages={"required": _("Choose the province, city and county where the project is located.")},
    )
    prj_num = forms.CharField(
        label=_("Project number"),
        required=False,
        max_length=16,
        error_messages={"max_length": _("A project number is 16 digits; %(show_value)d characters were entered.")},
        help_text=_("Optional: the 16-digit number of a project already on the platform, to join it."),
    )
    licence_cert_no = forms.CharField(
        label=_("Construction permit number"),
        required=False,
        max_length=18,
        error_messages={
            "max_length": _("A construction permit number is 18 digits; %(show_value)d characters were entered.")
        },
        help_text=_("Optional: the 18-digit permit number, to join a project already on the platform."),
    )

    def __init__(self, *args, campaigns, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns

    def clean_county(self) -> Region:
        code = self.cleaned_data["county"].strip()
        region = Region.objects.filter(code=code).first()
        if region is None:
            raise forms.ValidationError(_("Choose the province, city and county where the project is located."))
        return region


class AttachmentForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[(k, AttachmentKind(k).label) for k in UPLOAD_KINDS],
        error_messages={
            "required": _("Choose the kind of attachment."),
            "invalid_choice": _("Choose the kind of attachment in the list."),
        },
    )
    file = forms.FileField(
        label=_("File (PDF, JPG or PNG)"),
        error_messages={
            "required": _("Choose the file to upload (PDF, JPG or PNG)."),
            "empty": _("The file chosen is empty (0 bytes); choose the scanned document itself."),
            "invalid": _("No file was received; choose the file again and upload it."),
        },
    )
