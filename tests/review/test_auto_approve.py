"""逾期视为审核通过 (G5, P1): the nightly job approves every overdue submitted record, set-based, idempotent, safe to
run twice at once; its grade follows the campaign (P1) and its log and history never name a person."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Region
from grading import grades
from projects.codes import DataLevel, DataSource
from projects.models import AutoApprovalGrade, Campaign, Record, RecordEvent, RecordStatus
from review.models import RecordTransition, TransitionBy
from review.services import AUTO_APPROVED, NIGHTLY_ACTOR, auto_approve_overdue

from .decisions import DUE, NIGHT_AFTER, SHANGHAI, D, fresh, stages, submitted_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def overdue(firm_a, clerk_a, county_reviewer):
    return submitted_record(firm_a, clerk_a)


def test_g5_overdue_is_approved_as_overdue_approval(overdue, county_reviewer):
    assert auto_approve_overdue(now=NIGHT_AFTER) == 1
    record = fresh(overdue)
    assert record.status == RecordStatus.APPROVED
    assert record.decided_at == NIGHT_AFTER
    assert record.version == 3
    authority = county_reviewer.authority
    for key, stage in stages(record).items():
        assert stage.check_depart_name == authority.name, key
        assert stage.check_person_name == AUTO_APPROVED, key  # P1: never a person's name
        assert stage.data_level == DataLevel.C, key  # P1 default: the level of the responsible authority
        assert stage.data_source == DataSource.BACKFILL, key
    row = RecordTransition.objects.get(record=record, to_status=RecordStatus.APPROVED)
    assert (row.from_status, row.at, row.by, row.reason, row.actor, row.actor_name) == (
        RecordStatus.SUBMITTED,
        NIGHT_AFTER,
        TransitionBy.NIGHTLY_JOB,
        AUTO_APPROVED,
        None,
        "",
    )


def test_g5_not_yet_due_is_untouched(overdue):
    assert auto_approve_overdue(now=DUE) == 0  # the last second of the window: still the reviewer's
    assert auto_approve_overdue(now=DUE - dt.timedelta(days=2)) == 0
    record = fresh(overdue)
    assert record.status == RecordStatus.SUBMITTED
    assert record.decided_at is None
    assert {stage.check_person_name for stage in stages(record).values()} == {""}
    assert not RecordTransition.objects.filter(record=record, to_status=RecordStatus.APPROVED).exists()


def test_g5_only_submitted_records_are_touched(overdue, firm_b, clerk_b, county_reviewer):
    other = submitted_record(firm_b, clerk_b)
    Record.objects.filter(pk=other.pk).update(status=RecordStatus.DIRECT_REVIEW)  # G6: never approved by timeout
    assert auto_approve_overdue(now=NIGHT_AFTER) == 1
    assert fresh(other).status == RecordStatus.DIRECT_REVIEW


def test_g5_running_twice_changes_nothing(overdue):
    assert auto_approve_overdue(now=NIGHT_AFTER) == 1
    first = fresh(overdue)
    events = RecordEvent.objects.count()
    assert auto_approve_overdue(now=NIGHT_AFTER + dt.timedelta(days=1)) == 0
    again = fresh(overdue)
    assert (again.decided_at, again.version, again.updated_at) == (first.decided_at, first.version, first.updated_at)
    assert RecordTransition.objects.filter(record=overdue, to_status=RecordStatus.APPROVED).count() == 1
    assert RecordEvent.objects.count() == events


def test_p1_a_campaign_can_grade_overdue_records_d(overdue, firm_b, clerk_b, jilin):
    Campaign.objects.filter(pk=overdue.campaign_id).update(auto_approval_grade=AutoApprovalGrade.D)
    assert auto_approve_overdue(now=NIGHT_AFTER) == 1
    record = fresh(overdue)
    assert {stage.data_level for stage in stages(record).values()} == {DataLevel.D}
    assert grades.auto_approval_level(record) == DataLevel.D
    assert {stage.check_person_name for stage in stages(record).values()} == {AUTO_APPROVED}


def test_p1_the_grade_follows_the_responsible_authority(firm_a, clerk_a, city_reviewer_x, provincial_staff):
    city = submitted_record(firm_a, clerk_a, county="450102")  # 兴宁区: no county reviewer, the city reviews
    other = submitted_record(firm_a, clerk_a, county="450108")  # 良庆区: the city too, unless the province takes it
    Record.objects.filter(pk=other.pk).update(responsible_authority=provincial_staff.authority)
    assert auto_approve_overdue(now=NIGHT_AFTER) == 2
    assert {s.data_level for s in stages(city).values()} == {DataLevel.B}
    assert {s.check_depart_name for s in stages(city).values()} == {city_reviewer_x.authority.name}
    assert {s.data_level for s in stages(other).values()} == {DataLevel.A}
    for record in (city, other):
        assert grades.auto_approval_level(fresh(record)) == stages(record)["tender"].data_level


def test_the_set_based_data_source_agrees_with_the_one_year_rule(firm_a, clerk_a, county_reviewer):
    record = submitted_record(firm_a, clerk_a, completed=D(2017, 6, 1))
    assert auto_approve_overdue(now=NIGHT_AFTER) == 1
    submitted_on = record.submitted_at.astimezone(SHANGHAI).date()
    for key, stage in stages(record).items():
        expected = grades.data_source_for(getattr(stage, grades.STAGE_DATE_FIELDS[key]), submitted_on)
        assert stage.data_source == expected, key
    assert stages(record)["finish_record"].data_source == DataSource.REGISTRATION
    assert stages(record)["tender"].data_source == DataSource.BACKFILL


@pytest.mark.parametrize(
    ("business", "submitted", "source"),
    [
        (D(2016, 12, 1), D(2017, 12, 1), DataSource.REGISTRATION),  # exactly one year: not more
        (D(2016, 11, 30), D(2017, 12, 1), DataSource.BACKFILL),
        (D(2019, 2, 27), D(2020, 2, 29), DataSource.BACKFILL),  # 29 February: a year before is 28 February
        (D(2019, 2, 28), D(2020, 2, 29), DataSource.REGISTRATION),
        (None, D(2017, 12, 1), DataSource.REGISTRATION),
    ],
)
def test_one_year_rule_in_python_and_in_sql_agree(business, submitted, source):
    from django.db.models import DateField, Value

    assert grades.data_source_for(business, submitted) == source
    if business is not None:
        in_sql = (
            Region.objects.filter(code="450000")
            .annotate(d=Value(business, output_field=DateField()))
            .annotate(src=grades.data_source_expression("d", Value(submitted, output_field=DateField())))
            .values_list("src", flat=True)
            .get()
        )
        assert in_sql == source


def test_history_events_carry_the_nightly_actor(overdue):
    auto_approve_overdue(now=NIGHT_AFTER)
    event = RecordEvent.objects.filter(pgh_obj_id=overdue.pk, status=RecordStatus.APPROVED).get()
    assert event.pgh_context.metadata["actor"] == NIGHTLY_ACTOR


def _overdue_records(n: int, firm, clerk) -> list[Record]:
    return [submitted_record(firm, clerk) for _ in range(n)]


def test_query_count_does_not_grow_with_the_number_of_records(firm_a, clerk_a, firm_b, clerk_b, county_reviewer):
    _overdue_records(2, firm_a, clerk_a)
    with CaptureQueriesContext(connection) as few:
        assert auto_approve_overdue(now=NIGHT_AFTER) == 2
    _overdue_records(6, firm_b, clerk_b)
    with CaptureQueriesContext(connection) as many:
        assert auto_approve_overdue(now=NIGHT_AFTER + dt.timedelta(days=1)) == 6
    assert len(few.captured_queries) == len(many.captured_queries)
    assert len(many.captured_queries) <= 14  # 12, and the outbox: one INSERT … SELECT and one UPDATE (sync/)


def test_the_management_command_runs_the_job(overdue):
    with time_machine.travel(NIGHT_AFTER, tick=False):
        call_command("auto_approve_overdue")
    assert fresh(overdue).status == RecordStatus.APPROVED


def test_the_beat_entry_runs_the_task_at_half_past_midnight_shanghai(settings):
    from config.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["review.auto_approve_overdue"]
    assert entry["task"] == "review.tasks.auto_approve_overdue"
    assert entry["schedule"].hour == {0}
    assert entry["schedule"].minute == {30}
    assert settings.CELERY_TIMEZONE == "Asia/Shanghai"
    app.loader.import_default_modules()
    task = app.tasks["review.tasks.auto_approve_overdue"]
    assert task.acks_late is True


def test_the_task_calls_the_service(overdue):
    from review.tasks import auto_approve_overdue as task

    with time_machine.travel(NIGHT_AFTER, tick=False):
        assert task.apply().get() == 1
    assert fresh(overdue).status == RecordStatus.APPROVED


@pytest.mark.django_db(transaction=True)
def test_g5_two_runs_at_once_approve_each_record_once(seeded, firm_a, clerk_a, county_reviewer):
    records = _overdue_records(5, firm_a, clerk_a)
    counts: list[int] = []
    barrier = threading.Barrier(2)

    def run():
        try:
            barrier.wait()
            counts.append(auto_approve_overdue(now=NIGHT_AFTER))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sum(counts) == 5 and len(counts) == 2
    assert RecordTransition.objects.filter(to_status=RecordStatus.APPROVED, by=TransitionBy.NIGHTLY_JOB).count() == 5
    assert Record.objects.filter(pk__in=[r.pk for r in records], status=RecordStatus.APPROVED).count() == 5
