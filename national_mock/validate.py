"""The mock's own validation of a pushed row, from standard.json alone (never the province's rule set).

Each message is in Chinese and names the field by its standard name and code, as a national platform would."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path

STANDARD_PATH = Path(__file__).resolve().parent / "standard.json"

#: the tables a province pushes here, parents first (a row may refer only to rows of tables before it)
TABLES = (
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
#: the mark of a false project (provinces push false projects "标注为虚假项目"); not a table of the standard
FALSE_MARK_TABLE = "TBFalseProjectMark"
FALSE_MARK_FIELDS = {"PrjNum": True, "CorpCode": True, "CorpName": False, "Reason": True, "MarkDate": True}

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
#: fields where the standard allows 其它 for an owner without a credit code
OTHER_ALLOWED = {"BuildCorpCode", "PropietorCorpCode", "AgencyCorpCode"}
NUMBER_TYPES = {"numeric", "decimal", "float", "double"}
TEXT_TYPES = {"varchar", "char", "vvarchar"}


@cache
def standard() -> dict:
    return json.loads(STANDARD_PATH.read_text(encoding="utf-8"))


@cache
def fields_of(table: str) -> dict[str, dict]:
    return {f["code"]: f for f in standard()["tables"][table]["fields"]}


def tag(code: str) -> str:
    """The XML tag of a field: the standard's code in camelCase (PrjNum → prjNum), as provincial exchanges write it."""
    return code[:1].lower() + code[1:]


def code_of(table: str, tag_name: str) -> str | None:
    lowered = {tag(c).lower(): c for c in fields_of(table)}
    return lowered.get(tag_name.lower())


def uscc_ok(code: str) -> bool:
    if len(code) != 18 or any(ch not in USCC_ALPHABET for ch in code):
        return False
    total = sum(USCC_ALPHABET.index(ch) * w for ch, w in zip(code[:17], USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31] == code[17]


def id_card_ok(number: str) -> bool:
    if not re.fullmatch(r"\d{17}[\dX]", number):
        return False
    try:
        dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    total = sum(int(ch) * w for ch, w in zip(number[:17], ID_WEIGHTS, strict=True))
    return "10X98765432"[total % 11] == number[17]


def _label(field: dict) -> str:
    return f"{field['name']}（{field['code']}）"


def check_value(field: dict, value: str) -> str | None:
    kind, length, decimals = field["type"], field["length"], field["decimals"]
    label = _label(field)
    if kind == "int":
        if not re.fullmatch(r"-?\d{1,10}", value):
            return f"{label}应为整数，收到“{value[:30]}”"
    elif kind == "date":
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            return f"{label}应为日期（yyyy-MM-dd），收到“{value[:30]}”"
    elif kind == "datetime":
        try:
            dt.datetime.fromisoformat(value)
        except ValueError:
            return f"{label}应为时间（yyyy-MM-dd HH:mm:ss），收到“{value[:30]}”"
    elif kind in NUMBER_TYPES:
        try:
            number = Decimal(value)
        except InvalidOperation:
            return f"{label}应为数值，收到“{value[:30]}”"
        if not number.is_finite():
            return f"{label}应为数值，收到“{value[:30]}”"
        exponent = number.as_tuple().exponent
        places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
        if decimals is not None and places > decimals:
            return f"{label}最多{decimals}位小数，收到“{value[:30]}”"
        if length:
            whole = len(str(abs(int(number)))) if abs(number) >= 1 else 0
            if whole > length - (decimals or 0):
                return f"{label}超出长度（{length}位，其中小数{decimals or 0}位），收到“{value[:30]}”"
    elif kind in TEXT_TYPES and length:
        size = len(value.encode("gbk"))
        if size > length:
            return f"{label}超过{length}字节（GBK编码，收到{size}字节）"
    dictionary = field.get("dictionary")
    if dictionary == "TBXZQDMDIC":
        if not re.fullmatch(r"\d{6}", value):
            return f"{label}应为6位行政区划代码（GB/T 2260），收到“{value[:30]}”"
    elif dictionary:
        codes = standard()["dictionaries"].get(dictionary, {}).get("codes") or {}
        if codes and value not in codes:
            return f"{label}的值“{value[:30]}”未参照引用自字典表{dictionary}"
    if field["code"].endswith("CorpCode") and field["length"] == 18:
        if not (value == "其它" and field["code"] in OTHER_ALLOWED) and not uscc_ok(value):
            return f"{label}不是有效的统一社会信用代码（GB 32100）：“{value[:30]}”"
    return None


def check_row(table: str, values: dict[str, str]) -> list[str]:
    """Every problem of one row on its own (references to other rows are the store's to check)."""
    problems = [f"未知字段“{code[:40]}”：表{table}无此字段" for code in values if code not in fields_of(table)]
    known = fields_of(table)
    for code, field in known.items():
        value = values.get(code, "")
        if value == "":
            if field["constraint"] == "M":
                problems.append(f"{_label(field)}为必填项")
            continue
        if message := check_value(field, value):
            problems.append(message)
    region = [values.get(c, "") for c in ("ProvinceNum", "CityNum", "CountyNum")]
    if table == "TBProjectInfo" and all(re.fullmatch(r"\d{6}", r) for r in region):
        province, city, county = region
        if province[2:] != "0000" or city[:2] != province[:2] or county[:2] != province[:2]:
            problems.append("项目所在省份、地市、区县（ProvinceNum/CityNum/CountyNum）不一致")
    id_type = values.get("IDCardTypeNum", "")
    for code in ("PersonIDCard", "IDCard", "ConstructorIDCard"):
        number = values.get(code, "")
        if number and id_type == "1" and not id_card_ok(number):
            problems.append(f"{_label(known[code])}：身份证号须为18位且校验码正确")
    return problems
