"""Loading the GB/T 2260 regions shipped in accounts/data/regions.csv (see accounts/data/README.md)."""

from __future__ import annotations

import csv
from pathlib import Path

REGIONS_CSV = Path(__file__).resolve().parent / "data" / "regions.csv"


def read_regions(path: Path = REGIONS_CSV) -> list[dict]:
    """One dict per code: a code that was renamed keeps the current name and lists the former ones."""
    by_code: dict[str, dict] = {}
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            valid_from = int(row["valid_from"]) if row["valid_from"] else None
            valid_until = int(row["valid_until"]) if row["valid_until"] else None
            entry = by_code.get(row["code"])
            if entry is None:
                by_code[row["code"]] = {
                    "code": row["code"],
                    "name": row["name"],
                    "level": int(row["level"]),
                    "parent_code": row["parent_code"] or None,
                    "valid_from": valid_from,
                    "valid_until": valid_until,
                    "former_names": [],
                }
                continue
            # Same code, another name: the open-ended (or later) one is the current name.
            newer_is_row = entry["valid_until"] is not None and (
                valid_until is None or valid_until > entry["valid_until"]
            )
            if newer_is_row:
                entry["former_names"].append(entry["name"])
                entry["name"] = row["name"]
                entry["valid_until"] = valid_until
            else:
                entry["former_names"].append(row["name"])
            if entry["valid_from"] is not None and (valid_from is None or valid_from < entry["valid_from"]):
                entry["valid_from"] = valid_from
    return sorted(by_code.values(), key=lambda e: (e["level"], e["code"]))


def load_regions(Region, path: Path = REGIONS_CSV) -> int:
    """Insert the regions of the CSV that are missing and update those that differ (parents first), in bulk; a
    region of the table that the CSV lacks is kept. Returns the number of rows inserted or updated."""
    rows = read_regions(path)
    existing = {r.code: r for r in Region.objects.all()}
    fields = ("name", "level", "parent_id", "valid_from", "valid_until", "former_names")
    written = 0
    for level in sorted({e["level"] for e in rows}):
        new, changed = [], []
        for entry in (e for e in rows if e["level"] == level):
            values = {
                "name": entry["name"],
                "level": entry["level"],
                "parent_id": entry["parent_code"],
                "valid_from": entry["valid_from"],
                "valid_until": entry["valid_until"],
                "former_names": "、".join(entry["former_names"]),
            }
            region = existing.get(entry["code"])
            if region is None:
                new.append(Region(code=entry["code"], **values))
            elif any(getattr(region, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(region, name, value)
                changed.append(region)
        Region.objects.bulk_create(new, batch_size=1000)
        if changed:
            Region.objects.bulk_update(changed, fields, batch_size=1000)
        written += len(new) + len(changed)
    return written
