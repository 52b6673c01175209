"""What the public sees of a published project, as plain data: one shape for the HTML pages and the JSON API.

Every value of a personal-data field (accounts.pii.PII_FIELDS: ID numbers, phone numbers) passes through
`accounts.pii.mask_field` here, the one place public output is made; tests/public/test_masking.py walks every public
page and JSON answer for the unmasked values. The reviewer's own name (check_person_name) is not published: the
reviewing department is.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Model, Prefetch
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.pii import mask_field
from projects import codes
from projects.models import (
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
    Tender,
    UnitProject,
)

#: the stages of a record in the notice's order: (relation on Record, model, fields shown)
STAGES: tuple[tuple[str, type[Model], tuple[str, ...]], ...] = (
    (
        "censor",
        Censor,
        ("censor_num", "censor_corp_name", "censor_e_date", "survey_corp_name", "design_corp_name", "prj_size"),
    ),
    (
        "tender",
        Tender,
        (
            "tender_num",
            "tender_class",
            "tender_method",
            "tender_result_date",
            "tender_money",
            "tender_corp_name",
            "tender_corp_code",
            "constructor_name",
            "constructor_id_card",
        ),
    ),
    (
        "contract",
        Contract,
        (
            "record_num",
            "contract_type",
            "contract_money",
            "contract_date",
            "propietor_corp_name",
            "contractor_corp_name",
            "union_corp_name",
        ),
    ),
    (
        "licence",
        BuilderLicence,
        ("licence_cert_no", "release_date", "issuing_authority", "contract_money", "area", "length", "span"),
    ),
    (
        "finish_check",
        FinishCheck,
        ("prj_finish_check_num", "b_date", "e_date", "fact_cost", "fact_area", "length", "span", "fact_size"),
    ),
    ("finish_record", FinishRecord, ("prj_finish_num", "e_date", "fact_cost", "fact_area")),
)
PROJECT_FIELDS = (
    "prj_code",
    "address",
    "build_corp_name",
    "build_corp_code",
    "prj_property",
    "prj_function",
    "all_invest",
    "all_area",
    "all_length",
    "prj_size",
    "prj_approval_num",
    "prj_approval_depart",
)
UNIT_FIELDS = ("unit_code", "sub_prj_name", "invest", "build_area", "floor_count", "structure_type")
CORP_FIELDS = ("corp_role", "corp_name", "corp_code", "person_name", "id_card_type", "person_id_card", "person_phone")
PERSON_FIELDS = (
    "corp_name",
    "name",
    "role",
    "id_card_type",
    "id_card",
    "registration_type",
    "registration_cert_no",
    "specialty",
    "phone",
)
STAFF_FIELDS = ("corp_name", "user_name", "id_card_type", "id_card", "specialty", "duty")
STAGE_RELATIONS = tuple(key for key, _model, _fields in STAGES)


def claims_prefetch(*, detail: bool = False) -> Prefetch:
    """A project's published claims as `project.published_claims`: with their enterprise and 竣工验收 for a list row,
    with every stage and row for the project's page (a fixed number of queries either way)."""
    qs = Record.objects.published().select_related("enterprise", "finish_check").order_by("pk")
    if detail:
        qs = qs.select_related(*STAGE_RELATIONS).prefetch_related(
            Prefetch("corps", queryset=ProjectCorp.objects.order_by("pk")),
            Prefetch("persons", queryset=RecordPerson.objects.order_by("pk")),
            Prefetch("censor__staff", queryset=CensorStaff.objects.order_by("pk")),
        )
    return Prefetch("records", queryset=qs, to_attr="published_claims")


def detail_prefetches() -> list[Prefetch]:
    return [Prefetch("units", queryset=UnitProject.objects.order_by("pk"))]


def text(value) -> str:
    """A value as the public reads it: dates as 2017-12-20, amounts without trailing zeros, 是/否."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, Decimal):
        normal = value.normalize()
        return f"{normal:f}" if normal != normal.to_integral() else f"{normal.to_integral():f}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def field_value(obj: Model, name: str) -> str:
    """One field of a row as published: the code table's name for a code, masked for personal data."""
    field = obj._meta.get_field(name)
    raw = getattr(obj, name)
    if field.choices and raw not in (None, ""):
        shown = getattr(obj, f"get_{name}_display")()
    else:
        shown = text(raw)
    return mask_field(obj, name, shown)


def fields(obj: Model, names: tuple[str, ...]) -> list[dict]:
    return [
        {"name": name, "label": str(obj._meta.get_field(name).verbose_name), "value": field_value(obj, name)}
        for name in names
    ]


