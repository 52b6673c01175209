"""Loading records with all their stages: the ORM's bulk_create against a raw COPY of the same rows.

Every record is ten rows (bench/recordgen.py): its project, the record, tender, contract, drawing review,
construction permit, completion acceptance, completion filing, one unit project and one participating unit.
Every one of these tables is tracked by django-pghistory, so every inserted row makes a PostgreSQL trigger insert
a snapshot into the table's event table: ten more rows per record. That is part of the real cost of a load, and
the benchmark shows it by also loading with the triggers disabled.

Phases (each starts from emptied tables: TRUNCATE … RESTART IDENTITY of the record tables, their event tables and
whatever references them; regions, campaigns and enterprises are left alone; then a CHECKPOINT). Both paths
commit every `--batch-size` records, so that they differ only in how the rows reach the tables:

- `copy_all_stages` — the baseline: per transaction one `COPY … FROM STDIN` per table through psycopg2's
  `copy_expert` from an in-memory buffer, ids assigned by the client (1..N after RESTART IDENTITY), sequences
  moved past them, deferred foreign keys checked before the commit. History triggers on.
- `copy_all_stages_no_triggers` — the same with `ALTER TABLE … DISABLE TRIGGER USER` on the ten tables inside each
  transaction (re-enabled before the commit; foreign-key triggers are system triggers and still run), so the
  difference (`history_triggers_copy_seconds`) is what the history costs.
- `orm_bulk_create_all_stages` — the fastest honest ORM path: per transaction each model's instances built from
  the same generated values and saved with one `bulk_create` per model, the parents' ids taken from
  bulk_create's RETURNING.
- `orm_bulk_create_all_stages_no_triggers` (with `--orm-no-triggers`) — the ORM path with the triggers disabled
  in each transaction.

Generating the rows and writing the COPY buffers happen before any clock starts; both are timed on their own and
printed (`generate_rows_seconds`, `copy_serialize_seconds`). Rows/s counts records (each with its ten table rows).
After every phase the row counts of the ten tables and of their event tables are checked.

Why the history costs so much, and why the transaction size matters. pgtrigger's `_pgtrigger_should_ignore()`
and pghistory's `_pgh_attach_context()`, which every history trigger calls, read their settings with
`current_setting()` inside a `BEGIN … EXCEPTION` block; when the setting was never set (no `pgtrigger.ignore`, no
`pghistory.context`) the call raises and the block rolls back a subtransaction. PostgreSQL's subtransaction
abort scans every deferred trigger event still pending in the transaction, and Django creates every foreign
key `DEFERRABLE INITIALLY DEFERRED`, so each of these aborts costs time in proportion to the rows already
inserted in the transaction: the history cost grows with the square of the transaction size. Hence the batches
(`--copy-batch-size 0` loads everything in one transaction to show it), `--history-context` (sets pghistory's
settings, as a management command running under `pghistory.context()` does) and `--preset-trigger-gucs` (sets
`pgtrigger.ignore` to an empty list for the transaction): together they leave no exception to raise.

The benchmark refuses to run when any table it would empty holds rows (run it against a database of its own, or
pass `--truncate-existing`), and empties them again at the end unless `--keep` is given (then the ORM phase's
rows stay, with their history). The enterprises the records belong to are created for the run, without history
rows, and deleted at the end unless `--keep`.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import json
import operator
import statistics
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.db import connection, models, transaction
from django.utils import timezone

from bench.common import BenchError, Measurement, Stopwatch, note, ratio
from bench.recordgen import County, Firm, Table, empty_tables, enterprise_fixtures, generate

DESCRIPTION = "load N records with all stages: ORM bulk_create vs COPY, with and without the history triggers"
BASELINE = "copy"
HISTORY_JOB = "bench.load_records"
CONTEXT_ID = str(uuid.uuid4())  # one pghistory context per run, as one management command would have


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rows", type=int, default=100_000, help="records to load (default 100000)")
    parser.add_argument(
        "--batch-size",
        type=int,
        default=1_000,
        help="records per transaction (ORM and COPY) and per bulk_create query (default 1000)",
    )
    parser.add_argument(
        "--copy-batch-size",
        type=int,
        default=None,
        help="records per COPY transaction if not --batch-size; 0: all in one transaction "
        "(quadratic with the history triggers on, see the module's notes)",
    )
    parser.add_argument("--repeat", type=int, default=1, help="run every phase this many times; medians are printed")
    parser.add_argument("--seed", type=int, default=2017, help="seed of the generated data (default 2017)")
    parser.add_argument(
        "--enterprises",
        type=int,
        default=200,
        help="enterprises per province the records are spread over (default 200)",
    )
    parser.add_argument(
        "--orm-no-triggers", action="store_true", help="also load through the ORM with the history triggers disabled"
    )
    parser.add_argument(
        "--history-context",
        action="store_true",
        help="attach a pghistory context to every load, as management commands do "
        "(each trigger then also upserts pghistory_context)",
    )
    parser.add_argument(
        "--preset-trigger-gucs",
        action="store_true",
        help="SET LOCAL pgtrigger.ignore = '{}' in every load transaction, so that the trigger "
        "functions' current_setting() does not raise (with --history-context: no exception "
        "at all); shows what the exceptions cost",
    )
    parser.add_argument("--keep", action="store_true", help="leave the last (ORM) phase's rows in the database")
    parser.add_argument(
        "--truncate-existing",
        action="store_true",
        help="empty the record tables even when they hold rows (destroys that data)",
    )
    parser.add_argument("--no-checkpoint", action="store_true", help="do not CHECKPOINT before each phase")


# --- the tables -------------------------------------------------------------------------------------------


def _qn(name: str) -> str:
    return connection.ops.quote_name(name)


def _event_models(model: type[models.Model]) -> list[type[models.Model]]:
    return [m for m in apps.get_models() if getattr(m, "pgh_tracked_model", None) is model]


def tables_to_empty(loaded: list[type[models.Model]]) -> list[str]:
    """The loaded tables, their pghistory event tables and every table that references them, recursively.

    What `TRUNCATE … CASCADE` would reach, named one by one (no CASCADE is used: a table outside Django's
    registry that references these makes the TRUNCATE fail rather than be emptied silently).
    """
    chosen = set(loaded)
    candidates = [m for m in apps.get_models(include_auto_created=True) if m._meta.managed and not m._meta.proxy]
    grew = True
    while grew:
        grew = False
        for model in candidates:
            if model in chosen:
                continue
            references = any(
                f.remote_field.model in chosen and f.db_constraint for f in model._meta.concrete_fields if f.is_relation
            )
            if references or getattr(model, "pgh_tracked_model", None) in chosen:
                chosen.add(model)
                grew = True
    existing = set(connection.introspection.table_names())
    return sorted(m._meta.db_table for m in chosen if m._meta.db_table in existing)


def _non_empty(tables: list[str]) -> list[str]:
    with connection.cursor() as cursor:
        found = []
        for table in tables:
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {_qn(table)})")
            if cursor.fetchone()[0]:
                found.append(table)
    return found


def _truncate(tables: list[str]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(_qn(t) for t in tables)} RESTART IDENTITY")


def _can_checkpoint() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolsuper OR pg_has_role(current_user, 'pg_checkpoint', 'MEMBER') "
            "FROM pg_roles WHERE rolname = current_user"
        )
        row = cursor.fetchone()
    return bool(row and row[0])


def _checkpoint() -> None:
    with connection.cursor() as cursor:
        cursor.execute("CHECKPOINT")


def _set_user_triggers(tables: list[Table], enabled: bool) -> None:
    action = "ENABLE" if enabled else "DISABLE"
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ALTER TABLE {_qn(table.model._meta.db_table)} {action} TRIGGER USER")


def _check_deferred_constraints() -> None:
    """Run the deferred foreign-key checks now (they would run at COMMIT; inside a test there is no COMMIT,
    and ALTER/TRUNCATE refuse tables with pending trigger events)."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


