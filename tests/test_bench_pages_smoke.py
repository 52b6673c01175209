"""`python -m bench portal_pages` on a tiny load: gunicorn serves the test database, every request succeeds, the
lines have the `name: value unit (ratio)` form, and nothing is left behind.

gunicorn runs in a subprocess, so the data must be committed for it to see: the test is transactional, and the
benchmark points gunicorn at the database of this process's connection (the test database) by building its
DATABASE_URL from `connection.settings_dict`.
"""

from __future__ import annotations

import re

import environ
import pytest
from django.db import connection

from bench.__main__ import main
from bench.common import LINE_RE
from bench.pages import database_url

PAGES = [
    "bare_view",
    "bare_view_no_session",
    "portal_list_50",
    "portal_search_50",
    "portal_record_page",
    "plain_list_view",
    "plain_detail_view",
]
#: issue 11 item 9: the list and the record page next to a plain ListView / DetailView of the same rows
VS_PLAIN = [
    "portal_list_50_vs_plain",
    "portal_list_50_vs_plain_p95_ms",
    "portal_record_page_vs_plain",
    "portal_record_page_vs_plain_p95_ms",
]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("seeded")
def test_portal_pages_measures_every_page_against_the_bare_view(capsys):
    from accounts.models import Enterprise, User
    from projects.models import Attachment, Record

    users, enterprises = User.objects.count(), Enterprise.objects.count()

    code = main(
        ["portal_pages", "--records", "50", "--seconds", "1", "--warmup", "0.2", "--slices", "2", "--concurrency", "2"]
    )
    captured = capsys.readouterr()

    assert code == 0, captured.err
    results = {}
    for line in captured.out.splitlines():
        match = LINE_RE.fullmatch(line)
        assert match, f"not `name: value unit (ratio)`: {line!r}"
        results[match["name"]] = match.groupdict()
    bare_lines = [*PAGES, *(f"{p}_p50_ms" for p in PAGES), *(f"{p}_p95_ms" for p in PAGES)]
    assert list(results) == [*bare_lines, *VS_PLAIN]
    assert {results[name]["baseline"] for name in bare_lines} == {"bare"}
    assert [results[name]["baseline"] for name in VS_PLAIN] == ["plain_list_view"] * 2 + ["plain_detail_view"] * 2
    for page in PAGES:
        assert results[page]["unit"] == "req/s"
        assert float(results[page]["value"]) > 0
        assert results[f"{page}_p95_ms"]["unit"] == "ms"
        assert float(results[f"{page}_p95_ms"]["value"]) >= float(results[f"{page}_p50_ms"]["value"]) > 0
    for name in ["bare_view", "bare_view_p50_ms", "bare_view_p95_ms"]:
        assert results[name]["ratio"] == "1.00"

    # gunicorn served this test's database, and every request answered 200 with its page's marker (one that did
    # not would have stopped the benchmark with exit code 1)
    assert f"database {connection.settings_dict['NAME']}" in captured.err
    assert "every section complete" in captured.err
    for page in PAGES:
        note = re.search(rf"^· {page}: (\d+) requests .* every one 200 with the page's marker", captured.err, re.M)
        assert note and int(note[1]) > 0, page

    # without --keep: the records, the clerk, its session and the enterprise are gone
    assert not Record.objects.exists()
    assert not Attachment.objects.exists()
    assert User.objects.count() == users
    assert Enterprise.objects.count() == enterprises


@pytest.mark.django_db
def test_portal_pages_refuses_to_empty_tables_that_hold_data(capsys):
    from projects.models import Record
    from tests.factories import RecordFactory

    RecordFactory()
    code = main(["portal_pages", "--records", "10", "--seconds", "1"])
    captured = capsys.readouterr()

    assert code == 1
    assert captured.out == ""
    assert "projects_record" in captured.err
    assert Record.objects.count() == 1


@pytest.mark.parametrize(
    "settings_dict",
    [
        {"NAME": "test_yeji", "USER": "postgres", "PASSWORD": "", "HOST": "127.0.0.1", "PORT": 5432},
        {
            "NAME": "yeji",
            "USER": "yeji",
            "PASSWORD": "p@ss/w:rd# %",
            "HOST": "db.internal",
            "PORT": "",
            "OPTIONS": {"sslmode": "require", "options": "-c pgtrigger.ignore={}"},
        },
        {"NAME": "yeji", "USER": "postgres", "PASSWORD": "", "HOST": "/tmp/pg socket", "PORT": 5433},
        # devtools.services' embedded PostgreSQL: postgres://postgres@/yeji?host=/socket/dir
        {"NAME": "yeji", "USER": "postgres", "PASSWORD": "", "HOST": "", "PORT": "", "OPTIONS": {"host": "/var/pg"}},
    ],
)
def test_database_url_round_trips_through_django_environ(settings_dict):
    parsed = environ.Env.db_url_config(database_url(settings_dict))

    for key in ["NAME", "USER", "PASSWORD", "PORT"]:
        assert str(parsed[key]) == str(settings_dict[key]), key
    options = {k: v for k, v in settings_dict.get("OPTIONS", {}).items() if k != "options"}
    host = options.pop("host", settings_dict["HOST"])
    assert parsed.get("OPTIONS", {}).get("host", parsed["HOST"]) == host
    assert {k: v for k, v in parsed.get("OPTIONS", {}).items() if k != "host"} == options
