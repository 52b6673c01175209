"""The push to the national platform: N approved records through the outbox to the mock with faults, against a
plain loop that POSTs the same payloads with no bookkeeping; and what filling the outbox adds to the nightly
auto-approval.

The data. N overdue submitted records with all their stages (bench/recordgen.py, loaded by COPY as in
bench/auto_approve.py), each with its three required attachments' rows, in campaigns whose national push is open
for the run (their national cutoff and the tracks' national deadlines are lifted, and put back at the end).

The phases:

- `auto_approve_without_outbox` — the baseline of the approval: `review.services.auto_approve_overdue()` with
  sync's receiver disconnected (no outbox row written).
- `auto_approve_with_outbox` — the same approval, on freshly loaded rows, with the receiver: the N push items are
  written by one INSERT … SELECT in the approval's transaction. Its `_outbox_seconds` is that statement's time.
- `plain_loop` — the baseline of the push: the mock (a subprocess, `python -m national_mock`, its own SQLite file)
  with `--fault-rate` of its calls failing (errors, lost replies after storing, malformed replies, duplicate
  acknowledgements in turn); the records read in batches of `--batch` with the same query, their rows built by
  `sync.payload` and POSTed table by table, a failed call sent again at once; nothing else.
- `outbox_push` — `sync.services.drain()` over the same records, same faults, after the mock was emptied: leases,
  the rule check (J8) and eligibility of every record, the attempts and calls kept, the national numbers written
  back.

Records/s count records. After each push the mock is read back: every record's TBProjectInfo row is there, once.
Like the other benchmarks it refuses to run on a database whose record tables hold rows unless
`--truncate-existing`, and empties them at the end unless `--keep`.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

from bench.auto_approve import COPY_BATCH, overdue_tables
from bench.common import BenchError, Measurement, Stopwatch, note, ratio
from bench.load_records import (
    LoadMode,
    _check_deferred_constraints,
    _counties_and_campaigns,
    _create_enterprises,
    _delete_enterprises,
    _non_empty,
    _truncate,
    copy_buffers,
    load_copy,
    tables_to_empty,
)
from bench.recordgen import empty_tables, enterprise_fixtures
from bench.review_data import Authorities, analyze, create_authorities, delete_authorities

DESCRIPTION = "N approved records through the outbox to the mock national platform with faults, against a plain loop"
PUSH_BASELINE = "plain_loop"
APPROVE_BASELINE = "auto_approve_without_outbox"
TOKEN = "bench-control-token"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--records", type=int, default=100_000, help="approved records (default 100000)")
    parser.add_argument("--batch", type=int, default=200, help="records per batch, both pushes (default 200)")
    parser.add_argument("--fault-rate", type=float, default=0.10, help="share of the mock's calls that fail")
    parser.add_argument("--seed", type=int, default=2017, help="seed of the generated data (default 2017)")
    parser.add_argument("--enterprises", type=int, default=200, help="enterprises per province (default 200)")
    parser.add_argument("--keep", action="store_true", help="leave the rows in the database")
    parser.add_argument("--truncate-existing", action="store_true", help="empty the record tables first")


# --- the mock ----------------------------------------------------------------------------------------------------


class Mock:
    def __init__(self, directory: Path) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            "NATIONAL_MOCK_DB": str(directory / "national.sqlite3"),
            "NATIONAL_MOCK_CONTROL_TOKEN": TOKEN,
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "national_mock", "--port", str(self.port), "--workers", "2"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url + "/healthz", timeout=2)
                return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise BenchError("the mock national platform did not start")

    def control(self, method: str, path: str, body=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=method, headers={"X-Control-Token": TOKEN})
        with urllib.request.urlopen(request, timeout=120) as response:
            return json.loads(response.read())

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def fault_pattern(rate: float) -> list[str]:
    """One call in 1/rate fails, the kinds in turn (a deterministic mix: both pushes meet the same faults)."""
    if rate <= 0:
        return []
    every = max(1, round(1 / rate))
    kinds = ["error", "lost_reply", "malformed", "duplicate_ack"]
    pattern = []
    for kind in kinds:
        pattern += ["ok"] * (every - 1) + [kind]
    return pattern


# --- the phases --------------------------------------------------------------------------------------------------


def _open_the_push(campaign_ids) -> list[tuple]:
    """Lift the campaigns' national cutoffs and the tracks' national deadlines for the run; returns what to restore."""
    from projects.models import Campaign, Track

    saved = [("c", c.pk, c.national_cutoff) for c in Campaign.objects.filter(pk__in=campaign_ids)]
    saved += [("t", t.pk, t.national_deadline) for t in Track.objects.filter(campaign_id__in=campaign_ids)]
    Campaign.objects.filter(pk__in=campaign_ids).update(national_cutoff=None)
    Track.objects.filter(campaign_id__in=campaign_ids).update(national_deadline=None, reaches_national=True)
    return saved


def _restore(saved) -> None:
    from projects.models import Campaign, Track

    for kind, pk, value in saved:
        if kind == "c":
            Campaign.objects.filter(pk=pk).update(national_cutoff=value)
        else:
            Track.objects.filter(pk=pk).update(national_deadline=value)


def _complete_the_records() -> None:
    """Every record national-track and with its three required attachments' rows (no files: the check reads rows)."""
    from grading.rules import REQUIRED_ATTACHMENTS
    from projects.models import Attachment, Record

    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {Record._meta.db_table} SET reaches_national = true")
        for kind in REQUIRED_ATTACHMENTS:
            cursor.execute(
                f"INSERT INTO {Attachment._meta.db_table} (record_id, kind, file, original_name, content_type, size, "
                "sha256, uploaded_at) SELECT id, %s, 'bench/' || id || %s, %s, 'application/pdf', 1000, "
                f"repeat('0', 64), now() FROM {Record._meta.db_table}",
                [kind, f"-{kind}.pdf", f"{kind}.pdf"],
            )


