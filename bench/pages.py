"""The enterprise portal's pages under gunicorn, against a bare Django view measured in the same run.

What it measures, each for `--seconds` with `--concurrency` connections, after `--warmup` seconds of the same load
and in `--slices` turns (2 s of each page, then 2 s of each again…), so that a change in the machine's load
during the run falls on every page alike:

- `bare_view` — the baseline: `/bench/bare/` (bench/bench_urls.py) answers "ok" with no database and no template,
  with the clerk's session cookie like every other request. pghistory's HistoryMiddleware reads `request.user` on
  every GET, so even this view loads the session and the user (two queries): what remains for the pages is their
  own work.
- `bare_view_no_session` — the same view without the cookie: what that session and user lookup costs.
- `portal_list_N` — `/portal/`, 我的业绩, the first page of an enterprise that has N records (`--records`).
- `portal_search_N` — `/portal/?q=<--search>`, the same list searched by a part of the project name.
- `portal_record_page` — `/portal/records/<id>/` for a draft whose every section is filled: all stages, several
  unit projects, participating units, persons, drawing-review staff and the attachments' rows (no files).
- `plain_list_view`, `plain_detail_view` — a plain Django ListView of the same 20 rows and columns and a plain
  DetailView rendering every field of the same record and its rows (bench/baselines.py); the list and the record
  page are printed once more as ratios to them (`portal_list_N_vs_plain`, `portal_record_page_vs_plain`: issue 11
  item 9 asks for at least 0.5x).

Each is printed as requests/s and as p50 and p95 latency (`_p50_ms`, `_p95_ms`), every one with its ratio to the
bare view's figure (`(0.14x bare)`). A request counts only when it answers 200 and its body holds a marker of the
page it asked for (the project number of the expected first row, the filled record's number and the ID number of
its last person…), so a redirect to the login or an empty list is never measured as a success; one failed request
stops the benchmark with the reason.

The data. One enterprise of the benchmark's own (its name ends in （基准页面）) with one clerk, and N records of that
enterprise with all their stages, loaded with bench/load_records.py's COPY path (ids 1..N, history triggers on);
then the records' "last change" is spread over 60 days (the COPY gives them one timestamp; the list is sorted
by it), record 1 gets the rest of its sections through the ORM and becomes the latest change, and the tables are
ANALYZEd, as autovacuum would do after a load this size. As load_records does, it refuses to run when the
record tables (or any table referencing them) hold rows, unless `--truncate-existing`; at the end it empties them
again and deletes the clerk, its session and the enterprise, unless `--keep`.

The server. gunicorn, the project's server, started in a subprocess as the Procfile starts it: sync workers
(`--workers`, 2 by default for the 2-core machine), which close the connection after every response, so each
request opens a new loopback connection. It listens on a socket this process bound to a free port of 127.0.0.1
and hands over (`--bind fd://N`). Its settings are `bench.bench_settings`: config.settings with the bench URLconf,
DEBUG off; its database is this process's database (DATABASE_URL built from the connection's settings, so under
pytest it is the test database); its static files are collected into a temporary STATIC_ROOT first, because the
manifest storage of the settings needs a current manifest to render a page. gunicorn is stopped at the end,
whatever happened.

The client. A closed loop written with the standard library: `--concurrency` threads, each with its own
http.client connection (keep-alive when the server allows it, reconnecting when it closes), sending one request
after the other until its slice of `--seconds` is over. Its own CPU time is noted on stderr: on a small machine
the client, the workers and PostgreSQL share the cores, which is why only the ratios to the bare view mean
something.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import http.client
import math
import os
import random
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import quote, urlencode

from django.conf import settings
from django.db import connection, transaction
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
from bench.recordgen import Firm, empty_tables, generate, make_id_card, make_person, make_uscc

DESCRIPTION = "the portal's list page (N records) and a fully filled record page under gunicorn, against a bare view"
BASELINE = "bare"
HOST = "127.0.0.1"
BARE_PATH = "/bench/bare/"
CLERK_USERNAME = "bench_pages_clerk"
FIRM_NAME = "南宁市华信建筑设计研究院有限公司（基准页面）"  # `（基准` marks the enterprises bench/ may delete
PROVINCE = "450000"  # Guangxi: its campaign 桂建设〔2017〕29号 opens for design firms
COPY_BATCH = 1_000
# the filled record: rows per section (the generated record has one unit project and one participating unit)
UNITS, CORPS, PERSONS, STAFF = 3, 5, 6, 4
REQUEST_TIMEOUT = 30.0  # seconds, per socket operation
START_TIMEOUT = 60.0  # seconds for gunicorn to answer the bare view


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--records", type=int, default=10_000, help="records of the enterprise (default 10000)")
    add_load_arguments(parser)
    parser.add_argument(
        "--search", default="小区", help="the part of a project name searched for in portal_search_N (default 小区)"
    )
    parser.add_argument("--seed", type=int, default=2017, help="seed of the generated data (default 2017)")
    parser.add_argument(
        "--keep",
        action="store_true",
        help="leave the records, the enterprise and its clerk in the database (the clerk's password "
        "is noted on stderr)",
    )
    parser.add_argument(
        "--truncate-existing",
        action="store_true",
        help="empty the record tables even when they hold rows (destroys that data)",
    )


def add_load_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of the load generator and the gunicorn it drives (also bench.queue_page's)."""
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each measurement (default 10)")
    parser.add_argument(
        "--slices",
        type=int,
        default=5,
        help="each measurement is taken in this many slices, the pages in turn (default 5)",
    )
    parser.add_argument(
        "--warmup",
        type=float,
        default=2.0,
        help="seconds of the same load before each measurement, not counted (default 2)",
    )
    parser.add_argument("--concurrency", type=int, default=8, help="client connections (default 8)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2)")


