"""Personal data shown masked (issue 11 item 3, issue 12): ID numbers and phone numbers of the people in a record.

Officials check these values, they rarely need to read them: every page shows them masked (`4501**********1234`,
`138****5678`, `0771-***8335`) unless the official asks to reveal one value, and that reveal is logged
(review.PiiReveal). This module is the one place that says which fields hold such data (`PII_FIELDS`, by model
label, so that it sits below every app that has such fields) and how each kind is masked; the admin, the history
table and the public pages ask it.
"""

from __future__ import annotations

from django.db import models

ID_NUMBER = "id_number"
PHONE = "phone"

#: model label (lower case) → {field name: kind}. The people of a record (参建单位的项目负责人, 单位人员, 审图人员,
#: 项目经理/总监) and the contacts of enterprises and accounts. An authority's office phone and a campaign's contact
#: persons are published with the notice (G9): not listed.
PII_FIELDS: dict[str, dict[str, str]] = {
    "projects.tender": {"constructor_id_card": ID_NUMBER},
    "projects.censorstaff": {"id_card": ID_NUMBER},
    "projects.projectcorp": {"person_id_card": ID_NUMBER, "person_phone": PHONE},
    "projects.recordperson": {"id_card": ID_NUMBER, "phone": PHONE},
    "accounts.enterprise": {"contact_phone": PHONE},
    "accounts.user": {"phone": PHONE},
}

MASK = "*"


def _label(model) -> str:
    if isinstance(model, str):
        return model.lower()
    return model._meta.label_lower


def pii_kind(model: type[models.Model] | models.Model | str, field_name: str) -> str | None:
    """ID_NUMBER, PHONE or None: what kind of personal data `model.field_name` holds."""
    return PII_FIELDS.get(_label(model), {}).get(field_name)


def pii_fields(model: type[models.Model] | models.Model | str) -> dict[str, str]:
    """{field name: kind} of the model's personal-data fields ({} for a model without any)."""
    return dict(PII_FIELDS.get(_label(model), {}))


def mask_id_number(value: str | None) -> str:
    """An ID number with its first 4 and last 4 characters kept: 450103198005171234 → 4501**********1234.

    Shorter numbers (passports, Hong Kong and Macao passes) keep less: 2 and 2 from 8 characters, 1 and 1 below; a
    value of 2 characters or fewer is masked whole. "" stays "".
    """
    text = (value or "").strip()
    n = len(text)
    if n == 0:
        return ""
    if n >= 12:
        head, tail = 4, 4
    elif n >= 8:
        head, tail = 2, 2
    elif n >= 3:
        head, tail = 1, 1
    else:
        head, tail = 0, 0
    return text[:head] + MASK * (n - head - tail) + (text[n - tail :] if tail else "")


def _area_code_digits(text: str) -> int:
    """How many leading digits of a landline are its area code (010, 020–029: 3; others: 4)."""
    digits = "".join(c for c in text if c.isdigit())
    if "-" in text:
        return len("".join(c for c in text.split("-", 1)[0] if c.isdigit()))
    if digits.startswith(("010", "02")):
        return 3
    return 4 if digits.startswith("0") else 0


def mask_phone(value: str | None) -> str:
    """A phone number with its middle digits masked, separators kept: 13812345678 → 138****5678 (mobile: first 3
    and last 4), 0771-2368335 → 0771-***8335 (landline: the area code and the last 4); a short or unusual number keeps
    its first and last 2 digits at most. "" stays "".
    """
    text = (value or "").strip()
    if not text:
        return ""
    core = text[3:] if text.startswith("+86") else text
    prefix = text[: len(text) - len(core)]
    digits = [c for c in core if c.isdigit()]
    count = len(digits)
    if count == 11 and digits[0] == "1":
        head, tail = 3, 4
    else:
        head = _area_code_digits(core) or (3 if count >= 10 else 2 if count >= 8 else 0)
        tail = 4 if count - head >= 7 else 2
        if count - head - tail < 2:  # too short to keep that much: keep 2 and 2, or nothing
            head, tail = (2, 2) if count >= 6 else (0, 0)
    out, index = [], 0
    for char in core:
        if char.isdigit():
            out.append(char if index < head or index >= count - tail else MASK)
            index += 1
        else:
            out.append(char)
    return prefix + "".join(out)


