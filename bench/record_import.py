"""Importing record rows through the records importer (transfer/records.py), next to bulk_create and COPY of the
same rows, in the same run (issue 13: "at least a third of bulk_create's rate").

N records are generated (bench/recordgen.py: each one project, record, six stages, one 单体, one 参建单位 and one
单位人员) and written as the records file's rows (transfer/record_rows.py: codes as their Chinese names, dates and
amounts as text, exactly what an export writes). Then, each from emptied record tables:

- `copy_rows` — the baseline: the same rows by COPY (bench/load_records.py), committed every `--batch-size`;
- `bulk_create_rows` — the same model instances by one bulk_create per model and batch (bench/load_records.py);
- `import_rows` — the Book through `RecordsImporter.run(mode=all)`: every cell parsed as the portal parses it,
  every record checked by grading's check_record, J3 and G1, scoped, then written by bulk_create in one
  transaction (nothing written unless every row passes).

The three paths run with the history triggers on, in a pghistory context and with pgtrigger's setting preset (as
the importer does), so they differ only in what they do per row. Rows/s counts records. Reading the file itself
(XLSX → Book) is the file layer's and is not timed here. The benchmark refuses to run when the record tables hold
rows (a database of its own, or `--truncate-existing`), and empties them, the enterprises and its user at the end.
"""

from __future__ import annotations

import argparse
import time

from django.db import connection
from django.utils import timezone

from bench.common import BenchError, Measurement, note, ratio
from bench.load_records import (
    LoadMode,
    _counties_and_campaigns,
    _create_enterprises,
    _delete_enterprises,
    _non_empty,
    _truncate,
    copy_buffers,
    count_rows,
    load_copy,
    load_orm,
    tables_to_empty,
)
from bench.recordgen import Table, empty_tables, enterprise_fixtures, generate

DESCRIPTION = "import N record rows through the records importer (validation included) vs bulk_create and COPY"
BASELINE = "copy"
BENCH_USER = "bench_record_import"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rows", type=int, default=100_000, help="records (rows of 业绩) to import (default 100000)")
    parser.add_argument("--batch-size", type=int, default=1_000, help="records per COPY / bulk_create transaction")
    parser.add_argument("--enterprises", type=int, default=200, help="enterprises per province (default 200)")
    parser.add_argument("--seed", type=int, default=2017)
    parser.add_argument("--truncate-existing", action="store_true", help="empty the record tables even if not empty")


def book_of(tables: list[Table], firms: dict[int, str], campaign_names: dict[int, str]):
    """The generated records as the records file's Book: one row of 业绩 per record, its 单体, 参建单位 and 单位人员."""
    from transfer import record_rows as rr
    from transfer.book import Book
    from transfer.book import Table as BookTable

    by_key = {t.key: t for t in tables}
    main = rr.layout(rr.RECORDS)
    stage_of = {"tender", "contract", "censor", "licence", "finish_check", "finish_record"}

    def columns(lay, part: str, table: Table) -> list[tuple[str, int, object]]:
        at = {name: i for i, name in enumerate(table.fields)}
        out = []
        for col in lay.columns:
            if col.part == part and col.field is not None and col.field.attname in at:
                out.append((col.header, at[col.field.attname], col.field))
        return out

    project, record = by_key["project"], by_key["record"]
    picks = {part: columns(main, part, by_key[part]) for part in ("project", *stage_of)}
    county_at = project.fields.index("county_id")
    enterprise_at = record.fields.index("enterprise_id")
    campaign_at = record.fields.index("campaign_id")
    prj_num_at = project.fields.index("prj_num")
    key = {c.name: c.header for c in main.columns if c.part == rr.KEY_PART}
    county_header = main.column("project", "county").header
    rows = []
    keys = []
    for i in range(len(project.rows)):
        credit, prj_num = firms[record.rows[i][enterprise_at]], project.rows[i][prj_num_at]
        keys.append((credit, prj_num))
        cells = {
            key["credit_code"]: credit,
            key["prj_num"]: prj_num,
            key["campaign"]: campaign_names[record.rows[i][campaign_at]],
            county_header: project.rows[i][county_at],
        }
        for part, picked in picks.items():
            values = by_key[part].rows[i]
            for header, at, field in picked:
                cells[header] = rr.format_value(field, values[at])
        rows.append((i + 2, cells))
    book = Book({main.name: BookTable(main.name, list(main.sheet.headers), rows)}, "bench")
    for part, gen in (("units", "unit"), ("corps", "corp"), ("persons", "person")):
        lay = rr.layout(part)
        picked = columns(lay, part, by_key[gen])
        part_key = {c.name: c.header for c in lay.columns if c.part == rr.KEY_PART}
        unit_header = lay.column("corps", "unit").header if part == "corps" else None
        part_rows = []
        for i, values in enumerate(by_key[gen].rows):
            cells = {part_key["credit_code"]: keys[i][0], part_key["prj_num"]: keys[i][1]}
            if part == "units":
                cells[part_key[rr.SEQ]] = "1"
            if unit_header:
                cells[unit_header] = "1"
            for header, at, field in picked:
                cells[header] = rr.format_value(field, values[at])
            part_rows.append((i + 2, cells))
        book.tables[lay.name] = BookTable(lay.name, list(lay.sheet.headers), part_rows)
    return book