# --- the data ------------------------------------------------------------------------------------------------


@dataclass
class Fixture:
    """What the benchmark created, and what the pages must show."""

    tables_to_empty: list[str]
    firm: Firm | None = None
    clerk_id: int | None = None
    password: str = ""
    session_key: str = ""
    record_id: int = 1
    record_markers: tuple[bytes, ...] = ()
    list_markers: tuple[bytes, ...] = ()
    search_markers: tuple[bytes, ...] = ()
    search_hits: int = 0


def _triggers_of(model) -> list[str]:
    import pgtrigger

    return [f"{m._meta.label}:{trigger.name}" for m, trigger in pgtrigger.registered() if m is model]


def _create_clerk(firm: Firm, password: str) -> int:
    """The enterprise's clerk, without history rows (a fixture of the run); reused when a --keep run left it."""
    import pgtrigger

    from accounts.models import Role, User

    with pgtrigger.ignore(*_triggers_of(User)), transaction.atomic():
        user = User.objects.filter(username=CLERK_USERNAME).first() or User(username=CLERK_USERNAME)
        user.role, user.enterprise_id, user.is_active, user.real_name = Role.ENTERPRISE, firm.id, True, "基准录入员"
        user.set_password(password)
        user.save()
    return user.pk


def _delete_clerk(clerk_id: int) -> None:
    import pgtrigger

    from accounts.models import User

    with pgtrigger.ignore(*_triggers_of(User)), transaction.atomic():
        User.objects.filter(pk=clerk_id, username=CLERK_USERNAME).delete()


