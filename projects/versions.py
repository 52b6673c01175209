"""A record's content as a version (P4): `snapshot(record)` of everything a record says, `diff(old, new)` field by
field in words, and `change_rows(version)` as pages show a version's changes (personal data masked).

A snapshot is plain JSON: the project (TBProjectInfo) and its 单体, every stage, the 参建单位, persons, 审图人员 and
the attachments' metadata (never the files). Values are as stored: codes, ISO dates, decimals as strings. The diff
names each part, row and field as the record page does, and shows codes by their names.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext as _

from accounts import pii

from .models import (
    Attachment,
    BuilderLicence,
    Censor,
    CensorStaff,
    Contract,
    FinishCheck,
    FinishRecord,
    Project,
    ProjectCorp,
    Record,
    RecordPerson,
    RecordVersion,
    Tender,
    UnitProject,
)

#: one-to-one parts of a snapshot (the project and every stage), by the key the record page and the save use
SINGLE_PARTS: dict[str, type[models.Model]] = {
    "project": Project,
    "tender": Tender,
    "contract": Contract,
    "censor": Censor,
    "licence": BuilderLicence,
    "finish_check": FinishCheck,
    "finish_record": FinishRecord,
}
#: parts of several rows, each row with its "id"
ROW_PARTS: dict[str, type[models.Model]] = {
    "units": UnitProject,
    "corps": ProjectCorp,
    "persons": RecordPerson,
    "censor_staff": CensorStaff,
}
PART_MODELS = {**SINGLE_PARTS, **ROW_PARTS}
#: what a part's snapshot leaves out: links to its owner, bookkeeping, and the national number (assigned by the push)
_LEFT_OUT = {"id", "record", "project", "censor", "created_at", "updated_at", "national_num"}
ATTACHMENT_FIELDS = ("id", "kind", "original_name", "content_type", "size", "sha256")


def _json(value):
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def snapshot_fields(model) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if f.name not in _LEFT_OUT]


def _values(obj) -> dict:
    return {f.name: _json(getattr(obj, f.attname)) for f in snapshot_fields(type(obj))}


def _row(obj) -> dict:
    return {"id": obj.pk, **_values(obj)}


def snapshot(record: Record) -> dict:
    """The whole content of `record` now, as JSON (a fixed number of queries)."""
    record = (
        Record.objects.select_related("project", *[k for k in SINGLE_PARTS if k != "project"])
        .prefetch_related("project__units", "corps", "persons", "censor__staff", "attachments")
        .get(pk=record.pk)
    )
    out: dict = {}
    for key in SINGLE_PARTS:
        obj = record.project if key == "project" else getattr(record, key, None)
        out[key] = _values(obj) if obj is not None else None
    out["units"] = [_row(u) for u in sorted(record.project.units.all(), key=lambda u: u.pk)]
    out["corps"] = [_row(c) for c in sorted(record.corps.all(), key=lambda c: c.pk)]
    out["persons"] = [_row(p) for p in sorted(record.persons.all(), key=lambda p: p.pk)]
    censor = getattr(record, "censor", None)
    staff = sorted(censor.staff.all(), key=lambda s: s.pk) if censor is not None else []
    out["censor_staff"] = [_row(s) for s in staff]
    out["attachments"] = [
        {name: getattr(a, name) for name in ATTACHMENT_FIELDS}
        for a in sorted(record.attachments.all(), key=lambda a: a.pk)
    ]
    return out


# --------------------------------------------------------------------------------------------------------------
# The diff, in words
# --------------------------------------------------------------------------------------------------------------


def value_text(model, name: str, value) -> str:
    """A stored value as a reader says it: a code by its name, 是/否, a county by its name; "" when empty."""
    if value is None or value == "":
        return ""
    try:
        field = model._meta.get_field(name)
    except Exception:  # a field gone from the model since the version was written: its value as it was
        return str(value)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.BooleanField):
        return str(_("yes")) if value else str(_("no"))
    if name == "county":
        from accounts.models import Region

        region = Region.objects.filter(pk=value).first()
        return f"{region.name}（{value}）" if region else str(value)
    return str(value)


def _label(model, name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:
        return name


def _entry(part: str, row_id, row_label: str, name: str, old, new) -> dict:
    model = PART_MODELS[part]
    return {
        "part": part,
        "part_label": str(model._meta.verbose_name),
        "row": row_id,
        "row_label": row_label,
        "field": name,
        "label": _label(model, name),
        "old": old,
        "new": new,
        "old_text": value_text(model, name, old),
        "new_text": value_text(model, name, new),
    }


def _empty(value) -> bool:
    return value is None or value == ""


def _fields_diff(part: str, row_id, row_label: str, old: dict, new: dict) -> list[dict]:
    out = []
    for name in dict.fromkeys([*old, *new]):
        if name == "id":
            continue
        before, after = old.get(name), new.get(name)
        if before != after and not (_empty(before) and _empty(after)):
            out.append(_entry(part, row_id, row_label, name, before, after))
    return out


def _row_label(index: int) -> str:
    return _("row %(n)d") % {"n": index + 1}


def diff(old: dict, new: dict) -> list[dict]:
    """What changed from snapshot `old` to snapshot `new`, field by field, in the record page's order: part, row,
    field label (in the platform's language), old and new values as stored and as said (codes by their names)."""
    with translation.override(settings.LANGUAGE_CODE):
        changes: list[dict] = []
        for part in SINGLE_PARTS:
            changes += _fields_diff(part, None, "", old.get(part) or {}, new.get(part) or {})
        for part in ROW_PARTS:
            before = {row["id"]: row for row in old.get(part) or []}
            after = {row["id"]: row for row in new.get(part) or []}
            ordered = [*after, *[pk for pk in before if pk not in after]]
            places = {pk: i for i, pk in enumerate(after)} | {pk: i for i, pk in enumerate(before) if pk not in after}
            for pk in ordered:
                changes += _fields_diff(part, pk, _row_label(places[pk]), before.get(pk, {}), after.get(pk, {}))
        old_files = {a["sha256"]: a for a in old.get("attachments") or []}
        new_files = {a["sha256"]: a for a in new.get("attachments") or []}
        for sha, item in new_files.items():
            if sha not in old_files:
                changes.append(_attachment_entry(None, item))
        for sha, item in old_files.items():
            if sha not in new_files:
                changes.append(_attachment_entry(item, None))
        return changes


def _attachment_entry(old: dict | None, new: dict | None) -> dict:
    from .models import AttachmentKind

    item = new or old
    kind = AttachmentKind(item["kind"]).label if item["kind"] in AttachmentKind.values else item["kind"]
    return {
        "part": "attachments",
        "part_label": str(Attachment._meta.verbose_name),
        "row": item["id"],
        "row_label": str(kind),
        "field": "original_name",
        "label": _label(Attachment, "original_name"),
        "old": old["original_name"] if old else None,
        "new": new["original_name"] if new else None,
        "old_text": old["original_name"] if old else "",
        "new_text": new["original_name"] if new else "",
    }


# --------------------------------------------------------------------------------------------------------------
# Reading versions (portal and admin): personal data masked
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChangeRow:
    part: str
    row: str
    field: str
    old: str
    new: str


def masked_text(part: str, field: str, text: str) -> str:
    model = PART_MODELS.get(part)
    return pii.mask_field(model, field, text) if model is not None else text


def change_rows(changes: list[dict]) -> list[ChangeRow]:
    """A version's (or a correction's) changes as a table shows them: ID and phone numbers masked (accounts.pii)."""
    return [
        ChangeRow(
            part=c.get("part_label", c["part"]),
            row=c.get("row_label", ""),
            field=c.get("label", c["field"]),
            old=masked_text(c["part"], c["field"], c.get("old_text", "")),
            new=masked_text(c["part"], c["field"], c.get("new_text", "")),
        )
        for c in changes
    ]


def versions_of(record: Record) -> list[RecordVersion]:
    """The record's versions, newest first (the first one is written when the record is first changed)."""
    return list(RecordVersion.objects.filter(record=record).order_by("-number"))
