"""The one path that writes a decided record (P4, J7): a correction accepted by the province, or a D record's
completion approved, applied to the record's own tables as a new version. Every other write (the portal's save, the
API, uploads, the admin) refuses a decided record (G7).

- `parse_changes(record, proposed)`: a firm's proposed changes read with the portal save's parsers
  (projects.services._parse, projects.inputs) and the fields' own validators; DomainError names the field.
- `apply_changes(...)`: the changes written, the record's edition raised, a RecordVersion with the diff.
- `copy_for_completion(...)`: 下载并完善 — a working copy (Record.revision_of) with copies of the record's own rows.
- `merge_completion(...)`: the approved copy's content onto its record, the copy closed (`merged_at`).

Grading is a layer above: the caller passes `stamp(key, stage)`, which sets a changed stage's grade fields.
Version 1 (the approved content) is written lazily, right before the first change, with the approval's who and
when (`first`), which the review layer reads from its log.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.errors import DomainError

from . import versions
from .models import (
    Attachment,
    Censor,
    CensorStaff,
    ProjectCorp,
    Record,
    RecordPerson,
    RecordStatus,
    RecordVersion,
    StageFields,
    UnitProject,
    VersionKind,
    attachment_path,
)
from .services import _parse, _Refused, _Unparseable, editable_fields, field_label

#: fields a correction never changes: where the project is decides who reviews it
NOT_CORRECTABLE = {"county", "is_overseas"}


@dataclass(frozen=True)
class Author:
    """Who made a version, as the record's log names them (J9)."""

    user: object | None
    name: str
    department: str
    at: dt.datetime


@dataclass(frozen=True)
class Change:
    part: str
    row: int | None
    field: str
    value: object  # parsed, ready for the field
    raw: str = ""

    @property
    def key(self) -> tuple:
        return (self.part, self.row, self.field)


@dataclass
class Target:
    """The rows a change may name on one record: one-to-one parts and rows by id."""

    singles: dict = field(default_factory=dict)
    rows: dict = field(default_factory=dict)  # part -> {id: obj}


def correctable_fields(model) -> list[models.Field]:
    return [f for f in editable_fields(model) if f.name not in NOT_CORRECTABLE]


def targets(record: Record) -> Target:
    """What a correction of `record` may name: its project, its stages, its rows (by id)."""
    target = Target()
    for key in versions.SINGLE_PARTS:
        obj = record.project if key == "project" else getattr(record, key, None)
        if obj is not None:
            target.singles[key] = obj
    target.rows["units"] = {u.pk: u for u in UnitProject.objects.filter(project_id=record.project_id).order_by("pk")}
    target.rows["corps"] = {c.pk: c for c in ProjectCorp.objects.filter(record=record).order_by("pk")}
    target.rows["persons"] = {p.pk: p for p in RecordPerson.objects.filter(record=record).order_by("pk")}
    target.rows["censor_staff"] = {s.pk: s for s in CensorStaff.objects.filter(censor__record=record).order_by("pk")}
    return target


def _refuse(message, path: str = "") -> DomainError:
    return DomainError(message, code="invalid", field=path)


def _int(value) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError, OverflowError):
        return None


