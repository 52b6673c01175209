"""`python -m bench auto_approve` on a tiny load: the output format, that the service approved every record
(transitions, every stage named and graded), that the baseline's history triggers fired, and nothing is left behind.

As in test_bench_smoke.py the benchmark runs inside the test's transaction (its transactions become savepoints;
VACUUM and CHECKPOINT are skipped), so everything it does is rolled back.
"""

from __future__ import annotations

import pytest

from bench.__main__ import main
from bench.common import LINE_RE
from projects import models as m

pytestmark = pytest.mark.django_db

NAMES = [
    "auto_approve_overdue",
    "plain_update",
    "auto_approve_overdue_seconds",
    "plain_update_seconds",
    "auto_approve_overdue_record_update_seconds",
    "auto_approve_overdue_stage_updates_seconds",
    "auto_approve_overdue_project_update_seconds",
    "auto_approve_overdue_transitions_insert_seconds",
    "auto_approve_overdue_rest_seconds",
    "auto_approve_overdue_history_rows",
    "plain_update_history_rows",
    "auto_approve_overdue_idle_ms",
    "plain_update_idle_ms",
]


def run_bench(capsys, *args: str) -> tuple[int, dict[str, dict], str]:
    code = main(["auto_approve", "--no-checkpoint", "--enterprises", "5", "--idle-runs", "2", *args])
    captured = capsys.readouterr()
    results = {}
    for line in captured.out.splitlines():
        match = LINE_RE.fullmatch(line)
        assert match, f"not `name: value unit (ratio)`: {line!r}"
        results[match["name"]] = match.groupdict()
    return code, results, captured.err


def test_auto_approve_prints_ratios_to_the_plain_update_and_approves_every_record(capsys):
    from review.models import RecordTransition, TransitionBy
    from review.services import AUTO_APPROVED

    code, results, err = run_bench(capsys, "--records", "40", "--keep")

    assert code == 0, err
    assert list(results) == NAMES
    assert results["plain_update"]["ratio"] == "1.00"
    assert {results[name]["baseline"] for name in NAMES[:-2]} == {"plain_update"}
    assert {results[name]["baseline"] for name in NAMES[-2:]} == {"plain_update_idle"}
    assert results["auto_approve_overdue"]["unit"] == "rows/s"
    assert results["auto_approve_overdue_idle_ms"]["unit"] == "ms"
    # the baseline ran with the history triggers on: one update row per record; the service's: every table it updates
    assert results["plain_update_history_rows"]["value"] == "40"
    assert int(results["auto_approve_overdue_history_rows"]["value"]) == 8 * 40
    assert "history triggers fired: 40 history rows written" in err

    # --keep leaves the service's phase (it runs last): every record approved by the nightly job, every stage named
    assert m.Record.objects.filter(status=m.RecordStatus.APPROVED).count() == 40
    assert RecordTransition.objects.filter(by=TransitionBy.NIGHTLY_JOB).count() == 40
    for model in [m.Project, m.Tender, m.Contract, m.Censor, m.BuilderLicence, m.FinishCheck, m.FinishRecord]:
        assert set(model.objects.values_list("check_person_name", flat=True)) == {AUTO_APPROVED}, model


def test_auto_approve_without_keep_leaves_nothing_behind(capsys):
    from accounts.models import Authority, Enterprise
    from review.models import RecordTransition

    authorities, enterprises = Authority.objects.count(), Enterprise.objects.count()
    code, results, err = run_bench(capsys, "--records", "12", "--repeat", "2")

    assert code == 0, err
    assert len(results) == len(NAMES)
    assert err.count("records approved and checked") == 2
    assert not m.Record.objects.exists()
    assert not RecordTransition.objects.exists()
    assert not m.Record.events.field.model.objects.exists()
    assert Authority.objects.count() == authorities
    assert Enterprise.objects.count() == enterprises


def test_auto_approve_refuses_to_empty_tables_that_hold_data(capsys):
    from tests.factories import RecordFactory

    RecordFactory()
    code, results, err = run_bench(capsys, "--records", "10")

    assert code == 1
    assert results == {}
    assert "projects_record" in err
    assert m.Record.objects.count() == 1