def _user():
    from accounts.models import User

    user, _created = User.objects.get_or_create(username=BENCH_USER, defaults={"is_superuser": True})
    return user


def _verify(tables: list[Table], n: int, phase: str) -> None:
    for name, (rows, _events) in count_rows(tables).items():
        if rows != n:
            raise BenchError(f"{phase}: {name} has {rows} rows, expected {n}")


def run(options: argparse.Namespace) -> list[Measurement]:
    from projects.models import Campaign
    from transfer.book import Mode
    from transfer.records import records_importer

    n = options.rows
    if n < 1 or options.batch_size < 1:
        raise BenchError("--rows and --batch-size must be at least 1")
    counties, campaigns = _counties_and_campaigns()
    to_empty = tables_to_empty([t.model for t in empty_tables()])
    busy = _non_empty(to_empty)
    if busy and not options.truncate_existing:
        raise BenchError(
            f"these tables hold rows and the benchmark empties them: {', '.join(busy)}. Run it against a database "
            "of its own or pass --truncate-existing."
        )
    note(f"database {connection.settings_dict['NAME']}: {n} records; it empties {len(to_empty)} tables")
    firms = _create_enterprises(enterprise_fixtures(counties, options.enterprises, options.seed))
    user = _user()
    seconds: dict[str, float] = {}
    try:
        tables = generate(n, counties, firms, campaigns, seed=options.seed)
        names = dict(Campaign.objects.values_list("pk", "name"))
        started = time.perf_counter()
        book = book_of(tables, {f.id: f.code for f in firms}, names)
        note(f"wrote {book.rows()} file rows in {time.perf_counter() - started:.2f} s (not timed)")
        batches = copy_buffers(tables, timezone.now(), options.batch_size)
        mode = LoadMode(history_context=True, preset_trigger_gucs=True)

        def importer() -> None:
            report = records_importer.run(book, user=user, mode=Mode.ALL)
            if report.problems:
                first = "; ".join(f"{p.sheet} {p.row} {p.column}: {p.message}" for p in report.problems[:3])
                raise BenchError(f"the importer refused the generated rows ({len(report.problems)} problems): {first}")

        phases = [
            ("copy_rows", lambda: load_copy(tables, batches, mode)),
            ("bulk_create_rows", lambda: load_orm(tables, options.batch_size, mode)),
            ("import_rows", importer),
        ]
        for name, load in phases:
            _truncate(to_empty)
            started = time.perf_counter()
            load()
            seconds[name] = time.perf_counter() - started
            _verify(tables, n, name)
            note(f"{name}: {seconds[name]:.2f} s ({n / seconds[name]:.0f} records/s), row counts checked")
    finally:
        _truncate(to_empty)
        _delete_enterprises(firms)
        user.delete()
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM pghistory_context WHERE metadata->>'job' IN (%s, %s)",
                ["bench.load_records", "transfer.records"],
            )
    base = seconds["copy_rows"]
    lines = [
        Measurement(name, n / seconds[name], "rows/s", ratio(base, seconds[name]), BASELINE)
        for name in ("import_rows", "bulk_create_rows", "copy_rows")
    ]
    bulk = seconds["bulk_create_rows"]
    lines.append(
        Measurement(
            "import_vs_bulk_create",
            bulk / seconds["import_rows"],
            "x",
            ratio(base, seconds["import_rows"]),
            BASELINE,
            2,
        )
    )
    return lines
