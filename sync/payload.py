"""A record as the national platform takes it: rows of the 2018 tables, field codes as the standard names them.

`rows_of(record)` gives, per national table in dependency order (TBProjectInfo first, the rows that refer to it
after), the rows of one record version: `{code: text}` with the row's `RowGuid` (our stage row and the version,
`<table key>-<pk>:v<version>`). `to_xml()` writes a table's rows as the exchange takes them: GBK, camelCase tags.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from xml.sax.saxutils import escape

from django.db.models import Prefetch

from projects.models import Attachment, CensorStaff, ProjectCorp, Record, UnitProject

#: national tables in the order a record is pushed: a row may refer only to rows of tables before it
TABLE_ORDER = (
    "TBProjectInfo",
    "TBUnitProjectInfo",
    "TBProjectCorpInfo",
    "TBTenderInfo",
    "TBContractRecordManage",
    "TBProjectCensorInfo",
    "TBProjectDesignEconUserInfo",
    "TBBuilderLicenceManage",
    "TBProjectFinishCheckInfo",
    "TBProjectFinishManage",
)
FALSE_MARK_TABLE = "TBFalseProjectMark"
#: our stage (the record's relation) behind each business-stage table: its national number is written back there
STAGE_OF_TABLE = {
    "TBProjectInfo": "project",
    "TBTenderInfo": "tender",
    "TBContractRecordManage": "contract",
    "TBProjectCensorInfo": "censor",
    "TBBuilderLicenceManage": "licence",
    "TBProjectFinishCheckInfo": "finish_check",
    "TBProjectFinishManage": "finish_record",
}
ROW_KEYS = {
    "TBProjectInfo": "prj",
    "TBUnitProjectInfo": "unit",
    "TBProjectCorpInfo": "corp",
    "TBTenderInfo": "tender",
    "TBContractRecordManage": "contract",
    "TBProjectCensorInfo": "censor",
    "TBProjectDesignEconUserInfo": "censorstaff",
    "TBBuilderLicenceManage": "licence",
    "TBProjectFinishCheckInfo": "finishcheck",
    "TBProjectFinishManage": "finish",
}


def tag(code: str) -> str:
    """The exchange's tag of a field code: PrjNum → prjNum."""
    return code[:1].lower() + code[1:]


def text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else format(value, "f").rstrip("0")
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def row_guid(table: str, pk: int, version: int) -> str:
    return f"{ROW_KEYS[table]}-{pk}:v{version}"


def records_for_push(ids) -> list[Record]:
    """The records with everything their rows and the rule check (`grading.checks.load_record`) need, in a fixed
    number of queries whatever their number."""
    records = list(
        Record.objects.filter(pk__in=ids)
        .select_related(
            "project__county",
            "campaign",
            "track",
            "enterprise",
            "tender",
            "contract",
            "censor",
            "licence",
            "finish_check",
            "finish_record",
        )
        .prefetch_related(
            Prefetch("project__units", queryset=UnitProject.objects.order_by("id")),
            Prefetch("corps", queryset=ProjectCorp.objects.select_related("unit").order_by("id")),
            Prefetch("censor__staff", queryset=CensorStaff.objects.order_by("id")),
            "persons",
            Prefetch("attachments", queryset=Attachment.objects.only("id", "record_id", "kind")),
        )
    )
    for record in records:
        record._grading_loaded = True  # check_record reads what is loaded here
    return records


def _check(stage) -> dict:
    return {
        "CheckDepartName": stage.check_depart_name,
        "CheckPersonName": stage.check_person_name,
        "DataSource": stage.data_source,
        "DataLevel": stage.data_level,
    }


def _created(record: Record):
    return (record.decided_at or record.submitted_at).date() if (record.decided_at or record.submitted_at) else None


