"""The rule check of a whole record against the national data standard (J8) and the campaign's cut date (G1).

`check_record` lists every problem at once, in the active language, each naming its field by its label; the
portal links each to its field by `path`. The rules are the tables of `grading.rules`; the formats are the
validators of `accounts.validators`. The record and all its rows are loaded once (`load_record`), so a check
runs a bounded number of queries whatever the number of rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist, ValidationError
from django.db import models
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import validators as v
from accounts.models import RegionLevel
from projects import codes
from projects.models import Attachment, AttachmentKind, Record
from projects.selectors import region_accepted

from . import rules
from .rules import Format, Part


@dataclass(frozen=True)
class Problem:
    """One reason why the record cannot be submitted."""

    section: str  # a key of grading.rules.SECTIONS ("" when the problem concerns no section)
    path: str  # "tender.tender_money", "corps[1].corp_code", "attachments.bid_notice"; "" for the whole record
    message: str  # translated in the active language, naming the field by its label
    rule: str  # "M", "code", "check-digit", "format", "amount", "date-order", "licence-date", "function-type",
    # "region", "draft-input", "attachment", "G1"…"G4", "J3"

    @property
    def rule_id(self) -> str:
        """The rule as DOMAIN.md names it: "J8.M", "J8.check-digit", "J8.date-order" … for a check of the national
        data standard (J8, then the check), the rule itself for the notices' rules ("G1"…"G4", "J3") and for what no
        rule of DOMAIN.md numbers ("attachment": the Guangxi notice's three required attachments)."""
        return f"J8.{self.rule}" if self.rule in STANDARD_CHECKS else self.rule


RULE_MANDATORY = "M"
RULE_CODE = "code"
RULE_CHECK_DIGIT = "check-digit"
RULE_FORMAT = "format"
RULE_AMOUNT = "amount"
RULE_DATE_ORDER = "date-order"
RULE_LICENCE_DATE = "licence-date"
RULE_FUNCTION_TYPE = "function-type"
RULE_REGION = "region"
RULE_DRAFT_INPUT = "draft-input"
RULE_ATTACHMENT = "attachment"
RULE_SCOPE = "G1"

#: The checks of the national data standard (J8): Problem.rule_id says "J8.<check>" for these.
STANDARD_CHECKS = frozenset(
    {
        RULE_MANDATORY,
        RULE_CODE,
        RULE_CHECK_DIGIT,
        RULE_FORMAT,
        RULE_AMOUNT,
        RULE_DATE_ORDER,
        RULE_LICENCE_DATE,
        RULE_FUNCTION_TYPE,
        RULE_REGION,
        RULE_DRAFT_INPUT,
    }
)

_VALIDATORS: dict[Format, tuple[Callable[[object], None], str]] = {
    Format.CREDIT_CODE: (v.validate_uscc, RULE_CHECK_DIGIT),
    Format.CREDIT_CODE_OR_OTHER: (v.validate_build_corp_code, RULE_CHECK_DIGIT),
    Format.ID_CARD: (v.validate_id_card, RULE_CHECK_DIGIT),
    Format.PRJ_NUM: (v.validate_prj_num, RULE_FORMAT),
    Format.LICENCE_CERT_NO: (v.validate_licence_cert_no, RULE_FORMAT),
    Format.POSITIVE: (v.validate_positive, RULE_AMOUNT),
    Format.NON_NEGATIVE: (v.validate_non_negative, RULE_AMOUNT),
    Format.PHONE: (v.validate_phone, RULE_FORMAT),
    Format.TWO_DECIMALS: (v.validate_two_decimals, RULE_FORMAT),
}


# --------------------------------------------------------------------------------------------------------------
# Loading: one query for the record and its one-to-one stages, one per set of rows.
# --------------------------------------------------------------------------------------------------------------

_ONE_TO_ONE = ("tender", "contract", "censor", "licence", "finish_check", "finish_record")


def load_record(record_or_id: Record | int) -> Record:
    """The record with everything `check_record` and `section_completeness` read, in a fixed number of queries."""
    if isinstance(record_or_id, Record) and getattr(record_or_id, "_grading_loaded", False):
        return record_or_id
    pk = record_or_id.pk if isinstance(record_or_id, Record) else record_or_id
    record = (
        Record.objects.select_related("project__county", "campaign", *_ONE_TO_ONE)
        .prefetch_related(
            "project__units",
            "corps",
            "persons",
            "censor__staff",
            Prefetch("attachments", queryset=Attachment.objects.only("id", "record_id", "kind")),
        )
        .get(pk=pk)
    )
    record._grading_loaded = True
    return record


@dataclass(frozen=True)
class _Item:
    """One stage or row of a part, with its path prefix ("tender", "corps[2]") and its place in messages."""

    part: Part
    obj: models.Model | None  # None: a one-to-one stage not entered yet
    prefix: str
    row: int | None = None

    def value(self, name: str):
        if self.obj is None:
            return None
        field = self.part.field(name)
        return getattr(self.obj, field.attname)

    def place(self, name: str) -> str:
        return _place(self.part, self.row, self.part.field(name).verbose_name)


def _place(part: Part, row: int | None, field_label) -> str:
    """How a message names a field: 招投标备案“中标金额（万元）”, 参建单位第2行“统一社会信用代码”."""
    if row is None:
        return _("%(part)s: “%(field)s”") % {"part": part.label, "field": field_label}
    return _("%(part)s row %(row)s: “%(field)s”") % {"part": part.label, "row": row + 1, "field": field_label}


def _stage(record: Record, key: str) -> models.Model | None:
    if key == "project":
        return record.project
    try:
        return getattr(record, key)
    except ObjectDoesNotExist:
        return None


def _rows(record: Record, key: str) -> list[models.Model]:
    if key == "units":
        return list(record.project.units.all())
    if key == "censor_staff":
        censor = _stage(record, "censor")
        return list(censor.staff.all()) if censor is not None else []
    return list(getattr(record, key).all())


def _items(record: Record, part: Part) -> list[_Item]:
    if not part.many:
        return [_Item(part, _stage(record, part.key), part.key)]
    # rows in their model's ordering, the order the record page lists them in (and indexes draft_inputs by)
    return [_Item(part, obj, f"{part.key}[{i}]", i) for i, obj in enumerate(_rows(record, part.key))]


def _is_empty(value) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


# --------------------------------------------------------------------------------------------------------------
# The check
# --------------------------------------------------------------------------------------------------------------


class _Collector:
    def __init__(self, record: Record) -> None:
        self.record = record
        self.kept: dict = dict(record.draft_inputs or {})
        self.problems: list[Problem] = []
        self.flagged: set[str] = set(self.kept)  # one problem per field: a value kept as typed is its problem

    def add(self, path: str, message: str, rule: str, *, once: bool = True) -> None:
        if once:
            if path in self.flagged:
                return
            self.flagged.add(path)
        self.problems.append(Problem(rules.section_of(path), path, str(message), rule))


def _items_by_part(record: Record) -> dict[str, list[_Item]]:
    return {part.key: _items(record, part) for part in rules.PARTS}


def _find(items: dict[str, list[_Item]], path: str) -> tuple[_Item | None, str]:
    head, index, name = rules.split_path(path)
    candidates = items.get(head, [])
    if index is None:
        return (candidates[0] if candidates else None), name
    return (candidates[index] if index < len(candidates) else None), name


def _draft_inputs(c: _Collector, items: dict[str, list[_Item]]) -> None:
    """A value typed that its field could not store: the clerk must correct it (projects.services.record_save)."""
    for path, raw in c.kept.items():
        head, index, name = rules.split_path(path)
        part = rules.PART_BY_KEY.get(head)
        try:
            field_label = part.field(name).verbose_name if part else name
        except FieldDoesNotExist:  # a path of a field that no longer exists
            field_label = name
        place = _place(part, index, field_label) if part is not None else path
        c.add(path, not_saved_message(place, path, raw), RULE_DRAFT_INPUT, once=False)


def place_of(path: str) -> str:
    """How messages name the field at `path`: 基本信息“总投资（万元）”, 参建单位第2行“统一社会信用代码”."""
    head, index, name = rules.split_path(path)
    part = rules.PART_BY_KEY.get(head)
    if part is None:
        return path
    try:
        return _place(part, index, part.field(name).verbose_name)
    except FieldDoesNotExist:
        return path


def not_saved_message(place: str, path: str, raw) -> str:
    """A value kept as typed, told with what its field expects (grading.rules.input_hint): the submit report, the
    record page and the API say the same words."""
    expected = rules.input_hint(path)
    if not expected:
        return _("%(place)s: “%(value)s” could not be saved as typed; correct it.") % {"place": place, "value": raw}
    return _("%(place)s: “%(value)s” could not be saved. %(expected)s.") % {
        "place": place,
        "value": raw,
        "expected": expected,
    }


def _mandatory_and_codes(c: _Collector, items: dict[str, list[_Item]]) -> None:
    for part in rules.PARTS:
        part_items = items[part.key]
        if part.many and len(part_items) < part.min_rows:
            c.add(
                f"{part.key}[{len(part_items)}]",
                _("%(part)s: enter at least one row.") % {"part": part.label},
                RULE_MANDATORY,
            )
        for item in part_items:
            for name in part.required:
                if _is_empty(item.value(name)):
                    c.add(
                        f"{item.prefix}.{name}",
                        _("%(place)s is required.") % {"place": item.place(name)},
                        RULE_MANDATORY,
                    )
            if item.obj is None:
                continue
            for field in part.model._meta.concrete_fields:
                if not field.choices or field.name in rules.SYSTEM_FIELDS:
                    continue
                value = getattr(item.obj, field.attname)
                if _is_empty(value) or value in {choice for choice, _label in field.flatchoices}:
                    continue
                c.add(
                    f"{item.prefix}.{field.name}",
                    _("%(place)s: “%(value)s” is not a code of the national data standard.")
                    % {"place": item.place(field.name), "value": value},
                    RULE_CODE,
                )


def _formats(c: _Collector, items: dict[str, list[_Item]], only: frozenset[Format] | None = None) -> None:
    for check in rules.FIELD_CHECKS:
        if only is not None and check.format not in only:
            continue
        head, _index, name = rules.split_path(check.path)
        validator, rule = _VALIDATORS[check.format]
        for item in items[head]:
            value = item.value(name)
            if _is_empty(value):
                continue
            if check.format == Format.ID_CARD and item.value(check.id_type_field) != codes.IdCardType.RESIDENT_ID:
                continue
            try:
                validator(value)
            except ValidationError as exc:
                c.add(
                    f"{item.prefix}.{name}",
                    _("%(place)s: %(error)s") % {"place": item.place(name), "error": " ".join(exc.messages)},
                    rule,
                )


#: fields whose national length (bytes of GBK) is below our column's length (characters)
GBK_LIMITS = {"units.memo": 400}
#: filled by the review and the push, not by the clerk
_NOT_TYPED = frozenset({"check_depart_name", "check_person_name", "national_num"})


def _gbk_lengths(c: _Collector, items: dict[str, list[_Item]]) -> None:
    """J8: the standard measures a text field in bytes of GBK (a Chinese character is two), and holds only what GBK
    can write. A value within our column's characters can still be too long for the national table."""
    for part in rules.PARTS:
        for field in part.model._meta.concrete_fields:
            if not isinstance(field, models.CharField) or field.choices or field.name in _NOT_TYPED:
                continue
            limit = GBK_LIMITS.get(f"{part.key}.{field.name}", field.max_length)
            for item in items[part.key]:
                value = item.value(field.name)
                if _is_empty(value):
                    continue
                try:
                    size = len(value.encode("gbk"))
                except UnicodeEncodeError as exc:
                    c.add(
                        f"{item.prefix}.{field.name}",
                        _("%(place)s: “%(char)s” is not in GBK, the national platform's encoding; replace it.")
                        % {"place": item.place(field.name), "char": exc.object[exc.start : exc.end]},
                        RULE_FORMAT,
                    )
                    continue
                if size > limit:
                    c.add(
                        f"{item.prefix}.{field.name}",
                        _(
                            "%(place)s: %(size)s bytes, the national standard allows %(limit)s (GBK: a Chinese "
                            "character is 2 bytes); shorten it."
                        )
                        % {"place": item.place(field.name), "size": size, "limit": limit},
                        RULE_FORMAT,
                    )


def _dates(c: _Collector, items: dict[str, list[_Item]], today: dt.date) -> None:
    def dated(path: str) -> tuple[str, str, dt.date] | None:
        item, name = _find(items, path)
        value = item.value(name) if item is not None else None
        return (path, item.place(name), value) if value is not None else None

    for chain in rules.DATE_CHAINS:
        previous = None
        for path in chain:
            step = dated(path)
            if step is None:
                continue
            if previous is not None:
                for message in v.check_date_order([(previous[1], previous[2]), (step[1], step[2])]):
                    c.add(step[0], message, RULE_DATE_ORDER)
            previous = step
    for path in rules.PAST_DATES:
        step = dated(path)
        if step is None:
            continue
        if step[2] > today:
            c.add(
                path,
                _("%(place)s (%(date)s) is in the future; enter a date no later than today (%(today)s).")
                % {"place": step[1], "date": step[2].isoformat(), "today": today.isoformat()},
                RULE_DATE_ORDER,
            )
    campaign = c.record.campaign
    completed = dated(rules.COMPLETION_DATE)
    if completed is not None and completed[2] >= campaign.scope_completed_before:
        c.add(
            completed[0],
            _("%(place)s (%(date)s) must be before %(cut)s. %(notice)s")
            % {
                "place": completed[1],
                "date": completed[2].isoformat(),
                "cut": campaign.scope_completed_before.isoformat(),
                "notice": campaign.msg_not_completed,
            },
            RULE_SCOPE,
        )
    number_path, date_path = rules.LICENCE_DATE
    number, issued = dated(number_path), dated(date_path)
    if number is not None and issued is not None and number_path not in c.flagged:
        try:
            segment = v.licence_cert_issue_date(number[2])
        except ValidationError:
            return
        if segment != issued[2]:
            c.add(
                number_path,
                _("%(place)s: its date segment %(segment)s does not match the issue date %(issued)s.")
                % {"place": number[1], "segment": segment.isoformat(), "issued": issued[2].isoformat()},
                RULE_LICENCE_DATE,
            )


def _project(c: _Collector, items: dict[str, list[_Item]]) -> None:
    function_path, type_path = rules.FUNCTION_OF_TYPE
    item, function_name = _find(items, function_path)
    type_name = rules.split_path(type_path)[2]
    prj_type, function = item.value(type_name), item.value(function_name)
    if prj_type and function and function not in codes.functions_for_type(prj_type):
        c.add(
            function_path,
            _("%(place)s: “%(use)s” does not belong to the project category “%(category)s”.")
            % {
                "place": item.place(function_name),
                "use": codes.ProjectFunction(function).label if function in codes.ProjectFunction.values else function,
                "category": codes.ProjectType(prj_type).label if prj_type in codes.ProjectType.values else prj_type,
            },
            RULE_FUNCTION_TYPE,
        )
    county = c.record.project.county
    region_item, region_name = _find(items, rules.REGION)
    if county.level != RegionLevel.COUNTY:
        c.add(
            rules.REGION,
            _("%(place)s: choose a county-level region.") % {"place": region_item.place(region_name)},
            RULE_REGION,
        )
    else:
        year = c.record.campaign.notice_date.year
        if not region_accepted(county, year):
            c.add(
                rules.REGION,
                _("%(place)s: the region code %(code)s was not in force in %(year)s.")
                % {"place": region_item.place(region_name), "code": county.code, "year": year},
                RULE_REGION,
            )


def _attachments(c: _Collector) -> None:
    present = {a.kind for a in c.record.attachments.all()}
    for kind in rules.REQUIRED_ATTACHMENTS:
        if kind not in present:
            c.add(
                f"{rules.ATTACHMENTS_SECTION}.{kind}",
                _("Attachment required: %(kind)s.") % {"kind": AttachmentKind(kind).label},
                RULE_ATTACHMENT,
            )


_SECTION_ORDER = {s.key: i for i, s in enumerate(rules.SECTIONS)}


def check_record(record: Record) -> list[Problem]:
    """Every problem that stops the record from being submitted, in the order of the page's sections.

    Mandatory fields (M), code tables, GB 32100 / GB 11643 check characters, 项目编号 and 施工许可证编号 formats and
    the permit's date segment, positive amounts, the county's region code for the campaign's year, 工程用途 against
    项目分类, the order of the stage dates (none after today, completion before the campaign's cut date), values
    kept as typed in `draft_inputs`, and the required attachments. Campaign admission (G2–G4) and J3 are asked by
    the submit service.
    """
    record = load_record(record)
    items = _items_by_part(record)
    c = _Collector(record)
    _draft_inputs(c, items)
    _mandatory_and_codes(c, items)
    _formats(c, items)
    _gbk_lengths(c, items)
    _dates(c, items, timezone.localdate())
    _project(c, items)
    _attachments(c)
    return _in_page_order(c.problems)


def _in_page_order(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: _SECTION_ORDER.get(p.section, len(_SECTION_ORDER)))


#: The checks a value fails on its own, whatever the rest of the record: told at 修改保存, not only at submit.
#: Signs (issue 9) and the formats of codes and numbers (issue 11 item 7: a credit code, an ID number, a phone).
ENTRY_FORMATS = frozenset(Format)


def entry_problems(record: Record) -> list[Problem]:
    """What the clerk is told when saving (issues 9 and 11): an amount, cost or duration that is negative or zero
    where it must be positive, an area below zero, a credit code, ID number, phone, 项目编号 or 施工许可证编号 not in
    its format. Saved all the same (a draft keeps what was typed); submit refuses it."""
    record = load_record(record)
    c = _Collector(record)
    _formats(c, _items_by_part(record), ENTRY_FORMATS)
    return _in_page_order(c.problems)


def _filled_counts(record: Record, section: rules.Section, kept: dict) -> tuple[int, int]:
    filled = required = 0
    for part in section.parts:
        part_items = _items(record, part)
        required += max(len(part_items), part.min_rows) * len(part.required)
        for item in part_items:
            filled += sum(
                1 for name in part.required if not _is_empty(item.value(name)) and f"{item.prefix}.{name}" not in kept
            )
    return filled, required


def section_completeness(record: Record) -> dict[str, tuple[int, int]]:
    """Per section of the page: (mandatory fields filled, mandatory fields), attachments as required kinds."""
    record = load_record(record)
    kept = record.draft_inputs or {}
    result: dict[str, tuple[int, int]] = {}
    for section in rules.SECTIONS:
        if section.key == rules.ATTACHMENTS_SECTION:
            present = {a.kind for a in record.attachments.all()}
            result[section.key] = (
                sum(1 for kind in rules.REQUIRED_ATTACHMENTS if kind in present),
                len(rules.REQUIRED_ATTACHMENTS),
            )
        else:
            result[section.key] = _filled_counts(record, section, kept)
    return result


def problems_by_section(problems: list[Problem]) -> Iterator[tuple[rules.Section, list[Problem]]]:
    """The problems grouped under the page's sections, in page order (for the portal's error list)."""
    for section in rules.SECTIONS:
        listed = [p for p in problems if p.section == section.key]
        if listed:
            yield section, listed
