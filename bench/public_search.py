"""Public search (J5, issue 12 item 3) over N published records: p50 and p95 per query kind, with the search indexes
next to the same queries without them, in the same run.

What it measures: `public.search.search(filters, page=1)` — everything the page needs from the database (the capped
count, the page of 20 projects with their regions, their published claims with enterprise and grade) — for each kind
of query, `--queries` different queries each:

- `name2`, `name3`, `name4` — a piece of 2, 3 and 4 to 8 characters of a project's name, cut from names drawn at
  random from the loaded projects (so as frequent as people's words are: "工程" matches nearly all, "锦绣花园" few);
- `enterprise` — half a piece of an enterprise's name (2 to 6 characters), half a whole credit code;
- `region_year` — a county or a city with a completion year.

First without the indexes of public/migrations/0001_search_indexes.py (dropped before the load), then with them
(created after it; their build time is noted), the same queries in the same order. Each figure is printed with its
ratio to the same query kind without the indexes (`… (0.01x no_index)`). Goal (issue 12): p95 ≤ 50 ms for a name
substring on 1,000,000 records.

The data: bench/recordgen.py's records (Guangxi and Jilin, `--enterprises` firms per province), approved (graded A 10 %,
B 30 %, C 50 %, D 10 %, reviewed by the bureau of that level), loaded by COPY in chunks of 50,000 with the history
triggers off (the search reads no history), then ANALYZE. It refuses to run when the record tables hold rows, unless
`--truncate-existing`; at the end it empties them and deletes the enterprises it made (unless `--keep`), and the
indexes are always there again.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import operator
import random
import statistics
import time
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from bench.common import BenchError, Measurement, Stopwatch, note, ratio
from bench.load_records import (
    LoadMode,
    _begin,
    _copy_text,
    _counties_and_campaigns,
    _create_enterprises,
    _delete_enterprises,
    _end,
    _non_empty,
    _qn,
    _truncate,
    tables_to_empty,
)
from bench.recordgen import Firm, Table, empty_tables, enterprise_fixtures, generate
from bench.review_data import analyze

DESCRIPTION = "public search over N published records: p50/p95 per query kind, with and without the search indexes"
BASELINE = "no_index"
CHUNK = 50_000
KINDS = ("name2", "name3", "name4", "enterprise", "region_year")
GRADES = (
    ("A", 10, "省住房和城乡建设厅建筑市场监管处"),
    ("B", 30, "市住房和城乡建设局建筑市场科"),
    ("C", 50, "县住房和城乡建设局建筑市场股"),
    ("D", 10, ""),
)
STAGES = ("tender", "contract", "censor", "licence", "finish_check", "finish_record")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--records", type=int, default=1_000_000, help="published records (default 1000000)")
    parser.add_argument("--queries", type=int, default=60, help="different queries per kind (default 60)")
    parser.add_argument("--enterprises", type=int, default=200, help="enterprises per province (default 200)")
    parser.add_argument("--seed", type=int, default=2017, help="seed of the generated data and queries")
    parser.add_argument("--keep", action="store_true", help="leave the records and enterprises in the database")
    parser.add_argument(
        "--truncate-existing",
        action="store_true",
        help="empty the record tables even when they hold rows (destroys that data)",
    )


# --- the indexes -------------------------------------------------------------------------------------------------


def search_indexes() -> dict[str, str]:
    """name -> CREATE INDEX statement of the public search's indexes (yeji_*_grams, yeji_*_trgm)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE indexname LIKE 'yeji\\_%%\\_grams' "
            "OR indexname LIKE 'yeji\\_%%\\_trgm' ORDER BY indexname"
        )
        return dict(cursor.fetchall())


def drop_indexes(names) -> None:
    with connection.cursor() as cursor:
        for name in names:
            cursor.execute(f"DROP INDEX IF EXISTS {_qn(name)}")