def parse_changes(record: Record, proposed, *, target: Target | None = None) -> list[Change]:
    """The firm's proposed changes ([{"part", "row", "field", "value"}]) read and checked against `record`: each
    names an existing part or row of the record and a field the firm enters; the value is read as the portal's save
    reads it and must pass the field's validators and differ from what the record says now. DomainError otherwise,
    naming the field."""
    if not isinstance(proposed, list) or not proposed:
        raise _refuse(_("Name at least one field to correct and its new value."), "changes")
    target = target or targets(record)
    out: list[Change] = []
    seen = set()
    for i, item in enumerate(proposed):
        path = f"changes[{i}]"
        if not isinstance(item, dict):
            raise _refuse(_("Change %(n)d is not a field and a value.") % {"n": i + 1}, path)
        part, name, raw = str(item.get("part") or ""), str(item.get("field") or ""), item.get("value", "")
        model = versions.PART_MODELS.get(part)
        if model is None:
            raise _refuse(_("Change %(n)d: choose the part of the record to correct.") % {"n": i + 1}, path)
        if part in versions.ROW_PARTS:
            row_id = _int(item.get("row"))
            obj = target.rows.get(part, {}).get(row_id)
        else:
            row_id, obj = None, target.singles.get(part)
        if obj is None:
            raise _refuse(
                _("Change %(n)d: this part or row is not in the record (it may have been entered without it).")
                % {"n": i + 1},
                path,
            )
        fields = {f.name: f for f in correctable_fields(model)}
        model_field = fields.get(name)
        if model_field is None:
            raise _refuse(_("Change %(n)d: choose a field that can be corrected.") % {"n": i + 1}, path)
        label = field_label(f"{part}.{name}" if row_id is None else f"{part}[0].{name}")
        if (part, row_id, name) in seen:
            raise _refuse(_("%(field)s is named twice: keep one new value.") % {"field": label}, path)
        seen.add((part, row_id, name))
        if not isinstance(raw, str | int | float | bool) and raw is not None:
            raise _refuse(_("%(field)s: this value cannot be read.") % {"field": label}, path)
        if isinstance(raw, str) and "\x00" in raw:
            raise _refuse(
                _("%(field)s: it contains a NUL character (\\0), which no field can hold.") % {"field": label}, path
            )
        try:
            value = _parse(model_field, raw)
        except _Refused as exc:
            raise _refuse(f"{label}: {exc.message}", path) from exc
        except _Unparseable as exc:
            raise _refuse(
                _("%(field)s: “%(value)s” is not a valid value for this field.")
                % {"field": label, "value": str(raw)[:100]},
                path,
            ) from exc
        if value is None and not model_field.null:
            raise _refuse(_("%(field)s cannot be emptied.") % {"field": label}, path)
        try:
            if value not in model_field.empty_values:
                model_field.validate(value, obj)
                model_field.run_validators(value)
        except ValidationError as exc:
            raise _refuse(f"{label}: {exc.messages[0]}", path) from exc
        if getattr(obj, model_field.attname) == value:
            raise _refuse(_("%(field)s: the new value is the same as the current one.") % {"field": label}, path)
        out.append(Change(part, row_id, name, value, "" if raw is None else str(raw)))
    return out


def apply_to(target: Target, changes: list[Change]) -> set[tuple[str, object]]:
    """Set the changes on the loaded objects of `target` (nothing saved); return the (part, object) changed."""
    touched: dict[int, tuple[str, object]] = {}
    for change in changes:
        obj = target.rows[change.part][change.row] if change.row is not None else target.singles[change.part]
        model_field = type(obj)._meta.get_field(change.field)
        setattr(obj, model_field.attname, change.value)
        touched[id(obj)] = (change.part, obj)
    return set(touched.values())


# --------------------------------------------------------------------------------------------------------------
# Versions
# --------------------------------------------------------------------------------------------------------------


def _lock_published(record_id: int) -> Record:
    record = Record.objects.select_for_update(of=("self",)).select_related("project").filter(pk=record_id).first()
    if record is None:
        raise DomainError(_("This record does not exist."), code="not_found")
    if record.status != RecordStatus.APPROVED or record.revision_of_id is not None:
        raise DomainError(
            _("Only an approved record is corrected or completed; this one is “%(status)s”.")
            % {"status": RecordStatus(record.status).label},
            code="not_published",
        )
    return record


def ensure_first_version(record: Record, first: Author | None) -> RecordVersion:
    """Version 1, the content as approved, written right before the record's first change (once)."""
    existing = RecordVersion.objects.filter(record=record, number=1).first()
    if existing is not None:
        return existing
    first = first or Author(None, "", "", record.decided_at or timezone.now())
    return RecordVersion.objects.create(
        record=record,
        number=1,
        kind=VersionKind.APPROVAL,
        snapshot=versions.snapshot(record),
        created_by=first.user,
        author_name=first.name[:50],
        author_department=first.department[:200],
        created_at=first.at,
    )


