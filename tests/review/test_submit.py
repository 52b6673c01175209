"""提交审核: the one submit service — every problem at once (grading, G1–G4, J3), P2, G5/J1 deadlines, G7, the log."""

from __future__ import annotations

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from accounts.errors import DomainError
from accounts.models import Role
from projects.models import DeclaredProject, DeclaredSource, Project, Record, RecordStatus
from review.models import CalendarYear, RecordTransition, TransitionBy, WorkdayOverride
from review.services import SubmitRefused, submit_record
from review.workdays import UnknownCalendarDay
from tests.factories import EnterpriseFactory, UserFactory, authority_for

from .builders import valid_record

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
D = dt.date


def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SHANGHAI)


def end(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=SHANGHAI)


def fresh(record: Record) -> Record:
    return Record.objects.get(pk=record.pk)


def set_status(record: Record, status: str) -> None:
    Record.objects.filter(pk=record.pk).update(status=status)  # no reject/approve transitions yet (issue 5)


def refused(record: Record, user) -> list[tuple[str, str]]:
    with pytest.raises(SubmitRefused) as info:
        submit_record(record_id=record.pk, user=user)
    assert info.value.code == "refused"
    assert info.value.messages == [p.message for p in info.value.problems]
    return [(p.rule, p.path) for p in info.value.problems]


@pytest.fixture
def record(firm_a, clerk_a):
    return valid_record(firm_a)


# ------------------------------------------------------------------------------------------------------------
# The happy path
# ------------------------------------------------------------------------------------------------------------


def test_g5_submit_goes_to_the_county_bureau_due_in_three_working_days(record, clerk_a, county_reviewer, guangxi):
    with time_machine.travel(at(D(2017, 12, 1)), tick=False):  # a Friday
        submitted = submit_record(record_id=record.pk, user=clerk_a)
    record = fresh(record)
    assert submitted.pk == record.pk
    assert record.status == RecordStatus.SUBMITTED
    assert record.submitted_at == at(D(2017, 12, 1))
    assert record.responsible_authority == county_reviewer.authority
    assert record.review_deadline == end(D(2017, 12, 6))  # Mon 4, Tue 5, Wed 6
    assert record.track == guangxi.tracks.get(code="N")
    assert record.reaches_national is True
    assert record.version == 2


def test_g5_every_transition_is_logged_with_who_and_when(record, clerk_a, county_reviewer, firm_a):
    with time_machine.travel(at(D(2017, 12, 1)), tick=False):
        submit_record(record_id=record.pk, user=clerk_a)
    (row,) = RecordTransition.objects.filter(record=record)
    assert (row.from_status, row.to_status) == (RecordStatus.DRAFT, RecordStatus.SUBMITTED)
    assert row.at == at(D(2017, 12, 1))
    assert row.actor == clerk_a
    assert row.actor_name == clerk_a.real_name
    assert row.actor_enterprise == firm_a.name
    assert row.actor_authority == ""
    assert row.by == TransitionBy.PERSON


def test_p2_without_a_county_reviewer_the_city_bureau_reviews(record, clerk_a, city_reviewer_x):
    with time_machine.travel(at(D(2017, 12, 1)), tick=False):
        submit_record(record_id=record.pk, user=clerk_a)
    assert fresh(record).responsible_authority == city_reviewer_x.authority


def test_g5_deadline_across_a_weekend_and_late_evening(record, clerk_a, county_reviewer):
    # Friday 23:30 in Shanghai is still Friday: Mon 4, Tue 5, Wed 6.
    with time_machine.travel(at(D(2017, 12, 1), 23, 30), tick=False):
        submit_record(record_id=record.pk, user=clerk_a)
    assert fresh(record).review_deadline == end(D(2017, 12, 6))


def test_g3_grade_b_after_the_national_cutoff_stays_provincial(firm_b, clerk_b, county_reviewer, guangxi):
    record = valid_record(firm_b)
    with time_machine.travel(at(D(2018, 3, 1)), tick=False):
        submit_record(record_id=record.pk, user=clerk_b)
    record = fresh(record)
    assert record.track == guangxi.tracks.get(code="P")
    assert record.reaches_national is False


def test_j1_the_close_date_pulls_the_deadline_in(firm_b, clerk_b, county_reviewer):
    # Guangxi closes Sat 2018-06-30; decisions are due by the end of Wed 06-27 (3 working days before).
    early = valid_record(firm_b)
    with time_machine.travel(at(D(2018, 6, 21)), tick=False):  # Thu: Fri 22, Mon 25, Tue 26
        submit_record(record_id=early.pk, user=clerk_b)
    assert fresh(early).review_deadline == end(D(2018, 6, 26))

    late = valid_record(firm_b)
    with time_machine.travel(at(D(2018, 6, 25)), tick=False):  # Mon: would be Thu 06-28
        submit_record(record_id=late.pk, user=clerk_b)
    assert fresh(late).review_deadline == end(D(2018, 6, 27))


