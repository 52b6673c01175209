"""The national data standard (建办市〔2018〕81号, 2018 tables) as data: the record page's sections, the mandatory
(M, 必填) fields of each national table, and the format checks each field takes.

Nothing here runs a check; `grading.checks` reads these tables and the portal reads them for its red stars and
per-section completeness. A rule that changes changes here, never in a form or a view.

Paths name a field the way the record page and the API name it (and the way `record.draft_inputs` keys it):
"section.field" for the one-to-one stages ("project.prj_name", "tender.tender_money") and "rows[i].field" for
rows ("corps[0].corp_code", "censor_staff[1].id_card"). `is_required` also takes a row path without its index
("corps.corp_code").

Sources: ../shared/research/national-standard.md §1.3 (M/O per field), §1.4 (code tables), §1.5 (formats).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts import validators
from accounts.models import Region
from projects import inputs
from projects.models import (
    AttachmentKind,
    BuilderLicence,
    Censor,
    CensorStaff,
    Contract,
    FinishCheck,
    FinishRecord,
    Project,
    ProjectCorp,
    RecordPerson,
    Tender,
    UnitProject,
)


@dataclass(frozen=True)
class Part:
    """One national table on the record page: a one-to-one stage or a set of rows."""

    key: str  # the path prefix: "tender", "corps"
    label: Promise  # shown in messages: 招投标备案, 参建单位
    model: type[models.Model]
    required: tuple[str, ...]  # the M fields of the national table
    many: bool = False  # rows ("corps[0].corp_code") rather than one stage ("tender.tender_money")
    min_rows: int = 0  # rows the standard requires at least (TBUnitProjectInfo, TBProjectCorpInfo)

    def field(self, name: str) -> models.Field:
        return self.model._meta.get_field(name)


@dataclass(frozen=True)
class Section:
    """A section of the record page, in the notice's order, with the national tables it shows."""

    key: str
    label: Promise
    parts: tuple[Part, ...] = ()


_FINISH_REQUIRED = (
    "fin_prj_name",
    "builder_licence_nums",
    "fact_cost",
    "fact_area",
    "length",
    "span",
    "fact_size",
    "b_date",
    "e_date",
)

PROJECT = Part(
    "project",
    _("Basic information"),
    Project,
    required=(
        "prj_name",
        "prj_type",
        "county",
        "address",
        "prj_approval_depart",
        "prj_approval_date",
        "build_corp_name",
        "build_corp_code",
        "inv_property",
        "all_invest",
        "prj_property",
        "prj_function",
    ),
)
UNITS = Part(
    "units",
    _("Unit projects"),
    UnitProject,
    required=("sub_prj_name", "invest", "seismic_intensity"),
    many=True,
    min_rows=1,
)
CENSOR = Part(
    "censor",
    _("Drawing review filing"),
    Censor,
    required=(
        "censor_num",
        "cen_prj_name",
        "censor_e_date",
        "one_censor_is_pass",
        "censor_corp_name",
        "censor_corp_code",
    ),
)
CENSOR_STAFF = Part(
    "censor_staff",
    _("Drawing review staff"),
    CensorStaff,
    required=("corp_name", "corp_code", "user_name", "id_card_type", "id_card", "specialty", "duty"),
    many=True,
)
TENDER = Part(
    "tender",
    _("Tender filing"),
    Tender,
    required=(
        "tender_num",
        "tender_prj_name",
        "tender_class",
        "tender_method",
        "tender_result_date",
        "tender_money",
        "area",
        "agency_corp_name",
        "agency_corp_code",
        "tender_corp_name",
        "tender_corp_code",
    ),
)
CONTRACT = Part(
    "contract",
    _("Contract filing"),
    Contract,
    required=(
        "record_num",
        "con_prj_name",
        "contract_type",
        "contract_money",
        "propietor_corp_name",
        "propietor_corp_code",
        "contractor_corp_name",
        "contractor_corp_code",
        "contract_date",
    ),
)
LICENCE = Part(
    "licence",
    _("Construction permit"),
    BuilderLicence,
    required=("licence_cert_no", "bui_prj_name", "bargain_days", "contract_money", "release_date"),
)
FINISH_CHECK = Part(
    "finish_check",
    _("Completion acceptance"),
    FinishCheck,
    required=("prj_finish_check_num", *_FINISH_REQUIRED),
)
FINISH_RECORD = Part(
    "finish_record",
    _("Completion filing"),
    FinishRecord,
    required=("prj_finish_num", *_FINISH_REQUIRED),
)
CORPS = Part(
    "corps",
    _("Participating units"),
    ProjectCorp,
    required=("corp_role", "corp_name", "corp_code", "person_name", "id_card_type", "person_id_card", "person_phone"),
    many=True,
    min_rows=1,
)
#: 单位人员录入 (DOMAIN.md "The record" §7; 桂建设〔2017〕29号 (二): "再填写“审图备案”“单位人员录入”信息" before
#: 提交审核): at least one person, each with the unit they work for, their name, role and ID.
PERSONS = Part(
    "persons",
    _("Unit personnel"),
    RecordPerson,
    required=("corp_name", "corp_code", "name", "role", "id_card_type", "id_card"),
    many=True,
    min_rows=1,
)