def _project_row(record: Record) -> dict:
    p = record.project
    county = p.county
    return {
        "PrjCode": p.prj_code,
        "PrjNum": p.prj_num,
        "PrjName": p.prj_name,
        "PrjTypeNum": p.prj_type,
        "ProvinceNum": county.province_code,
        "CityNum": county.city_code,
        "CountyNum": county.code,
        "Address": p.address,
        "LocationX": p.location_x,
        "LocationY": p.location_y,
        "PrjApprovalNum": p.prj_approval_num,
        "PrjApprovalLevelNum": p.prj_approval_level,
        "PrjApprovalDepart": p.prj_approval_depart,
        "PrjApprovalDate": p.prj_approval_date,
        "BuildCorpName": p.build_corp_name,
        "BuildCorpCode": p.build_corp_code,
        "BuildPlanNum": p.build_plan_num,
        "ProjectPlanNum": p.project_plan_num,
        "InvPropertyNum": p.inv_property,
        "FundSource": p.fund_source,
        "NationalPercentTage": p.national_percentage,
        "AllInvest": p.all_invest,
        "AllArea": p.all_area,
        "AllLength": p.all_length,
        "PrjSize": p.prj_size,
        "PrjPropertyNum": p.prj_property,
        "PrjFunctionNum": p.prj_function,
        "IsMajor": p.is_major,
        "BeginDete": p.begin_date,  # sic: the standard's own spelling
        "EndDate": p.end_date,
        "JZJNInfo": p.jzjn_info,
        "CXXMInfo": p.cxxm_info,
        **_check(p),
    }


def _unit_row(record: Record, unit: UnitProject) -> dict:
    return {
        "PrjCode": record.project.prj_code,
        "PrjNum": record.project.prj_num,
        "UnitCode": unit.unit_code,
        "SubPrjName": unit.sub_prj_name,
        "Invest": unit.invest,
        "FloorBuildArea": unit.floor_build_area,
        "BottomFloorBuildArea": unit.bottom_floor_build_area,
        "BuildArea": unit.build_area,
        "FloorCount": unit.floor_count,
        "BottomFloorCount": unit.bottom_floor_count,
        "BuildHeight": unit.build_height,
        "SubProjectLength": unit.sub_project_length,
        "SubProjectSpan": unit.sub_project_span,
        "StructureTypeNum": unit.structure_type,
        "PrjLevelNum": unit.prj_level,
        "Memo": unit.memo,
        "IsShockisolationBuilding": unit.is_shock_isolation,
        "IsGreenBuilding": unit.is_green_building,
        "GreenBuidingLevel": unit.green_building_level,  # sic
        "SeismicIntensityScale": unit.seismic_intensity,
        "ISSuperHightBuilding": unit.is_super_high_building,
    }


def _corp_row(record: Record, corp: ProjectCorp, units: list[UnitProject]) -> dict:
    unit = corp.unit or (units[0] if units else None)
    finish = getattr(record, "finish_check", None)
    return {
        "PrjCode": record.project.prj_code,
        "PrjNum": record.project.prj_num,
        "UnitCode": unit.unit_code if unit else "",
        "CorpRoleNum": corp.corp_role,
        "CorpName": corp.corp_name,
        "CorpCode": corp.corp_code,
        "PersonName": corp.person_name,
        "IDCardTypeNum": corp.id_card_type,
        "PersonIDCard": corp.person_id_card,
        "PersonPhone": corp.person_phone,
        "CensorNum": getattr(getattr(record, "censor", None), "censor_num", ""),
        "BuilderLicenceNum": getattr(getattr(record, "licence", None), "licence_cert_no", ""),
        "PrjFinishCheckNum": finish.prj_finish_check_num if finish else "",
        "PrjFinishNum": getattr(getattr(record, "finish_record", None), "prj_finish_num", ""),
    }


def _tender_row(record: Record, t) -> dict:
    return {
        "TenderNum": t.tender_num,
        "PrjCode": record.project.prj_code,
        "PrjNum": record.project.prj_num,
        "TenderPrjName": t.tender_prj_name,
        "TenderClassNum": t.tender_class,
        "TenderTypeNum": t.tender_method,
        "TenderResultDate": t.tender_result_date,
        "TenderMoney": t.tender_money,
        "PrjSize": t.prj_size,
        "Area": t.area,
        "AgencyCorpName": t.agency_corp_name,
        "AgencyCorpCode": t.agency_corp_code,
        "TenderCorpName": t.tender_corp_name,
        "TenderCorpCode": t.tender_corp_code,
        "ConstructorName": t.constructor_name,
        "IDCardTypeNum": t.constructor_id_type,
        "ConstructorIDCard": t.constructor_id_card,
        "CreateDate": _created(record),
        **_check(t),
    }


