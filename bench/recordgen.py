"""Realistic, valid and deterministic rows for the record tables, generated without touching the database.

One generated record is the whole life of one enterprise's performance record: its project (TBProjectInfo), the
record, the six stage rows (tender, contract, drawing review, construction permit, completion acceptance,
completion filing), one unit project and one participating unit, ten rows in all. Every code is valid for the
validators of `accounts.validators`: 16-digit project numbers (county code + yyMMdd + sequence, unique per run),
18-digit permit numbers, credit codes with their GB 32100 check character (and a GB 11714 organisation code
inside), ID card numbers with their GB 11643 check character, mobile numbers, and stage dates in their order, all
before the campaign's cut date.

Rows are tuples in the order of `Table.fields`; foreign keys to other generated rows are not in them: `Table.links`
names them (the parent row has the same index), and each loader fills them in its own way (ORM objects, or the
ids a COPY assigns). Columns not generated take the model field's default.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from accounts.validators import id_card_check_char, uscc_check_char

# --- codes ------------------------------------------------------------------------------------------------

_ORG_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def org_code_check_char(body8: str) -> str:
    """GB 11714-1997: the check character of an 8-character organisation code (positions 9-17 of a credit code)."""
    total = sum(_ORG_ALPHABET.index(char) * weight for char, weight in zip(body8, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def make_uscc(rng: random.Random, region_code: str, prefix: str = "91") -> str:
    """A credit code: registration authority + organisation type, region, organisation code, check character."""
    body = f"{rng.randrange(10_000_000, 100_000_000)}"
    first17 = f"{prefix}{region_code}{body}{org_code_check_char(body)}"
    return first17 + uscc_check_char(first17)


def make_id_card(rng: random.Random, region_code: str) -> str:
    birth = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(365 * 32))
    first17 = f"{region_code}{birth:%Y%m%d}{rng.randrange(1, 1000):03d}"
    return first17 + id_card_check_char(first17)


def make_mobile(rng: random.Random) -> str:
    return f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"


def _dec(units: int, places: int) -> Decimal:
    """`units` as a decimal with `places` decimals (1234567, 2 -> 12345.67), exactly."""
    return Decimal(units).scaleb(-places)


# --- the places, enterprises and people the records refer to ----------------------------------------------


@dataclass(frozen=True)
class County:
    code: str
    name: str
    city_name: str
    province_code: str


@dataclass(frozen=True)
class Firm:
    """An enterprise of the `accounts_enterprise` table (id known) or a party named only by name and code."""

    name: str
    code: str
    kind: str = ""  # survey / design for a recording enterprise
    id: int | None = None


@dataclass(frozen=True)
class Person:
    name: str
    id_card: str
    mobile: str


_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁沈姚卢覃韦莫蒙"
)
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰建国志红文斌俊峰辉鹏宇浩凯林海"
_FIRM_WORDS = ["华信", "宏远", "正和", "中建", "博文", "天成", "鼎盛", "恒通", "广厦", "瑞丰", "金石", "长城"]

#: enterprise kind -> tender class, contract type, participating-unit role (codes.py)
KIND_CODES = {"design": ("002", "200", "2"), "survey": ("001", "100", "1")}


def make_person(rng: random.Random, region_code: str) -> Person:
    name = rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2))))
    return Person(name, make_id_card(rng, region_code), make_mobile(rng))


def enterprise_fixtures(counties: list[County], per_province: int, seed: int) -> list[Firm]:
    """The survey and design enterprises the records belong to: `per_province` in each province (no ids yet)."""
    rng = random.Random(f"enterprises-{seed}")
    firms: list[Firm] = []
    for province in sorted({c.province_code for c in counties}):
        local = [c for c in counties if c.province_code == province]
        for n in range(per_province):
            county = local[n % len(local)]
            kind = "design" if n % 3 else "survey"
            noun = "建筑设计研究院有限公司" if kind == "design" else "岩土工程勘察有限公司"
            name = f"{county.city_name}{_FIRM_WORDS[n % len(_FIRM_WORDS)]}{noun}（基准{n + 1:04d}）"
            firms.append(Firm(name, make_uscc(rng, county.code), kind))
    return firms


# --- the generated tables ---------------------------------------------------------------------------------


@dataclass
class Table:
    key: str
    model: type
    fields: tuple[str, ...] = ()
    links: dict[str, str] = field(default_factory=dict)  # FK field name -> key of the parent table
    rows: list[tuple] = field(default_factory=list)


_BUILDING_NAMES = [
    "花园小区",
    "商住楼",
    "第二中学教学楼",
    "人民医院门诊楼",
    "综合办公楼",
    "安置小区",
    "标准厂房",
    "体育中心",
    "图书馆",
    "幼儿园",
]
_BUILDING_FUNCTIONS = {
    "花园小区": "101",
    "商住楼": "400",
    "第二中学教学楼": "304",
    "人民医院门诊楼": "304",
    "综合办公楼": "301",
    "安置小区": "103",
    "标准厂房": "700",
    "体育中心": "300",
    "图书馆": "304",
    "幼儿园": "304",
}
_PLACES = ["锦绣", "阳光", "翠湖", "滨江", "龙湾", "金桂", "书香", "凤凰", "碧水", "和谐", "南湖", "东盟"]
_MUNICIPAL = [
    ("路道路改造工程", "014"),
    ("大道延长线工程", "014"),
    ("污水处理厂配套管网工程", "011"),
    ("大桥工程", "015"),
    ("供水管网改造工程", "010"),
    ("公园景观工程", "016"),
]
_STREETS = ["民族", "友谊", "振兴", "解放", "建设", "人民", "长江", "新华", "朝阳", "青山"]
_BUILDING_STRUCTURES = ["003", "004", "005", "013"]
_FUNDS = {"101": "财政拨款", "102": "国有企业自筹", "103": "企业自筹"}
#: approximate bounding boxes (longitude, latitude) in 1e-7 degrees
_BOXES = {
    "45": ((1_044_500_000, 1_120_500_000), (214_500_000, 263_500_000)),
    "22": ((1_220_000_000, 1_310_000_000), (410_000_000, 460_000_000)),
}
_PROVINCE_SHORT = {"45": "桂", "22": "吉"}

BASE_DATE = dt.date(2008, 1, 1)
DATE_SPAN_DAYS = 2000  # project numbers carry dates from 2008-01-01 to mid-2013


def empty_tables() -> list[Table]:
    """The eleven tables a record fills, parents first, with no rows yet."""
    from projects import models as m

    return [
        Table("project", m.Project),
        Table("record", m.Record, links={"project": "project"}),
        Table("tender", m.Tender, links={"record": "record"}),
        Table("contract", m.Contract, links={"record": "record"}),
        Table("censor", m.Censor, links={"record": "record"}),
        Table("licence", m.BuilderLicence, links={"record": "record"}),
        Table("finish_check", m.FinishCheck, links={"record": "record"}),
        Table("finish_record", m.FinishRecord, links={"record": "record"}),
        Table("unit", m.UnitProject, links={"project": "project"}),
        Table("corp", m.ProjectCorp, links={"record": "record", "unit": "unit"}),
        Table("person", m.RecordPerson, links={"record": "record"}),  # 单位人员录入: one at least (grading.rules)
    ]


def generate(
    n: int,
    counties: list[County],
    enterprises: list[Firm],
    campaign_ids: dict[str, int],
    seed: int = 2017,
    county_of: Callable[[int], County] | None = None,
) -> list[Table]:
    """`n` records with all their stage rows, as tables in an order that respects their foreign keys.

    Record i is in county `county_of(i)` (one of `counties`), by default `counties[i % len(counties)]`: the counties
    in turn."""
    rng = random.Random(seed)
    by_province: dict[str, list[Firm]] = {}
    for firm in enterprises:
        by_province.setdefault(firm.code[2:4], []).append(firm)
    pools = {}
    for province in sorted({c.province_code[:2] for c in counties}):
        local = [c for c in counties if c.province_code[:2] == province]
        pools[province] = {
            "owners": [Firm(f"{c.name}城市建设投资有限公司", make_uscc(rng, c.code)) for c in local],
            "agencies": [
                Firm(f"{c.city_name}{w}招标代理有限公司", make_uscc(rng, c.code))
                for c in local[:20]
                for w in _FIRM_WORDS[:3]
            ],
            "censors": [Firm(f"{c.city_name}施工图审查中心有限公司", make_uscc(rng, c.code)) for c in local[:20]],
            "designers": [
                Firm(f"{c.city_name}{w}建筑设计院有限公司", make_uscc(rng, c.code))
                for c in local[:20]
                for w in _FIRM_WORDS[3:6]
            ],
            "surveyors": [
                Firm(f"{c.city_name}{w}勘察院有限公司", make_uscc(rng, c.code))
                for c in local[:20]
                for w in _FIRM_WORDS[6:9]
            ],
            "people": [make_person(rng, local[k % len(local)].code) for k in range(2000)],
        }
    missing = {c.province_code for c in counties} - set(campaign_ids)
    if missing or set(by_province) != set(pools):
        raise ValueError(f"every province needs a campaign and enterprises (missing: {sorted(missing)})")

    tables = {table.key: table for table in empty_tables()}
    rows: dict[str, list[tuple]] = {key: table.rows for key, table in tables.items()}
    first = True
    days = dt.timedelta
    taken: Counter[str] = Counter()  # records generated so far per county: their project numbers differ
    for i in range(n):
        county = counties[i % len(counties)] if county_of is None else county_of(i)
        k = taken[county.code]
        taken[county.code] += 1
        seq = k // DATE_SPAN_DAYS + 1
        if seq > 9999:
            raise ValueError(f"{n} records need more than 9999 project numbers per county and day")
        reg = BASE_DATE + days((k * 37) % DATE_SPAN_DAYS)  # 37 and 2000 are coprime: every day once per block
        prj_num = f"{county.code}{reg:%y%m%d}{seq:04d}"
        province = county.code[:2]
        pool = pools[province]
        firm = by_province[province][rng.randrange(len(by_province[province]))]
        tender_class, contract_type, corp_role = KIND_CODES[firm.kind]
        owner = pool["owners"][rng.randrange(len(pool["owners"]))]
        leader = pool["people"][rng.randrange(len(pool["people"]))]
        short = _PROVINCE_SHORT.get(province, "")

        municipal = rng.random() < 0.3
        if municipal:
            noun, function = _MUNICIPAL[rng.randrange(len(_MUNICIPAL))]
            prj_name = f"{county.name}{_STREETS[rng.randrange(len(_STREETS))]}{noun}"
            length_m = rng.randrange(300, 8000)
            width_m = rng.randrange(12, 60)
            area = _dec(length_m * width_m * 100, 2)
            length, span = _dec(length_m * 100, 2), _dec(width_m * 100, 2)
            invest = _dec(length_m * width_m * rng.randrange(800, 2500), 4)  # 万元 with 4 decimals
            prj_size = f"道路全长{length_m}米，红线宽度{width_m}米"
            structure = "099"
            prj_type = "02"
            floors = bottom_floors = None
            height = None
        else:
            noun = _BUILDING_NAMES[rng.randrange(len(_BUILDING_NAMES))]
            function = _BUILDING_FUNCTIONS[noun]
            prj_name = f"{county.name}{_PLACES[rng.randrange(len(_PLACES))]}{noun}{'一二三'[rng.randrange(3)]}期工程"
            area_m2 = rng.randrange(3_000, 200_000)
            area = _dec(area_m2 * 100 + rng.randrange(100), 2)
            length = span = Decimal("0.00")
            invest = _dec(area_m2 * rng.randrange(2_500, 6_000), 4)  # yuan/m² -> 万元 (x1e-4)
            floors, bottom_floors = rng.randrange(2, 34), rng.randrange(0, 3)
            height = _dec(floors * 300 + 150, 2)
            prj_size = f"总建筑面积{area}平方米，地上{floors}层，地下{bottom_floors}层"
            structure = _BUILDING_STRUCTURES[rng.randrange(len(_BUILDING_STRUCTURES))]
            prj_type = "01"
        inv_property = ("101", "102", "103")[rng.randrange(3)]
        lon_box, lat_box = _BOXES.get(province, ((1_000_000_000, 1_200_000_000), (300_000_000, 400_000_000)))

        tender_date = reg + days(rng.randrange(30, 90))
        contract_date = tender_date + days(rng.randrange(10, 30))
        censor_date = contract_date + days(rng.randrange(20, 60))
        licence_date = censor_date + days(rng.randrange(10, 40))
        start = licence_date + days(rng.randrange(5, 30))
        check_date = start + days(rng.randrange(300, 900))
        filing_date = check_date + days(rng.randrange(5, 30))
        fee = (invest * Decimal(rng.randrange(150, 400)) / 10_000).quantize(Decimal("0.0001"))
        works = (invest * Decimal(rng.randrange(75, 90)) / 100).quantize(Decimal("0.0001"))
        licence_no = f"{county.code}{licence_date:%Y%m%d}{i % 99 + 1:02d}{'02' if municipal else '01'}"
        surveyor = firm if firm.kind == "survey" else pool["surveyors"][rng.randrange(len(pool["surveyors"]))]
        designer = firm if firm.kind == "design" else pool["designers"][rng.randrange(len(pool["designers"]))]
        censor_corp = pool["censors"][rng.randrange(len(pool["censors"]))]
        agency = pool["agencies"][rng.randrange(len(pool["agencies"]))]
        violations = rng.choice((0, 0, 0, 1, 2))
        year = reg.year
        street = _STREETS[rng.randrange(len(_STREETS))]
        service = "设计" if firm.kind == "design" else "勘察"

        project = {
            "prj_num": prj_num,
            "province_prj_num": f"{short}{county.code}{year}{i % 100_000:05d}",
            "prj_code": f"{year}-{county.code}-{'48' if municipal else '47'}-01-{rng.randrange(10**6):06d}",
            "prj_name": prj_name,
            "prj_type": prj_type,
            "county_id": county.code,
            "is_overseas": False,
            "address": f"{county.city_name}{county.name}{street}路{rng.randrange(1, 999)}号",
            "location_x": _dec(rng.randrange(*lon_box), 7),
            "location_y": _dec(rng.randrange(*lat_box), 7),
            "prj_approval_num": f"{county.name}发改投资〔{year}〕{rng.randrange(1, 300)}号",
            "prj_approval_level": "004",
            "prj_approval_depart": f"{county.name}发展和改革局",
            "prj_approval_date": reg,
            "build_corp_name": owner.name,
            "build_corp_code": owner.code,
            "build_plan_num": f"地字第{county.code}{year}{rng.randrange(10**5):05d}号",
            "project_plan_num": f"建字第{county.code}{year}{rng.randrange(10**5):05d}号",
            "inv_property": inv_property,
            "fund_source": _FUNDS[inv_property],
            "national_percentage": Decimal("0.00") if inv_property == "103" else Decimal("100.00"),
            "all_invest": invest,
            "all_area": area,
            "all_length": length,
            "prj_size": prj_size,
            "prj_property": "001",
            "prj_function": function,
            "is_major": rng.random() < 0.05,
            "begin_date": start,
            "end_date": check_date,
            "data_source": 3,
        }
        record = {
            "enterprise_id": firm.id,
            "campaign_id": campaign_ids[county.province_code],
            "status": "draft",
            "version": 1,
        }
        tender = {
            "tender_num": f"{short}ZB{year}-{i:07d}",
            "tender_prj_name": f"{prj_name}{service}",
            "tender_class": tender_class,
            "tender_method": "001",
            "tender_result_date": tender_date,
            "tender_money": fee,
            "prj_size": prj_size,
            "area": area,
            "agency_corp_name": agency.name,
            "agency_corp_code": agency.code,
            "tender_corp_name": firm.name,
            "tender_corp_code": firm.code,
            "constructor_name": leader.name,
            "constructor_id_type": "1",
            "constructor_id_card": leader.id_card,
            "data_source": 3,
        }
        contract = {
            "record_num": f"{short}HT{county.code}{year}{i:07d}",
            "contract_num": f"{firm.code[-6:]}-{year}-{i % 10_000:04d}",
            "con_prj_name": tender["tender_prj_name"],
            "contract_type": contract_type,
            "contract_money": fee,
            "prj_size": prj_size,
            "propietor_corp_name": owner.name,
            "propietor_corp_code": owner.code,
            "contractor_corp_name": firm.name,
            "contractor_corp_code": firm.code,
            "contract_date": contract_date,
            "data_source": 3,
        }
        censor = {
            "censor_num": f"{short}SC{county.code}{censor_date:%Y}{i:07d}",
            "cen_prj_name": prj_name,
            "censor_e_date": censor_date,
            "one_censor_is_pass": violations == 0,
            "one_censor_wfqt_count": violations,
            "one_censor_wfqt_content": "GB 50016-2014 第5.5.17条" if violations else "",
            "censor_corp_name": censor_corp.name,
            "censor_corp_code": censor_corp.code,
            "survey_corp_name": surveyor.name,
            "survey_corp_code": surveyor.code,
            "design_corp_name": designer.name,
            "design_corp_code": designer.code,
            "prj_size": prj_size,
            "is_joint_review": False,
            "data_source": 3,
        }
        licence = {
            "licence_cert_no": licence_no,
            "bui_prj_name": prj_name,
            "bargain_days": (check_date - start).days,
            "contract_money": works,
            "release_date": licence_date,
            "issuing_authority": f"{county.name}住房和城乡建设局",
            "area": area,
            "length": length,
            "span": span,
            "prj_size": prj_size,
            "data_source": 3,
        }
        finish_common = {
            "fin_prj_name": prj_name,
            "builder_licence_nums": licence_no,
            "fact_cost": (invest * Decimal(rng.randrange(95, 110)) / 100).quantize(Decimal("0.0001")),
            "fact_area": area,
            "length": length,
            "span": span,
            "fact_size": prj_size,
            "b_date": start,
            "prj_structure_type": structure,
            "data_source": 3,
        }
        finish_check = {
            **finish_common,
            "prj_finish_check_num": f"{short}YS{county.code}{check_date:%Y}{i:07d}",
            "e_date": check_date,
        }
        finish_record = {
            **finish_common,
            "prj_finish_num": f"{short}BA{county.code}{filing_date:%Y}{i:07d}",
            "e_date": filing_date,
        }
        unit = {
            "unit_code": f"{prj_num}-001",
            "sub_prj_name": f"K0+000～K{length_m // 1000}+{length_m % 1000:03d}段" if municipal else "1#楼",
            "invest": invest.quantize(Decimal("0.01")),  # the standard keeps a unit's cost to 0.01 (Float(19,2))
            "seismic_intensity": "003" if province == "45" else "004",
            "is_super_high_building": False,
            "is_shock_isolation": False,
            "is_green_building": False,
            "build_area": None if municipal else area,
            "floor_build_area": None if municipal else _dec(int(area * 100) * floors // (floors + bottom_floors), 2),
            "bottom_floor_build_area": None
            if municipal
            else area - _dec(int(area * 100) * floors // (floors + bottom_floors), 2),
            "floor_count": floors,
            "bottom_floor_count": bottom_floors,
            "build_height": height,
            "sub_project_length": length if municipal else None,
            "sub_project_span": span if municipal else None,
            "structure_type": structure,
            "prj_level": "202",
        }
        corp = {
            "corp_role": corp_role,
            "corp_name": firm.name,
            "corp_code": firm.code,
            "person_name": leader.name,
            "id_card_type": "1",
            "person_id_card": leader.id_card,
            "person_phone": leader.mobile,
        }
        person = {
            "corp_name": firm.name,
            "corp_code": firm.code,
            "name": leader.name,
            "role": "WD001",  # 项目负责人
            "id_card_type": "1",
            "id_card": leader.id_card,
            "phone": leader.mobile,
        }
        generated = {
            "project": project,
            "record": record,
            "tender": tender,
            "contract": contract,
            "censor": censor,
            "licence": licence,
            "finish_check": finish_check,
            "finish_record": finish_record,
            "unit": unit,
            "corp": corp,
            "person": person,
        }
        if first:
            for key, values in generated.items():
                tables[key].fields = tuple(values)
            first = False
        for key, values in generated.items():
            rows[key].append(tuple(values.values()))
    return list(tables.values())


def mark_submitted(
    tables: list[Table],
    authorities: dict[str, int],
    submitted_at: Callable[[int], dt.datetime],
    deadline: Callable[[int], dt.datetime],
    tracks: dict[int, list[int]] | None = None,
) -> None:
    """Turn the generated drafts into records waiting for review (提交审核 done), in place: status `submitted`,
    submitted at `submitted_at(i)`, due at `deadline(i)`, with the responsible authority of the project's county
    (`authorities`: county code -> authority id, P2) and, when `tracks` are given (campaign id -> its track ids),
    one of its campaign's tracks in turn."""
    by_key = {table.key: table for table in tables}
    project, record = by_key["project"], by_key["record"]
    county_at = project.fields.index("county_id")
    status_at = record.fields.index("status")
    campaign_at = record.fields.index("campaign_id")
    extra = ("submitted_at", "review_deadline", "responsible_authority_id", "track_id")
    for i, (row, project_row) in enumerate(zip(record.rows, project.rows, strict=True)):
        values = list(row)
        values[status_at] = "submitted"
        choices = (tracks or {}).get(row[campaign_at])
        track = choices[i % len(choices)] if choices else None
        values += [submitted_at(i), deadline(i), authorities[project_row[county_at]], track]
        record.rows[i] = tuple(values)
    record.fields = (*record.fields, *extra)