#: The sections of the record page, in order (DOMAIN.md "The record"; issue 4 item 3).
SECTIONS: tuple[Section, ...] = (
    Section("project", _("Basic information"), (PROJECT,)),
    Section("units", _("Unit projects"), (UNITS,)),
    Section("censor", _("Drawing review filing"), (CENSOR, CENSOR_STAFF)),
    Section("tender", _("Tender filing"), (TENDER,)),
    Section("contract", _("Contract filing"), (CONTRACT,)),
    Section("licence", _("Construction permit"), (LICENCE,)),
    Section("finish", _("Completion acceptance and filing"), (FINISH_CHECK, FINISH_RECORD)),
    Section("corps", _("Participating units"), (CORPS,)),
    Section("persons", _("Unit personnel"), (PERSONS,)),
    Section("attachments", _("Attachments")),
)
SECTION_BY_KEY: dict[str, Section] = {s.key: s for s in SECTIONS}
PARTS: tuple[Part, ...] = tuple(part for section in SECTIONS for part in section.parts)
PART_BY_KEY: dict[str, Part] = {p.key: p for p in PARTS}
#: The section a part (path prefix) is shown in: "finish_check" -> "finish", "censor_staff" -> "censor".
SECTION_OF_PART: dict[str, str] = {part.key: s.key for s in SECTIONS for part in s.parts}

#: Attachments required at submit (DOMAIN.md §8): 中标通知书, 中标工程合同, 竣工验收证明.
REQUIRED_ATTACHMENTS: tuple[str, ...] = (
    AttachmentKind.BID_NOTICE,
    AttachmentKind.CONTRACT,
    AttachmentKind.COMPLETION,
)
ATTACHMENTS_SECTION = "attachments"


# --------------------------------------------------------------------------------------------------------------
# Format checks: which validator each field takes (national-standard.md §1.5; DOMAIN.md "Checks that always apply").
# --------------------------------------------------------------------------------------------------------------


class Format(StrEnum):
    CREDIT_CODE = "credit_code"  # GB 32100 统一社会信用代码
    CREDIT_CODE_OR_OTHER = "credit_code_or_other"  # … or the literal 其它 (BuildCorpCode and its like)
    ID_CARD = "id_card"  # GB 11643 身份证号, checked when the row's ID type is 1 (居民身份证)
    PRJ_NUM = "prj_num"  # 16-digit 项目编号
    LICENCE_CERT_NO = "licence_cert_no"  # 18-digit 施工许可证编号 (its date segment is the issue date)
    POSITIVE = "positive"  # amounts, costs, durations: > 0
    NON_NEGATIVE = "non_negative"  # areas, lengths, spans: 0 when not applicable
    PHONE = "phone"  # mobile or landline with area code
    TWO_DECIMALS = "two_decimals"  # a value the standard keeps to 0.01 (Float(19,2)), though our column keeps 4


@dataclass(frozen=True)
class FieldCheck:
    path: str  # "part.field" (rows without index)
    format: Format
    id_type_field: str = ""  # for ID_CARD: the field holding the ID type on the same stage or row


