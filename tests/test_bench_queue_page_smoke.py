"""`python -m bench queue_page` on a tiny load: gunicorn serves the test database, the three officials log in
through the admin and every request succeeds, the lines have the `name: value unit (ratio)` form, and nothing is
left behind. Transactional, like test_bench_pages_smoke.py: gunicorn must see the data.
"""

from __future__ import annotations

import re

import pytest
from django.db import connection

from bench.__main__ import main
from bench.common import LINE_RE

PAGES = [
    "bare_view",
    "queue_county",
    "queue_city",
    "queue_province",
    "stock_county",
    "stock_province",
    "workbench_county",
    "workbench_province",
    "queue_record_page",
]
#: issue 11 item 9: the queue and the workbench next to the stock changelist of the same rows
VS_STOCK = [
    f"{page}_{who}_vs_stock{suffix}"
    for who in ("county", "province")
    for page in ("queue", "workbench")
    for suffix in ("", "_p95_ms")
]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("seeded")
def test_queue_page_measures_every_official_s_queue_against_the_bare_view(capsys):
    from accounts.models import Authority, Department, Enterprise, User
    from projects.models import Record

    counts = [model.objects.count() for model in (User, Enterprise, Authority, Department)]

    code = main(
        [
            "queue_page",
            "--records",
            "60",
            "--county-share",
            "0.2",
            "--enterprises",
            "6",
            "--seconds",
            "1",
            "--warmup",
            "0",
            "--slices",
            "1",
            "--concurrency",
            "2",
        ]
    )
    captured = capsys.readouterr()

    assert code == 0, captured.err
    results = {}
    for line in captured.out.splitlines():
        match = LINE_RE.fullmatch(line)
        assert match, f"not `name: value unit (ratio)`: {line!r}"
        results[match["name"]] = match.groupdict()
    bare_lines = [*PAGES, *(f"{p}_p50_ms" for p in PAGES), *(f"{p}_p95_ms" for p in PAGES)]
    assert list(results) == [*bare_lines, *VS_STOCK]
    assert {results[name]["baseline"] for name in bare_lines} == {"bare"}
    for name in VS_STOCK:
        assert results[name]["baseline"] == f"stock_{name.split('_')[1]}"
    assert float(results["bare_view"]["value"]) > 0
    for page in PAGES:
        assert results[page]["unit"] == "req/s"  # a slow page on a busy machine may finish none within the second
        assert float(results[f"{page}_p95_ms"]["value"]) >= float(results[f"{page}_p50_ms"]["value"]) > 0

    # gunicorn served this test's database; the county's queue is a part of the city's, the province sees all
    assert f"database {connection.settings_dict['NAME']}" in captured.err
    queues = re.search(
        r"queues: county \(450103\) (\d+), city \(450100\) (\d+), province \(450000\) (\d+)", captured.err
    )
    assert queues, captured.err
    county, city, province = map(int, queues.groups())
    assert 0 < county < city < province == 60
    for page in PAGES:
        note = re.search(rf"^· {page}: (\d+) requests .* every one 200 with the page's marker", captured.err, re.M)
        assert note and int(note[1]) > 0, page

    # without --keep: the records, the officials, their sessions, the authorities and the enterprises are gone
    assert not Record.objects.exists()
    assert [model.objects.count() for model in (User, Enterprise, Authority, Department)] == counts


@pytest.mark.django_db
def test_queue_page_refuses_to_empty_tables_that_hold_data(capsys):
    from projects.models import Record
    from tests.factories import RecordFactory

    RecordFactory()
    code = main(["queue_page", "--records", "10", "--seconds", "1"])
    captured = capsys.readouterr()

    assert code == 1
    assert captured.out == ""
    assert "projects_record" in captured.err
    assert Record.objects.count() == 1