def create_indexes(definitions: dict[str, str]) -> float:
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for definition in definitions.values():
            cursor.execute(definition.replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS", 1))
    return time.perf_counter() - started


# --- the data ----------------------------------------------------------------------------------------------------


def _grade(i: int) -> tuple[str, str]:
    slot = (i * 7919) % 100
    for grade, share, depart in GRADES:
        if slot < share:
            return grade, depart
        slot -= share
    return "C", GRADES[2][2]


def publish(tables: list[Table], chunk: int, decided: dt.datetime) -> None:
    """The generated drafts made approved records, in place: status, decision time, every stage graded; each chunk's
    project numbers made unique across chunks (the generator numbers from 1 in every call)."""
    by_key = {table.key: table for table in tables}
    project, record = by_key["project"], by_key["record"]
    num_at = project.fields.index("prj_num")
    for i, row in enumerate(project.rows):
        values = list(row)
        number = values[num_at]
        values[num_at] = f"{number[:12]}{chunk * 10 + int(number[12:]):04d}"
        project.rows[i] = tuple(values)
    status_at = record.fields.index("status")
    record.rows = [(*row[:status_at], "approved", *row[status_at + 1 :], decided, decided) for row in record.rows]
    record.fields = (*record.fields, "submitted_at", "decided_at")
    for key in STAGES:
        table = by_key[key]
        table.rows = [(*row, *_grade(i)) for i, row in enumerate(table.rows)]
        table.fields = (*table.fields, "data_level", "check_depart_name")


def copy_chunk(tables: list[Table], offset: int, now: dt.datetime) -> None:
    """COPY one chunk, ids from offset + 1 (every table has one row per record; a child's parent has its index)."""
    mode = LoadMode(disable_triggers=True)
    with transaction.atomic(), connection.cursor() as cursor:
        _begin(tables, mode)
        for table in tables:
            fields = list(table.model._meta.concrete_fields)
            generated = {name: i for i, name in enumerate(table.fields)}
            width, constants, positions = len(table.fields), [], []
            for f in fields:
                if f.primary_key or f.name in table.links:
                    positions.append(width)
                elif f.attname in generated:
                    positions.append(generated[f.attname])
                else:
                    auto = getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
                    constants.append(now if auto else f.get_default())
                    positions.append(width + len(constants))
            pick = operator.itemgetter(*positions)
            out = io.StringIO()
            for j, row in enumerate(table.rows, start=offset + 1):
                out.write("\t".join(map(_copy_text, pick((*row, j, *constants)))))
                out.write("\n")
            data = io.BytesIO(out.getvalue().encode("utf-8"))
            columns = ", ".join(_qn(f.column) for f in fields)
            cursor.copy_expert(f"COPY {_qn(table.model._meta.db_table)} ({columns}) FROM STDIN", data, size=1 << 20)
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)",
                [table.model._meta.db_table, offset + len(table.rows)],
            )
        _end(tables, mode)


@dataclass
class Fixture:
    tables_to_empty: list[str]
    firms: list[Firm] = field(default_factory=list)
    indexes: dict[str, str] = field(default_factory=dict)


def load(options: argparse.Namespace, fixture: Fixture) -> None:
    counties, campaigns = _counties_and_campaigns()
    fixture.firms = _create_enterprises(enterprise_fixtures(counties, options.enterprises, options.seed))
    now = timezone.now()
    watch = Stopwatch()
    with watch:
        for chunk, start in enumerate(range(0, options.records, CHUNK)):
            size = min(CHUNK, options.records - start)
            tables = generate(size, counties, fixture.firms, campaigns, seed=options.seed + chunk)
            publish(tables, chunk, now)
            copy_chunk(tables, start, now)
            note(f"loaded {start + size} of {options.records} published records")
    note(f"loaded {options.records} published records of {len(counties)} counties in {watch.seconds:.1f} s")
    # as autovacuum leaves a loaded table: statistics, and (outside a transaction) the visibility map that lets
    # index-only scans skip the heap
    analyze([*fixture.tables_to_empty, "accounts_enterprise"], vacuum=True)


# --- the queries -------------------------------------------------------------------------------------------------


def _piece(rng: random.Random, text: str, low: int, high: int) -> str:
    size = min(len(text), rng.randint(low, high))
    start = rng.randrange(len(text) - size + 1)
    return text[start : start + size]