def _checks(part: str, fmt: Format, *fields: str, id_type_field: str = "") -> tuple[FieldCheck, ...]:
    return tuple(FieldCheck(f"{part}.{name}", fmt, id_type_field) for name in fields)


_AREAS = ("area", "length", "span")
FIELD_CHECKS: tuple[FieldCheck, ...] = (
    *_checks("project", Format.PRJ_NUM, "prj_num"),
    *_checks("project", Format.CREDIT_CODE_OR_OTHER, "build_corp_code"),
    *_checks("project", Format.POSITIVE, "all_invest"),
    *_checks("project", Format.NON_NEGATIVE, "all_area", "all_length", "national_percentage"),
    *_checks("units", Format.POSITIVE, "invest"),
    *_checks("units", Format.TWO_DECIMALS, "invest"),  # TBUnitProjectInfo.Invest Float(19,2): found by the mock
    *_checks(
        "units",
        Format.NON_NEGATIVE,
        "build_area",
        "floor_build_area",
        "bottom_floor_build_area",
        "build_height",
        "sub_project_length",
        "sub_project_span",
    ),
    *_checks("censor", Format.CREDIT_CODE, "censor_corp_code", "survey_corp_code", "design_corp_code"),
    *_checks("censor_staff", Format.CREDIT_CODE, "corp_code"),
    *_checks("censor_staff", Format.ID_CARD, "id_card", id_type_field="id_card_type"),
    *_checks("tender", Format.POSITIVE, "tender_money"),
    *_checks("tender", Format.NON_NEGATIVE, "area"),
    *_checks("tender", Format.CREDIT_CODE_OR_OTHER, "agency_corp_code"),
    *_checks("tender", Format.CREDIT_CODE, "tender_corp_code"),
    *_checks("tender", Format.ID_CARD, "constructor_id_card", id_type_field="constructor_id_type"),
    *_checks("contract", Format.POSITIVE, "contract_money"),
    *_checks("contract", Format.CREDIT_CODE_OR_OTHER, "propietor_corp_code"),
    *_checks("contract", Format.CREDIT_CODE, "contractor_corp_code", "union_corp_code"),
    *_checks("licence", Format.LICENCE_CERT_NO, "licence_cert_no"),
    *_checks("licence", Format.POSITIVE, "bargain_days", "contract_money"),
    *_checks("licence", Format.NON_NEGATIVE, *_AREAS),
    *_checks("finish_check", Format.POSITIVE, "fact_cost"),
    *_checks("finish_check", Format.NON_NEGATIVE, "fact_area", "length", "span"),
    *_checks("finish_record", Format.POSITIVE, "fact_cost"),
    *_checks("finish_record", Format.NON_NEGATIVE, "fact_area", "length", "span"),
    *_checks("corps", Format.CREDIT_CODE, "corp_code"),
    *_checks("corps", Format.ID_CARD, "person_id_card", id_type_field="id_card_type"),
    *_checks("corps", Format.PHONE, "person_phone"),
    *_checks("persons", Format.CREDIT_CODE, "corp_code"),
    *_checks("persons", Format.ID_CARD, "id_card", id_type_field="id_card_type"),
    *_checks("persons", Format.PHONE, "phone"),
)

#: Dates that must come in this order (DOMAIN.md: approval ≤ tender ≤ contract ≤ permit ≤ start ≤ completion
#: ≤ completion record). Each chain is checked on its own; a missing date is skipped.
DATE_CHAINS: tuple[tuple[str, ...], ...] = (
    (
        "project.prj_approval_date",
        "tender.tender_result_date",
        "contract.contract_date",
        "licence.release_date",
        "finish_check.b_date",
        "finish_check.e_date",
        "finish_record.e_date",
    ),
    ("licence.release_date", "finish_record.b_date", "finish_record.e_date"),
)
#: Business dates that cannot be after today.
PAST_DATES: tuple[str, ...] = (
    "project.prj_approval_date",
    "censor.censor_e_date",
    "tender.tender_result_date",
    "contract.contract_date",
    "licence.release_date",
    "finish_check.b_date",
    "finish_check.e_date",
    "finish_record.b_date",
    "finish_record.e_date",
)
#: G1: the completion acceptance date must be before the campaign's cut date.
COMPLETION_DATE = "finish_check.e_date"
#: The licence number whose date segment must equal this date.
LICENCE_DATE = ("licence.licence_cert_no", "licence.release_date")
#: 工程用途 must belong to 项目分类 (projects.codes.functions_for_type).
FUNCTION_OF_TYPE = ("project.prj_function", "project.prj_type")
#: The project's county: a county-level code in force in the campaign's year.
REGION = "project.county"
#: Fields that carry codes of the standard but are set by review and grading, never by the enterprise.
SYSTEM_FIELDS = frozenset({"data_source", "data_level"})


