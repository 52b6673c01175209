"""G5: the working-day service — the chinesecalendar package, the overrides staff enter, never a guess."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
from django.utils import translation

from accounts.errors import DomainError
from review.models import CalendarYear, WorkdayOverride
from review.workdays import (
    UnknownCalendarDay,
    add_working_days,
    closing_deadline,
    is_workday,
    review_deadline,
    submission_deadline,
)

pytestmark = pytest.mark.django_db

D = dt.date
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=SHANGHAI)


def end(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=SHANGHAI)


# (label, submitted on, due on) for N = 3; each derived from the State Council's schedule as the package has it.
DEADLINES = [
    # 2017-09-30 (Sat) was a make-up working day; 10-01..10-08 National Day and Mid-Autumn.
    ("g5_national_day_2017_after_makeup_saturday", D(2017, 9, 29), D(2017, 10, 10)),
    ("g5_submitted_on_makeup_saturday_2017", D(2017, 9, 30), D(2017, 10, 11)),
    # Spring Festival 2018: 02-15..02-21 off, Saturday 02-24 a make-up working day.
    ("g5_spring_festival_2018_ends_on_makeup_saturday", D(2018, 2, 14), D(2018, 2, 24)),
    # New Year 2026: 01-01..01-03 off, Sunday 01-04 a make-up working day.
    ("g5_new_year_2026_makeup_sunday", D(2025, 12, 31), D(2026, 1, 6)),
    # Spring Festival 2026: Saturday 02-14 works, 02-15..02-23 off, Saturday 02-28 works.
    ("g5_spring_festival_2026", D(2026, 2, 12), D(2026, 2, 24)),
    ("g5_submitted_on_makeup_saturday_2026_02_28", D(2026, 2, 28), D(2026, 3, 4)),
    # Labour Day 2026: Saturday 05-09 a make-up working day.
    ("g5_labour_day_2026_makeup_saturday", D(2026, 5, 7), D(2026, 5, 11)),
    # National Day 2026: Sunday 09-20 works; 10-01..10-07 off; Saturday 10-10 works.
    ("g5_makeup_sunday_2026_09_20", D(2026, 9, 18), D(2026, 9, 22)),
    ("g5_national_day_2026_ends_on_makeup_saturday", D(2026, 9, 30), D(2026, 10, 10)),
    ("g5_national_day_2025_ends_on_makeup_saturday", D(2025, 9, 30), D(2025, 10, 11)),
    # Ordinary weeks.
    ("g5_friday_submission", D(2019, 3, 15), D(2019, 3, 20)),
    # A Saturday submission counts from Monday (working day 0), as chinese_calendar.find_workday does.
    ("g5_saturday_submission_counts_from_monday", D(2019, 3, 16), D(2019, 3, 21)),
    ("g5_sunday_before_spring_festival_2019", D(2019, 2, 3), D(2019, 2, 13)),
]


@pytest.mark.parametrize(("label", "submitted", "due"), DEADLINES, ids=[d[0] for d in DEADLINES])
def test_g5_deadline_table(label, submitted, due):
    assert add_working_days(submitted, 3) == due
    assert review_deadline(at(submitted), 3) == end(due)


def test_g5_deadline_is_the_end_of_the_day_in_shanghai():
    deadline = review_deadline(at(D(2017, 9, 29)), 3)
    assert deadline.tzinfo is not None
    assert deadline.astimezone(SHANGHAI).time() == dt.time(23, 59, 59)
    assert deadline == dt.datetime(2017, 10, 10, 15, 59, 59, tzinfo=dt.UTC)


def test_g5_the_submission_day_is_the_day_in_shanghai_not_utc():
    # 2017-09-29 17:30 UTC is already Saturday 2017-09-30 01:30 in Shanghai (a make-up working day).
    submitted = dt.datetime(2017, 9, 29, 17, 30, tzinfo=dt.UTC)
    assert review_deadline(submitted, 3) == end(D(2017, 10, 11))


@pytest.mark.parametrize("start", [D(2017, 9, 20) + dt.timedelta(days=i) for i in range(0, 40, 3)])
@pytest.mark.parametrize("n", [0, 1, 3, 5, -1, -3])
def test_g5_agrees_with_find_workday_when_there_are_no_overrides(start, n):
    assert add_working_days(start, n) == chinese_calendar.find_workday(n, start)


def test_j1_closing_deadline_is_three_working_days_before_the_close_date():
    # Guangxi closes on Saturday 2018-06-30: Fri 29, Thu 28, Wed 27.
    assert closing_deadline(D(2018, 6, 30)) == end(D(2018, 6, 27))
    # Jilin's old system closed on Saturday 2020-09-19.
    assert closing_deadline(D(2020, 9, 19)) == end(D(2020, 9, 16))


# J1 with the floor: Guangxi closes Sat 2018-06-30, so decisions are pulled in to Wed 06-27 (Fri 29, Thu 28, Wed 27);
# the deadline is max(min(G5's 3rd working day, 06-27), the submission's own working day). Dragon Boat: 06-16..06-18.
GUANGXI_CLOSE = D(2018, 6, 30)
J1_DEADLINES = [
    ("j1_well_before_the_close_the_normal_deadline", D(2018, 6, 14), D(2018, 6, 20)),  # Fri 15, Tue 19, Wed 20
    ("j1_submitted_on_dragon_boat_counts_from_tuesday", D(2018, 6, 18), D(2018, 6, 22)),  # Wed 20, Thu 21, Fri 22
    ("j1_normal_deadline_earlier_than_the_pull_in", D(2018, 6, 20), D(2018, 6, 25)),  # Thu 21, Fri 22, Mon 25
    ("j1_normal_deadline_equals_the_pull_in", D(2018, 6, 22), D(2018, 6, 27)),
    ("j1_weekend_before_is_pulled_in", D(2018, 6, 23), D(2018, 6, 27)),  # would be Thu 28
    ("j1_pulled_in", D(2018, 6, 25), D(2018, 6, 27)),  # would be Thu 28
    ("j1_pulled_in_to_the_day_after", D(2018, 6, 26), D(2018, 6, 27)),  # would be Fri 29
    ("j1_submitted_on_the_pull_in_day", D(2018, 6, 27), D(2018, 6, 27)),  # would be Mon 07-02
    ("j1_inside_the_last_days_due_the_same_day", D(2018, 6, 28), D(2018, 6, 28)),  # 06-27 is already past
    ("j1_the_last_working_day", D(2018, 6, 29), D(2018, 6, 29)),
    ("j1_on_the_close_saturday_due_the_next_working_day", D(2018, 6, 30), D(2018, 7, 2)),
]


@pytest.mark.parametrize(("label", "submitted", "due"), J1_DEADLINES, ids=[d[0] for d in J1_DEADLINES])
def test_j1_deadline_is_pulled_in_but_never_before_the_submission_day(label, submitted, due):
    assert submission_deadline(at(submitted), 3, GUANGXI_CLOSE) == end(due)
    # The rule spelled out with the package's own counting.
    normal = chinese_calendar.find_workday(3, submitted)
    pulled = chinese_calendar.find_workday(-3, GUANGXI_CLOSE)
    assert due == max(min(normal, pulled), chinese_calendar.find_workday(0, submitted))


@pytest.mark.parametrize("submitted", [D(2018, 6, 1) + dt.timedelta(days=i) for i in range(30)])
def test_j1_a_record_is_never_due_before_it_was_submitted(submitted):
    late_evening = at(submitted, 23) + dt.timedelta(minutes=59)
    deadline = submission_deadline(late_evening, 3, GUANGXI_CLOSE)
    assert deadline > late_evening
    assert is_workday(deadline.astimezone(SHANGHAI).date())
    assert deadline <= review_deadline(late_evening, 3)


def test_j1_without_a_close_date_the_deadline_is_g5s():
    assert submission_deadline(at(D(2018, 6, 28)), 3) == review_deadline(at(D(2018, 6, 28)), 3) == end(D(2018, 7, 3))


def test_j1_the_submission_day_is_the_day_in_shanghai():
    # 2018-06-27 17:00 UTC is already Thu 06-28 01:00 in Shanghai: due at the end of Thursday, not Wednesday.
    assert submission_deadline(dt.datetime(2018, 6, 27, 17, tzinfo=dt.UTC), 3, GUANGXI_CLOSE) == end(D(2018, 6, 28))


def test_package_days():
    assert is_workday(D(2026, 1, 4)) is True  # Sunday, make-up
    assert is_workday(D(2026, 10, 10)) is True  # Saturday, make-up
    assert is_workday(D(2026, 10, 1)) is False
    assert is_workday(D(2026, 11, 28)) is False  # an ordinary Saturday


# ------------------------------------------------------------------------------------------------------------
# Overrides and years the package does not know
# ------------------------------------------------------------------------------------------------------------


def test_g5_an_override_wins_over_the_package():
    WorkdayOverride.objects.create(day=D(2019, 3, 18), is_workday=False, note="临时放假")
    WorkdayOverride.objects.create(day=D(2019, 3, 23), is_workday=True, note="调休上班")
    assert is_workday(D(2019, 3, 18)) is False
    assert is_workday(D(2019, 3, 23)) is True
    # Fri 03-15: Mon 18 is off now; Tue 19, Wed 20, Thu 21.
    assert add_working_days(D(2019, 3, 15), 3) == D(2019, 3, 21)


def test_g5_2027_without_overrides_is_never_guessed():
    with pytest.raises(UnknownCalendarDay) as info:
        is_workday(D(2027, 1, 4))
    assert info.value.day == D(2027, 1, 4)
    assert info.value.code == "unknown_calendar_day"
    assert isinstance(info.value, DomainError)


def test_g5_a_deadline_walking_into_2027_without_overrides_raises():
    # Wed 2026-12-30 → Thu 31 (1), then 2027: unknown.
    with pytest.raises(UnknownCalendarDay) as info:
        review_deadline(at(D(2026, 12, 30)), 3)
    assert info.value.day == D(2027, 1, 1)


def test_g5_the_unknown_year_message_tells_staff_what_to_do():
    with translation.override("zh-hans"), pytest.raises(UnknownCalendarDay) as info:
        is_workday(D(2027, 5, 3))
    message = str(info.value)
    assert "2027" in message
    assert "工作日" in message
    assert "后台" in message or "管理" in message


# The real 2027 schedule is not published yet (the State Council's notice comes out late in 2026): the 2027 days below
# are invented but plausible — New Year off Fri 01-01; Spring Festival off Thu 02-04 to Fri 02-12 (9 days) with the
# make-up working days Sun 01-31 and Sat 02-20.
SOURCE_2027 = "国务院办公厅关于2027年部分节假日安排的通知 国办发明电〔2026〕X号（测试用虚构日程）"
SCHEDULE_2027 = [
    (D(2027, 1, 1), False, "元旦"),
    (D(2027, 1, 31), True, "春节调休上班"),
    *((D(2027, 2, 4) + dt.timedelta(days=i), False, "春节") for i in range(9)),
    (D(2027, 2, 20), True, "春节调休上班"),
]


def enter_2027_overrides() -> None:
    WorkdayOverride.objects.bulk_create(
        [WorkdayOverride(day=day, is_workday=works, note=note) for day, works, note in SCHEDULE_2027]
    )


def declare(year: int, *, complete: bool = True) -> CalendarYear:
    return CalendarYear.objects.create(year=year, source=SOURCE_2027, is_complete=complete)


@pytest.mark.parametrize("calendar_year", [None, "incomplete"])
def test_g5_2027_with_overrides_but_not_declared_complete_is_never_guessed(calendar_year):
    # The overrides staff entered are known; every other day of 2027 is not, whether or not the year is started.
    enter_2027_overrides()
    if calendar_year:
        declare(2027, complete=False)
    assert is_workday(D(2027, 1, 1)) is False
    assert is_workday(D(2027, 1, 31)) is True
    with pytest.raises(UnknownCalendarDay) as info:
        is_workday(D(2027, 1, 4))  # a Monday: Monday–Friday is not assumed
    assert info.value.day == D(2027, 1, 4)
    with pytest.raises(UnknownCalendarDay) as info:
        review_deadline(at(D(2026, 12, 30)), 3)  # Thu 31 (package), Fri 01-01 (override), Sat 01-02: unknown
    assert info.value.day == D(2027, 1, 2)
    with pytest.raises(UnknownCalendarDay):
        add_working_days(D(2027, 2, 3), 3)


def test_g5_a_complete_year_does_not_guess_another_year():
    enter_2027_overrides()
    declare(2027)
    with pytest.raises(UnknownCalendarDay) as info:
        add_working_days(D(2027, 12, 29), 3)  # Thu 30, Fri 31, then 2028
    assert info.value.day == D(2028, 1, 1)


def test_g5_2027_declared_complete_with_its_spring_festival():
    enter_2027_overrides()
    declare(2027)
    assert is_workday(D(2027, 1, 1)) is False
    assert is_workday(D(2027, 1, 4)) is True  # a Monday: the weekday rule of a complete year
    assert is_workday(D(2027, 1, 9)) is False  # an ordinary Saturday
    assert is_workday(D(2027, 1, 31)) is True  # make-up Sunday
    assert is_workday(D(2027, 2, 8)) is False  # a Monday of the Spring Festival
    assert is_workday(D(2027, 2, 20)) is True  # make-up Saturday
    # Wed 2026-12-30 → Thu 31 (package), Fri 2027-01-01 off, Mon 04, Tue 05.
    assert review_deadline(at(D(2026, 12, 30)), 3) == end(D(2027, 1, 5))
    # Thu 2027-01-28 → Fri 29, Sun 31 (make-up), Mon 02-01.
    assert review_deadline(at(D(2027, 1, 28)), 3) == end(D(2027, 2, 1))
    # Wed 2027-02-03 → the Spring Festival (02-04..02-12) → Mon 15, Tue 16, Wed 17.
    assert review_deadline(at(D(2027, 2, 3)), 3) == end(D(2027, 2, 17))
    # Submitted during the festival (Mon 02-08): working day 0 is Mon 15 → Tue 16, Wed 17, Thu 18.
    assert review_deadline(at(D(2027, 2, 8)), 3) == end(D(2027, 2, 18))
    # Wed 2027-02-17 → Thu 18, Fri 19, Sat 20 (make-up).
    assert review_deadline(at(D(2027, 2, 17)), 3) == end(D(2027, 2, 20))
    # Backwards (J1) across the festival: three working days before Mon 02-15 are Wed 02-03, Tue 02, Mon 01.
    assert add_working_days(D(2027, 2, 15), -3) == D(2027, 2, 1)


def test_g5_overrides_are_read_in_a_bounded_number_of_queries(django_assert_max_num_queries):
    WorkdayOverride.objects.create(day=D(2027, 1, 1), is_workday=False)
    with django_assert_max_num_queries(3):
        add_working_days(D(2026, 12, 1), 20)


def test_a_calendar_of_only_days_off_is_reported_not_looped_forever():
    WorkdayOverride.objects.bulk_create(
        [WorkdayOverride(day=D(2025, 1, 1) + dt.timedelta(days=i), is_workday=False) for i in range(450)]
    )
    with pytest.raises(DomainError) as info:
        add_working_days(D(2025, 1, 1), 1)
    assert info.value.code == "no_working_day"