def _contract_row(record: Record, c) -> dict:
    return {
        "RecordNum": c.record_num,
        "PrjCode": record.project.prj_code,
        "PrjNum": record.project.prj_num,
        "ContractNum": c.contract_num,
        "ConPrjName": c.con_prj_name,
        "ContractTypeNum": c.contract_type,
        "ContractMoney": c.contract_money,
        "PrjSize": c.prj_size,
        "PropietorCorpName": c.propietor_corp_name,
        "PropietorCorpCode": c.propietor_corp_code,
        "ContractorCorpName": c.contractor_corp_name,
        "ContractorCorpCode": c.contractor_corp_code,
        "UnionCorpName": c.union_corp_name,
        "UnionCorpCode": c.union_corp_code,
        "ContractDate": c.contract_date,
        "CreateDate": _created(record),
        **_check(c),
    }


def _censor_row(record: Record, c) -> dict:
    return {
        "CensorNum": c.censor_num,
        "PrjCode": record.project.prj_code,
        "PrjNum": record.project.prj_num,
        "CenPrjName": c.cen_prj_name,
        "CensorEDate": c.censor_e_date,
        "PrjSize": c.prj_size,
        "OneCensorIsPass": c.one_censor_is_pass,
        "OneCensorWfqtCount": c.one_censor_wfqt_count,
        "OneCensorWfqtContent": c.one_censor_wfqt_content,
        "CreateDate": _created(record),
        "IsLS": c.is_joint_review,
        "CensorCorpName": c.censor_corp_name,
        "CensorCorpCode": c.censor_corp_code,
        **_check(c),
    }


def _staff_row(record: Record, censor, s: CensorStaff) -> dict:
    return {
        "PrjCode": record.project.prj_code,
        "PrjNum": record.project.prj_num,
        "CensorNum": censor.censor_num,
        "CorpName": s.corp_name,
        "CorpCode": s.corp_code,
        "UserName": s.user_name,
        "IDCardTypeNum": s.id_card_type,
        "IDCard": s.id_card,
        "TechTitleLevelNum": s.tech_title_level,
        "SpecialtyTypNum": s.registration_type,
        "SpeNum": s.specialty,
        "PrjDuty": s.duty,
    }


def _licence_row(record: Record, lic) -> dict:
    tender = getattr(record, "tender", None)
    censor = getattr(record, "censor", None)
    created = record.decided_at or record.submitted_at
    return {
        "BuilderLicenceNum": lic.licence_cert_no,
        "BuiPrjName": lic.bui_prj_name,
        "PrjCode": record.project.prj_code,
        "PrjNum": record.project.prj_num,
        "TenderNum": tender.tender_num if tender else "",
        "CensorNum": censor.censor_num if censor else "",
        "BargainDays": lic.bargain_days,
        "ContractMoney": lic.contract_money,
        "Area": lic.area,
        "Length": lic.length,
        "Span": lic.span,
        "PrjSize": lic.prj_size,
        "ReleaseDate": lic.release_date,
        "CreateDate": created.replace(microsecond=0, tzinfo=None) if created else None,
        **_check(lic),
    }


def _finish_row(record: Record, f, number_field: str, number: str, with_created: bool) -> dict:
    row = {
        number_field: number,
        "FinPrjName": f.fin_prj_name,
        "PrjCode": record.project.prj_code,
        "PrjNum": record.project.prj_num,
        "BuilderLicenceNum": f.builder_licence_nums,
        "FactCost": f.fact_cost,
        "FactArea": f.fact_area,
        "Length": f.length,
        "Span": f.span,
        "FactSize": f.fact_size,
        "PrjStructureTypeNum": f.prj_structure_type,
        "BDate": f.b_date,
        "EDate": f.e_date,
        "Mark": f.mark,
        **_check(f),
    }
    if with_created:
        row["CreateDate"] = _created(record)
    return row