def load_data(options: argparse.Namespace, fixture: Fixture) -> None:
    """N records of one enterprise through load_records' COPY path, then record 1 filled in every section."""
    n = options.records
    counties, campaigns = _counties_and_campaigns()
    if PROVINCE not in campaigns:
        raise BenchError(f"no active campaign in province {PROVINCE}: is the database migrated (seed data)?")
    local = [c for c in counties if c.province_code == PROVINCE]
    rng = random.Random(f"portal-pages-{options.seed}")
    firm = Firm(FIRM_NAME, make_uscc(rng, local[0].code), "design")

    _truncate(fixture.tables_to_empty)  # RESTART IDENTITY: the COPY gives the rows the ids 1..N
    fixture.firm = _create_enterprises([firm])[0]
    fixture.password = secrets.token_urlsafe(16)
    fixture.clerk_id = _create_clerk(fixture.firm, fixture.password)

    watch = Stopwatch()
    with watch:
        tables = generate(n, local, [fixture.firm], {PROVINCE: campaigns[PROVINCE]}, seed=options.seed)
        load_copy(tables, copy_buffers(tables, timezone.now(), COPY_BATCH), LoadMode())
        verify(tables, n, history=True, phase="portal_pages")
        _spread_last_changes(n)
    note(f"loaded {n} records of {fixture.firm.name} with all their stages in {watch.seconds:.1f} s")
    fixture.record_markers = fill_record(fixture.record_id, options.seed)
    _analyze(fixture.tables_to_empty)
    _expected_pages(options, fixture)


def _spread_last_changes(n: int) -> None:
    """Give the records different "last change" times over the past 60 days, as a campaign's would be (the COPY
    gave them all the same): the list is sorted by it. No history rows: it is part of the load."""
    import pgtrigger

    from projects.models import Record

    step = dt.timedelta(days=60) / max(n, 1)
    with pgtrigger.ignore(*_triggers_of(Record)), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {Record._meta.db_table} SET updated_at = %s - id * %s", [timezone.now(), step])


