"""An old system's export (J2) to import: N records of Jilin with every stage, and the reviewers who decided them.

The records are bench/recordgen.py's (valid, deterministic: every code with its check character, stage dates in
order, completed before the campaign's cut date), written in the records layout of transfer.record_rows with the
old system's columns of legacy.layout in front:

- 70 % approved — by the provincial office, the city bureau or the county bureau of the project's county (a third
  each at random), so the grades A, B and C come out about a third each — 20 % pending and 10 % rejected;
- one reviewer (审核人员) per authority that decided something, with a real name and a 科室 (J9);
- the three required attachments as paths of the old system's upload folder.

`write_legacy_file(path, n)` writes an XLSX (every sheet) or, for a name ending in .csv, the sheet 业绩 alone as
UTF-8 CSV (a CSV holds one sheet: its records then have no 单体, 参建单位 … rows). Needs the database for the regions.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from dataclasses import dataclass, field
from pathlib import Path

from bench.recordgen import County, enterprise_fixtures, generate, make_mobile, make_person

PROVINCE = "220000"
PROVINCE_AUTHORITY = "吉林省住房和城乡建设厅"
SECTIONS = {"province": "建筑市场监管处", "city": "建筑市场管理科", "county": "建筑业管理股"}
OPINIONS = [
    "中标通知书与合同金额不一致，请核对后重新提交。",
    "竣工验收备案号与备案证明不符。",
    "项目负责人身份证号码有误。",
]
#: the share of each old state, in this order, per 10 records
MIX = ("approved",) * 7 + ("pending",) * 2 + ("rejected",)
STATUS_WORDS = {"approved": "审核通过", "pending": "待审核", "rejected": "审核不通过"}


@dataclass(frozen=True)
class Department:
    level: str  # province / city / county
    region: str
    authority: str
    section: str

    @property
    def name(self) -> str:
        return f"{self.authority}{self.section}"


@dataclass
class LegacyFile:
    """What was written: the counts a test or the bench checks the import against."""

    path: Path
    records: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    by_level: dict[str, int] = field(default_factory=dict)  # approved records by the deciding department's level
    reviewers: dict[str, dict] = field(default_factory=dict)  # old id -> row
    old_ids: list[str] = field(default_factory=list)
    status_of: dict[str, str] = field(default_factory=dict)  # old id -> approved / pending / rejected
    level_of: dict[str, str] = field(default_factory=dict)  # old id -> level of the deciding department
    reviewer_of: dict[str, str] = field(default_factory=dict)  # old id -> the deciding reviewer's old id


def jilin_counties() -> list[County]:
    from accounts.models import Region

    return [
        County(r.code, r.name, r.parent.name, PROVINCE)
        for r in Region.objects.filter(level=3, valid_until=None, code__startswith="22")
        .select_related("parent")
        .order_by("code")
    ]


def _department(level: str, county: County, parents: dict[str, str], names: dict[str, str]) -> Department:
    if level == "county":
        code = county.code
    elif level == "city" and parents.get(county.code, PROVINCE) != PROVINCE:
        code = parents[county.code]
    else:
        level, code = "province", PROVINCE
    authority = PROVINCE_AUTHORITY if code == PROVINCE else f"{names[code]}住房和城乡建设局"
    return Department(level, code, authority, SECTIONS[level])


def rows(n: int, *, seed: int = 2020, prefix: str = "JL") -> tuple[dict[str, list[list]], LegacyFile]:
    """Every sheet's rows (titles first) of an old-system file of `n` records."""
    from accounts.models import Region
    from legacy import layout
    from transfer import record_rows as rr

    counties = jilin_counties()
    regions = Region.objects.filter(code__startswith="22")
    parents = {r.code: r.parent_id for r in regions}
    names = {r.code: r.name for r in regions}
    firms = enterprise_fixtures(counties, per_province=max(10, min(200, n // 20)), seed=seed)
    tables = {t.key: t for t in generate(n, counties, firms, {PROVINCE: 0}, seed=seed)}
    by_code = {c.code: c for c in counties}
    firm_of = {f.code: f for f in firms}
    rng = random.Random(f"legacy-{seed}")

    out = {sheet.name: [list(sheet.headers)] for sheet in layout.sheets()}
    main = rr.layout(rr.RECORDS)
    info = LegacyFile(Path())
    reviewers: dict[Department, str] = {}  # department -> old id
    opened = dt.datetime(2019, 11, 26, 9, 0)
    for i in range(n):
        values = {key: dict(zip(table.fields, table.rows[i], strict=True)) for key, table in tables.items()}
        project = values["project"]
        county = by_code[project["county_id"]]
        firm = firm_of[values["tender"]["tender_corp_code"]]
        status = MIX[i % len(MIX)]
        old_id = f"{prefix}{seed % 100:02d}{i + 1:07d}"
        submitted = opened + dt.timedelta(minutes=rng.randrange(0, 290 * 24 * 60))
        reviewed = submitted + dt.timedelta(hours=rng.randrange(2, 72))
        legacy = {h: None for h in (c.header for c in layout.LEGACY_COLUMNS)}
        legacy |= {
            layout.OLD_ID: old_id,
            layout.OLD_STATUS: STATUS_WORDS[status],
            layout.SUBMITTED_AT: f"{submitted:%Y-%m-%d %H:%M:%S}",
        }
        if status != "pending":
            level = ("province", "city", "county")[rng.randrange(3)]  # a third each, spread over the counties
            department = _department(level, county, parents, names)
            reviewer = reviewers.setdefault(department, f"U{len(reviewers) + 1:05d}")
            legacy |= {
                layout.REVIEWED_AT: f"{reviewed:%Y-%m-%d %H:%M:%S}",
                layout.DEPARTMENT: department.name,
                layout.DEPARTMENT_LEVEL: layout.LEVEL_NAMES[department.level],
                layout.DEPARTMENT_REGION: department.region,
                layout.REVIEWER_ID: reviewer,
            }
            info.level_of[old_id] = department.level
            info.reviewer_of[old_id] = reviewer
            if status == "rejected":
                legacy[layout.OPINION] = OPINIONS[i % len(OPINIONS)]
            else:
                info.by_level[department.level] = info.by_level.get(department.level, 0) + 1
        for kind, header in layout.ATTACHMENT_COLUMNS.items():
            legacy[header] = f"/upload/{submitted:%Y/%m}/{old_id}/{kind}.pdf"
        info.by_status[status] = info.by_status.get(status, 0) + 1
        info.old_ids.append(old_id)
        info.status_of[old_id] = status

        key = {
            "credit_code": firm.code,
            "enterprise_name": firm.name,
            "prj_num": project["prj_num"],
            "campaign": None,
            "status": None,
        }
        stage_values = {"project": project, **{part: values[part] for part in rr.ONE_TO_ONE}}
        cells = list(legacy.values())
        for col in main.columns:
            if col.part == rr.KEY_PART:
                cells.append(key[col.name])
            else:
                cells.append(rr.format_value(col.field, stage_values[col.part].get(col.field.attname)))
        out[main.name].append(cells)
        parts = {"units": [values["unit"]], "corps": [values["corp"]], "persons": [values["person"]]}
        for part, part_rows in parts.items():
            lay = rr.layout(part)
            for seq, part_values in enumerate(part_rows, start=1):
                row = []
                for col in lay.columns:
                    if col.part == rr.KEY_PART:
                        row.append(str(seq) if col.name == rr.SEQ else key[col.name])
                    elif part == "corps" and col.name == "unit":
                        row.append("1")
                    else:
                        row.append(rr.format_value(col.field, part_values.get(col.field.attname)))
                out[lay.name].append(row)
    reviewer_rows = out[layout.REVIEWERS_SHEET]
    for department, old_id in reviewers.items():
        person = make_person(rng, department.region)
        row = {
            layout.R_OLD_ID: old_id,
            layout.R_USERNAME: f"{prefix.lower()}{seed % 100:02d}_{old_id.lower()}",
            layout.R_NAME: person.name,
            layout.R_AUTHORITY: department.authority,
            layout.R_DEPARTMENT: department.section,
            layout.R_LEVEL: layout.LEVEL_NAMES[department.level],
            layout.R_REGION: department.region,
            layout.R_TITLE: "科员",
            layout.R_PHONE: make_mobile(rng),
        }
        info.reviewers[old_id] = row
        reviewer_rows.append([row[h] for h in reviewer_rows[0]])
    info.records = n
    return out, info


def write_legacy_file(path: Path | str, n: int, *, seed: int = 2020, prefix: str = "JL") -> LegacyFile:
    """Write the file (XLSX, or the sheet 业绩 alone as a UTF-8 CSV for a .csv name) and say what it holds."""
    from legacy import layout

    path = Path(path)
    sheets, info = rows(n, seed=seed, prefix=prefix)
    info.path = path
    if path.suffix.lower() == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as stream:
            csv.writer(stream).writerows(
                ["" if v is None else v for v in row] for row in sheets[layout.records_sheet_name()]
            )
        return info
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for name, sheet_rows in sheets.items():
        ws = book.create_sheet(name)
        for row in sheet_rows:
            ws.append(row)
    book.save(path)
    return info
