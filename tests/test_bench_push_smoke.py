"""`python -m bench push` on a tiny load: the output format, every record pushed once through the outbox and once by
the plain loop (the benchmark checks the mock after each), the campaigns as they were, nothing left behind."""

from __future__ import annotations

import pytest

from bench.__main__ import main
from bench.common import LINE_RE
from projects.models import Campaign, Record
from sync.models import PushItem

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

NAMES = [
    "outbox_push",
    "plain_loop",
    "auto_approve_with_outbox_seconds",
    "auto_approve_outbox_insert_seconds",
    "auto_approve_without_outbox_seconds",
]


def test_push_prints_ratios_to_the_plain_loop_and_pushes_every_record(capsys):
    cutoffs = dict(Campaign.objects.values_list("pk", "national_cutoff"))
    code = main(["push", "--records", "30", "--enterprises", "3", "--batch", "10"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    results = {}
    for line in captured.out.splitlines():
        match = LINE_RE.fullmatch(line)
        assert match, f"not `name: value unit (ratio)`: {line!r}"
        results[match["name"]] = match.groupdict()
    assert list(results) == NAMES
    assert results["plain_loop"]["ratio"] == "1.00" and float(results["outbox_push"]["value"]) > 0
    assert "the mock holds every record once" in captured.err
    assert "outbox INSERT … SELECT" in captured.err
    assert dict(Campaign.objects.values_list("pk", "national_cutoff")) == cutoffs
    assert not Record.objects.exists() and not PushItem.objects.exists()
