"""Carrying values forward (issue 11 item 7): what one stage already says is offered to the next.

A clerk types 工程名称 once in 报建, not seven times. When a stage has not been entered yet (none of its fields
holds anything but its default), its empty inputs are prefilled from the stages before it: 中标金额 → 合同金额,
建设单位 → 合同备案's 发包单位, 竣工验收 → 竣工验收备案, …. The values are suggestions: the record page shows them
in the inputs, marked with the stage they come from, and they are stored only when the clerk saves (the page
posts them like anything typed). A stage already entered is never touched.

`CARRY` is the one mapping: target stage → target field → the source paths to try in order (the first one that
holds a value is used). Sources are stored values only, never another suggestion, so every suggestion names a
stage the clerk can see.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models

from .models import BuilderLicence, Censor, Contract, FinishCheck, FinishRecord, Tender

_FINISH_SHARED = (
    "fin_prj_name",
    "builder_licence_nums",
    "fact_cost",
    "fact_area",
    "length",
    "span",
    "fact_size",
    "b_date",
    "prj_structure_type",
)

#: target stage → {target field: (source path, …)} in the order the record page lists the stages.
CARRY: dict[str, dict[str, tuple[str, ...]]] = {
    "censor": {
        "cen_prj_name": ("project.prj_name",),
        "prj_size": ("project.prj_size",),
    },
    "tender": {
        "tender_prj_name": ("project.prj_name",),
        "prj_size": ("project.prj_size",),
        "area": ("project.all_area",),
    },
    "contract": {
        "con_prj_name": ("tender.tender_prj_name", "project.prj_name"),
        "contract_money": ("tender.tender_money",),
        "prj_size": ("tender.prj_size", "project.prj_size"),
        "propietor_corp_name": ("project.build_corp_name",),
        "propietor_corp_code": ("project.build_corp_code",),
        "contractor_corp_name": ("tender.tender_corp_name",),
        "contractor_corp_code": ("tender.tender_corp_code",),
    },
    "licence": {
        "bui_prj_name": ("contract.con_prj_name", "tender.tender_prj_name", "project.prj_name"),
        "contract_money": ("contract.contract_money", "tender.tender_money"),
        "area": ("tender.area", "project.all_area"),
        "prj_size": ("contract.prj_size", "tender.prj_size", "project.prj_size"),
    },
    "finish_check": {
        "fin_prj_name": ("licence.bui_prj_name", "contract.con_prj_name", "project.prj_name"),
        "builder_licence_nums": ("licence.licence_cert_no",),
        "fact_area": ("licence.area", "tender.area", "project.all_area"),
        "length": ("licence.length", "project.all_length"),
        "span": ("licence.span",),
        "fact_size": ("licence.prj_size", "contract.prj_size", "project.prj_size"),
        "b_date": ("licence.release_date", "project.begin_date"),
        "e_date": ("project.end_date",),
    },
    # 竣工验收备案 repeats 竣工验收 (the filing is of that acceptance)
    "finish_record": {name: (f"finish_check.{name}",) for name in _FINISH_SHARED},
}

STAGE_MODELS: dict[str, type[models.Model]] = {
    "censor": Censor,
    "tender": Tender,
    "contract": Contract,
    "licence": BuilderLicence,
    "finish_check": FinishCheck,
    "finish_record": FinishRecord,
}

#: Fields set by the platform (review, grading, the push), never by the clerk: they do not make a stage "entered".
_SYSTEM = frozenset(
    {
        "id",
        "record",
        "data_source",
        "data_level",
        "check_depart_name",
        "check_person_name",
        "national_num",
        "updated_at",
    }
)


@dataclass(frozen=True)
class Suggestion:
    value: str
    source: str  # the path it comes from: "tender.tender_money"

    @property
    def source_part(self) -> str:
        return self.source.partition(".")[0]


def _default_text(field: models.Field) -> str:
    default = field.get_default()
    if default is None:
        return ""
    if isinstance(default, bool):
        return "1" if default else "0"
    return str(default)


def _blank(value) -> bool:
    return value is None or str(value).strip() == ""


def is_entered(key: str, stage: dict | None) -> bool:
    """Whether the stage `key` already holds something the clerk entered (a value other than a field's default)."""
    if not stage:
        return False
    model = STAGE_MODELS[key]
    for field in model._meta.concrete_fields:
        if field.name in _SYSTEM or field.name not in stage:
            continue
        value = stage[field.name]
        if not _blank(value) and str(value).strip() != _default_text(field):
            return True
    return False


def suggestions(values: dict) -> dict[str, Suggestion]:
    """The values to prefill, by path ("contract.contract_money"), from page-shaped `values` (the record page's and
    the API's shape: {"project": {...}, "tender": {...}, …}, values as text). Only the empty fields of stages not
    yet entered get one; a source that is empty is skipped for the next one."""
    result: dict[str, Suggestion] = {}
    for key, targets in CARRY.items():
        stage = values.get(key) or {}
        if is_entered(key, stage):
            continue
        for name, sources in targets.items():
            if not _blank(stage.get(name)):
                continue
            for source in sources:
                part, _dot, source_name = source.partition(".")
                value = (values.get(part) or {}).get(source_name)
                if not _blank(value):
                    result[f"{key}.{name}"] = Suggestion(str(value), source)
                    break
    return result