@pytest.mark.parametrize(
    ("submitted", "due"),
    [
        (at(D(2018, 6, 20)), D(2018, 6, 25)),  # Wed: Thu 21, Fri 22, Mon 25 comes before the pulled-in Wed 06-27
        (at(D(2018, 6, 28)), D(2018, 6, 28)),  # Thu: the pulled-in 06-27 is past; due the same day
        (at(D(2018, 6, 28), 23, 30), D(2018, 6, 28)),
        (at(D(2018, 6, 29)), D(2018, 6, 29)),  # Fri, the last working day before the close
    ],
    ids=["j1_before_the_last_days", "j1_inside_the_last_days", "j1_late_evening", "j1_last_working_day"],
)
def test_j1_a_record_submitted_in_the_last_days_is_due_the_same_day_not_in_the_past(
    firm_b, clerk_b, county_reviewer, submitted, due
):
    record = valid_record(firm_b)
    with time_machine.travel(submitted, tick=False):
        submit_record(record_id=record.pk, user=clerk_b)
    record = fresh(record)
    assert record.review_deadline == end(due)
    assert record.review_deadline >= record.submitted_at


def test_g7_a_rejected_record_can_be_submitted_again(record, clerk_a, county_reviewer):
    set_status(record, RecordStatus.REJECTED)
    with time_machine.travel(at(D(2017, 12, 4)), tick=False):
        submit_record(record_id=record.pk, user=clerk_a)
    assert fresh(record).status == RecordStatus.SUBMITTED
    (row,) = RecordTransition.objects.filter(record=record)
    assert row.from_status == RecordStatus.REJECTED


# ------------------------------------------------------------------------------------------------------------
# Refusals: every problem at once, nothing saved
# ------------------------------------------------------------------------------------------------------------


def test_g2_grade_a_after_the_national_deadline_is_accepted_provincially_only(record, clerk_a, county_reviewer):
    """ADR 0010: late is provincial, not refused — the port stays open to 2018-06-30, the record never reaches the
    national platform."""
    with time_machine.travel(at(D(2017, 12, 26)), tick=False), translation.override("zh-hans"):
        submit_record(record_id=record.pk, user=clerk_a)
    record = fresh(record)
    assert record.status == RecordStatus.SUBMITTED
    assert record.track.code == "N"
    assert record.reaches_national is False


def test_g4_survey_enterprises_open_on_2017_11_22(county_reviewer):
    firm = EnterpriseFactory(kinds=["survey"], qualifications=["SRV-COMP"])
    clerk = UserFactory(role=Role.ENTERPRISE, enterprise=firm)
    record = valid_record(firm)
    with time_machine.travel(at(D(2017, 11, 21)), tick=False):
        assert refused(record, clerk) == [("G4", "")]
    with time_machine.travel(at(D(2017, 11, 22)), tick=False):
        submit_record(record_id=record.pk, user=clerk)
    assert fresh(record).status == RecordStatus.SUBMITTED


def test_g1_a_project_outside_the_province_is_refused(firm_a, clerk_a, county_reviewer):
    record = valid_record(firm_a, county="220104")
    with time_machine.travel(at(D(2017, 12, 1)), tick=False), translation.override("zh-hans"):
        with pytest.raises(SubmitRefused) as info:
            submit_record(record_id=record.pk, user=clerk_a)
    (problem,) = info.value.problems
    assert (problem.rule, problem.path, problem.section) == ("G1", "project.county", "project")
    assert "区外" in problem.message


def test_g1_an_overseas_project_is_refused(record, clerk_a, county_reviewer):
    Project.objects.filter(pk=record.project_id).update(is_overseas=True)
    with time_machine.travel(at(D(2017, 12, 1)), tick=False):
        assert refused(record, clerk_a) == [("G1", "project.county")]


def test_g1_completed_after_the_cut_date_is_listed_once(record, clerk_a, county_reviewer):
    finish = record.finish_check
    finish.e_date = D(2017, 11, 20)
    finish.save()
    filing = record.finish_record
    filing.e_date = D(2017, 11, 25)
    filing.save()
    with time_machine.travel(at(D(2017, 12, 1)), tick=False):
        assert refused(record, clerk_a) == [("G1", "finish_check.e_date")]


@pytest.mark.parametrize("by", ["prj_num", "licence_cert_no"])
def test_j3_a_project_declared_elsewhere_is_refused(record, clerk_a, county_reviewer, by):
    number = record.project.prj_num if by == "prj_num" else record.licence.licence_cert_no
    DeclaredProject.objects.create(source=DeclaredSource.REFORM_SYSTEM, **{by: number})
    with time_machine.travel(at(D(2017, 12, 1)), tick=False), translation.override("zh-hans"):
        with pytest.raises(SubmitRefused) as info:
            submit_record(record_id=record.pk, user=clerk_a)
    (problem,) = info.value.problems
    path = "project.prj_num" if by == "prj_num" else "licence.licence_cert_no"
    assert (problem.rule, problem.path) == ("J3", path)
    assert number in problem.message
    assert "工改系统" in problem.message