def _analyze(tables: list[str]) -> None:
    """Planner statistics for the loaded tables, as autovacuum would gather after a load this size."""
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def fill_record(record_id: int, seed: int) -> tuple[bytes, ...]:
    """Give the record the rest of its sections: unit projects, participating units, persons, drawing-review
    staff and the attachments' rows (the files themselves are not needed to render the page). Returns markers
    the page must show."""
    from grading.checks import section_completeness
    from projects import codes
    from projects.models import Attachment, AttachmentKind, CensorStaff, ProjectCorp, Record, RecordPerson, UnitProject

    rng = random.Random(f"portal-pages-fill-{seed}")
    record = Record.objects.select_related("project", "censor", "enterprise").get(pk=record_id)
    project, censor, firm = record.project, record.censor, record.enterprise
    county = project.county_id
    with transaction.atomic():
        first_unit = project.units.order_by("id").first()
        units = [first_unit]
        for k in range(2, UNITS + 1):
            unit = UnitProject.objects.get(pk=first_unit.pk)
            unit.pk = unit.id = None
            unit.unit_code = f"{project.prj_num}-{k:03d}"
            unit.sub_prj_name = f"{k}#楼" if first_unit.floor_count is not None else f"第{k}标段"
            unit.save()
            units.append(unit)
        taken = set(record.corps.values_list("corp_role", flat=True))
        roles = [
            r
            for r in (
                codes.CorpRole.SURVEY,
                codes.CorpRole.DESIGN,
                codes.CorpRole.CONSTRUCTION,
                codes.CorpRole.SUPERVISION,
                codes.CorpRole.QUALITY_TESTING,
            )
            if r not in taken
        ]
        names = {
            codes.CorpRole.SURVEY: "岩土工程勘察院有限公司",
            codes.CorpRole.DESIGN: "建筑设计院有限公司",
            codes.CorpRole.CONSTRUCTION: "建设集团有限公司",
            codes.CorpRole.SUPERVISION: "工程监理有限公司",
            codes.CorpRole.QUALITY_TESTING: "建设工程质量检测中心有限公司",
        }
        for k, role in enumerate(roles[: CORPS - 1]):
            person = make_person(rng, county)
            ProjectCorp.objects.create(
                record=record,
                unit=units[k % len(units)],
                corp_role=role,
                corp_name=f"南宁{names[role]}",
                corp_code=make_uscc(rng, county),
                person_name=person.name,
                person_id_card=person.id_card,
                person_phone=person.mobile,
            )
        person_roles = [
            codes.PersonRole.PROJECT_LEADER,
            codes.PersonRole.DISCIPLINE_LEADER,
            codes.PersonRole.MAIN_DESIGNER,
        ]
        registrations = [
            codes.RegistrationType.ARCHITECT_1,
            codes.RegistrationType.STRUCTURAL_1,
            codes.RegistrationType.HVAC,
            codes.RegistrationType.WATER,
        ]
        specialties = ["建筑", "结构", "暖通", "给排水", "电气", "总图"]
        last_id_card = ""
        for k in range(PERSONS):
            person = make_person(rng, county)
            registration = registrations[k % len(registrations)]
            certificate = f"{registration}{county}{rng.randrange(10**6):06d}"
            RecordPerson.objects.create(
                record=record,
                corp_name=firm.name,
                corp_code=firm.credit_code,
                name=person.name,
                role=person_roles[min(k, len(person_roles) - 1)],
                id_card=person.id_card,
                registration_type=registration,
                registration_cert_no=certificate,
                specialty=specialties[k % len(specialties)],
                phone=person.mobile,
            )
            last_id_card = person.id_card
        duties = [codes.WorkDuty.CENSOR_LEADER, codes.WorkDuty.CENSOR_APPROVER, codes.WorkDuty.CENSOR_REVIEWER]
        censor_specialties = [codes.CensorSpecialty.ARCHITECTURE, codes.CensorSpecialty.STRUCTURE]
        last_staff = ""
        for k in range(STAFF):
            person = make_person(rng, county)
            CensorStaff.objects.create(
                censor=censor,
                corp_name=censor.censor_corp_name,
                corp_code=censor.censor_corp_code,
                user_name=person.name,
                id_card=make_id_card(rng, county),
                specialty=censor_specialties[k % len(censor_specialties)],
                duty=duties[min(k, len(duties) - 1)],
                tech_title_level=codes.TechTitleLevel.SENIOR,
                registration_type=registrations[k % 2],
            )
            last_staff = person.name
        files = [
            (AttachmentKind.BID_NOTICE, "中标通知书.pdf"),
            (AttachmentKind.CONTRACT, "中标工程合同.pdf"),
            (AttachmentKind.COMPLETION, "竣工验收证明.pdf"),
            (AttachmentKind.OTHER, "竣工验收备案表.jpg"),
        ]
        for kind, name in files:
            digest = hashlib.sha256(f"{record_id}-{kind}".encode()).hexdigest()
            Attachment.objects.create(
                record=record,
                kind=kind,
                file=f"attachments/{digest[:2]}/{digest[2:34]}{Path(name).suffix}",
                original_name=name,
                content_type="image/jpeg" if name.endswith(".jpg") else "application/pdf",
                size=rng.randrange(200_000, 3_000_000),
                sha256=digest,
            )
        Record.objects.filter(pk=record_id).update(updated_at=timezone.now())  # as a save through the page would
    completeness = section_completeness(Record.objects.get(pk=record_id))
    short = {key: f"{filled}/{required}" for key, (filled, required) in completeness.items() if filled < required}
    note(
        f"record {record_id} ({project.prj_num}) filled: {UNITS} unit projects, {CORPS} participating units, "
        f"{PERSONS} persons, {STAFF} drawing-review staff, {len(files)} attachments; "
        + (f"sections not complete: {short}" if short else "every section complete")
    )
    return (project.prj_num.encode(), last_id_card.encode(), last_staff.encode(), "竣工验收证明.pdf".encode())