# --------------------------------------------------------------------------------------------------------------
# Questions the portal and the API ask
# --------------------------------------------------------------------------------------------------------------

_INDEX_RE = re.compile(r"\[\d+\]")
_REQUIRED_PATHS: frozenset[str] = frozenset(
    {f"{part.key}.{name}" for part in PARTS for name in part.required}
    | {f"{ATTACHMENTS_SECTION}.{kind}" for kind in REQUIRED_ATTACHMENTS}
)


def strip_index(path: str) -> str:
    """The path without its row index: "corps[3].corp_code" -> "corps.corp_code"."""
    return _INDEX_RE.sub("", path)


def is_required(path: str) -> bool:
    """Is the field at `path` mandatory in the national standard (a red star)? Row paths with or without index."""
    return strip_index(path) in _REQUIRED_PATHS


def required_paths() -> frozenset[str]:
    """Every mandatory path (rows without index), attachments as "attachments.<kind>"."""
    return _REQUIRED_PATHS


def split_path(path: str) -> tuple[str, int | None, str]:
    """Part, row and field of a path: "corps[3].corp_code" -> ("corps", 3, "corp_code"),
    "tender.tender_money" -> ("tender", None, "tender_money")."""
    head, _dot, name = path.partition(".")
    index = None
    if head.endswith("]") and "[" in head:
        head, _bracket, number = head[:-1].partition("[")
        index = int(number) if number.isdigit() else None
    return head, index, name


def section_of(path: str) -> str:
    """The section key a path is shown in ("finish_check.e_date" -> "finish"); "" for an unknown path."""
    head = split_path(path)[0]
    if head == ATTACHMENTS_SECTION:
        return ATTACHMENTS_SECTION
    return SECTION_OF_PART.get(head, "")


# --------------------------------------------------------------------------------------------------------------
# What each field expects, in words (issue 11 item 7): the one source of "总投资须为数字，单位万元，例如 6800".
# Built from the field's definition (type, unit, length, choices) and its format check above, never per field.
# --------------------------------------------------------------------------------------------------------------

_FORMAT_BY_PATH: dict[str, Format] = {}
for _check in FIELD_CHECKS:
    if _check.format not in (Format.POSITIVE, Format.NON_NEGATIVE):  # a sign, not a format one types
        _FORMAT_BY_PATH.setdefault(_check.path, _check.format)

#: Examples that are valid and nobody's: a credit code with its GB 32100 check character, the GB 11643 sample.
EXAMPLE_CREDIT_CODE = "91450100198230051" + validators.uscc_check_char("91450100198230051")
EXAMPLE_ID_CARD = "11010519491231002X"
EXAMPLE_PRJ_NUM = "4501021711200001"
EXAMPLE_LICENCE_CERT_NO = "450102201503080101"


