"""`python -m bench public_search` on a tiny load: the records are loaded published, every query kind is measured
without and with the search indexes, the lines have the `name: value unit (ratio)` form, the indexes are there again
and nothing is left behind."""

from __future__ import annotations

import pytest

from bench.__main__ import main
from bench.common import LINE_RE

KINDS = ("name2", "name3", "name4", "enterprise", "region_year")


@pytest.mark.django_db
def test_public_search_measures_every_kind_with_and_without_the_indexes(capsys):
    from accounts.models import Enterprise
    from bench.public_search import search_indexes
    from projects.models import Record

    enterprises = Enterprise.objects.count()
    indexes = search_indexes()
    code = main(["public_search", "--records", "120", "--queries", "4", "--enterprises", "3"])
    captured = capsys.readouterr()

    assert code == 0, captured.err
    results = {}
    for line in captured.out.splitlines():
        match = LINE_RE.fullmatch(line)
        assert match, f"not `name: value unit (ratio)`: {line!r}"
        results[match["name"]] = match.groupdict()
    expected = [f"{kind}{part}_p{p}" for kind in KINDS for p in (50, 95) for part in ("_no_index", "")]
    assert list(results) == expected
    assert {r["baseline"] for r in results.values()} == {"no_index"} and {r["unit"] for r in results.values()} == {"ms"}
    for kind in KINDS:
        assert float(results[f"{kind}_no_index_p50"]["ratio"]) == 1.0
        assert float(results[f"{kind}_p95"]["value"]) >= float(results[f"{kind}_p50"]["value"]) > 0
    assert "loaded 120 published records" in captured.err and "goal p95 ≤ 50 ms" in captured.err

    assert search_indexes() == indexes  # dropped for the first half, built again
    assert not Record.objects.exists() and Enterprise.objects.count() == enterprises


@pytest.mark.django_db
def test_public_search_refuses_to_empty_tables_that_hold_data(capsys):
    from projects.models import Record
    from tests.factories import RecordFactory

    RecordFactory()
    assert main(["public_search", "--records", "10"]) == 1
    assert "projects_record" in capsys.readouterr().err
    assert Record.objects.count() == 1