def rows_of(record: Record, version: int | None = None) -> dict[str, list[tuple[str, dict[str, str]]]]:
    """{table: [(RowGuid, {code: text}), …]} for every table the record has rows in, in TABLE_ORDER."""
    v = version if version is not None else record.version
    project = record.project
    units = list(project.units.all())
    out: dict[str, list[tuple[str, dict]]] = {t: [] for t in TABLE_ORDER}
    # the project (TBProjectInfo) is shared by the records that claim it: its version is its last change
    project_version = int(project.updated_at.timestamp()) if project.updated_at else 1
    out["TBProjectInfo"].append((row_guid("TBProjectInfo", project.pk, project_version), _project_row(record)))
    for unit in units:
        out["TBUnitProjectInfo"].append(
            (row_guid("TBUnitProjectInfo", unit.pk, project_version), _unit_row(record, unit))
        )
    for corp in record.corps.all():
        out["TBProjectCorpInfo"].append((row_guid("TBProjectCorpInfo", corp.pk, v), _corp_row(record, corp, units)))
    if (t := getattr(record, "tender", None)) is not None:
        out["TBTenderInfo"].append((row_guid("TBTenderInfo", t.pk, v), _tender_row(record, t)))
    if (c := getattr(record, "contract", None)) is not None:
        out["TBContractRecordManage"].append((row_guid("TBContractRecordManage", c.pk, v), _contract_row(record, c)))
    if (c := getattr(record, "censor", None)) is not None:
        out["TBProjectCensorInfo"].append((row_guid("TBProjectCensorInfo", c.pk, v), _censor_row(record, c)))
        for s in c.staff.all():
            out["TBProjectDesignEconUserInfo"].append(
                (row_guid("TBProjectDesignEconUserInfo", s.pk, v), _staff_row(record, c, s))
            )
    if (lic := getattr(record, "licence", None)) is not None:
        out["TBBuilderLicenceManage"].append((row_guid("TBBuilderLicenceManage", lic.pk, v), _licence_row(record, lic)))
    if (f := getattr(record, "finish_check", None)) is not None:
        out["TBProjectFinishCheckInfo"].append(
            (
                row_guid("TBProjectFinishCheckInfo", f.pk, v),
                _finish_row(record, f, "PrjFinishCheckNum", f.prj_finish_check_num, True),
            )
        )
    if (f := getattr(record, "finish_record", None)) is not None:
        out["TBProjectFinishManage"].append(
            (
                row_guid("TBProjectFinishManage", f.pk, v),
                _finish_row(record, f, "PrjFinishNum", f.prj_finish_num, False),
            )
        )
    return {t: [(g, {k: text(val) for k, val in r.items()}) for g, r in rows] for t, rows in out.items() if rows}


def false_mark_row(record: Record, *, reason: str, on: dt.date) -> tuple[str, dict[str, str]]:
    return (
        f"fraud-{record.pk}:v{record.version}",
        {
            "PrjNum": record.project.prj_num,
            "CorpCode": record.enterprise.credit_code,
            "CorpName": record.enterprise.name,
            "Reason": reason,
            "MarkDate": on.isoformat(),
        },
    )


def to_xml(table: str, rows: list[tuple[str, dict[str, str]]], *, user: str, password: str) -> bytes:
    """The SaveStData call of one table, GBK-encoded."""
    parts = [
        '<?xml version="1.0" encoding="GBK"?>\n<SaveStData>',
        f"<user>{escape(user)}</user><password>{escape(password)}</password><tableName>{table}</tableName><body>",
    ]
    for guid, values in rows:
        parts.append(f"<data><rowGuid>{escape(guid)}</rowGuid>")
        parts.extend(f"<{tag(code)}>{escape(value)}</{tag(code)}>" for code, value in values.items() if value != "")
        parts.append("</data>")
    parts.append("</body></SaveStData>")
    return "".join(parts).encode("gbk", errors="xmlcharrefreplace")