# --- seed data the records refer to -------------------------------------------------------------------------


def _counties_and_campaigns() -> tuple[list[County], dict[str, int]]:
    from accounts.models import Region
    from projects.models import Campaign

    campaigns: dict[str, int] = {}
    for campaign in Campaign.objects.filter(is_active=True).order_by("id"):
        campaigns.setdefault(campaign.province_id, campaign.id)
    counties = [
        County(r.code, r.name, r.parent.name, f"{r.code[:2]}0000")
        for r in Region.objects.filter(level=3, valid_until=None).select_related("parent").order_by("code")
        if f"{r.code[:2]}0000" in campaigns
    ]
    if not counties:
        raise BenchError("no county of a province with an active campaign: is the database migrated (seed data)?")
    return counties, campaigns


def _enterprise_triggers() -> list[str]:
    import pgtrigger

    from accounts.models import Enterprise

    return [f"{model._meta.label}:{trigger.name}" for model, trigger in pgtrigger.registered() if model is Enterprise]


def _create_enterprises(firms: list[Firm]) -> list[Firm]:
    """The records' enterprises, created without history rows (they are fixtures of the run, not loaded data)."""
    import pgtrigger

    from accounts.models import Enterprise

    existing = dict(Enterprise.objects.filter(credit_code__in=[f.code for f in firms]).values_list("credit_code", "id"))
    with pgtrigger.ignore(*_enterprise_triggers()), transaction.atomic():
        Enterprise.objects.bulk_create(
            [
                Enterprise(
                    name=f.name,
                    credit_code=f.code,
                    kinds=[f.kind],
                    region_id=f.code[2:8],
                    address=f"{f.name[:3]}工业园区{n % 90 + 1}号",
                    contact_name="联系人",
                    contact_phone=f"0771-{2_300_000 + n}",
                )
                for n, f in enumerate(firms)
                if f.code not in existing
            ]
        )
    ids = dict(Enterprise.objects.filter(credit_code__in=[f.code for f in firms]).values_list("credit_code", "id"))
    return [Firm(f.name, f.code, f.kind, ids[f.code]) for f in firms]