MASKERS = {ID_NUMBER: mask_id_number, PHONE: mask_phone}


def mask(kind: str | None, value) -> str:
    """`value` masked as its kind says; shown as it is when it is no personal data (kind None)."""
    text = "" if value is None else str(value)
    masker = MASKERS.get(kind or "")
    return masker(text) if masker is not None else text


def mask_field(model, field_name: str, value) -> str:
    """The value of `model.field_name` as pages show it: masked when the field holds personal data."""
    return mask(pii_kind(model, field_name), value)


def reveal_key(model, row_pk, field_name: str) -> str:
    """What names one value to reveal: "projects.recordperson:12:id_card"."""
    return f"{_label(model)}:{row_pk}:{field_name}"


def parse_reveal_key(key: str) -> tuple[str, int, str] | None:
    """(model label, row pk, field name) of a reveal key naming a personal-data field; None for anything else."""
    parts = (key or "").split(":")
    if len(parts) != 3 or not parts[1].isdigit():
        return None
    label, pk, field_name = parts[0].lower(), int(parts[1]), parts[2]
    if pii_kind(label, field_name) is None:
        return None
    return label, pk, field_name


#: The session key of the values revealed for the next page only (the reveal is logged, then the page shown).
REVEAL_SESSION_KEY = "pii_revealed"


def remember_revealed(request, key: str) -> None:
    """After the reveal was logged: show this value on the next page the official opens."""
    keys = list(request.session.get(REVEAL_SESSION_KEY, []))
    if key not in keys:
        keys.append(key)
    request.session[REVEAL_SESSION_KEY] = keys[-20:]


def take_revealed(request) -> frozenset[str]:
    """The values revealed for this page; shown once, masked again on the next."""
    session = getattr(request, "session", None)
    if session is None or REVEAL_SESSION_KEY not in session:
        return frozenset()
    return frozenset(session.pop(REVEAL_SESSION_KEY, []))


MASKED_PREFIX = "masked__"


def _swap(names, personal: dict[str, str]):
    """Field names (or tuples of them, as fieldsets hold) with each personal-data field replaced by its masked one."""
    swapped = []
    for name in names:
        if isinstance(name, list | tuple):
            swapped.append(type(name)(_swap(name, personal)))
        else:
            swapped.append(MASKED_PREFIX + name if name in personal else name)
    return swapped


class MaskedPiiAdminMixin:
    """For a ModelAdmin or inline whose model has personal-data fields: a reader who may not change the rows (an
    official reading a record) sees every ID and phone number masked, in the field's place and under its label;
    whoever edits the row (a superuser) gets the form's inputs as before."""

    def _admin_model(self):
        return self.__dict__.get("model") or getattr(type(self), "model", None)

    def masks_pii(self, request, obj=None) -> bool:
        return bool(pii_fields(self._admin_model())) and not self.has_change_permission(request, obj)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if not self.masks_pii(request, obj):
            return fieldsets
        personal = pii_fields(self._admin_model())
        return [(name, {**options, "fields": _swap(options["fields"], personal)}) for name, options in fieldsets]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if self.masks_pii(request, obj):
            readonly += [MASKED_PREFIX + name for name in pii_fields(self._admin_model())]
        return readonly

    def get_list_display(self, request):
        names = super().get_list_display(request)
        if not self.masks_pii(request):
            return names
        return _swap(names, pii_fields(self._admin_model()))

    def __getattr__(self, name: str):
        if name.startswith(MASKED_PREFIX):
            model = self._admin_model()
            field_name = name[len(MASKED_PREFIX) :]
            kind = pii_kind(model, field_name) if model is not None else None
            if kind is not None:

                def masked(obj):
                    return mask(kind, getattr(obj, field_name, "")) or None

                masked.short_description = model._meta.get_field(field_name).verbose_name
                return masked
        raise AttributeError(name)