def row(obj: Model, names: tuple[str, ...]) -> dict:
    return {name: field_value(obj, name) for name in names}


def grade_label(level: str) -> str:
    return str(codes.DataLevel(level).label) if level in codes.DataLevel.values else ""


def region(project: Project) -> dict:
    """The project's place, top first: province, city (none for a county directly under its province), county."""
    chain = []
    node = project.county
    while node is not None:
        chain.insert(0, node)
        node = node.parent
    names = [r.name for r in chain]
    return {"code": project.county_id, "names": names, "text": " ".join(names)}


def completed_on(record: Record) -> str:
    finish = getattr(record, "finish_check", None)
    return text(finish.e_date) if finish is not None else ""


def record_grade(record: Record) -> str:
    finish = getattr(record, "finish_check", None)
    return (finish.data_level if finish is not None else "") or ""


def project_url(project: Project, record: Record | None = None) -> str:
    url = reverse("public:project", args=[project.prj_num])
    return f"{url}#record-{record.pk}" if record is not None else url


def claim(record: Record) -> dict:
    grade = record_grade(record)
    return {
        "record_id": record.pk,
        "enterprise": {"name": record.enterprise.name, "credit_code": record.enterprise.credit_code},
        "grade": grade,
        "grade_label": grade_label(grade),
        "completed_on": completed_on(record),
    }


def list_row(project: Project) -> dict:
    claims = [claim(r) for r in project.published_claims]
    years = sorted({c["completed_on"][:4] for c in claims if c["completed_on"]})
    return {
        "prj_num": project.prj_num,
        "prj_name": project.prj_name,
        "category": project.get_prj_type_display() if project.prj_type else "",
        "region": region(project),
        "completion_years": years,
        "claims": claims,
        "url": project_url(project),
        "api_url": reverse("public_api:project", args=[project.prj_num]),
    }


def stage(record: Record, key: str, model: type[Model], names: tuple[str, ...]) -> dict | None:
    obj = getattr(record, key, None)
    if obj is None:
        return None
    return {
        "key": key,
        "name": str(model._meta.verbose_name),
        "grade": obj.data_level,
        "grade_label": grade_label(obj.data_level),
        "check_depart_name": obj.check_depart_name,
        "national_num": obj.national_num,
        "fields": fields(obj, names),
    }


def _has(record: Record, relation: str) -> bool:
    try:
        return getattr(record, relation) is not None
    except Model.DoesNotExist:  # pragma: no cover — select_related sets a missing one-to-one to None
        return False


def record_detail(record: Record) -> dict:
    stages = [stage(record, key, model, names) for key, model, names in STAGES if _has(record, key)]
    censor = getattr(record, "censor", None)
    return {
        **claim(record),
        "anchor": f"record-{record.pk}",
        "stages": [s for s in stages if s is not None],
        "corps": [row(c, CORP_FIELDS) for c in record.corps.all()],
        "persons": [row(p, PERSON_FIELDS) for p in record.persons.all()],
        "censor_staff": [row(s, STAFF_FIELDS) for s in censor.staff.all()] if censor is not None else [],
    }


def project_detail(project: Project) -> dict:
    return {
        **{key: value for key, value in list_row(project).items() if key != "claims"},
        "grade": project.data_level,
        "grade_label": grade_label(project.data_level),
        "check_depart_name": project.check_depart_name,
        "fields": fields(project, PROJECT_FIELDS),
        "units": [row(u, UNIT_FIELDS) for u in project.units.all()],
        "records": [record_detail(r) for r in project.published_claims],
    }


def labels(model: type[Model], names: tuple[str, ...]) -> list[str]:
    return [str(model._meta.get_field(name).verbose_name) for name in names]


def table(model: type[Model], names: tuple[str, ...], rows: list[dict]) -> dict:
    """Rows as the pages' tables show them: each cell with its column's label (a phone shows it beside the value)."""
    columns = labels(model, names)
    return {
        "columns": columns,
        "rows": [
            [{"label": label, "value": r[name]} for label, name in zip(columns, names, strict=True)] for r in rows
        ],
    }


def page_context(detail: dict) -> dict:
    """The project page's context: the detail, with its rows as tables."""
    records = [
        {
            **r,
            "corps_table": table(ProjectCorp, CORP_FIELDS, r["corps"]),
            "persons_table": table(RecordPerson, PERSON_FIELDS, r["persons"]),
            "staff_table": table(CensorStaff, STAFF_FIELDS, r["censor_staff"]),
        }
        for r in detail["records"]
    ]
    return {"project": detail, "units": table(UnitProject, UNIT_FIELDS, detail["units"]), "records": records}