def _delete_enterprises(firms: list[Firm]) -> None:
    import pgtrigger

    from accounts.models import Enterprise

    with pgtrigger.ignore(*_enterprise_triggers()), transaction.atomic():
        Enterprise.objects.filter(credit_code__in=[f.code for f in firms], name__contains="（基准").delete()


# --- the loads ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoadMode:
    disable_triggers: bool = False
    history_context: bool = False  # the COPY sets it per transaction; the ORM load runs in pghistory.context()
    preset_trigger_gucs: bool = False


def _begin(tables: list[Table], mode: LoadMode) -> None:
    """The first statements of a load transaction."""
    with connection.cursor() as cursor:
        if mode.preset_trigger_gucs:
            cursor.execute("SET LOCAL pgtrigger.ignore = '{}'")
    if mode.disable_triggers:
        _set_user_triggers(tables, enabled=False)


def _end(tables: list[Table], mode: LoadMode) -> None:
    """The last statements of a load transaction."""
    _check_deferred_constraints()
    if mode.disable_triggers:
        _set_user_triggers(tables, enabled=True)


def load_orm(tables: list[Table], batch_size: int, mode: LoadMode) -> None:
    """bulk_create every model, `batch_size` records per transaction."""
    import pghistory

    n = len(tables[0].rows)
    context = pghistory.context(job=HISTORY_JOB) if mode.history_context else contextlib.nullcontext()
    with context:
        for start in range(0, n, batch_size):
            _load_orm_batch(tables, start, batch_size, mode)


def _load_orm_batch(tables: list[Table], start: int, batch_size: int, mode: LoadMode) -> None:
    """One transaction: each model's instances built from the generated values, one bulk_create per model."""
    with transaction.atomic():
        _begin(tables, mode)
        saved: dict[str, list[models.Model]] = {}
        for table in tables:
            model, fields, links = table.model, table.fields, list(table.links.items())
            objs = []
            for j, row in enumerate(table.rows[start : start + batch_size]):
                kwargs = dict(zip(fields, row, strict=True))
                for name, parent in links:
                    kwargs[name] = saved[parent][j]  # the saved parent object: bulk_create set its pk
                objs.append(model(**kwargs))
            model.objects.bulk_create(objs, batch_size=batch_size)
            saved[table.key] = objs
        _end(tables, mode)


