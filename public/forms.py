"""The public search's filters, checked: whatever a visitor or a script sends, a bad value is named in Chinese (400),
never a 500 (tests/public/test_bad_input.py)."""

from __future__ import annotations

import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Region
from accounts.scoping import region_prefix
from projects import codes

from .search import Filters

MAX_TEXT = 100
FIRST_YEAR = 1949
REGION_RE = re.compile(r"^[0-9]{6}$")
MAX_PAGE = 10_000


def completion_years() -> list[int]:
    return list(range(timezone.localdate().year, FIRST_YEAR - 1, -1))


def _clean_text(value: str, label: str) -> str:
    text = " ".join((value or "").split())  # spaces and line breaks collapsed, ends trimmed
    if len(text) > MAX_TEXT:
        raise forms.ValidationError(
            _("%(label)s is at most %(max)s characters long.") % {"label": label, "max": MAX_TEXT}
        )
    if any(ord(c) < 32 for c in text):
        raise forms.ValidationError(_("%(label)s contains control characters.") % {"label": label})
    return text


def deepest_region(values: list[str]) -> str:
    """The deepest level chosen, top first: a level counts while it lies inside the one above (a city left chosen
    under a province changed without JavaScript does not)."""
    chosen = ""
    for value in (v.strip() for v in values if v and v.strip()):
        if chosen and not (REGION_RE.match(chosen) and value.startswith(region_prefix(chosen)) and value != chosen):
            break
        chosen = value
    return chosen


class SearchForm(forms.Form):
    """名称, 企业, 地区 (省 → 市 → 县: each level's select sends `region`; the deepest chosen one counts),
    竣工年份, 项目分类, 数据等级, page."""

    name = forms.CharField(label=_("Project name"), required=False, strip=False)
    enterprise = forms.CharField(label=_("Enterprise name or credit code"), required=False, strip=False)
    region = forms.CharField(label=_("Region"), required=False)
    year = forms.CharField(label=_("Completion year"), required=False)
    category = forms.CharField(label=_("Project category"), required=False)
    grade = forms.CharField(label=_("Data grade"), required=False)
    page = forms.CharField(label=_("Page"), required=False)

    def __init__(self, data=None, **kwargs):
        data = data if data is not None else {}
        if hasattr(data, "getlist"):  # the region picker sends one `region` per level: keep the deepest
            values = data.getlist("region")
            data = {key: data.get(key, "") for key in data}
            data["region"] = deepest_region(values)
        super().__init__(data, **kwargs)

    def clean_name(self) -> str:
        return _clean_text(self.cleaned_data["name"], str(_("Project name")))

    def clean_enterprise(self) -> str:
        return _clean_text(self.cleaned_data["enterprise"], str(_("Enterprise name or credit code")))

    def clean_region(self) -> str:
        code = (self.cleaned_data["region"] or "").strip()
        if not code:
            return ""
        if not REGION_RE.match(code) or not Region.objects.filter(code=code).exists():
            raise forms.ValidationError(_("Choose a region from the list (a 6-digit region code)."))
        return code

    def clean_year(self) -> int | None:
        value = (self.cleaned_data["year"] or "").strip()
        if not value:
            return None
        years = completion_years()
        if not value.isascii() or not value.isdigit() or not years[-1] <= int(value) <= years[0]:
            raise forms.ValidationError(
                _("The completion year is a year from %(first)s to %(last)s.") % {"first": years[-1], "last": years[0]}
            )
        return int(value)

    def clean_category(self) -> str:
        value = (self.cleaned_data["category"] or "").strip()
        if value and value not in codes.ProjectType.values:
            raise forms.ValidationError(_("Choose a project category from the list."))
        return value

    def clean_grade(self) -> str:
        value = (self.cleaned_data["grade"] or "").strip().upper()
        if value and value not in codes.DataLevel.values:
            raise forms.ValidationError(_("The data grade is one of A, B, C and D."))
        return value

    def clean_page(self) -> int:
        value = (self.cleaned_data["page"] or "").strip()
        if not value:
            return 1
        if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= MAX_PAGE:
            raise forms.ValidationError(_("The page is a whole number from 1 to %(max)s.") % {"max": MAX_PAGE})
        return int(value)

    def filters(self) -> Filters:
        data = self.cleaned_data
        return Filters(
            name=data["name"],
            enterprise=data["enterprise"],
            region=data["region"],
            year=data["year"],
            category=data["category"],
            grade=data["grade"],
        )

    def first_error(self) -> tuple[str, str]:
        """(field, message) of the first refused value."""
        for name, errors in self.errors.items():
            return name, str(errors[0])
        return "", ""
