"""Build standard.json — the mock's own reading of the 2018 standard — from the extract of the standard's tables.

    python -m national_mock.build_standard [TABLES_TXT] [OUT_JSON]

Per table: every field with its code, type, length (bytes of GBK for character types, digits for numbers),
decimals, constraint (M/O/C) and the dictionary it refers to; per dictionary its codes. The extract writes a
table's rows as `名称 | 代码 | 类型 | 长度 | 小数 | 约束 | 备注`, a remark sometimes continuing on the next line.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_SOURCE = HERE.parent.parent / "shared" / "research" / "national-standard-2018-tables.txt"
DEFAULT_OUT = HERE / "standard.json"

TABLE_RE = re.compile(r"^\d+\.\d+\.\d+\s+(?P<title>.+?)（表名：(?P<name>\w+)）")
DICT_RE = re.compile(r"^7\.\d+\s+(?P<name>TB[A-Za-z]+DIC)(?P<title>[^（*]*)")
DICT_REF_RE = re.compile(r"(TB[A-Za-z]+DIC)", re.I)
# the extract spells some dictionaries two ways; the field's reference and the dictionary's heading must meet
ALIASES = {"TBPRJSTUCTURETYPEDIC": "TBPRJSTRUCTURETYPEDIC", "TBGREENBUIDINGLEVELDIC": "TBGREENBUILDINGLEVELDIC"}


def _dict_name(raw: str) -> str:
    name = raw.upper()
    return ALIASES.get(name, name)


def parse(text: str) -> dict:
    tables: dict[str, dict] = {}
    dictionaries: dict[str, dict] = {}
    table = dictionary = None
    last_field = None
    for raw in text.splitlines():
        line = raw.strip()
        if m := TABLE_RE.match(line):
            table = {"title": m["title"], "fields": []}
            tables[m["name"]] = table
            dictionary = last_field = None
            continue
        if m := DICT_RE.match(line):
            dictionary = {"title": m["title"].strip(), "codes": {}}
            dictionaries[_dict_name(m["name"])] = dictionary
            table = last_field = None
            continue
        cells = [c.strip() for c in line.split("|")]
        if dictionary is not None and len(cells) >= 2 and cells[0].rstrip("*").isdigit():  # 2* marks a later code
            # `序号 | 编码 | 名称`, or `编码 | 名称` where the number is the code (TBCORPROLEDIC)
            code, label = (cells[1], cells[2]) if dictionary.get("three", True) and len(cells) >= 3 else cells[:2]
            dictionary["codes"][code] = label
            continue
        if dictionary is not None and cells[0] == "序号":
            dictionary["three"] = len(cells) >= 3
            continue
        if table is not None and len(cells) >= 6 and re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", cells[1] or "-"):
            if cells[1] in ("字段代码",):
                continue
            remark = cells[6] if len(cells) > 6 else ""
            last_field = {
                "name": cells[0].rstrip("*"),
                "code": cells[1],
                "type": cells[2].lower(),
                "length": int(cells[3]) if cells[3].isdigit() else None,
                "decimals": int(cells[4]) if cells[4].isdigit() else None,
                # M, O or C; the extract has a few zeros for O
                "constraint": {"0": "O", "": "O"}.get(cells[5], cells[5].upper()),
                "remark": remark,
            }
            table["fields"].append(last_field)
            continue
        if table is not None and last_field is not None and line and "|" not in line:
            last_field["remark"] += line  # a remark continued on the next line
    for d in dictionaries.values():
        d.pop("three", None)
    for t in tables.values():
        for f in t["fields"]:
            ref = DICT_REF_RE.search(f["remark"])
            f["dictionary"] = _dict_name(ref[1]) if ref else None
    return {"tables": tables, "dictionaries": dictionaries}


def main(argv: list[str]) -> int:
    source = Path(argv[0]) if argv else DEFAULT_SOURCE
    out = Path(argv[1]) if len(argv) > 1 else DEFAULT_OUT
    data = parse(source.read_text(encoding="utf-8"))
    out.write_text(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{out}: {len(data['tables'])} tables, {len(data['dictionaries'])} dictionaries")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