def approve(with_outbox: bool) -> tuple[int, float, float]:
    """The nightly approval; returns (records approved, seconds, seconds of the outbox INSERT)."""
    from review import signals
    from review.services import auto_approve_overdue
    from sync import receivers

    outbox = [0.0]

    def wrapper(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            if sql.lstrip().upper().startswith("INSERT INTO SYNC_PUSHITEM"):
                outbox[0] += time.perf_counter() - started

    if not with_outbox:
        signals.records_approved.disconnect(dispatch_uid="sync.outbox.approved")
    try:
        with connection.execute_wrapper(wrapper):
            started = time.perf_counter()
            done = auto_approve_overdue()
            elapsed = time.perf_counter() - started
        _check_deferred_constraints()
    finally:
        if not with_outbox:
            signals.records_approved.connect(receivers.on_records_approved, dispatch_uid="sync.outbox.approved")
    return done, elapsed, outbox[0]


def plain_loop(ids: list[int], batch: int) -> float:
    from sync import payload
    from sync.client import CallFailed, NationalClient

    client = NationalClient()
    user, password = settings.NATIONAL_PLATFORM_USER, settings.NATIONAL_PLATFORM_PASSWORD
    started = time.perf_counter()
    try:
        for i in range(0, len(ids), batch):
            records = payload.records_for_push(ids[i : i + batch])
            tables: dict[str, dict] = {}
            for record in records:
                for table, rows in payload.rows_of(record).items():
                    for guid, values in rows:
                        tables.setdefault(table, {})[guid] = values
            for table in payload.TABLE_ORDER:
                if table not in tables:
                    continue
                body = payload.to_xml(table, list(tables[table].items()), user=user, password=password)
                for _attempt in range(50):
                    try:
                        client.save(body)
                        break
                    except CallFailed:
                        continue
                else:
                    raise BenchError(f"plain loop: {table} failed 50 times")
    finally:
        client.close()
    return time.perf_counter() - started


def _timed_steps(into: dict[str, float]):
    """Wrap the drain's steps (prepare: load and eligibility; send: payload and calls; finish: bookkeeping) to say
    where the time goes."""
    from sync import services

    originals = {name: getattr(services, name) for name in ("_prepare", "_send", "_finish", "lease")}

    def timed(name, fn):
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                into[name] = into.get(name, 0.0) + time.perf_counter() - started

        return wrapper

    for name, fn in originals.items():
        setattr(services, name, timed(name, fn))
    return lambda: [setattr(services, name, fn) for name, fn in originals.items()]


def outbox_push(batch: int, steps: dict[str, float]) -> tuple[float, object]:
    restore = _timed_steps(steps)
    try:
        return _outbox_push(batch)
    finally:
        restore()


def _outbox_push(batch: int) -> tuple[float, object]:
    from sync import services

    started = time.perf_counter()
    report = services.DrainReport()
    for _ in range(10_000):
        report.add(services.drain(batch_size=batch))
        if services.next_due() is None:
            break
    return time.perf_counter() - started, report


def _check_mock(mock: Mock, n: int, phase: str) -> None:
    rows = mock.control("GET", "/_control/rows?table=TBProjectInfo")["rows"]
    distinct = {r["prj_num"] for r in rows}
    twice = [r for r in mock.control("GET", "/_control/rows")["rows"] if r["writes"] != 1]
    if len(distinct) != n or len(rows) != n or twice:
        raise BenchError(
            f"{phase}: the mock holds {len(rows)} project rows ({len(distinct)} distinct), {len(twice)} "
            f"rows written more than once; expected {n}, once each"
        )


# --- the run -----------------------------------------------------------------------------------------------------


def run(options: argparse.Namespace) -> list[Measurement]:
    from projects.models import Record
    from sync.models import PushAttempt, PushBatch, PushItem, PushState

    n = options.records
    counties, campaigns = _counties_and_campaigns()
    firms = enterprise_fixtures(counties, options.enterprises, options.seed)
    loaded = empty_tables()
    to_empty = tables_to_empty([t.model for t in loaded])
    busy = _non_empty(to_empty)
    if busy and not options.truncate_existing:
        raise BenchError(f"these tables hold rows and the benchmark empties them: {', '.join(busy)}")
    firms = _create_enterprises(firms)
    authorities = Authorities()
    saved = _open_the_push(list(campaigns.values()))
    mock = None
    old = (
        settings.NATIONAL_PLATFORM_URL,
        settings.NATIONAL_PUSH_RETRY_BASE_SECONDS,
        settings.NATIONAL_PUSH_RETRY_MAX_SECONDS,
        settings.NATIONAL_PUSH_MAX_TRIES,
    )
    try:
        authorities = create_authorities(sorted(campaigns))
        now = timezone.now()
        tables = overdue_tables(n, firms, counties, campaigns, authorities, options.seed, now)
        batches = copy_buffers(tables, now, COPY_BATCH)

        def load() -> None:
            _truncate(to_empty)
            watch = Stopwatch()
            with watch:
                load_copy(tables, batches, LoadMode())
                _complete_the_records()
            analyze(to_empty)
            note(f"loaded {n} overdue records with their attachments' rows ({watch.seconds:.1f} s)")

        load()
        done, without, _ = approve(with_outbox=False)
        if done != n or PushItem.objects.exists():
            raise BenchError(f"{APPROVE_BASELINE}: {done} approved, {PushItem.objects.count()} push items")
        note(f"{APPROVE_BASELINE}: {without:.2f} s")
        load()
        done, with_outbox, outbox_seconds = approve(with_outbox=True)
        items = PushItem.objects.filter(state=PushState.PENDING).count()
        if done != n or items != n:
            raise BenchError(f"auto_approve_with_outbox: {done} approved, {items} pending push items, expected {n}")
        note(
            f"auto_approve_with_outbox: {with_outbox:.2f} s, of which the outbox INSERT … SELECT {outbox_seconds:.2f} s"
        )

        directory = Path(tempfile.mkdtemp(prefix="bench-push-"))
        mock = Mock(directory)
        settings.NATIONAL_PLATFORM_URL = mock.url
        settings.NATIONAL_PUSH_RETRY_BASE_SECONDS = settings.NATIONAL_PUSH_RETRY_MAX_SECONDS = 0
        settings.NATIONAL_PUSH_CALL_RETRY_SECONDS = 0
        settings.NATIONAL_PUSH_MAX_TRIES = 50
        pattern = fault_pattern(options.fault_rate)
        ids = list(Record.objects.order_by("pk").values_list("pk", flat=True))

        mock.control("POST", "/_control/faults", {"pattern": pattern})
        plain = plain_loop(ids, options.batch)
        _check_mock(mock, n, PUSH_BASELINE)
        note(f"{PUSH_BASELINE}: {plain:.1f} s; the mock holds every record once")

        mock.control("POST", "/_control/reset")
        mock.control("POST", "/_control/faults", {"pattern": pattern})
        steps: dict[str, float] = {}
        pushed_seconds, report = outbox_push(options.batch, steps)
        _check_mock(mock, n, "outbox_push")
        pushed = PushItem.objects.filter(state=PushState.PUSHED).count()
        if pushed != n:
            sample = PushItem.objects.exclude(state=PushState.PUSHED).values_list("reasons", "last_error").first()
            raise BenchError(f"outbox_push: {pushed} items pushed, expected {n} ({report}); e.g. {sample}")
        note(
            f"outbox_push: {pushed_seconds:.1f} s, {report.batches} batches, {report.retried} item retries, "
            f"{PushAttempt.objects.count()} attempts and {PushBatch.objects.count()} batches kept; steps: "
            + ", ".join(f"{k} {v:.1f} s" for k, v in steps.items())
        )
    finally:
        (
            settings.NATIONAL_PLATFORM_URL,
            settings.NATIONAL_PUSH_RETRY_BASE_SECONDS,
            settings.NATIONAL_PUSH_RETRY_MAX_SECONDS,
            settings.NATIONAL_PUSH_MAX_TRIES,
        ) = old
        if mock is not None:
            mock.stop()
        _restore(saved)
        if not options.keep:
            PushBatch.objects.all().delete()
            PushItem.objects.all().delete()
            _truncate(to_empty)
            _delete_enterprises(firms)
            delete_authorities(authorities)
    return [
        Measurement("outbox_push", n / pushed_seconds, "records/s", ratio(plain, pushed_seconds), PUSH_BASELINE),
        Measurement(PUSH_BASELINE, n / plain, "records/s", 1.0, PUSH_BASELINE),
        Measurement(
            "auto_approve_with_outbox_seconds", with_outbox, "s", ratio(with_outbox, without), APPROVE_BASELINE, 2
        ),
        Measurement(
            "auto_approve_outbox_insert_seconds",
            outbox_seconds,
            "s",
            ratio(outbox_seconds, without),
            APPROVE_BASELINE,
            2,
        ),
        Measurement(f"{APPROVE_BASELINE}_seconds", without, "s", 1.0, APPROVE_BASELINE, 2),
    ]
