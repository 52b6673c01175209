"""The old system's migration (J2) at the size of a province: `manage.py import_legacy` of a generated file of N
records (default 50,000, the issue's done-when), then the checks the issue names and the push.

Phases, each timed on its own:
1. generate the file (bench/legacy_file.py: 70 % approved by the provincial office, a city or a county bureau in
   turn, 20 % pending, 10 % rejected, the reviewers) — not a measurement;
2. `import_legacy FILE --check`: read and check every row, write nothing — the baseline;
3. `import_legacy FILE`: the same, and write everything (reviewers, records with every stage, log rows, keys, the
   outbox), in one transaction;
4. `import_legacy FILE` again: every row found by its old id, nothing written;
5. `push_to_national` against the mock national platform on a real port.

Then it verifies, and stops with an error when one fails: the approved records per grade equal the file's approvals
per department level (A provincial, B city, C county) on every stage table; none of them is in the review queue,
which holds exactly the pending ones; every migrated record has one log row, by migration; the second run changed no
table; every approved record was pushed once and the mock holds it.

Rows/s counts the file's records. The tables it fills must be empty (a database of its own, or
`--truncate-existing`); they are emptied again at the end, and the accounts, authorities and enterprises the import
created are deleted, unless `--keep`.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import Counter
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import connection

from bench.common import BenchError, Measurement, note, ratio

DESCRIPTION = "import_legacy of an old-system file of N records (J2): check, import, re-import, push; verified"
BASELINE = "legacy_check"
GRADE_OF_LEVEL = {"province": "A", "city": "B", "county": "C"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--records", type=int, default=50_000, help="records in the file (default 50000)")
    parser.add_argument("--seed", type=int, default=2020, help="seed of the generated data (default 2020)")
    parser.add_argument("--no-push", action="store_true", help="skip the push to the mock national platform")
    parser.add_argument("--keep", action="store_true", help="leave the imported rows in the database")
    parser.add_argument("--truncate-existing", action="store_true", help="empty the record tables first")


def _created_after() -> dict[type, int]:
    from accounts.models import Authority, Department, Enterprise, User

    return {
        model: model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        for model in (User, Authority, Department, Enterprise)
    }


def _counts() -> dict[str, int]:
    from django.apps import apps

    counts = {}
    for label in ("accounts", "projects", "review", "sync", "legacy"):
        for model in apps.get_app_config(label).get_models():
            if not model._meta.proxy:
                counts[model._meta.label] = model._default_manager.count()
    return counts


def _import(path: Path, *args: str) -> tuple[float, str]:
    out = StringIO()
    started = time.perf_counter()
    call_command("import_legacy", str(path), *args, stdout=out)
    return time.perf_counter() - started, out.getvalue()


def verify(info, n: int) -> dict[str, int]:
    """The issue's checks on the imported rows; returns the approved records per grade."""
    from accounts.models import User
    from legacy.models import LegacyRecord
    from projects.models import Record, RecordStatus
    from review.models import RecordTransition, TransitionBy
    from review.selectors import queue_for

    stages = ["project", "tender", "contract", "censor", "licence", "finish_check", "finish_record"]
    rows = LegacyRecord.objects.values_list("old_id", "record__status", *(f"record__{s}__data_level" for s in stages))
    if len(rows) != n:
        raise BenchError(f"{len(rows)} migrated records, expected {n}")
    grades: Counter[str] = Counter()
    for old_id, status, *levels in rows.iterator(chunk_size=5000):
        expected_status = {"approved": "approved", "pending": "submitted", "rejected": "rejected"}[
            info.status_of[old_id]
        ]
        if status != expected_status:
            raise BenchError(f"{old_id}: {status}, expected {expected_status}")
        if status == RecordStatus.APPROVED:
            grade = GRADE_OF_LEVEL[info.level_of[old_id]]
            if set(levels) != {grade}:
                raise BenchError(f"{old_id}: stage grades {levels}, expected {grade} ({info.level_of[old_id]})")
            grades[grade] += 1
    expected = Counter({GRADE_OF_LEVEL[level]: count for level, count in info.by_level.items()})
    if grades != expected:
        raise BenchError(f"grades {dict(grades)}, expected by department level {dict(expected)}")
    note(
        "every approved record graded by its department's level on all seven stage tables: "
        + ", ".join(f"{g} {grades[g]}" for g in "ABC")
    )
    superuser = User(is_superuser=True, is_active=True)
    queue = queue_for(superuser)
    approved = Record.objects.filter(status=RecordStatus.APPROVED, legacy__isnull=False)
    if queue.filter(pk__in=approved.values("pk")).exists() or queue.count() != info.by_status.get("pending", 0):
        raise BenchError(
            f"the review queue holds {queue.count()} records, expected the {info.by_status['pending']} pending"
        )
    note(f"the review queue holds the {queue.count()} pending records and no approved one")
    log = RecordTransition.objects.filter(record__legacy__isnull=False)
    by = Counter(log.values_list("by", flat=True))
    if by != Counter({TransitionBy.MIGRATION: n}):
        raise BenchError(f"log rows by {dict(by)}, expected {n} by migration")
    note(f"{n} log rows, all by migration")
    return dict(grades)


