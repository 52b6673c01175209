"""Writes of projects/: starting a record (新增报建) that joins a known project, and number allocation."""

from __future__ import annotations

import datetime as dt
import decimal
import math

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _

from accounts import validators
from accounts.errors import DomainError
from accounts.models import Enterprise, Region, RegionLevel

from . import inputs, selectors
from .campaigns import scope_refusals, start_refusal
from .models import (
    Attachment,
    BuilderLicence,
    Campaign,
    Censor,
    CensorStaff,
    Contract,
    FinishCheck,
    FinishRecord,
    NumberSequence,
    Project,
    ProjectCorp,
    Record,
    RecordPerson,
    RecordStatus,
    Tender,
    UnitProject,
)
from .selectors import find_known_project


def next_in_sequence(key: str) -> int:
    """The next number of the sequence `key` (1, 2, …), drawn atomically: two transactions never get the same."""
    table = NumberSequence._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (key, last) VALUES (%s, 1) "
            f"ON CONFLICT (key) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [key],
        )
        return cursor.fetchone()[0]


def allocate_prj_num(*, county_code: str, on: dt.date) -> str:
    """项目编号 = region(6) + yyMMdd + 4-digit sequence, the sequence drawn atomically per region and day."""
    key = f"prj:{county_code}:{on:%y%m%d}"
    while True:
        seq = next_in_sequence(key)
        if seq > 9999:
            raise DomainError(
                _("No project number is left for this region today; try again tomorrow."),
                code="prj_num_exhausted",
            )
        prj_num = f"{county_code}{on:%y%m%d}{seq:04d}"
        if not Project.objects.filter(prj_num=prj_num).exists():  # a typed number may already hold it
            return prj_num


def _check(validator, value: str, field: str) -> None:
    try:
        validator(value)
    except ValidationError as exc:
        raise DomainError(exc.messages[0], code="invalid", field=field) from exc


@transaction.atomic
def record_start(
    *,
    enterprise: Enterprise,
    campaign: Campaign,
    user=None,
    prj_name: str,
    county: Region,
    prj_num: str = "",
    licence_cert_no: str = "",
    historical: bool = False,
    **project_fields,
) -> Record:
    """新增报建: a record of `enterprise` for a project.

    A project already known by its 项目编号 or 施工许可证编号 is joined, not created again; an enterprise claims
    a project once. A campaign closed or not yet open to the enterprise today refuses the start in its own words
    (G2–G4); `historical` is for the demo and migrations, which seed records of campaigns that have closed.
    """
    if not historical:
        selectors.refuse_if_deregistered(enterprise)
        refusal = start_refusal(enterprise, campaign, timezone.localdate())
        if refusal is not None:
            raise DomainError(refusal.message, code=refusal.rule, field="campaign")
    prj_num, licence_cert_no = prj_num.strip(), licence_cert_no.strip()
    if prj_num:
        _check(validators.validate_prj_num, prj_num, "prj_num")
    if licence_cert_no:
        _check(validators.validate_licence_cert_no, licence_cert_no, "licence_cert_no")
    if county.level != RegionLevel.COUNTY:
        raise DomainError(
            _("Choose the county-level region where the project is located."),
            code="county_level",
            field="county",
        )
    outside = [r for r in scope_refusals(campaign, county, None, False) if r.field == "county"]
    if outside:  # G1 at once, in the notice's words: a project of another province is declared there
        raise DomainError(outside[0].message, code="G1", field="county")
    by_number = find_known_project(prj_num=prj_num) if prj_num else None
    by_licence = find_known_project(licence_cert_no=licence_cert_no) if licence_cert_no else None
    if by_number and by_licence and by_number.pk != by_licence.pk:
        raise DomainError(
            _(
                "The project number %(prj_num)s and the construction permit %(licence)s belong to two different "
                "projects on the platform; check both numbers."
            )
            % {"prj_num": prj_num, "licence": licence_cert_no},
            code="numbers_disagree",
            field="licence_cert_no",
        )
    project = by_number or by_licence
    if project is not None and Record.objects.filter(enterprise=enterprise, project=project).exists():
        raise DomainError(
            _(
                "Your enterprise has already declared this project (project number %(prj_num)s); "
                "open the existing record instead of declaring it again."
            )
            % {"prj_num": project.prj_num},
            code="already_claimed",
            field="prj_num",
        )
    if project is None:
        try:
            with transaction.atomic():
                project = Project.objects.create(
                    prj_num=prj_num or allocate_prj_num(county_code=county.code, on=timezone.localdate()),
                    prj_name=prj_name,
                    county=county,
                    **project_fields,
                )
        except IntegrityError:  # another enterprise created the same 项目编号 a moment ago: join it
            project = Project.objects.get(prj_num=prj_num)
    try:
        with transaction.atomic():
            record = Record.objects.create(enterprise=enterprise, project=project, campaign=campaign, created_by=user)
    except IntegrityError as exc:  # two tabs racing to claim the same project
        raise DomainError(
            _("Your enterprise has already declared this project."), code="already_claimed", field="prj_num"
        ) from exc
    if licence_cert_no:
        BuilderLicence.objects.create(record=record, licence_cert_no=licence_cert_no)
    return record


