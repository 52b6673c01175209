"""The nightly auto-approval (逾期视为审核通过, G5/P1) of N overdue records, against a plain SQL UPDATE of the rows.

The data. N records with all their stages (bench/recordgen.py), submitted 20–29 days ago to the county bureau of
their project's county (the bureaus are created for the run, P2) and due 15 days after submission, so every one
is overdue; loaded with bench/load_records.py's COPY path, history triggers on (every row has its insert event,
as after real submissions), then VACUUM (ANALYZE) and a CHECKPOINT. Before each phase the tables are emptied and
loaded again from the same buffers, so both phases start from identical tables: same rows, same ids, no dead
tuples, hint bits set.

The phases, each timed from the first statement to the commit:

- `plain_update` — the baseline: `UPDATE projects_record SET status = 'approved', decided_at = now() WHERE
  status = 'submitted' AND review_deadline < now()`, one statement in autocommit, with the triggers as they are
  in production: the record's pghistory update trigger fires for every row (no pghistory context is set, so each
  trigger call also takes the exception path of `current_setting()`; see load_records). The history rows it
  wrote are counted and printed (`plain_update_history_rows`), so the output says whether the triggers fired.
- `auto_approve_overdue` — `review.services.auto_approve_overdue()`: the compare-and-set UPDATE of the records
  (RETURNING their ids), one UPDATE per stage table and one of the projects with the authority, 逾期视为审核通过
  and the P1 grade, the transition rows (bulk_create), all in one transaction inside `pghistory.context`.
  Its statements are timed one by one (`connection.execute_wrapper`) and printed by kind; `_rest_seconds` is
  what is left: Python and the COMMIT, which runs the deferred foreign-key checks of the transition rows.
- `_idle_ms` of both — the same call again right away, with nothing overdue any more (the service must be
  idempotent): the median of `--idle-runs` calls, in milliseconds, against the plain UPDATE matching no row.

After the service the result is checked: it returned N, N records are approved, N transition rows were written by
the nightly job, every stage row and project names 逾期视为审核通过 as reviewer; after the baseline N records are
approved. Rows/s counts records.

As load_records does, it refuses to run when the record tables (or any table referencing them) hold rows, unless
`--truncate-existing`, and empties them at the end, deleting the enterprises and authorities it created and the
pghistory contexts of its runs, unless `--keep` (then the service phase's rows stay, if it ran last).
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from contextlib import contextmanager

from django.db import connection
from django.utils import timezone

from bench.common import BenchError, Measurement, Stopwatch, note, ratio
from bench.load_records import (
    LoadMode,
    _can_checkpoint,
    _check_deferred_constraints,
    _checkpoint,
    _counties_and_campaigns,
    _create_enterprises,
    _delete_enterprises,
    _event_models,
    _non_empty,
    _truncate,
    copy_buffers,
    load_copy,
    tables_to_empty,
    verify,
)
from bench.recordgen import Table, empty_tables, enterprise_fixtures, generate, mark_submitted
from bench.review_data import Authorities, analyze, campaign_tracks, create_authorities, delete_authorities

DESCRIPTION = "the nightly auto-approval of N overdue records (review.services) against one plain SQL UPDATE"
BASELINE = "plain_update"
IDLE_BASELINE = "plain_update_idle"
COPY_BATCH = 1_000
PLAIN_UPDATE = (
    "UPDATE {table} SET status = 'approved', decided_at = now() WHERE status = 'submitted' AND review_deadline < now()"
)
SERVICE = "auto_approve_overdue"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--records", type=int, default=100_000, help="overdue records (default 100000)")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="run both phases this many times (each on freshly loaded rows); medians are printed",
    )
    parser.add_argument(
        "--idle-runs",
        type=int,
        default=5,
        help="calls with nothing overdue after each phase; their median is printed (default 5)",
    )
    parser.add_argument("--seed", type=int, default=2017, help="seed of the generated data (default 2017)")
    parser.add_argument(
        "--enterprises",
        type=int,
        default=200,
        help="enterprises per province the records are spread over (default 200)",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="leave the last phase's rows (the service's when it ran last) in the database",
    )
    parser.add_argument(
        "--truncate-existing",
        action="store_true",
        help="empty the record tables even when they hold rows (destroys that data)",
    )
    parser.add_argument("--no-checkpoint", action="store_true", help="do not CHECKPOINT before each phase")


# --- the data -----------------------------------------------------------------------------------------------


def overdue_tables(
    n: int, firms, counties, campaigns: dict[str, int], authorities: Authorities, seed: int, now: dt.datetime
) -> list[Table]:
    """N generated records, submitted 20–29 days before `now` and due 15 days after submission."""
    tables = generate(n, counties, firms, campaigns, seed=seed)

    def submitted_at(i: int) -> dt.datetime:
        return now - dt.timedelta(days=20 + i % 10, seconds=i % 86_400)

    mark_submitted(
        tables,
        authorities.by_region,
        submitted_at,
        lambda i: submitted_at(i) + dt.timedelta(days=15),
        campaign_tracks(campaigns.values()),
    )
    return tables


def history_rows(tables: list[Table]) -> int:
    """History rows of the loaded tables other than their inserts: what updates (and deletes) wrote."""
    total = 0
    with connection.cursor() as cursor:
        for table in tables:
            for event_model in _event_models(table.model):
                cursor.execute(
                    f"SELECT count(*) FROM {connection.ops.quote_name(event_model._meta.db_table)} "
                    "WHERE pgh_label <> 'insert'"
                )
                total += cursor.fetchone()[0]
    return total


# --- the phases ---------------------------------------------------------------------------------------------


def plain_update() -> int:
    from projects.models import Record

    with connection.cursor() as cursor:  # autocommit outside a test: the time includes the COMMIT
        cursor.execute(PLAIN_UPDATE.format(table=connection.ops.quote_name(Record._meta.db_table)))
        return cursor.rowcount


def service() -> int:
    from review.services import auto_approve_overdue

    return auto_approve_overdue()


#: statement kinds of the service, by the table the statement writes
KINDS = {
    "projects_record": "record_update",
    "projects_project": "project_update",
    "review_recordtransition": "transitions_insert",
}


def _kind(sql: str) -> str:
    words = sql.lstrip().split(None, 3)
    if len(words) >= 3 and words[0].upper() in ("UPDATE", "INSERT"):
        table = (words[2] if words[0].upper() == "INSERT" else words[1]).strip('"')
        return KINDS.get(table, "stage_updates" if words[0].upper() == "UPDATE" else "other")
    return "other"


@contextmanager
def statement_timer(into: dict[str, float]):
    """Add the seconds of every statement run meanwhile to `into`, by kind."""

    def wrapper(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            into[_kind(sql)] += time.perf_counter() - started

    with connection.execute_wrapper(wrapper):
        yield


def check_service(n: int, returned: int) -> None:
    from projects.models import Project, Record, RecordStatus
    from review.models import RecordTransition, TransitionBy
    from review.services import AUTO_APPROVED, STAGE_MODELS

    problems = []
    if returned != n:
        problems.append(f"it returned {returned}")
    approved = Record.objects.filter(status=RecordStatus.APPROVED).count()
    if approved != n:
        problems.append(f"{approved} records are approved")
    transitions = RecordTransition.objects.filter(
        by=TransitionBy.NIGHTLY_JOB, from_status=RecordStatus.SUBMITTED, to_status=RecordStatus.APPROVED
    ).count()
    if transitions != n:
        problems.append(f"{transitions} transition rows were written")
    for model in [*STAGE_MODELS.values(), Project]:
        left = model.objects.exclude(check_person_name=AUTO_APPROVED).count()
        if left:
            problems.append(f"{left} {model._meta.db_table} rows do not name {AUTO_APPROVED} as reviewer")
        ungraded = model.objects.filter(data_level="").count()
        if ungraded:
            problems.append(f"{ungraded} {model._meta.db_table} rows have no grade")
    if problems:
        raise BenchError(f"{SERVICE} on {n} overdue records: " + "; ".join(problems))


def check_plain(n: int, returned: int) -> None:
    from projects.models import Record, RecordStatus

    approved = Record.objects.filter(status=RecordStatus.APPROVED).count()
    if returned != n or approved != n:
        raise BenchError(f"{BASELINE}: updated {returned} rows, {approved} records approved, expected {n}")


# --- the run ------------------------------------------------------------------------------------------------


def _timed(call: Callable[[], int]) -> tuple[int, float]:
    started = time.perf_counter()
    done = call()
    elapsed = time.perf_counter() - started
    _check_deferred_constraints()  # inside a test: the deferred checks now (no COMMIT), so TRUNCATE may follow
    return done, elapsed


def _idle(call: Callable[[], int], runs: int, name: str) -> float:
    seconds = []
    for _ in range(runs):
        done, elapsed = _timed(call)
        if done:
            raise BenchError(f"{name} run again found {done} records still overdue, expected none")
        seconds.append(elapsed)
    return statistics.median(seconds)


def run(options: argparse.Namespace) -> list[Measurement]:
    n = options.records
    if n < 1 or options.repeat < 1 or options.idle_runs < 1:
        raise BenchError("--records, --repeat and --idle-runs must be at least 1")
    counties, campaigns = _counties_and_campaigns()
    firms = enterprise_fixtures(counties, options.enterprises, options.seed)
    loaded = empty_tables()
    to_empty = tables_to_empty([t.model for t in loaded])
    busy = _non_empty(to_empty)
    if busy and not options.truncate_existing:
        raise BenchError(
            f"these tables hold rows and the benchmark empties them: {', '.join(busy)}. Run it against a database "
            "of its own (DATABASE_URL=postgres://…/yeji_bench) or pass --truncate-existing."
        )
    checkpoint = not options.no_checkpoint and _can_checkpoint()
    note(
        f"database {connection.settings_dict['NAME']}: {n} overdue records, {options.repeat} round(s); "
        f"it empties {len(to_empty)} tables"
    )
    started_at = timezone.now()
    firms = _create_enterprises(firms)
    authorities = Authorities()
    seconds: dict[str, list[float]] = defaultdict(list)
    breakdown: dict[str, list[float]] = defaultdict(list)
    history: dict[str, int] = {}
    try:
        authorities = create_authorities(sorted(campaigns))
        watch = Stopwatch()
        with watch:
            now = timezone.now()
            tables = overdue_tables(n, firms, counties, campaigns, authorities, options.seed, now)
            batches = copy_buffers(tables, now, COPY_BATCH)
        note(
            f"generated {n} overdue records with all their stages in {watch.seconds:.1f} s "
            f"({len(authorities.by_region)} authorities, {len(authorities.created)} created)"
        )

        def load() -> None:
            _truncate(to_empty)
            watch = Stopwatch()
            with watch:
                load_copy(tables, batches, LoadMode())
            verify(tables, n, history=True, phase="load")
            analyze(to_empty)
            if checkpoint:
                _checkpoint()
            note(f"loaded {n} submitted, overdue records ({watch.seconds:.1f} s), VACUUM (ANALYZE)d")

        for round_ in range(options.repeat):
            order = ["plain", "service"] if round_ % 2 == 0 else ["service", "plain"]
            for phase in order:
                load()
                if phase == "plain":
                    done, elapsed = _timed(plain_update)
                    check_plain(n, done)
                    history[BASELINE] = history_rows(tables)
                    seconds[BASELINE].append(elapsed)
                    seconds[IDLE_BASELINE].append(_idle(plain_update, options.idle_runs, BASELINE))
                    note(
                        f"round {round_ + 1}: {BASELINE} {elapsed:.2f} s, {done} rows; history triggers fired: "
                        f"{history[BASELINE]} history rows written"
                    )
                else:
                    statements: dict[str, float] = defaultdict(float)
                    with statement_timer(statements):
                        done, elapsed = _timed(service)
                    check_service(n, done)
                    history[SERVICE] = history_rows(tables)
                    seconds[SERVICE].append(elapsed)
                    for kind in ("record_update", "stage_updates", "project_update", "transitions_insert"):
                        breakdown[kind].append(statements[kind])
                    breakdown["rest"].append(elapsed - sum(statements.values()))
                    seconds[f"{SERVICE}_idle"].append(_idle(service, options.idle_runs, SERVICE))
                    note(
                        f"round {round_ + 1}: {SERVICE} {elapsed:.2f} s, {done} records approved and checked "
                        f"(transitions, every stage graded and named); history triggers fired: {history[SERVICE]} "
                        f"history rows written; statements: "
                        + ", ".join(f"{k} {v:.2f} s" for k, v in statements.items())
                    )
    finally:
        if options.keep:
            note("--keep: the last phase's rows stay, with their enterprises and authorities")
        else:
            _truncate(to_empty)
            _delete_enterprises(firms)
            delete_authorities(authorities)
            with connection.cursor() as cursor:
                from review.services import NIGHTLY_ACTOR

                cursor.execute(
                    "DELETE FROM pghistory_context WHERE metadata->>'actor' = %s AND created_at >= %s",
                    [NIGHTLY_ACTOR, started_at],
                )
    medians = {name: statistics.median(values) for name, values in seconds.items()}
    return measurements(n, medians, {k: statistics.median(v) for k, v in breakdown.items()}, history)


def measurements(
    n: int, seconds: dict[str, float], breakdown: dict[str, float], history: dict[str, int]
) -> list[Measurement]:
    base = seconds[BASELINE]
    lines = [
        Measurement(name, n / seconds[name], "rows/s", ratio(base, seconds[name]), BASELINE)
        for name in (SERVICE, BASELINE)
    ]
    lines += [
        Measurement(f"{name}_seconds", seconds[name], "s", ratio(seconds[name], base), BASELINE, 2)
        for name in (SERVICE, BASELINE)
    ]
    lines += [
        Measurement(f"{SERVICE}_{kind}_seconds", value, "s", ratio(value, base), BASELINE, 2)
        for kind, value in breakdown.items()
    ]
    lines += [
        Measurement(f"{name}_history_rows", history[name], "rows", ratio(history[name], history[BASELINE]), BASELINE)
        for name in (SERVICE, BASELINE)
    ]
    idle_base = seconds[IDLE_BASELINE]
    lines += [
        Measurement(f"{name}_idle_ms", 1000 * seconds[key], "ms", ratio(seconds[key], idle_base), IDLE_BASELINE, 1)
        for name, key in ((SERVICE, f"{SERVICE}_idle"), (BASELINE, IDLE_BASELINE))
    ]
    return lines