def run(options: argparse.Namespace) -> list[Measurement]:
    from bench.legacy_file import write_legacy_file
    from bench.load_records import _non_empty, _truncate, tables_to_empty
    from bench.push import Mock
    from bench.recordgen import empty_tables
    from legacy.models import LegacyRecord, LegacyReviewer
    from sync import services
    from sync.models import PushItem, PushState

    n = options.records
    to_empty = tables_to_empty([t.model for t in empty_tables()])
    busy = _non_empty(to_empty)
    if busy and not options.truncate_existing:
        raise BenchError(f"these tables hold rows and the benchmark empties them: {', '.join(busy)}")
    if busy:
        _truncate(to_empty)
    if options.truncate_existing:  # an earlier run's reviewers and their accounts
        from accounts.models import User

        accounts = list(LegacyReviewer.objects.values_list("user_id", flat=True))
        LegacyReviewer.objects.all().delete()
        User.groups.through.objects.filter(user_id__in=accounts).delete()
        User.objects.filter(pk__in=accounts).delete()
    if LegacyReviewer.objects.exists():
        raise BenchError("legacy reviewers exist already: run the benchmark against a database of its own")
    before = _created_after()
    directory = Path(tempfile.mkdtemp(prefix="bench-legacy-"))
    mock = None
    old = (
        settings.NATIONAL_PLATFORM_URL,
        settings.NATIONAL_PUSH_RETRY_BASE_SECONDS,
        settings.NATIONAL_PUSH_RETRY_MAX_SECONDS,
    )
    try:
        started = time.perf_counter()
        info = write_legacy_file(directory / "old-system.xlsx", n, seed=options.seed)
        size = info.path.stat().st_size
        note(
            f"generated {n} records ({dict(info.by_status)}; approved by {dict(info.by_level)}) and "
            f"{len(info.reviewers)} reviewers: {size / 1e6:.1f} MB in {time.perf_counter() - started:.1f} s"
        )
        check_seconds, out = _import(info.path, "--check")
        if "检查通过" not in out:
            raise BenchError(f"the check found problems: {out[-2000:]}")
        note(f"{BASELINE}: {check_seconds:.1f} s")
        import_seconds, out = _import(info.path)
        if "导入完成" not in out or LegacyRecord.objects.count() != n:
            raise BenchError(f"the import did not complete: {out[-2000:]}")
        note(f"legacy_import: {import_seconds:.1f} s — " + out.strip().splitlines()[-1])
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        grades = verify(info, n)
        counts = _counts()
        again_seconds, out = _import(info.path)
        if _counts() != counts:
            changed = {k: (v, _counts()[k]) for k, v in counts.items() if _counts()[k] != v}
            raise BenchError(f"the second run changed tables: {changed}")
        note(f"legacy_reimport: {again_seconds:.1f} s, no table changed")

        measurements = [
            Measurement(
                "legacy_import", n / import_seconds, "records/s", ratio(check_seconds, import_seconds), BASELINE
            ),
            Measurement(
                "legacy_reimport", n / again_seconds, "records/s", ratio(check_seconds, again_seconds), BASELINE
            ),
            Measurement(BASELINE, n / check_seconds, "records/s", 1.0, BASELINE),
        ]
        approved = sum(grades.values())
        if not options.no_push:
            mock = Mock(directory)
            settings.NATIONAL_PLATFORM_URL = mock.url
            settings.NATIONAL_PUSH_RETRY_BASE_SECONDS = settings.NATIONAL_PUSH_RETRY_MAX_SECONDS = 0
            started = time.perf_counter()
            report = services.push_to_national()
            push_seconds = time.perf_counter() - started
            pushed = PushItem.objects.filter(state=PushState.PUSHED).count()
            held = len(mock.control("GET", "/_control/rows?table=TBProjectInfo")["rows"])
            if pushed != approved or held != approved:
                raise BenchError(
                    f"push_to_national: {pushed} pushed, the mock holds {held}, expected {approved} ({report})"
                )
            note(
                f"push_to_national: {pushed} of {approved} approved records pushed in {push_seconds:.1f} s, "
                f"{report.batches} batches; the mock holds each once"
            )
            measurements.insert(
                2,
                Measurement(
                    "legacy_push", approved / push_seconds, "records/s", ratio(check_seconds, push_seconds), BASELINE
                ),
            )
    finally:
        (
            settings.NATIONAL_PLATFORM_URL,
            settings.NATIONAL_PUSH_RETRY_BASE_SECONDS,
            settings.NATIONAL_PUSH_RETRY_MAX_SECONDS,
        ) = old
        if mock is not None:
            mock.stop()
        if not options.keep:
            _cleanup(to_empty, before)
    return measurements


def _cleanup(to_empty: list[str], before: dict[type, int]) -> None:
    """The imported rows, and the accounts, authorities, departments and enterprises the import created."""
    from accounts.models import Authority, Department, Enterprise, User
    from bench.load_records import _check_deferred_constraints, _truncate
    from legacy.models import LegacyReviewer
    from sync.models import PushBatch

    _check_deferred_constraints()  # inside a test's transaction, TRUNCATE refuses tables with pending checks
    PushBatch.objects.all().delete()
    _truncate(to_empty)
    LegacyReviewer.objects.all().delete()
    User.groups.through.objects.filter(user_id__gt=before[User]).delete()
    for model in (User, Department, Enterprise):
        model.objects.filter(pk__gt=before[model]).delete()
    # the authorities created, lowest level first (a county's parent is a city's)
    for level in ("county", "city", "province"):
        Authority.objects.filter(pk__gt=before[Authority], level=level).delete()