# --------------------------------------------------------------------------------------------------------------
# 修改保存: save a whole record at any completeness. Nothing typed is lost: a value that cannot be stored in its
# field yet (an impossible date, letters in an amount, a text too long) is kept as typed in record.draft_inputs
# and reported by the submit check; a save from a stale page is refused (optimistic concurrency on `version`).
# --------------------------------------------------------------------------------------------------------------

ONE_TO_ONE_STAGES = {
    "tender": Tender,
    "contract": Contract,
    "censor": Censor,
    "licence": BuilderLicence,
    "finish_check": FinishCheck,
    "finish_record": FinishRecord,
}
ROW_SETS = {"units": UnitProject, "corps": ProjectCorp, "persons": RecordPerson, "censor_staff": CensorStaff}
_NOT_EDITABLE = {
    "id",
    "record",
    "project",
    "censor",
    "prj_num",
    "status",
    "version",
    "created_at",
    "updated_at",
    "national_num",
    "data_source",
    "data_level",
    "check_depart_name",
    "check_person_name",
}


def editable_fields(model) -> list[models.Field]:
    """The concrete fields a clerk may write on a stage or row model (the same list for forms, API and save)."""
    return [
        f
        for f in model._meta.concrete_fields
        if f.name not in _NOT_EDITABLE and not f.auto_created and getattr(f, "editable", True)
    ]


class _Unparseable(Exception):
    pass


class _Refused(Exception):
    """A value no draft can keep: a number without end, or one beyond any value of its field
    (the column could not hold it however it is corrected). The save is refused and names the field."""

    def __init__(self, message) -> None:
        super().__init__(message)
        self.message = message


def _refuse_unstorable(field: models.Field, raw, value=None) -> None:
    """Raise _Refused when `raw` (as sent) or its parsed `value` is something no save keeps (issue 9)."""
    if isinstance(raw, float) and not math.isfinite(raw):
        raise _Refused(_("This number is too large to be an amount or a count."))
    if isinstance(field, models.DecimalField) and isinstance(value, decimal.Decimal):
        if not value.is_finite() or abs(value) >= decimal.Decimal(10) ** (field.max_digits - field.decimal_places):
            raise _Refused(
                _("This number is too large: it has at most %(digits)d digits before the decimal point.")
                % {"digits": field.max_digits - field.decimal_places}
            )
    elif isinstance(field, models.IntegerField) and isinstance(value, int) and not isinstance(value, bool):
        low, high = connection.ops.integer_field_range(field.get_internal_type())
        if low is not None and value < low:
            if low == 0:
                raise _Refused(_("This is a count: it cannot be negative."))
            raise _Refused(_("This number is too small for its field."))
        if high is not None and value > high:
            raise _Refused(_("This number is too large: at most %(high)d.") % {"high": high})


def field_label(path: str) -> str:
    """What a clerk calls the field of a save's path: "tender.tender_money" -> 中标金额, "corps[1].person_name" ->
    参建单位 第2行 项目负责人姓名; the path itself when it names no field."""
    head, _dot, name = path.partition(".")
    key, _bracket, index = head.partition("[")
    model = {"project": Project, **ONE_TO_ONE_STAGES, **ROW_SETS}.get(key)
    try:
        label = str(model._meta.get_field(name).verbose_name) if model else path
    except FieldDoesNotExist:
        return path
    if index.rstrip("]").isdigit():
        row = _("row %(n)d") % {"n": int(index.rstrip("]")) + 1}
        return f"{model._meta.verbose_name} {row} {label}"
    return label