def _new_version(record: Record, *, kind: str, reason: str, author: Author, before: RecordVersion) -> RecordVersion:
    record.edition += 1
    record.version += 1  # a page opened before the change is stale; the push sends the new version
    record.save(update_fields=["edition", "version", "updated_at"])
    after = versions.snapshot(record)
    return RecordVersion.objects.create(
        record=record,
        number=record.edition,
        kind=kind,
        snapshot=after,
        changes=versions.diff(before.snapshot, after),
        reason=reason,
        created_by=author.user,
        author_name=author.name[:50],
        author_department=author.department[:200],
        created_at=author.at,
    )


def _latest(record: Record) -> RecordVersion:
    return RecordVersion.objects.filter(record=record).order_by("-number").first()


Stamp = Callable[[str, StageFields], None]


def apply_changes(
    *,
    record_id: int,
    proposed,
    reason: str,
    author: Author,
    first: Author | None,
    stamp: Stamp | None = None,
    kind: str = VersionKind.CORRECTION,
) -> RecordVersion:
    """A correction accepted (J7, P4): `proposed` written on the record's own tables, each changed stage graded
    again by `stamp` (its part key and row), the edition raised, and the new version with its diff returned.
    A change to a 单体 re-grades the project; a change to a 审图人员 re-grades the drawing review."""
    with transaction.atomic():
        record = _lock_published(record_id)
        ensure_first_version(record, first)
        before = _latest(record)
        target = targets(record)
        changes = parse_changes(record, proposed, target=target)
        touched = apply_to(target, changes)
        stages = {}
        for part, obj in touched:
            obj.save()
            owner = {"units": "project", "censor_staff": "censor"}.get(part, part)
            stage = target.singles.get(owner)
            if isinstance(stage, StageFields):
                stages[owner] = stage
        for key, stage in stages.items():
            if stamp is not None:
                stamp(key, stage)
                stage.save()
        return _new_version(record, kind=kind, reason=reason, author=author, before=before)


# --------------------------------------------------------------------------------------------------------------
# 下载并完善: a D record's working copy, and its merge once approved
# --------------------------------------------------------------------------------------------------------------

ONE_TO_ONE = [k for k in versions.SINGLE_PARTS if k != "project"]
#: fields a copy never takes from its record, nor gives back: bookkeeping and the national number
_NOT_COPIED = {"id", "record", "censor", "updated_at", "national_num"}


def _copy_values(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields if f.name not in _NOT_COPIED}


def open_completion(record: Record) -> Record | None:
    """The record's working copy not merged yet, if any."""
    return Record.objects.filter(revision_of=record, merged_at__isnull=True).first()


def _copy_file(attachment: Attachment, owner: Record) -> Attachment:
    """A copy of an attachment under a new stored name: the copy's removal never removes the record's file."""
    storage = attachment.file.storage
    try:
        with storage.open(attachment.file.name, "rb") as handle:
            name = storage.save(attachment_path(attachment, attachment.original_name), handle)
    except FileNotFoundError:  # a file lost from storage: the row is copied, there is no file to protect
        name = attachment.file.name
    copy = Attachment(
        record=owner,
        kind=attachment.kind,
        original_name=attachment.original_name,
        content_type=attachment.content_type,
        size=attachment.size,
        sha256=attachment.sha256,
        uploaded_by=attachment.uploaded_by,
    )
    copy.file.name = name
    copy.save()
    return copy