def _expected_pages(options: argparse.Namespace, fixture: Fixture) -> None:
    """The first rows the list and the search must show, read with the portal's own selector."""
    from accounts.models import User
    from portal import selectors

    clerk = User.objects.get(pk=fixture.clerk_id)
    first = selectors.record_list(clerk).first()
    fixture.list_markers = (b'class="records"', first.project.prj_num.encode())
    found = selectors.record_list(clerk, q=options.search)
    fixture.search_hits = found.count()
    if not fixture.search_hits:
        raise BenchError(f"no project name contains {options.search!r}: choose another --search")
    fixture.search_markers = (b'class="records"', found.first().project.prj_num.encode())
    note(f"search {options.search!r}: {fixture.search_hits} of {options.records} records")


def cleanup(fixture: Fixture) -> None:
    """Empty the record tables and delete the clerk, its session and the enterprise."""
    from django.contrib.sessions.models import Session

    if fixture.session_key:
        Session.objects.filter(session_key=fixture.session_key).delete()
    _truncate(fixture.tables_to_empty)
    if fixture.clerk_id is not None:
        _delete_clerk(fixture.clerk_id)
    if fixture.firm is not None:
        _delete_enterprises([fixture.firm])


# --- the server ----------------------------------------------------------------------------------------------


def database_url(settings_dict: dict) -> str:
    """DATABASE_URL, in django-environ's form, for the database of these connection settings.

    A socket directory, in HOST or (as devtools.services writes it for the embedded PostgreSQL) in OPTIONS, goes
    into the query as `?host=/dir`; so do the other connection OPTIONS, but `options`, which config.settings sets.
    """
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host, port = settings_dict.get("HOST") or "", settings_dict.get("PORT") or ""
    query = {
        key: value
        for key, value in (settings_dict.get("OPTIONS") or {}).items()
        if key != "options" and isinstance(value, str | int) and not isinstance(value, bool)
    }
    if host.startswith("/"):
        query["host"], host = host, ""
    elif ":" in host:  # IPv6
        host = f"[{host}]"
    url = f"postgres://{credentials}{host}{f':{port}' if port else ''}/{quote(settings_dict['NAME'], safe='')}"
    return f"{url}?{urlencode(query)}" if query else url


def server_environment(static_root: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("GUNICORN_CMD_ARGS", "WEB_CONCURRENCY")}
    base = str(settings.BASE_DIR)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.bench_settings",
            "DATABASE_URL": database_url(connection.settings_dict),
            "STATIC_ROOT": static_root,
            "DEBUG": "false",
            "ALLOWED_HOSTS": f"{HOST},localhost",
            "BEHIND_HTTPS_PROXY": "false",
            "SECURE_COOKIES": "false",
            "PYTHONPATH": os.pathsep.join(p for p in (base, env.get("PYTHONPATH", "")) if p),
        }
    )
    return env


def _collect_static(env: dict[str, str]) -> None:
    done = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode:
        raise BenchError(f"collectstatic failed: {done.stderr.strip()[-2000:]}")