@dataclass
class CopyBuffer:
    table: str
    columns: list[str]
    data: io.BytesIO
    last_id: int  # the highest id in the buffer: the table's sequence is moved to it


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: object) -> str:
    """A value in COPY's text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if type(value) is str:
        return value.translate(_ESCAPES)
    if isinstance(value, dt.date):  # datetime too
        return value.isoformat()
    return str(value)


def copy_buffers(tables: list[Table], now: dt.datetime, batch_size: int) -> list[list[CopyBuffer]]:
    """The rows in COPY's text format, `batch_size` records per transaction: one buffer per table and batch.

    Every column is given: ids 1..N (the tables were emptied with RESTART IDENTITY), foreign keys to the parent
    row of the same index, the generated values, `now` for auto_now(_add) columns, field defaults for the rest.
    """
    n = len(tables[0].rows)
    batches: list[list[CopyBuffer]] = [[] for _ in range(0, n, batch_size)]
    for table in tables:
        fields = list(table.model._meta.concrete_fields)
        generated = {name: i for i, name in enumerate(table.fields)}
        constants: list[object] = []
        positions: list[int] = []
        width = len(table.fields)
        # A row is extended with (id, constants…); each column is an index into that extended tuple.
        for f in fields:
            if f.primary_key or f.name in table.links:
                positions.append(width)  # the row's own id, or its parent's: both are index + 1
            elif f.attname in generated:
                positions.append(generated[f.attname])
            else:
                auto = getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
                constants.append(now if auto else f.get_default())
                positions.append(width + len(constants))
        pick = operator.itemgetter(*positions)
        tail = tuple(constants)
        columns = [f.column for f in fields]
        for number, start in enumerate(range(0, n, batch_size)):
            out = io.StringIO()
            write = out.write
            for j, row in enumerate(table.rows[start : start + batch_size], start=start + 1):
                write("\t".join(map(_copy_text, pick((*row, j, *tail)))))
                write("\n")
            data = io.BytesIO(out.getvalue().encode("utf-8"))
            last_id = min(start + batch_size, n)
            batches[number].append(CopyBuffer(table.model._meta.db_table, columns, data, last_id))
    return batches


def load_copy(tables: list[Table], batches: list[list[CopyBuffer]], mode: LoadMode) -> None:
    """One transaction per batch: COPY each table's buffer, move the id sequences past the ids the rows carry."""
    for buffers in batches:
        with transaction.atomic(), connection.cursor() as cursor:
            if mode.history_context:
                cursor.execute(
                    "SELECT set_config('pghistory.context_id', %s, true), "
                    "set_config('pghistory.context_metadata', %s, true)",
                    [CONTEXT_ID, json.dumps({"job": HISTORY_JOB})],
                )
            _begin(tables, mode)
            for buffer in buffers:
                buffer.data.seek(0)
                columns = ", ".join(_qn(c) for c in buffer.columns)
                cursor.copy_expert(f"COPY {_qn(buffer.table)} ({columns}) FROM STDIN", buffer.data, size=1 << 20)
            for buffer in buffers:
                cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [buffer.table, buffer.last_id])
            _end(tables, mode)


def count_rows(tables: list[Table]) -> dict[str, tuple[int, int]]:
    """Per loaded table: (rows, history insert events)."""
    counts = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT count(*) FROM {_qn(table.model._meta.db_table)}")
            rows = cursor.fetchone()[0]
            events = 0
            for event_model in _event_models(table.model):
                cursor.execute(f"SELECT count(*) FROM {_qn(event_model._meta.db_table)} WHERE pgh_label = 'insert'")
                events += cursor.fetchone()[0]
            counts[table.model._meta.db_table] = (rows, events)
    return counts


def verify(tables: list[Table], n: int, history: bool, phase: str) -> None:
    for table_name, (rows, events) in count_rows(tables).items():
        expected_events = n if history else 0
        if rows != n or events != expected_events:
            raise BenchError(
                f"{phase}: {table_name} has {rows} rows and {events} history inserts, "
                f"expected {n} and {expected_events}"
            )


# --- the run ------------------------------------------------------------------------------------------------


@dataclass
class Phase:
    name: str
    history: bool
    load: Callable[[], None]