def _refuse_nul(value, path: str) -> None:
    """No text of a save may hold a NUL character (PostgreSQL keeps none): refused, naming the first such path."""
    if isinstance(value, str):
        if "\x00" in value:
            raise DomainError(
                _("%(field)s: it contains a NUL character (\\0), which no field can hold: remove it and save again.")
                % {"field": field_label(path)},
                code="invalid",
                field=path,
            )
    elif isinstance(value, dict):
        for key, item in value.items():
            _refuse_nul(str(key), path)
            _refuse_nul(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            _refuse_nul(item, f"{path}[{i}]")


def _parse(field: models.Field, raw):
    """The Python value of `raw` for `field`, or _Unparseable (kept as typed); _Refused for what no save keeps.
    Empty input clears the field."""
    _refuse_unstorable(field, raw)
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        if isinstance(field, models.BooleanField) and not field.null:
            return False
        return "" if isinstance(field, models.CharField | models.TextField) else None
    if isinstance(field, models.ForeignKey):
        value = raw.pk if hasattr(raw, "pk") else str(raw).strip()
        if not field.related_model._default_manager.filter(pk=value).exists():
            raise _Unparseable
        return value
    if isinstance(field, models.BooleanField):
        text = str(raw).strip().lower()
        if text in ("1", "true", "yes", "on", "是"):
            return True
        if text in ("0", "false", "no", "off", "否"):
            return False
        raise _Unparseable
    if isinstance(field, models.CharField | models.TextField):
        text = str(raw).strip()
        if field.max_length and len(text) > field.max_length:
            raise _Unparseable
        return text
    try:
        # the same forms for the page and the API: 2015/3/8, 2015年3月8日, 1,200, １２００, 6800万元 (projects.inputs)
        value = field.to_python(inputs.read(field, raw).strip() if isinstance(raw, str) else raw)
        _refuse_unstorable(field, raw, value)
        if isinstance(field, models.DecimalField) and value is not None:
            # digits that do not fit the column are kept as typed rather than rounded or refused
            field.get_db_prep_save(value, connection)
            if value.as_tuple().exponent < -field.decimal_places:
                raise _Unparseable
    except (ValidationError, ValueError, TypeError, ArithmeticError) as exc:  # inputs.NotReadable is a ValueError
        raise _Unparseable from exc
    return value


def _assign(obj, model, values: dict, prefix: str, kept: dict) -> bool:
    """Set the editable fields present in `values` on `obj`; return whether anything changed."""
    changed = False
    for field in editable_fields(model):
        if field.name not in values and field.attname not in values:
            continue
        raw = values.get(field.name, values.get(field.attname))
        path = f"{prefix}.{field.name}"
        try:
            value = _parse(field, raw)
        except _Refused as exc:
            message = format_lazy("{}: {}", field_label(path), exc.message)
            raise DomainError(message, code="invalid", field=path) from exc
        except _Unparseable:
            kept[path] = raw if isinstance(raw, str | int | float | bool) else str(raw)
            value = None if field.null else ("" if isinstance(field, models.CharField) else field.get_default())
        else:
            kept.pop(path, None)
        if value is None and not field.null:  # a required link (the project's county) is never emptied by a save
            continue
        if getattr(obj, field.attname) != value:
            setattr(obj, field.attname, value)
            changed = True
    return changed


def lock_shared_project(record: Record) -> None:
    """Lock the project's row: a save of its shared part and a transition that freezes it (submit, direct review)
    take this lock, so a save cannot slip in between another claim's submit check and its commit."""
    Project.objects.select_for_update().filter(pk=record.project_id).values_list("pk", flat=True).first()


def _rows_would_change(model, rows: list[dict], owner: dict) -> bool:
    existing = {obj.pk: obj for obj in model.objects.filter(**owner)}
    if len(rows) != len(existing):
        return True
    for i, row in enumerate(rows):
        obj = existing.get(_int_or_none(row.get("id"))) if isinstance(row, dict) else None
        if obj is None or _assign(obj, model, row, f"units[{i}]", {}):
            return True
    return False


def _shared_would_change(record: Record, data: dict) -> bool:
    if "project" in data:
        scratch = Project.objects.get(pk=record.project_id)
        if _assign(scratch, Project, data["project"] or {}, "project", {}):
            return True
    return "units" in data and _rows_would_change(UnitProject, data["units"] or [], {"project_id": record.project_id})


def _check_shared_parts(record: Record, data: dict) -> bool:
    """May this save write the project's shared part (ADR 0008)? Refuses a save that would change it when the claim
    may not; a claim that may see the shared part may send it back unchanged (the page and a PUT do)."""
    sent = [key for key in selectors.SHARED_PARTS if key in data]
    if not sent:
        return False
    lock_shared_project(record)
    access = selectors.shared_access(record)
    if access.editable:
        return True
    if access.visible and not _shared_would_change(record, data):
        return False
    raise DomainError(shared_part_note(access), code="shared_fixed", field=sent[0])


def shared_part_note(access: selectors.SharedAccess) -> str:
    """Why a claim cannot change its project's basic information and unit projects: the one wording of it."""
    if access.frozen:
        return _(
            "A record of this project has been submitted or decided: the project's basic information and its unit "
            "projects are fixed for every enterprise that declares it. To correct them, apply to the provincial "
            "department."
        )
    return _(
        "The project's basic information and its unit projects are entered by the enterprise that first declared "
        "this project; your enterprise declares its own part of the project and cannot change them."
    )


def _save_rows(model, rows: list[dict], owner: dict, prefix: str, kept: dict, unit_ids: dict) -> None:
    existing = {obj.pk: obj for obj in model.objects.filter(**owner)}
    keep_ids = set()
    for i, row in enumerate(rows):
        row = dict(row)
        unknown_unit = None
        if model is ProjectCorp and row.get("unit") not in (None, ""):
            ref = str(row["unit"]).strip()
            if ref not in unit_ids:  # not a unit of this project: kept as typed, the submit check reports it
                unknown_unit = row["unit"] if isinstance(row["unit"], str | int) else str(row["unit"])
            row["unit"] = unit_ids.get(ref)
        obj = existing.get(_int_or_none(row.get("id"))) or model(**owner)
        # a removed row's paths must not linger in draft_inputs
        _assign(obj, model, row, f"{prefix}[{i}]", kept)
        if unknown_unit is not None:
            kept[f"{prefix}[{i}].unit"] = unknown_unit
        obj.save()
        keep_ids.add(obj.pk)
        if model is UnitProject:  # corps may name a unit by its id or, when new, as "#<index>"
            unit_ids[f"#{i}"] = obj.pk
            unit_ids[str(obj.pk)] = obj.pk
    stale = [pk for pk in existing if pk not in keep_ids]
    if stale:
        model.objects.filter(pk__in=stale).delete()
    for path in [p for p in kept if p.startswith(f"{prefix}[")]:
        index = int(path[len(prefix) + 1 : path.index("]")])
        if index >= len(rows):
            kept.pop(path)


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        return None


@transaction.atomic
def record_save(*, record_id: int, user, data: dict, expected_version: int) -> Record:
    """修改保存: write every section of `data` onto the record, whatever its completeness.

    `data` has the shape of the record page and of the API: {"project": {...}, "tender": {...}, "contract": {...},
    "censor": {...}, "licence": {...}, "finish_check": {...}, "finish_record": {...}, "units": [{...}],
    "corps": [{...}], "persons": [{...}], "censor_staff": [{...}]}; absent sections are left as they are; a list
    replaces the rows (a row with "id" updates that row, one without creates, a missing one is deleted).
    Values are as typed (strings); a value its field cannot hold yet is kept in `draft_inputs`.
    Raises DomainError "forbidden" (not this enterprise's), "locked" (decided: G7) or "stale" (another tab saved).
    """
    record = Record.objects.select_for_update().select_related("project").get(pk=record_id)
    if getattr(user, "enterprise_id", None) != record.enterprise_id:
        raise DomainError(_("This record belongs to another enterprise."), code="forbidden")
    selectors.refuse_if_deregistered(record.enterprise)
    if not record.is_editable_by_enterprise:
        raise DomainError(
            _("This record has been decided by the authority and can no longer be changed."), code="locked"
        )
    if record.version != expected_version:
        raise DomainError(
            _(
                "This record was saved elsewhere (another tab or another colleague) after you opened it. "
                "Your changes were not saved over it: reload the page to see the newer version."
            ),
            code="stale",
        )
    _refuse_nul(data, "")
    kept = dict(record.draft_inputs or {})
    shared_editable = _check_shared_parts(record, data)
    if "project" in data and shared_editable:
        project = record.project
        if _assign(project, Project, data["project"], "project", kept):
            project.save()
    for key, model in ONE_TO_ONE_STAGES.items():
        if key not in data:
            continue
        stage = model.objects.filter(record=record).first() or model(record=record)
        if _assign(stage, model, data[key] or {}, key, kept) or stage.pk is None:
            stage.save()
    unit_ids: dict = {}
    if "corps" in data:  # a 参建单位 may name a unit of its own project only
        units = UnitProject.objects.filter(project_id=record.project_id).values_list("pk", flat=True)
        unit_ids = {str(pk): pk for pk in units}
    if "units" in data and shared_editable:
        _save_rows(UnitProject, data["units"], {"project": record.project}, "units", kept, unit_ids)
    if "corps" in data:
        _save_rows(ProjectCorp, data["corps"], {"record": record}, "corps", kept, unit_ids)
    if "persons" in data:
        _save_rows(RecordPerson, data["persons"], {"record": record}, "persons", kept, unit_ids)
    if "censor_staff" in data:
        censor = Censor.objects.get_or_create(record=record)[0]
        _save_rows(CensorStaff, data["censor_staff"], {"censor": censor}, "censor_staff", kept, unit_ids)
    record.draft_inputs = kept
    record.version += 1
    record.save(update_fields=["draft_inputs", "version", "updated_at"])
    return record


# --------------------------------------------------------------------------------------------------------------
# 删除草稿: a draft never submitted is the enterprise's own scratch; anything ever submitted is the authority's too
# --------------------------------------------------------------------------------------------------------------


def deletion_refusal(record: Record) -> str:
    """Why `record` cannot be deleted, or "" when it can: only a draft never submitted (G7: a record submitted,
    decided or rejected has a review history, and a rejected one is corrected and submitted again, not deleted)."""
    if record.status == RecordStatus.DRAFT and record.submitted_at is None:
        return ""
    if record.status == RecordStatus.REJECTED:
        return str(
            _(
                "This record was rejected by the authority and has a review history, so it cannot be deleted: "
                "correct it and submit it again."
            )
        )
    return str(_("Only a draft that was never submitted can be deleted; this record has been submitted for review."))


@transaction.atomic
def record_delete(*, record_id: int, user) -> str:
    """删除草稿: delete a draft of the user's enterprise that was never submitted, with its stages, rows and
    attachments (their files are removed from storage once the transaction commits); return the project's name.

    A shared project (ADR 0008) stays as long as another enterprise claims it, and the next claim becomes its
    keeper; a project no other record claims goes with the draft. G7: a record ever submitted is refused ("locked"),
    and the database refuses too (its transition rows PROTECT it).
    """
    record = Record.objects.select_for_update(of=("self",)).select_related("project").filter(pk=record_id).first()
    if record is None:
        raise DomainError(_("This record does not exist."), code="not_found")
    if getattr(user, "enterprise_id", None) != record.enterprise_id:
        raise DomainError(_("This record belongs to another enterprise."), code="forbidden")
    selectors.refuse_if_deregistered(record.enterprise)
    refusal = deletion_refusal(record)
    if refusal:
        raise DomainError(refusal, code="locked")
    lock_shared_project(record)  # no other claim submits (and freezes the project) while it loses a claim
    project, name = record.project, record.project.prj_name
    files = [(a.file.storage, a.file.name) for a in Attachment.objects.filter(record=record) if a.file.name]
    try:
        with transaction.atomic():
            record.delete()
            if not Record.objects.filter(project=project).exists():
                project.delete()  # its 单体 with it; nobody else claims it
    except models.ProtectedError as exc:  # something of the authorities' refers to it (e.g. a logged look at it)
        raise DomainError(
            _("The authority's files refer to this record, so it cannot be deleted."), code="locked"
        ) from exc

    def remove_files() -> None:
        for storage, file_name in files:
            storage.delete(file_name)

    transaction.on_commit(remove_files)
    return name