@contextlib.contextmanager
def gunicorn(workers: int) -> Iterator[int]:
    """gunicorn on a free port of 127.0.0.1 (yields the port); stopped on the way out, whatever happened."""
    if subprocess.run([sys.executable, "-c", "import gunicorn"], capture_output=True).returncode:
        raise BenchError(f"gunicorn is not installed for {sys.executable} (pip install -e .)")
    with tempfile.TemporaryDirectory(prefix="bench-pages-") as tmp:
        env = server_environment(str(Path(tmp) / "static"))
        _collect_static(env)
        log_path = Path(tmp) / "gunicorn.log"
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((HOST, 0))
        listener.listen(128)
        port = listener.getsockname()[1]
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"fd://{listener.fileno()}",
            "--workers",
            str(workers),
            "--timeout",
            "60",
            "--graceful-timeout",
            "5",
            "--log-level",
            "warning",
            "--error-logfile",
            "-",
        ]
        with open(log_path, "wb") as log:
            try:
                process = subprocess.Popen(
                    command,
                    cwd=settings.BASE_DIR,
                    env=env,
                    pass_fds=(listener.fileno(),),
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            finally:
                listener.close()  # gunicorn holds its own copy
            try:
                _wait_until_up(process, port, log_path)
                note(
                    f"gunicorn (pid {process.pid}) with {workers} sync workers on http://{HOST}:{port}/, "
                    f"database {connection.settings_dict['NAME']}"
                )
                yield port
            finally:
                _stop(process)
                errors = [
                    line
                    for line in log_path.read_text(errors="replace").splitlines()
                    if "Traceback" in line or "ERROR" in line
                ]
                if errors:
                    note(f"gunicorn logged {len(errors)} error line(s), the first: {errors[0]}")


def _wait_until_up(process: subprocess.Popen, port: int, log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"gunicorn exited with {process.returncode}: {_tail(log_path)}")
        conn = http.client.HTTPConnection(HOST, port, timeout=2)
        try:
            conn.request("GET", BARE_PATH)
            response = conn.getresponse()
            if response.status == 200 and response.read() == b"ok":
                return
            raise BenchError(f"{BARE_PATH} answered {response.status}: {_tail(log_path)}")
        except (OSError, http.client.HTTPException):
            time.sleep(0.2)
        finally:
            conn.close()
    raise BenchError(f"gunicorn did not answer within {START_TIMEOUT:.0f} s: {_tail(log_path)}")


def _tail(path: Path, lines: int = 15) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM to the master (it stops its workers); SIGKILL to its process group if it does not go."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, 9)  # the group gunicorn leads (start_new_session): its master and workers
        process.wait(timeout=15)


# --- the client ----------------------------------------------------------------------------------------------


def _cookies(response: http.client.HTTPResponse) -> dict[str, str]:
    jar = SimpleCookie()
    for header in response.headers.get_all("Set-Cookie") or []:
        jar.load(header)
    return {name: morsel.value for name, morsel in jar.items()}


def login(
    port: int, username: str, password: str, login_path: str = "/portal/login/", next_path: str = "/portal/"
) -> tuple[str, str]:
    """Log in through `login_path` (the portal's, or the admin's /admin/login/) like a browser (CSRF cookie and
    token); returns the Cookie header and the session key."""
    conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    try:
        conn.request("GET", login_path)
        response = conn.getresponse()
        page = response.read()
        cookies = _cookies(response)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if response.status != 200 or token is None or settings.CSRF_COOKIE_NAME not in cookies:
            raise BenchError(f"the login page answered {response.status} without a CSRF cookie and token")
        form = urlencode(
            {"csrfmiddlewaretoken": token[1].decode(), "username": username, "password": password, "next": next_path}
        )
        cookie = f"{settings.CSRF_COOKIE_NAME}={cookies[settings.CSRF_COOKIE_NAME]}"
        conn.request(
            "POST",
            login_path,
            body=form,
            headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
        )
        response = conn.getresponse()
        response.read()
        cookies.update(_cookies(response))
        session = cookies.get(settings.SESSION_COOKIE_NAME, "")
        if response.status != 302 or not session:
            raise BenchError(f"the login answered {response.status} (expected 302 with a session cookie)")
    finally:
        conn.close()
    header = "; ".join(f"{name}={cookies[name]}" for name in (settings.CSRF_COOKIE_NAME, settings.SESSION_COOKIE_NAME))
    return header, session


@dataclass(frozen=True)
class Target:
    name: str
    path: str
    markers: tuple[bytes, ...]  # all must be in a body for the request to count
    cookie: str = ""


@dataclass
class Result:
    name: str
    window: float = 0.0  # the seconds asked for
    completed: int = 0  # requests that succeeded and ended within the window (the rate's numerator)
    seconds: float = 0.0  # wall time, from the start of all connections to the end of the last
    client_cpu: float = 0.0  # CPU seconds of this process (the client) meanwhile
    latencies: list[float] = field(default_factory=list)  # seconds, of every request that succeeded
    failures: Counter = field(default_factory=Counter)
    first_failure: str = ""

    @property
    def requests(self) -> int:
        return len(self.latencies)

    @property
    def rate(self) -> float:
        """Requests/s within the window: the requests still running at its end (the pipe draining, with fewer
        and fewer connections busy) count for their latency, not for the rate."""
        return self.completed / self.window if self.window else 0.0

    def add(self, other: Result) -> None:
        self.window += other.window
        self.completed += other.completed
        self.seconds += other.seconds
        self.client_cpu += other.client_cpu
        self.latencies += other.latencies
        self.failures += other.failures
        self.first_failure = self.first_failure or other.first_failure

    def percentile(self, q: float) -> float:
        """Nearest-rank percentile of the latencies, in seconds."""
        ordered = sorted(self.latencies)
        return ordered[max(0, math.ceil(q * len(ordered)) - 1)] if ordered else float("nan")


def _connection_loop(
    port: int, target: Target, seconds: float, start: threading.Barrier, clock: list[float], out: Result
) -> None:
    """One client connection: requests one after the other until `seconds` from the common start are over."""
    conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    headers = {"Cookie": target.cookie} if target.cookie else {}
    try:
        start.wait()
        deadline = clock[0] + seconds
        while (began := time.perf_counter()) < deadline:
            try:
                conn.request("GET", target.path, headers=headers)
                response = conn.getresponse()
                body = response.read()
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                out.failures[type(exc).__name__] += 1
                out.first_failure = out.first_failure or f"{type(exc).__name__}: {exc}"
                time.sleep(0.01)
                continue
            ended = time.perf_counter()
            if response.status == 200 and all(marker in body for marker in target.markers):
                out.latencies.append(ended - began)
                out.completed += ended <= deadline
                continue
            reason = f"HTTP {response.status}" if response.status != 200 else "200 without the page's marker"
            out.failures[reason] += 1
            if not out.first_failure:
                location = response.getheader("Location")
                out.first_failure = reason + (f" to {location}" if location else "") + f": {body[:200]!r}"
    finally:
        conn.close()


def hammer(port: int, target: Target, seconds: float, concurrency: int) -> Result:
    """`concurrency` connections sending `target` for `seconds`; every one must succeed."""
    clock = [0.0]  # the common start, set when every connection is ready
    start = threading.Barrier(concurrency + 1, action=lambda: clock.__setitem__(0, time.perf_counter()))
    parts = [Result(target.name) for _ in range(concurrency)]
    threads = [
        threading.Thread(
            target=_connection_loop,
            args=(port, target, seconds, start, clock, part),
            name=f"bench-client-{k}",
            daemon=True,
        )
        for k, part in enumerate(parts)
    ]
    for thread in threads:
        thread.start()
    start.wait()
    cpu = time.process_time()
    for thread in threads:
        thread.join(timeout=seconds + 2 * REQUEST_TIMEOUT)
    if any(thread.is_alive() for thread in threads):
        raise BenchError(f"{target.name}: a client connection did not stop")
    result = Result(
        target.name, window=seconds, seconds=time.perf_counter() - clock[0], client_cpu=time.process_time() - cpu
    )
    for part in parts:
        result.add(part)  # their window, seconds and CPU are zero: only the figures above count
    failed = sum(result.failures.values())
    if failed:
        raise BenchError(
            f"{target.name}: {failed} of {failed + result.requests} requests to {target.path} failed "
            f"({dict(result.failures)}); the first: {result.first_failure}"
        )
    return result


# --- the run -------------------------------------------------------------------------------------------------


def run(options: argparse.Namespace) -> list[Measurement]:
    if (
        min(options.records, options.concurrency, options.workers, options.slices) < 1
        or options.seconds <= 0
        or options.warmup < 0
    ):
        raise BenchError("--records, --concurrency, --workers and --slices must be at least 1, --seconds more than 0")
    fixture = Fixture(tables_to_empty([t.model for t in empty_tables()]))
    busy = _non_empty(fixture.tables_to_empty)
    if busy and not options.truncate_existing:
        raise BenchError(
            f"these tables hold rows and the benchmark empties them: {', '.join(busy)}. Run it against a database "
            "of its own (DATABASE_URL=postgres://…/yeji_pages) or pass --truncate-existing."
        )
    note(
        f"database {connection.settings_dict['NAME']}: {options.records} records of one enterprise; "
        f"it empties {len(fixture.tables_to_empty)} tables"
    )
    results: list[Result] = []
    try:
        load_data(options, fixture)
        with gunicorn(options.workers) as port:
            cookie, fixture.session_key = login(port, CLERK_USERNAME, fixture.password)
            n = options.records
            targets = [
                Target("bare_view", BARE_PATH, (b"ok",), cookie),
                Target("bare_view_no_session", BARE_PATH, (b"ok",)),
                Target(f"portal_list_{n}", "/portal/", fixture.list_markers, cookie),
                Target(
                    f"portal_search_{n}", f"/portal/?{urlencode({'q': options.search})}", fixture.search_markers, cookie
                ),
                Target("portal_record_page", f"/portal/records/{fixture.record_id}/", fixture.record_markers, cookie),
                # issue 11 item 9: a plain ListView and DetailView of the same rows (bench/baselines.py)
                Target("plain_list_view", "/bench/list/", fixture.list_markers, cookie),
                Target("plain_detail_view", f"/bench/detail/{fixture.record_id}/", fixture.record_markers, cookie),
            ]
            if options.warmup:
                for target in targets:
                    hammer(port, target, options.warmup, options.concurrency)
            results = [Result(target.name) for target in targets]
            for _ in range(options.slices):  # interleaved: a change of the machine's load hits every page alike
                for target, total in zip(targets, results, strict=True):
                    total.add(hammer(port, target, options.seconds / options.slices, options.concurrency))
            for total in results:
                note(
                    f"{total.name}: {total.requests} requests in {total.seconds:.1f} s ({total.completed} within the "
                    f"{total.window:.1f} s measured) over {options.concurrency} connections, every one 200 with the "
                    "page's marker; the client used "
                    f"{100 * total.client_cpu / total.seconds:.0f}% of a core"
                )
    finally:
        if options.keep:
            note(f"--keep: the records stay; log in at /portal/login/ as {CLERK_USERNAME} / {fixture.password}")
        else:
            cleanup(fixture)
    return measurements(results) + plain_measurements(results)


def plain_measurements(results: list[Result]) -> list[Measurement]:
    """The portal's list and record page next to the plain ListView / DetailView of the same rows (issue 11 item 9:
    at least half as fast): requests/s and p95 latency, as ratios to `plain_list_view` / `plain_detail_view`."""
    by_name = {r.name: r for r in results}
    pairs = [(name, "plain_list_view") for name in by_name if name.startswith("portal_list_")]
    pairs.append(("portal_record_page", "plain_detail_view"))
    lines = []
    for page, plain in pairs:
        if page not in by_name or plain not in by_name:
            continue
        r, base = by_name[page], by_name[plain]
        lines.append(Measurement(f"{page}_vs_plain", r.rate, "req/s", ratio(r.rate, base.rate), plain))
        p95, base95 = r.percentile(0.95), base.percentile(0.95)
        lines.append(Measurement(f"{page}_vs_plain_p95_ms", 1000 * p95, "ms", ratio(p95, base95), plain, 1))
    return lines


def measurements(results: list[Result]) -> list[Measurement]:
    bare = results[0]
    lines = [Measurement(r.name, r.rate, "req/s", ratio(r.rate, bare.rate), BASELINE) for r in results]
    for q, label in ((0.50, "p50"), (0.95, "p95")):
        base = bare.percentile(q)
        lines += [
            Measurement(f"{r.name}_{label}_ms", 1000 * r.percentile(q), "ms", ratio(r.percentile(q), base), BASELINE, 1)
            for r in results
        ]
    return lines