def run(options: argparse.Namespace) -> list[Measurement]:
    n = options.rows
    if n < 1 or options.batch_size < 1 or options.repeat < 1 or (options.copy_batch_size or 0) < 0:
        raise BenchError("--rows, --batch-size and --repeat must be at least 1, --copy-batch-size at least 0")
    copy_batch = options.batch_size if options.copy_batch_size is None else options.copy_batch_size or n
    counties, campaigns = _counties_and_campaigns()
    firms = enterprise_fixtures(counties, options.enterprises, options.seed)
    to_empty = tables_to_empty([t.model for t in empty_tables()])
    busy = _non_empty(to_empty)
    if busy and not options.truncate_existing:
        raise BenchError(
            f"these tables hold rows and the benchmark empties them: {', '.join(busy)}. Run it against a database "
            "of its own (DATABASE_URL=postgres://…/yeji_bench) or pass --truncate-existing."
        )
    checkpoint = not options.no_checkpoint and _can_checkpoint()
    note(
        f"database {connection.settings_dict['NAME']}: {n} records, {options.batch_size} per ORM transaction, "
        f"{copy_batch} per COPY transaction, {options.repeat} round(s); "
        f"it empties {len(to_empty)} tables: {', '.join(to_empty)}"
    )

    firms = _create_enterprises(firms)
    try:
        generating = Stopwatch()
        with generating:
            tables = generate(n, counties, firms, campaigns, seed=options.seed)
        note(f"generated {n} records x {len(tables)} tables in {generating.seconds:.2f} s")
        serializing = Stopwatch()
        with serializing:
            batches = copy_buffers(tables, timezone.now(), copy_batch)
        megabytes = sum(len(b.data.getbuffer()) for buffers in batches for b in buffers) / 1e6
        note(f"wrote the COPY buffers ({megabytes:.0f} MB) in {serializing.seconds:.2f} s")

        on = LoadMode(False, options.history_context, options.preset_trigger_gucs)
        off = LoadMode(True, options.history_context, options.preset_trigger_gucs)
        phases = [
            Phase("copy_all_stages_no_triggers", False, lambda: load_copy(tables, batches, off)),
            Phase("copy_all_stages", True, lambda: load_copy(tables, batches, on)),
        ]
        if options.orm_no_triggers:
            phases.append(
                Phase(
                    "orm_bulk_create_all_stages_no_triggers", False, lambda: load_orm(tables, options.batch_size, off)
                )
            )
        # last, so that --keep keeps the ORM's rows and their history
        phases.append(Phase("orm_bulk_create_all_stages", True, lambda: load_orm(tables, options.batch_size, on)))

        seconds: dict[str, list[float]] = {p.name: [] for p in phases}
        for round_ in range(options.repeat):
            for phase in phases:
                _truncate(to_empty)
                if checkpoint:
                    _checkpoint()
                started = time.perf_counter()
                phase.load()
                elapsed = time.perf_counter() - started
                verify(tables, n, phase.history, phase.name)
                seconds[phase.name].append(elapsed)
                note(
                    f"round {round_ + 1}: {phase.name} {elapsed:.2f} s ({n / elapsed:.0f} records/s), "
                    "row counts checked"
                )
    finally:
        if options.keep:
            note("--keep: the ORM phase's rows stay, with the enterprises they belong to")
        else:
            _truncate(to_empty)
            _delete_enterprises(firms)
            if options.history_context:
                with connection.cursor() as cursor:
                    cursor.execute("DELETE FROM pghistory_context WHERE metadata->>'job' = %s", [HISTORY_JOB])
    return measurements(
        n,
        {name: statistics.median(values) for name, values in seconds.items()},
        generating.seconds,
        serializing.seconds,
    )


def measurements(
    n: int, seconds: dict[str, float], generate_seconds: float, serialize_seconds: float
) -> list[Measurement]:
    base = seconds["copy_all_stages"]
    order = [
        "orm_bulk_create_all_stages",
        "orm_bulk_create_all_stages_no_triggers",
        "copy_all_stages",
        "copy_all_stages_no_triggers",
    ]
    names = [name for name in order if name in seconds]
    lines = [Measurement(name, n / seconds[name], "rows/s", ratio(base, seconds[name]), BASELINE) for name in names]
    lines += [
        Measurement(f"{name}_seconds", seconds[name], "s", ratio(seconds[name], base), BASELINE, 2) for name in names
    ]
    history_copy = base - seconds["copy_all_stages_no_triggers"]
    lines.append(
        Measurement("history_triggers_copy_seconds", history_copy, "s", ratio(history_copy, base), BASELINE, 2)
    )
    if "orm_bulk_create_all_stages_no_triggers" in seconds:
        history_orm = seconds["orm_bulk_create_all_stages"] - seconds["orm_bulk_create_all_stages_no_triggers"]
        lines.append(
            Measurement("history_triggers_orm_seconds", history_orm, "s", ratio(history_orm, base), BASELINE, 2)
        )
    lines.append(
        Measurement("generate_rows_seconds", generate_seconds, "s", ratio(generate_seconds, base), BASELINE, 2)
    )
    lines.append(
        Measurement("copy_serialize_seconds", serialize_seconds, "s", ratio(serialize_seconds, base), BASELINE, 2)
    )
    return lines
