"""`python -m bench legacy_import` at 200 records: the output format, the checks it runs (grades per department
level, no approved record queued, every log row by migration, the second run changing nothing, every approval pushed
to the mock once), and nothing left behind."""

from __future__ import annotations

import pytest

from accounts.models import Authority, Department, Enterprise, User
from bench.__main__ import main
from bench.common import LINE_RE
from legacy.models import LegacyRecord, LegacyReviewer
from projects.models import Record
from sync.models import PushItem

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_legacy_import_prints_rates_and_verifies_the_migration(capsys):
    before = {model: model.objects.count() for model in (User, Authority, Department, Enterprise)}
    code = main(["legacy_import", "--records", "200"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    results = {}
    for line in captured.out.splitlines():
        match = LINE_RE.fullmatch(line)
        assert match, f"not `name: value unit (ratio)`: {line!r}"
        results[match["name"]] = match.groupdict()
    assert list(results) == ["legacy_import", "legacy_reimport", "legacy_push", "legacy_check"]
    assert results["legacy_check"]["ratio"] == "1.00" and float(results["legacy_import"]["value"]) > 0
    assert "graded by its department's level on all seven stage tables: A " in captured.err
    assert "the review queue holds the 40 pending records and no approved one" in captured.err
    assert "200 log rows, all by migration" in captured.err
    assert "no table changed" in captured.err
    assert "push_to_national: 140 of 140 approved records pushed" in captured.err
    assert not Record.objects.exists() and not PushItem.objects.exists()
    assert not LegacyRecord.objects.exists() and not LegacyReviewer.objects.exists()
    assert {model: model.objects.count() for model in before} == before