def copy_for_completion(*, record_id: int, user) -> Record:
    """下载并完善 (J7): a draft working copy of a published record (Record.revision_of) with copies of the record's
    own rows — stages, 参建单位, persons, 审图人员, attachments (their files copied) — for the firm to complete in the
    ordinary form and submit to the ordinary review. The shared project is not copied: it stays frozen (ADR 0008).
    The caller (review) checks who may and the grade; one open copy per record (the database says so too)."""
    with transaction.atomic():
        record = _lock_published(record_id)
        if open_completion(record) is not None:
            raise DomainError(
                _("A completion of this record is already open: continue it instead of starting another."),
                code="already_open",
            )
        try:
            with transaction.atomic():
                copy = Record.objects.create(
                    enterprise_id=record.enterprise_id,
                    project_id=record.project_id,
                    campaign_id=record.campaign_id,
                    revision_of=record,
                    created_by=user,
                )
        except IntegrityError as exc:
            raise DomainError(
                _("A completion of this record is already open: continue it instead of starting another."),
                code="already_open",
            ) from exc
        for key in ONE_TO_ONE:
            stage = getattr(record, key, None)
            if stage is not None:
                type(stage).objects.create(record=copy, **_copy_values(stage))
        for model in (ProjectCorp, RecordPerson):
            for row in model.objects.filter(record=record).order_by("pk"):
                model.objects.create(record=copy, **_copy_values(row))
        censor = Censor.objects.filter(record=copy).first()
        if censor is not None:
            for row in CensorStaff.objects.filter(censor__record=record).order_by("pk"):
                CensorStaff.objects.create(censor=censor, **_copy_values(row))
        stored = []
        try:
            for attachment in Attachment.objects.filter(record=record).order_by("pk"):
                stored.append(_copy_file(attachment, copy))
        except Exception:
            for a in stored:
                a.file.storage.delete(a.file.name)
            raise
    return copy


def _sync_rows(model, source: list, existing: list, owner: dict) -> None:
    """Rows of the record made like the copy's, row by row in entry order: a row keeps its id (and so its national
    row), extra rows are added, surplus rows removed."""
    for i, row in enumerate(source):
        values = _copy_values(row)
        if i < len(existing):
            obj = existing[i]
            for name, value in values.items():
                setattr(obj, name, value)
            obj.save()
        else:
            model.objects.create(**owner, **values)
    surplus = [obj.pk for obj in existing[len(source) :]]
    if surplus:
        model.objects.filter(pk__in=surplus).delete()


def merge_completion(*, copy_id: int, author: Author, first: Author | None) -> RecordVersion:
    """A completion approved (J7): the working copy's content (stages with their new grades, 参建单位, persons,
    审图人员, attachments) written on its record as a new version; the copy is closed (`merged_at`)."""
    with transaction.atomic():
        copy = Record.objects.select_for_update(of=("self",)).filter(pk=copy_id).first()
        if copy is None or copy.revision_of_id is None:
            raise DomainError(_("This record is not a completion."), code="not_found")
        if copy.merged_at is not None:
            return RecordVersion.objects.filter(record_id=copy.revision_of_id).order_by("-number").first()
        if copy.status != RecordStatus.APPROVED:
            raise DomainError(_("Only an approved completion is applied to its record."), code="not_approved")
        record = _lock_published(copy.revision_of_id)
        ensure_first_version(record, first)
        before = _latest(record)
        for key in ONE_TO_ONE:
            source = getattr(copy, key, None)
            if source is None:
                continue
            mine = getattr(record, key, None)
            if mine is None:
                type(source).objects.create(record=record, **_copy_values(source))
            else:
                for name, value in _copy_values(source).items():
                    setattr(mine, name, value)
                mine.save()
        for model in (ProjectCorp, RecordPerson):
            _sync_rows(
                model,
                list(model.objects.filter(record=copy).order_by("pk")),
                list(model.objects.filter(record=record).order_by("pk")),
                {"record": record},
            )
        censor = Censor.objects.filter(record=record).first()
        if censor is not None:
            _sync_rows(
                CensorStaff,
                list(CensorStaff.objects.filter(censor__record=copy).order_by("pk")),
                list(CensorStaff.objects.filter(censor=censor).order_by("pk")),
                {"censor": censor},
            )
        old = list(Attachment.objects.filter(record=record))
        Attachment.objects.filter(record=copy).update(record=record)
        files = [(a.file.storage, a.file.name) for a in old if a.file.name]
        Attachment.objects.filter(pk__in=[a.pk for a in old]).delete()
        transaction.on_commit(lambda: [storage.delete(name) for storage, name in files])
        copy.merged_at = author.at
        copy.save(update_fields=["merged_at", "updated_at"])
        record.refresh_from_db(fields=["edition", "version"])
        return _new_version(
            record,
            kind=VersionKind.COMPLETION,
            reason=_("Completion of a D record (J7), approved"),
            author=author,
            before=before,
        )