def test_every_problem_is_listed_at_once_and_nothing_is_saved(record, clerk_a, county_reviewer):
    tender = record.tender
    tender.tender_money = None
    tender.save()
    DeclaredProject.objects.create(source=DeclaredSource.PERMIT_SYSTEM, licence_cert_no=record.licence.licence_cert_no)
    with time_machine.travel(at(D(2017, 12, 26)), tick=False):
        problems = refused(record, clerk_a)
    assert problems == [("M", "tender.tender_money"), ("J3", "licence.licence_cert_no")]
    record = fresh(record)
    assert record.status == RecordStatus.DRAFT
    assert record.version == 1
    assert record.responsible_authority is None
    assert not RecordTransition.objects.filter(record=record).exists()


def test_the_refusal_message_counts_the_problems(record, clerk_a, county_reviewer):
    tender = record.tender
    tender.tender_money = None
    tender.tender_class = "005"
    tender.save()
    with time_machine.travel(at(D(2017, 12, 1)), tick=False), translation.override("zh-hans"):
        with pytest.raises(SubmitRefused) as info:
            submit_record(record_id=record.pk, user=clerk_a)
    assert "2" in str(info.value)
    assert "提交" in str(info.value)


# ------------------------------------------------------------------------------------------------------------
# Who may submit what (G7)
# ------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [RecordStatus.SUBMITTED, RecordStatus.APPROVED, RecordStatus.DIRECT_REVIEW])
def test_g7_a_record_out_of_the_enterprise_hands_is_locked(record, clerk_a, status):
    set_status(record, status)
    with time_machine.travel(at(D(2017, 12, 1)), tick=False):
        with pytest.raises(DomainError) as info:
            submit_record(record_id=record.pk, user=clerk_a)
    assert info.value.code == "locked"
    assert fresh(record).status == status


def test_another_enterprise_cannot_submit(record, clerk_b):
    with pytest.raises(DomainError) as info:
        submit_record(record_id=record.pk, user=clerk_b)
    assert info.value.code == "forbidden"


def test_an_official_cannot_submit_for_the_enterprise(record, county_reviewer, provincial_staff):
    for user in (county_reviewer, provincial_staff):
        with pytest.raises(DomainError) as info:
            submit_record(record_id=record.pk, user=user)
        assert info.value.code == "forbidden"


def test_an_unknown_record(clerk_a):
    with pytest.raises(DomainError) as info:
        submit_record(record_id=999_999_999, user=clerk_a)
    assert info.value.code == "not_found"


# ------------------------------------------------------------------------------------------------------------
# The calendar the package does not know
# ------------------------------------------------------------------------------------------------------------


def test_g5_a_deadline_in_2027_without_the_calendar_is_refused_not_guessed(firm_a, clerk_a):
    authority_for("220000")
    record = valid_record(firm_a, jilin=True)
    with time_machine.travel(at(D(2026, 12, 30)), tick=False):
        with pytest.raises(UnknownCalendarDay):
            submit_record(record_id=record.pk, user=clerk_a)
    assert fresh(record).status == RecordStatus.DRAFT

    # An override of 2027 alone does not make the rest of the year known.
    WorkdayOverride.objects.create(day=D(2027, 1, 1), is_workday=False, note="元旦")
    with time_machine.travel(at(D(2026, 12, 30)), tick=False):
        with pytest.raises(UnknownCalendarDay):
            submit_record(record_id=record.pk, user=clerk_a)
    assert fresh(record).status == RecordStatus.DRAFT

    # Staff declare 2027 complete (an invented notice: the real 2027 schedule is not published yet).
    CalendarYear.objects.create(
        year=2027, source="国务院办公厅关于2027年部分节假日安排的通知（测试）", is_complete=True
    )
    with time_machine.travel(at(D(2026, 12, 30)), tick=False):
        submit_record(record_id=record.pk, user=clerk_a)
    record = fresh(record)
    assert record.review_deadline == end(D(2027, 1, 5))  # Thu 31, Mon 4, Tue 5
    assert record.responsible_authority.region_id == "220000"


def test_submit_runs_a_bounded_number_of_queries(firm_a, clerk_a, county_reviewer):
    small = valid_record(firm_a)
    big = valid_record(firm_a, units=10, corps=30, persons=30, staff=20)
    with time_machine.travel(at(D(2017, 12, 1)), tick=False):
        with CaptureQueriesContext(connection) as small_queries:
            submit_record(record_id=small.pk, user=clerk_a)
        with CaptureQueriesContext(connection) as big_queries:
            submit_record(record_id=big.pk, user=clerk_a)
    assert len(big_queries) == len(small_queries)
    assert len(big_queries) < 30


# ------------------------------------------------------------------------------------------------------------
# Races: the row lock lets exactly one submission through
# ------------------------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_tabs_submitting_at_once_submit_once(seeded, firm_a, clerk_a, county_reviewer):
    record = valid_record(firm_a)
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def submit():
        try:
            barrier.wait()
            submit_record(record_id=record.pk, user=clerk_a)
            outcomes.append("submitted")
        except DomainError as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    with time_machine.travel(at(D(2017, 12, 1))):
        threads = [threading.Thread(target=submit) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert sorted(outcomes) == ["locked", "submitted"]
    assert RecordTransition.objects.filter(record=record).count() == 1