def queries(options: argparse.Namespace) -> dict[str, list]:
    """`--queries` filters of every kind, cut from the loaded data."""
    from accounts.models import Enterprise
    from projects.models import FinishCheck, Project
    from public.search import Filters

    rng = random.Random(f"public-search-{options.seed}")
    n = options.queries
    with connection.cursor() as cursor:
        cursor.execute("SELECT max(id) FROM projects_project")
        top = cursor.fetchone()[0] or 0
    ids = [rng.randint(1, top) for _ in range(n * 4)]
    names = list(Project.objects.filter(pk__in=ids).values_list("prj_name", "county_id"))
    if not names:
        raise BenchError("no project loaded")
    firms = list(Enterprise.objects.filter(name__contains="（基准").values_list("name", "credit_code"))
    years = sorted({d.year for d in FinishCheck.objects.filter(record_id__in=ids).values_list("e_date", flat=True)})
    picks = [names[rng.randrange(len(names))] for _ in range(n)]
    out: dict[str, list] = {
        "name2": [Filters(name=_piece(rng, name, 2, 2)) for name, _ in picks],
        "name3": [Filters(name=_piece(rng, name, 3, 3)) for name, _ in picks],
        "name4": [Filters(name=_piece(rng, name, 4, 8)) for name, _ in picks],
        "enterprise": [],
        "region_year": [],
    }
    for k in range(n):
        name, code = firms[rng.randrange(len(firms))]
        out["enterprise"].append(Filters(enterprise=code if k % 2 else _piece(rng, name.split("（")[0], 2, 6)))
        county = picks[k][1]
        region = county if k % 2 else f"{county[:4]}00"
        out["region_year"].append(Filters(region=region, year=years[rng.randrange(len(years))]))
    return out


def measure(filters_by_kind: dict[str, list]) -> dict[str, list[float]]:
    """Milliseconds of each query, kind by kind (one untimed pass of a few first)."""
    from public.search import search

    for filters in [f for kind in KINDS for f in filters_by_kind[kind][:3]]:
        search(filters)
    times: dict[str, list[float]] = {}
    for kind in KINDS:
        spent = []
        for filters in filters_by_kind[kind]:
            started = time.perf_counter()
            result = search(filters)
            len(result.projects)
            spent.append((time.perf_counter() - started) * 1000)
        times[kind] = spent
        note(f"{kind}: p50 {percentile(spent, 50):.1f} ms, p95 {percentile(spent, 95):.1f} ms")
    return times


def percentile(values: list[float], p: int) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


# --- the run -----------------------------------------------------------------------------------------------------


def run(options: argparse.Namespace) -> list[Measurement]:
    if options.records < 1 or options.queries < 1 or options.enterprises < 1:
        raise BenchError("--records, --queries and --enterprises must be at least 1")
    fixture = Fixture(tables_to_empty([t.model for t in empty_tables()]))
    busy = _non_empty(fixture.tables_to_empty)
    if busy and not options.truncate_existing:
        raise BenchError(
            f"these tables hold rows and the benchmark empties them: {', '.join(busy)}. Run it against a database "
            "of its own (DATABASE_URL=postgres://…/yeji_public_bench) or pass --truncate-existing."
        )
    fixture.indexes = search_indexes()
    if len(fixture.indexes) < 2:
        raise BenchError("the public search's indexes are missing: is the database migrated (public 0001)?")
    from public.search import trigram_ready

    note(
        f"database {connection.settings_dict['NAME']}: {options.records} published records, {options.queries} "
        f"queries per kind; indexes {', '.join(fixture.indexes)}; trigrams of Chinese: {trigram_ready()}"
    )
    try:
        _truncate(fixture.tables_to_empty)
        drop_indexes(fixture.indexes)
        load(options, fixture)
        filters = queries(options)
        note("without the search indexes …")
        without = measure(filters)
        seconds = create_indexes(fixture.indexes)
        note(f"built {len(fixture.indexes)} indexes in {seconds:.1f} s")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE projects_project")
            cursor.execute("ANALYZE accounts_enterprise")
        note("with the search indexes …")
        with_indexes = measure(filters)
    finally:
        create_indexes(fixture.indexes)
        if not options.keep:
            _truncate(fixture.tables_to_empty)
            _delete_enterprises(fixture.firms)
    lines = []
    for kind in KINDS:
        for p in (50, 95):
            base = percentile(without[kind], p)
            value = percentile(with_indexes[kind], p)
            lines.append(Measurement(f"{kind}_no_index_p{p}", base, "ms", 1.0, BASELINE, 1))
            lines.append(Measurement(f"{kind}_p{p}", value, "ms", ratio(value, base), BASELINE, 1))
    worst = max(percentile(with_indexes[k], 95) for k in ("name2", "name3", "name4"))
    note(
        f"goal p95 ≤ 50 ms for a name substring: worst name p95 {worst:.1f} ms at {options.records} records — "
        f"{'met' if worst <= 50 else 'NOT met'}"
    )
    return lines