def _format_hint(fmt: Format, label: str) -> str:
    if fmt in (Format.CREDIT_CODE, Format.CREDIT_CODE_OR_OTHER):
        text = gettext(
            "%(field)s must be the 18-character unified social credit code (digits and capital letters except I, O, "
            "S, V and Z), for example %(example)s"
        ) % {"field": label, "example": EXAMPLE_CREDIT_CODE}
        if fmt == Format.CREDIT_CODE_OR_OTHER:
            text += gettext("; write “其它” when the unit has none")
        return text
    if fmt == Format.ID_CARD:
        return gettext(
            "%(field)s must be the 18-character number of the ID card (17 digits and a digit or X), for example "
            "%(example)s"
        ) % {"field": label, "example": EXAMPLE_ID_CARD}
    if fmt == Format.PHONE:
        return gettext(
            "%(field)s must be an 11-digit mobile number or a landline number with its area code, for example "
            "13807710000 or 0771-2368335"
        ) % {"field": label}
    if fmt == Format.PRJ_NUM:
        return gettext(
            "%(field)s must be 16 digits: region code (6), date yyMMdd (6) and sequence (4), for example %(example)s"
        ) % {"field": label, "example": EXAMPLE_PRJ_NUM}
    if fmt == Format.LICENCE_CERT_NO:
        return gettext(
            "%(field)s must be the 18 digits printed on the permit: region code (6), issue date yyyyMMdd (8), "
            "sequence (2) and category 01 or 02, for example %(example)s"
        ) % {"field": label, "example": EXAMPLE_LICENCE_CERT_NO}
    return ""


def _number_hint(field: models.Field, label: str, decimals: int | None) -> str:
    unit = inputs.unit_of(field)
    integer = isinstance(field, models.IntegerField)
    example = unit.example if unit is not None else "5" if integer else "12.5"
    if integer and "." in example:
        example = example.split(".")[0]
    values = {"field": label, "example": example, "unit": unit.label if unit is not None else "", "places": decimals}
    if integer:
        if unit is not None:
            return gettext("%(field)s must be a whole number in %(unit)s, for example %(example)s") % values
        return gettext("%(field)s must be a whole number, for example %(example)s") % values
    if unit is not None and decimals is not None:
        return gettext(
            "%(field)s must be a number in %(unit)s with at most %(places)s decimals, for example %(example)s"
        ) % values
    if unit is not None:
        return gettext("%(field)s must be a number in %(unit)s, for example %(example)s") % values
    if decimals is not None:
        return gettext("%(field)s must be a number with at most %(places)s decimals, for example %(example)s") % values
    return gettext("%(field)s must be a number, for example %(example)s") % values


@lru_cache(maxsize=2048)
def _input_hint(path: str, language: str) -> str:
    head, _index, name = split_path(path)
    part = PART_BY_KEY.get(head)
    try:
        field = part.field(name) if part is not None else None
    except FieldDoesNotExist:
        field = None
    if field is None:
        return ""
    label = inputs.bare_label(str(field.verbose_name))
    fmt = _FORMAT_BY_PATH.get(f"{head}.{name}")
    if fmt == Format.TWO_DECIMALS or isinstance(field, models.DecimalField | models.IntegerField):
        places = None
        if fmt == Format.TWO_DECIMALS:
            places = 2
        elif isinstance(field, models.DecimalField) and field.decimal_places <= 2:
            places = field.decimal_places
        return _number_hint(field, label, places)
    if fmt is not None:
        return _format_hint(fmt, label)
    if isinstance(field, models.DateField):
        return gettext("%(field)s must be a date, for example 2015-03-08 (2015/3/8 and 2015年3月8日 also do)") % {
            "field": label
        }
    if isinstance(field, models.BooleanField):
        return gettext("For %(field)s choose 是 or 否") % {"field": label}
    if isinstance(field, models.ForeignKey):
        if field.related_model is Region:
            return gettext("For %(field)s choose the province, the city and the county in the lists") % {
                "field": label
            }
        return gettext("For %(field)s choose one of the unit projects of this project in the list") % {"field": label}
    if field.choices:
        return gettext("For %(field)s choose one of the list (the codes of the national data standard)") % {
            "field": label
        }
    if isinstance(field, models.CharField | models.TextField) and field.max_length:
        return gettext("%(field)s has at most %(count)s characters") % {"field": label, "count": field.max_length}
    return ""


def input_hint(path: str) -> str:
    """What the field at `path` expects, naming it, in the active language: "总投资须为数字，单位万元，例如 6800".
    Rows with or without index ("corps[2].corp_code", "corps.corp_code"); "" for a path that names no field."""
    return _input_hint(strip_index(path), translation.get_language() or "")
