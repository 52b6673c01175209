"""The bureau's review queue in the admin (/admin/review/reviewqueueitem/) with N pending records, under gunicorn,
against the bare view measured in the same run (bench/pages.py's server, client and figures).

What it measures, each for `--seconds` with `--concurrency` connections, after `--warmup` seconds, in `--slices`
turns (as portal_pages):

- `bare_view` — the baseline: `/bench/bare/` with the county reviewer's session cookie (session and user loaded,
  no work of its own).
- `queue_county` — the queue's first page (the changelist: 100 rows, the counts, the filters) for a reviewer of
  the county bureau of 南宁市青秀区 (450103), who sees the records it is responsible for (`--county-share` of N).
- `queue_city` — the same for a reviewer of the 南宁市 city bureau (450100), who sees, read-only, those of the
  county bureaus under it (P2: review.selectors.queue_for).
- `queue_province` — the same for provincial staff of 广西 (450000), who see the whole province: all N.
- `stock_county`, `stock_province` — the baseline of issue 11 item 9: a stock Django admin changelist of the same
  model (bench/baselines.py: a plain ModelAdmin, the queue's columns and order, the project's scoping, no custom
  queryset) showing the same 100 rows to the county reviewer and to provincial staff.
- `workbench_county`, `workbench_province` — the 审核工作台 (/admin/: the counts and the next deadlines).
- `queue_record_page` — the queue's page of one record (the change view: every section, the rule check, the
  decision buttons) of the county's queue, for the county reviewer.

Each is printed as requests/s and as p50 and p95 latency, with its ratio to the bare view's figure; the queue and
the workbench of each of the two officials once more as ratios to the stock changelist (`queue_county_vs_stock`…).
A request counts only when it answers 200 and its body holds the page's marker (the project number of the queue's
expected first row, read with `queue_for` — so a login page or an empty queue never counts); one failure stops the
run.

The data. The authorities of Guangxi (the provincial office, the city bureaus, a county bureau for every current
county, each under the one above), created for the run; `--enterprises` survey and design enterprises of the
province; N records with all their stages loaded with bench/load_records.py's COPY path (history triggers on),
spread over the province's counties — the county under test gets `--county-share` of them, the others the rest
in turn — submitted over the last 20 days to the county bureau of their county and due at the end of the day 21
days after submission (about 15 working days: none is overdue yet, as after every nightly run). Then ANALYZE.
The three officials are registered by real name and department (J9) and log in through /admin/login/.

It refuses to run when the record tables (or any table referencing them) hold rows, unless `--truncate-existing`;
at the end it empties them and deletes the officials, their sessions, the authorities and enterprises it created,
unless `--keep`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import secrets
from dataclasses import dataclass, field

from django.db import connection
from django.utils import timezone

from bench.common import BenchError, Measurement, Stopwatch, note, ratio
from bench.load_records import (
    LoadMode,
    _counties_and_campaigns,
    _create_enterprises,
    _delete_enterprises,
    _non_empty,
    _truncate,
    copy_buffers,
    load_copy,
    tables_to_empty,
    verify,
)
from bench.pages import BARE_PATH, Result, Target, add_load_arguments, gunicorn, hammer, login, measurements
from bench.recordgen import Firm, empty_tables, enterprise_fixtures, generate, mark_submitted
from bench.review_data import (
    Authorities,
    Official,
    analyze,
    campaign_tracks,
    create_authorities,
    create_official,
    delete_authorities,
    delete_officials,
)

DESCRIPTION = (
    "the admin review queue with N pending records (county reviewer, city reviewer, provincial staff) "
    "and one record's page under gunicorn, against a bare view"
)
BASELINE = "bare"
PROVINCE = "450000"  # 广西
CITY = "450100"  # 南宁市
COUNTY = "450103"  # 南宁市青秀区
QUEUE_PATH = "/admin/review/reviewqueueitem/"
WORKBENCH_PATH = "/admin/"  # the 审核工作台 is the admin's index for officials
STOCK_PATH = "/bench/stock/review/reviewqueueitem/"  # the stock changelist of the same model (bench/baselines.py)
COPY_BATCH = 1_000
OFFICIALS = {
    "county": Official("bench_queue_county", "reviewer", COUNTY, "黄志明"),
    "city": Official("bench_queue_city", "reviewer", CITY, "韦丽娟"),
    "province": Official("bench_queue_province", "provincial", PROVINCE, "覃建国"),
}
#: the officials whose queue and workbench are measured next to the stock changelist
STOCK_OFFICIALS = ("county", "province")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--records", type=int, default=100_000, help="pending records in the province (default 100000)")
    parser.add_argument(
        "--county-share",
        type=float,
        default=0.03,
        help="share of the records in the county under test, 450103 (default 0.03)",
    )
    add_load_arguments(parser)
    parser.add_argument(
        "--enterprises",
        type=int,
        default=200,
        help="enterprises of the province the records are spread over (default 200)",
    )
    parser.add_argument("--seed", type=int, default=2017, help="seed of the generated data (default 2017)")
    parser.add_argument(
        "--keep",
        action="store_true",
        help="leave the records, authorities, enterprises and officials (the password is noted)",
    )
    parser.add_argument(
        "--truncate-existing",
        action="store_true",
        help="empty the record tables even when they hold rows (destroys that data)",
    )


# --- the data ------------------------------------------------------------------------------------------------


@dataclass
class Fixture:
    tables_to_empty: list[str]
    firms: list[Firm] = field(default_factory=list)
    authorities: Authorities = field(default_factory=Authorities)
    users: dict[str, int] = field(default_factory=dict)  # OFFICIALS key -> user id
    password: str = ""
    session_keys: list[str] = field(default_factory=list)
    seen: dict[str, int] = field(default_factory=dict)  # OFFICIALS key -> records in the queue
    first_rows: dict[str, bytes] = field(default_factory=dict)  # OFFICIALS key -> prj_num of the first row
    record_id: int = 0
    record_markers: tuple[bytes, ...] = ()


def load_data(options: argparse.Namespace, fixture: Fixture) -> None:
    n = options.records
    counties, campaigns = _counties_and_campaigns()
    if PROVINCE not in campaigns:
        raise BenchError(f"no active campaign in province {PROVINCE}: is the database migrated (seed data)?")
    local = [c for c in counties if c.province_code == PROVINCE]
    county = next((c for c in local if c.code == COUNTY), None)
    others = [c for c in local if c.code != COUNTY]
    if county is None or not others:
        raise BenchError(f"no current county {COUNTY} in province {PROVINCE}: is the database migrated?")

    _truncate(fixture.tables_to_empty)
    fixture.firms = _create_enterprises(enterprise_fixtures(local, options.enterprises, options.seed))
    fixture.authorities = create_authorities([PROVINCE])
    fixture.password = secrets.token_urlsafe(16)
    for key, official in OFFICIALS.items():
        fixture.users[key] = create_official(official, fixture.authorities, fixture.password)

    rng = random.Random(f"queue-page-{options.seed}")
    placed, turn = [], 0
    for _ in range(n):
        if rng.random() < options.county_share:
            placed.append(county)
        else:
            placed.append(others[turn % len(others)])
            turn += 1
    now = timezone.now()

    def submitted_at(i: int) -> dt.datetime:
        return now - dt.timedelta(days=i % 20, seconds=(i * 37) % 86_400)

    def deadline(i: int) -> dt.datetime:
        from review.workdays import SHANGHAI, end_of_day

        return end_of_day((submitted_at(i) + dt.timedelta(days=21)).astimezone(SHANGHAI).date())

    watch = Stopwatch()
    with watch:
        tables = generate(
            n, local, fixture.firms, {PROVINCE: campaigns[PROVINCE]}, seed=options.seed, county_of=placed.__getitem__
        )
        mark_submitted(
            tables, fixture.authorities.by_region, submitted_at, deadline, campaign_tracks([campaigns[PROVINCE]])
        )
        load_copy(tables, copy_buffers(tables, now, COPY_BATCH), LoadMode())
        verify(tables, n, history=True, phase="queue_page")
    note(
        f"loaded {n} pending records of {len(local)} counties of {PROVINCE} with all their stages in "
        f"{watch.seconds:.1f} s"
    )
    analyze(fixture.tables_to_empty, vacuum=False)
    _expected_pages(fixture)


def _expected_pages(fixture: Fixture) -> None:
    """What every official's queue holds and shows first, read with the queue's own selector."""
    from accounts.models import User
    from review.selectors import queue_for

    for key, user_id in fixture.users.items():
        user = User.objects.select_related("authority").get(pk=user_id)
        queue = queue_for(user)
        fixture.seen[key] = queue.count()
        first = queue.select_related("project").first()
        if first is None:
            raise BenchError(f"the queue of {OFFICIALS[key].username} is empty")
        fixture.first_rows[key] = first.project.prj_num.encode()
        if key == "county":
            fixture.record_id = first.pk
            fixture.record_markers = (first.project.prj_num.encode(), b'id="reviewqueueitem_form"')
    note("queues: " + ", ".join(f"{key} ({OFFICIALS[key].region}) {seen}" for key, seen in fixture.seen.items()))


def cleanup(fixture: Fixture) -> None:
    delete_officials(list(fixture.users.values()), [o.username for o in OFFICIALS.values()], fixture.session_keys)
    _truncate(fixture.tables_to_empty)
    delete_authorities(fixture.authorities)
    _delete_enterprises(fixture.firms)


# --- the run -------------------------------------------------------------------------------------------------


def run(options: argparse.Namespace) -> list[Measurement]:
    if (
        min(options.records, options.concurrency, options.workers, options.slices) < 1
        or options.seconds <= 0
        or options.warmup < 0
        or not 0 < options.county_share < 1
    ):
        raise BenchError(
            "--records, --concurrency, --workers and --slices must be at least 1, --seconds more than 0, "
            "--county-share between 0 and 1"
        )
    fixture = Fixture(tables_to_empty([t.model for t in empty_tables()]))
    busy = _non_empty(fixture.tables_to_empty)
    if busy and not options.truncate_existing:
        raise BenchError(
            f"these tables hold rows and the benchmark empties them: {', '.join(busy)}. Run it against a database "
            "of its own (DATABASE_URL=postgres://…/yeji_queue) or pass --truncate-existing."
        )
    note(
        f"database {connection.settings_dict['NAME']}: {options.records} pending records; "
        f"it empties {len(fixture.tables_to_empty)} tables"
    )
    results: list[Result] = []
    try:
        load_data(options, fixture)
        with gunicorn(options.workers) as port:
            cookies = {}
            for key, official in OFFICIALS.items():
                cookies[key], session_key = login(port, official.username, fixture.password, "/admin/login/", "/admin/")
                fixture.session_keys.append(session_key)
            listed, workbench = b'id="result_list"', b'id="wb-queue"'
            targets = [
                Target("bare_view", BARE_PATH, (b"ok",), cookies["county"]),
                *(
                    Target(f"queue_{key}", QUEUE_PATH, (listed, fixture.first_rows[key]), cookies[key])
                    for key in OFFICIALS
                ),
                *(
                    Target(f"stock_{key}", STOCK_PATH, (listed, fixture.first_rows[key]), cookies[key])
                    for key in STOCK_OFFICIALS
                ),
                *(
                    Target(f"workbench_{key}", WORKBENCH_PATH, (workbench, fixture.first_rows[key]), cookies[key])
                    for key in STOCK_OFFICIALS
                ),
                Target(
                    "queue_record_page",
                    f"{QUEUE_PATH}{fixture.record_id}/change/",
                    fixture.record_markers,
                    cookies["county"],
                ),
            ]
            if options.warmup:
                for target in targets:
                    hammer(port, target, options.warmup, options.concurrency)
            results = [Result(target.name) for target in targets]
            for _ in range(options.slices):
                for target, total in zip(targets, results, strict=True):
                    total.add(hammer(port, target, options.seconds / options.slices, options.concurrency))
            for total in results:
                note(
                    f"{total.name}: {total.requests} requests in {total.seconds:.1f} s ({total.completed} within the "
                    f"{total.window:.1f} s measured) over {options.concurrency} connections, every one 200 with the "
                    f"page's marker; the client used {100 * total.client_cpu / total.seconds:.0f}% of a core"
                )
    finally:
        if options.keep:
            note(
                f"--keep: the records stay; log in at /admin/login/ as "
                f"{', '.join(o.username for o in OFFICIALS.values())} / {fixture.password}"
            )
        else:
            try:
                cleanup(fixture)
            except Exception as error:  # the figures are printed all the same; the data stays for a --truncate-existing
                note(f"cleanup failed, the data stays ({type(error).__name__}: {error})")
    return measurements(results) + stock_measurements(results)


def stock_measurements(results: list[Result]) -> list[Measurement]:
    """The queue and the workbench of each official next to the stock changelist of the same rows (issue 11 item 9:
    at least as fast): requests/s and p95 latency, as ratios to `stock_<official>`."""
    by_name = {r.name: r for r in results}
    lines = []
    for key in STOCK_OFFICIALS:
        stock = by_name.get(f"stock_{key}")
        if stock is None:
            continue
        for page in (f"queue_{key}", f"workbench_{key}"):
            r = by_name[page]
            lines.append(Measurement(f"{page}_vs_stock", r.rate, "req/s", ratio(r.rate, stock.rate), f"stock_{key}"))
            p95, base = r.percentile(0.95), stock.percentile(0.95)
            lines.append(Measurement(f"{page}_vs_stock_p95_ms", 1000 * p95, "ms", ratio(p95, base), f"stock_{key}", 1))
    return lines
