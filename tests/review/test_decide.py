"""审核通过 / 审核不通过: who may decide (P2, J9), what a decision writes (grades, data source, reviewer), the log,
and the row lock that lets exactly one of two deciders win."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from django.db import connection, transaction
from django.utils import translation

from accounts.errors import DomainError
from accounts.models import Role
from projects.codes import DataLevel, DataSource
from projects.models import Record, RecordStatus
from review.models import RecordTransition, TransitionBy
from review.services import approve_record, auto_approve_overdue, reject_record
from tests.factories import UserFactory, authority_for, department_for, official

from .decisions import NIGHT_AFTER, SHANGHAI, D, fresh, stages, submitted_record

pytestmark = pytest.mark.django_db

DECIDED_AT = dt.datetime(2017, 12, 4, 9, 30, tzinfo=SHANGHAI)


@pytest.fixture
def record(firm_a, clerk_a, county_reviewer):
    return submitted_record(firm_a, clerk_a)


def refused_code(action, **kwargs) -> str:
    with pytest.raises(DomainError) as info:
        action(**kwargs)
    return info.value.code


# ------------------------------------------------------------------------------------------------------------
# Approve and reject: what they write
# ------------------------------------------------------------------------------------------------------------


def test_g5_county_reviewer_approves_and_every_stage_names_the_reviewer(record, county_reviewer):
    with time_machine.travel(DECIDED_AT, tick=False):
        approved = approve_record(record_id=record.pk, user=county_reviewer)
    record = fresh(record)
    assert approved.pk == record.pk
    assert record.status == RecordStatus.APPROVED
    assert record.decided_at == DECIDED_AT
    assert record.version == 3  # created 1, submitted 2, approved 3
    authority = county_reviewer.authority
    for key, stage in stages(record).items():
        assert stage.check_depart_name == f"{authority.name}建筑市场监管科", key
        assert stage.check_person_name == county_reviewer.real_name, key
        assert stage.data_level == DataLevel.C, key
        assert stage.data_source == DataSource.BACKFILL, key  # every date is years before the submission
    row = RecordTransition.objects.filter(record=record).first()  # newest first
    assert (row.from_status, row.to_status, row.at, row.by) == (
        RecordStatus.SUBMITTED,
        RecordStatus.APPROVED,
        DECIDED_AT,
        TransitionBy.PERSON,
    )
    assert (row.actor, row.actor_name, row.actor_department, row.actor_authority, row.actor_level) == (
        county_reviewer,
        county_reviewer.real_name,
        "建筑市场监管科",
        authority.name,
        "county",
    )


def test_data_source_follows_the_one_year_rule_per_stage(firm_a, clerk_a, county_reviewer):
    # Completed 2017-06-01, filed 2017-06-21: within a year of the 2017-12-01 submission; the earlier stages are not.
    record = submitted_record(firm_a, clerk_a, completed=D(2017, 6, 1))
    approve_record(record_id=record.pk, user=county_reviewer)
    sources = {key: stage.data_source for key, stage in stages(record).items()}
    assert sources == {
        "project": DataSource.BACKFILL,
        "censor": DataSource.BACKFILL,
        "tender": DataSource.BACKFILL,
        "contract": DataSource.BACKFILL,
        "licence": DataSource.BACKFILL,
        "finish_check": DataSource.REGISTRATION,
        "finish_record": DataSource.REGISTRATION,
    }


def test_provincial_staff_approval_is_grade_a(record, provincial_staff):
    approve_record(record_id=record.pk, user=provincial_staff)
    assert {stage.data_level for stage in stages(record).values()} == {DataLevel.A}


def test_city_bureau_approval_is_grade_b(firm_a, clerk_a, city_reviewer_x):
    # 兴宁区 (450102) has no reviewer of its own: the city of Nanning reviews it (P2).
    record = submitted_record(firm_a, clerk_a, county="450102")
    assert record.responsible_authority == city_reviewer_x.authority
    approve_record(record_id=record.pk, user=city_reviewer_x)
    assert {stage.data_level for stage in stages(record).values()} == {DataLevel.B}


def test_g5_reject_keeps_the_reason_and_leaves_the_stages_alone(record, county_reviewer):
    with time_machine.travel(DECIDED_AT, tick=False):
        reject_record(record_id=record.pk, user=county_reviewer, reason="  中标通知书与合同金额不一致  ")
    record = fresh(record)
    assert record.status == RecordStatus.REJECTED
    assert record.decided_at == DECIDED_AT
    assert record.is_editable_by_enterprise
    row = RecordTransition.objects.filter(record=record).first()
    assert (row.to_status, row.actor) == (RecordStatus.REJECTED, county_reviewer)
    assert row.reason == "中标通知书与合同金额不一致"
    assert {stage.check_person_name for stage in stages(record).values()} == {""}


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_g5_a_rejection_needs_a_reason(record, county_reviewer, reason):
    assert refused_code(reject_record, record_id=record.pk, user=county_reviewer, reason=reason) == "reason_required"
    assert fresh(record).status == RecordStatus.SUBMITTED


def test_a_decided_record_cannot_be_decided_again_and_the_message_names_its_status(record, county_reviewer):
    approve_record(record_id=record.pk, user=county_reviewer)
    with pytest.raises(DomainError) as info:
        reject_record(record_id=record.pk, user=county_reviewer, reason="晚了")
    assert info.value.code == "already_decided"
    assert str(RecordStatus.APPROVED.label) in str(info.value)
    assert RecordTransition.objects.filter(record=record).count() == 2  # submit + approve


def test_a_draft_is_not_pending(firm_a, county_reviewer):
    from .builders import valid_record

    record = valid_record(firm_a)
    Record.objects.filter(pk=record.pk).update(responsible_authority=county_reviewer.authority)
    assert refused_code(approve_record, record_id=record.pk, user=county_reviewer) == "not_pending"


def test_an_unknown_record_is_not_found(county_reviewer):
    assert refused_code(approve_record, record_id=987654321, user=county_reviewer) == "not_found"


# ------------------------------------------------------------------------------------------------------------
# Who may decide (P2): the jurisdiction matrix
# ------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "may"),
    [
        ("county_reviewer", True),  # the responsible authority (青秀区)
        ("provincial_staff", True),  # the provincial office of Guangxi
        ("city_reviewer_x", False),  # the city above: the county has reviewers, so it is not responsible (P2)
        ("city_reviewer_y", False),  # another city (桂林)
        ("clerk_a", False),  # the enterprise itself
        ("clerk_b", False),
    ],
)
@pytest.mark.parametrize("decide", ["approve", "reject"])
def test_p2_jurisdiction_matrix(cast, firm_a, clerk_a, who, may, decide):
    record = submitted_record(firm_a, clerk_a)
    user = cast[who]

    def act():
        if decide == "approve":
            return approve_record(record_id=record.pk, user=user)
        return reject_record(record_id=record.pk, user=user, reason="材料不全")

    if may:
        act()
        assert fresh(record).status == (RecordStatus.APPROVED if decide == "approve" else RecordStatus.REJECTED)
    else:
        with pytest.raises(DomainError) as info:
            act()
        assert info.value.code == "not_your_jurisdiction"
        assert fresh(record).status == RecordStatus.SUBMITTED


def test_p2_provincial_staff_of_another_province_may_not_decide(record):
    jilin_staff = official("jl_staff", Role.PROVINCIAL, "220000")
    assert refused_code(approve_record, record_id=record.pk, user=jilin_staff) == "not_your_jurisdiction"


def test_g6_direct_review_records_are_decided_by_provincial_staff_only(record, county_reviewer, provincial_staff):
    Record.objects.filter(pk=record.pk).update(status=RecordStatus.DIRECT_REVIEW)  # no request transition yet
    assert refused_code(approve_record, record_id=record.pk, user=county_reviewer) == "not_your_jurisdiction"
    approve_record(record_id=record.pk, user=provincial_staff)
    assert fresh(record).status == RecordStatus.APPROVED
    assert RecordTransition.objects.filter(record=record).first().from_status == RecordStatus.DIRECT_REVIEW


# ------------------------------------------------------------------------------------------------------------
# J9: real name and department before deciding
# ------------------------------------------------------------------------------------------------------------


def test_j9_a_reviewer_without_real_name_cannot_decide(record, county_reviewer):
    county_reviewer.real_name = "  "
    county_reviewer.save()
    with translation.override("en"), pytest.raises(DomainError) as info:
        approve_record(record_id=record.pk, user=county_reviewer)
    assert info.value.code == "real_name_required"
    assert "real name" in str(info.value)
    assert fresh(record).status == RecordStatus.SUBMITTED


def test_j9_a_reviewer_without_department_cannot_decide(record, county_reviewer):
    anonymous = UserFactory(
        username="county_no_dept", role=Role.REVIEWER, authority=county_reviewer.authority, real_name=""
    )
    with translation.override("en"), pytest.raises(DomainError) as info:
        reject_record(record_id=record.pk, user=anonymous, reason="材料不全")
    assert info.value.code == "real_name_required"
    assert "real name" in str(info.value)
    assert "department" in str(info.value)


def test_j9_the_message_is_chinese(record, county_reviewer):
    county_reviewer.department = None
    county_reviewer.save()
    with translation.override("zh-hans"), pytest.raises(DomainError) as info:
        approve_record(record_id=record.pk, user=county_reviewer)
    assert "J9" in str(info.value)
    assert "missing" not in str(info.value)


def test_j9_the_department_must_be_registered_for_the_reviewer(record, county_reviewer):
    department_for(authority_for("450103"), "另一个科")  # exists, but not the reviewer's
    county_reviewer.department = None
    county_reviewer.save()
    assert refused_code(approve_record, record_id=record.pk, user=county_reviewer) == "real_name_required"


# ------------------------------------------------------------------------------------------------------------
# Races: the row lock lets exactly one decision through
# ------------------------------------------------------------------------------------------------------------


def _run_at_once(*actions) -> list:
    """Run the actions in threads released together; each closes its own connection."""
    barrier = threading.Barrier(len(actions))
    outcomes: list = [None] * len(actions)

    def run(i, action):
        try:
            barrier.wait()
            outcomes[i] = action()
        except DomainError as exc:
            outcomes[i] = exc.code
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_deciding_at_once_one_wins(seeded, firm_a, clerk_a, county_reviewer, provincial_staff):
    record = submitted_record(firm_a, clerk_a)
    outcomes = _run_at_once(
        lambda: approve_record(record_id=record.pk, user=county_reviewer) and "approved",
        lambda: reject_record(record_id=record.pk, user=provincial_staff, reason="材料不全") and "rejected",
    )
    assert sorted(outcomes) in (["already_decided", "approved"], ["already_decided", "rejected"])
    decisions = RecordTransition.objects.filter(record=record).exclude(to_status=RecordStatus.SUBMITTED)
    assert decisions.count() == 1
    assert fresh(record).status == decisions.get().to_status


@pytest.mark.django_db(transaction=True)
def test_two_approvals_at_once_approve_once(seeded, firm_a, clerk_a, county_reviewer, provincial_staff):
    record = submitted_record(firm_a, clerk_a)
    outcomes = _run_at_once(
        lambda: approve_record(record_id=record.pk, user=county_reviewer) and "approved",
        lambda: approve_record(record_id=record.pk, user=provincial_staff) and "approved",
    )
    assert sorted(outcomes) == ["already_decided", "approved"]
    assert RecordTransition.objects.filter(record=record, to_status=RecordStatus.APPROVED).count() == 1


@pytest.mark.django_db(transaction=True)
def test_g5_approval_and_the_nightly_job_at_once_decide_once(seeded, firm_a, clerk_a, county_reviewer):
    record = submitted_record(firm_a, clerk_a)
    with time_machine.travel(NIGHT_AFTER, tick=False):
        outcomes = _run_at_once(
            lambda: approve_record(record_id=record.pk, user=county_reviewer) and "approved",
            lambda: auto_approve_overdue(),
        )
    assert outcomes in (["approved", 0], ["already_decided", 1])
    rows = RecordTransition.objects.filter(record=record, to_status=RecordStatus.APPROVED)
    assert rows.count() == 1
    assert rows.get().by == (TransitionBy.PERSON if outcomes[0] == "approved" else TransitionBy.NIGHTLY_JOB)


def _wait_until_blocked_on_a_lock(result: list, timeout: float = 30) -> None:
    """Poll PostgreSQL until another session waits for a row lock (synchronisation, not a clock)."""
    import time

    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT pg_stat_clear_snapshot()")  # the view is a snapshot per transaction
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                return
            assert not result, result
            time.sleep(0.05)
    raise AssertionError("the nightly job never waited for the reviewer's lock")


@pytest.mark.django_db(transaction=True)
def test_g5_the_nightly_job_waits_for_a_reviewer_holding_the_record_and_then_skips_it(
    seeded, firm_a, clerk_a, county_reviewer
):
    record = submitted_record(firm_a, clerk_a)
    result: list = []

    def nightly():
        try:
            result.append(auto_approve_overdue(now=NIGHT_AFTER))
        except Exception as exc:  # reported by the assertion below
            result.append(exc)
        finally:
            connection.close()

    with time_machine.travel(NIGHT_AFTER + dt.timedelta(hours=8), tick=False), transaction.atomic():
        approve_record(record_id=record.pk, user=county_reviewer)  # the row stays locked until this block commits
        thread = threading.Thread(target=nightly)
        thread.start()
        _wait_until_blocked_on_a_lock(result)
    thread.join(timeout=60)
    assert result == [0]
    rows = RecordTransition.objects.filter(record=record, to_status=RecordStatus.APPROVED)
    assert [row.by for row in rows] == [TransitionBy.PERSON]
    assert stages(record)["tender"].check_person_name == county_reviewer.real_name
