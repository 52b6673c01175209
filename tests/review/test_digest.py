"""The daily digest (issue 5 item 8): a reviewer's records due today and on the next working day (across weekends,
make-up Saturdays and 国庆), never a guessed day; provincial staff's bureaus that let records run over (P1) and the
calendar warning; the same digest as an admin page; the 07:30 mail, once a day, by the beat and the command."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from projects.models import Record, RecordStatus
from review import notices, tasks
from review.digest import DIGEST_ROWS, digest_for
from review.models import CalendarYear, DigestMail, WorkdayOverride
from review.services import auto_approve_overdue
from review.workdays import end_of_day
from tests.factories import authority_for

from .builders import valid_record
from .decisions import SHANGHAI, D, submitted_record

pytestmark = pytest.mark.django_db

DIGEST = "/admin/review/digest/"


@pytest.fixture(autouse=True)
def _isolated(settings):
    """Mails to locmem."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "https://yeji.example.gov.cn"


def pending(firm, due_on: dt.date, *, county: str = "450103", status: str = RecordStatus.SUBMITTED) -> Record:
    """A record waiting for review, due at the end of `due_on`, with the authority P2 gives a project of `county`
    in the cast (the county bureau of 青秀区, else the city bureau)."""
    record = valid_record(firm, county=county)
    authority = authority_for("450103" if county == "450103" else county[:4] + "00")
    if status == RecordStatus.DIRECT_REVIEW:
        authority = authority_for(county[:2] + "0000")
    deadline = end_of_day(due_on)
    Record.objects.filter(pk=record.pk).update(
        status=status,
        responsible_authority=authority,
        review_deadline=deadline,
        submitted_at=deadline - dt.timedelta(days=3),
    )
    return record


def prj_nums(due) -> set[str]:
    return {record.project.prj_num for record in due.rows}


# ----------------------------------------------------------------------------------------------------------------
# A reviewer: due today and on the next working day
# ----------------------------------------------------------------------------------------------------------------


def test_g5_a_friday_lists_today_and_monday(firm_a, clerk_a, county_reviewer, city_reviewer_y):
    # Submitted through the service: Tuesday → due Friday 2017-12-01; Wednesday → Monday 12-04; Thursday → Tuesday.
    friday = submitted_record(firm_a, clerk_a, at=dt.datetime(2017, 11, 28, 10, tzinfo=SHANGHAI))
    monday = submitted_record(firm_a, clerk_a, at=dt.datetime(2017, 11, 29, 10, tzinfo=SHANGHAI))
    tuesday = submitted_record(firm_a, clerk_a, at=dt.datetime(2017, 11, 30, 10, tzinfo=SHANGHAI))
    assert friday.review_deadline == end_of_day(D(2017, 12, 1))
    assert monday.review_deadline == end_of_day(D(2017, 12, 4))

    digest = digest_for(county_reviewer, D(2017, 12, 1))
    assert digest.today_is_workday is True
    assert (digest.due_today.day, digest.due_today.count) == (D(2017, 12, 1), 1)
    assert prj_nums(digest.due_today) == {friday.project.prj_num}
    assert (digest.due_next.day, digest.due_next.count) == (D(2017, 12, 4), 1)  # across the weekend
    assert prj_nums(digest.due_next) == {monday.project.prj_num}
    assert tuesday.project.prj_num not in prj_nums(digest.due_today) | prj_nums(digest.due_next)
    assert digest.worth_mailing and digest.overruns == [] and digest.calendar_warning is None

    assert digest_for(city_reviewer_y, D(2017, 12, 1)).is_empty  # 桂林: another jurisdiction


def test_g5_the_city_bureau_sees_its_counties_records_too(firm_a, city_reviewer_x, county_reviewer):
    county = pending(firm_a, D(2017, 12, 1))
    city = pending(firm_a, D(2017, 12, 1), county="450102")  # 兴宁区: the city bureau reviews it
    assert prj_nums(digest_for(city_reviewer_x, D(2017, 12, 1)).due_today) == {
        county.project.prj_num,
        city.project.prj_num,
    }
    assert prj_nums(digest_for(county_reviewer, D(2017, 12, 1)).due_today) == {county.project.prj_num}


def test_guoqing_the_make_up_saturday_and_the_eight_days_off(firm_a, county_reviewer):
    """2017: Saturday 30 September is a make-up working day, 1–8 October are off, work resumes Monday 9 October."""
    saturday = pending(firm_a, D(2017, 9, 30))
    holiday = pending(firm_a, D(2017, 10, 5))  # due on a day off (an override entered late): counted with the 9th
    after = pending(firm_a, D(2017, 10, 9))
    later = pending(firm_a, D(2017, 10, 10))

    friday = digest_for(county_reviewer, D(2017, 9, 29))
    assert friday.due_next.day == D(2017, 9, 30)  # the make-up Saturday is the next working day
    assert prj_nums(friday.due_next) == {saturday.project.prj_num}

    on_saturday = digest_for(county_reviewer, D(2017, 9, 30))
    assert on_saturday.today_is_workday is True
    assert prj_nums(on_saturday.due_today) == {saturday.project.prj_num}
    assert on_saturday.due_next.day == D(2017, 10, 9)
    assert prj_nums(on_saturday.due_next) == {holiday.project.prj_num, after.project.prj_num}
    assert later.project.prj_num not in prj_nums(on_saturday.due_next)

    in_the_holiday = digest_for(county_reviewer, D(2017, 10, 3))
    assert in_the_holiday.today_is_workday is False
    assert not in_the_holiday.worth_mailing  # nobody reviews today; the 9th's digest lists them as due today


def test_an_unknown_calendar_day_is_stated_not_guessed(firm_a, county_reviewer):
    """2026-12-31 is a Thursday the package knows; 2027 it does not: the next working day is not guessed."""
    today = pending(firm_a, D(2026, 12, 31))
    digest = digest_for(county_reviewer, D(2026, 12, 31))
    assert prj_nums(digest.due_today) == {today.project.prj_num}
    assert digest.due_next.day is None and digest.due_next.count == 0
    assert "2027" in digest.due_next.unknown

    # Staff enter 2027 (New Year's Day off) and declare it complete: now it is known.
    WorkdayOverride.objects.create(day=D(2027, 1, 1), is_workday=False, note="元旦")
    CalendarYear.objects.create(year=2027, source="国办发明电〔2026〕X号", is_complete=True)
    monday = pending(firm_a, D(2027, 1, 4))
    digest = digest_for(county_reviewer, D(2026, 12, 31))
    assert digest.due_next.day == D(2027, 1, 4) and digest.due_next.unknown == ""
    assert prj_nums(digest.due_next) == {monday.project.prj_num}


def test_the_rows_are_capped_and_the_count_is_complete(firm_a, county_reviewer, monkeypatch):
    monkeypatch.setattr("review.digest.DIGEST_ROWS", 2)
    for _ in range(3):
        pending(firm_a, D(2017, 12, 1))
    due = digest_for(county_reviewer, D(2017, 12, 1)).due_today
    assert (due.count, len(due.rows), due.more) == (3, 2, 1)
    assert DIGEST_ROWS >= 20


def test_an_overdue_record_is_never_called_due_today(client, firm_a, county_reviewer):
    """Issue 11: a record due 2017-12-11 still pending on 2017-12-13 is 已逾期, as the queue says — not 今日到期."""
    late = pending(firm_a, D(2017, 12, 11))
    today = pending(firm_a, D(2017, 12, 13))
    digest = digest_for(county_reviewer, D(2017, 12, 13))
    assert prj_nums(digest.overdue) == {late.project.prj_num}
    assert prj_nums(digest.due_today) == {today.project.prj_num}
    assert digest.due_count == 2 and digest.worth_mailing

    _subject, body = notices.render_digest_mail(digest)
    overdue_part, today_part = body.split("今日（")[0], body.split("今日（")[1]
    assert "已逾期" in overdue_part and late.project.prj_num in overdue_part
    assert late.project.prj_num not in today_part.split("下一个工作日")[0]

    client.force_login(county_reviewer)
    with time_machine.travel(dt.datetime(2017, 12, 13, 9, tzinfo=SHANGHAI), tick=False):
        page = client.get(DIGEST).content.decode()
    overdue_html = page.split('id="digest-overdue"')[1].split('id="digest-due-today"')[0]
    today_html = page.split('id="digest-due-today"')[1]
    assert late.project.prj_num in overdue_html and late.project.prj_num not in today_html
    assert today.project.prj_num in today_html


def test_j9_a_reviewer_who_may_not_decide_is_told_so_not_that_records_are_due(firm_a, county_reviewer):
    pending(firm_a, D(2017, 12, 1))
    county_reviewer.real_name = ""
    county_reviewer.save(update_fields=["real_name"])
    digest = digest_for(county_reviewer, D(2017, 12, 1))
    assert digest.due_today is None and digest.overdue is None and digest.due_count == 0
    assert "J9" in digest.cannot_decide and digest.worth_mailing
    _subject, body = notices.render_digest_mail(digest)
    assert "实名" in body and "今日（" not in body


def test_the_sweep_runs_every_hour_too(settings):
    """Issue 11 item 7: besides 00:30, the compare-and-set sweep runs at minute 5 of every hour."""
    entries = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "review.tasks.auto_approve_overdue"]
    schedules = {str(e["schedule"]) for e in entries}
    assert any(e["schedule"].hour == set(range(24)) and e["schedule"].minute == {5} for e in entries), schedules
    assert any(e["schedule"].hour == {0} and e["schedule"].minute == {30} for e in entries), schedules


# ----------------------------------------------------------------------------------------------------------------
# Provincial staff: the bureaus that let records run over, the calendar warning, their direct reviews
# ----------------------------------------------------------------------------------------------------------------


@pytest.fixture
def overnight(firm_a, firm_b, county_reviewer, city_reviewer_x):
    """The night of 2017-12-06/07: the nightly job approves two records of the 青秀区 bureau, one of the 南宁市
    bureau and one of a Jilin bureau; one more 青秀区 record was approved two nights earlier."""
    earlier = pending(firm_a, D(2017, 12, 4))
    auto_approve_overdue(now=dt.datetime(2017, 12, 5, 0, 30, tzinfo=SHANGHAI))
    pending(firm_a, D(2017, 12, 6))
    pending(firm_b, D(2017, 12, 6))
    pending(firm_a, D(2017, 12, 6), county="450102")
    pending(firm_a, D(2017, 12, 6), county="220104")
    assert auto_approve_overdue(now=dt.datetime(2017, 12, 7, 0, 30, tzinfo=SHANGHAI)) == 4
    return earlier


def test_p1_staff_learn_which_bureaus_let_records_run_over(overnight, provincial_staff, superuser):
    digest = digest_for(provincial_staff, D(2017, 12, 7))
    assert digest.since == dt.datetime(2017, 12, 6, 7, 30, tzinfo=SHANGHAI)
    assert [(o.name, o.count) for o in digest.overruns] == [
        (authority_for("450103").name, 2),
        (authority_for("450100").name, 1),
    ]  # most first; Jilin's bureau is another province's business; the earlier night is yesterday's digest
    assert digest.overrun_count == 3
    assert digest.worth_mailing and digest.calendar_warning is None

    everything = digest_for(superuser, D(2017, 12, 7))
    assert everything.overrun_count == 4
    assert everything.due_today is None  # a superuser reviews nothing

    assert digest_for(provincial_staff, D(2017, 12, 9)).overruns == []


def test_staff_are_never_told_every_bureau_was_in_time_while_one_holds_an_overdue_record(
    firm_a, provincial_staff, county_reviewer
):
    """Issue 11: 柳州 (here 青秀区) holds a record overdue since 2017-12-11 the sweep has not taken yet."""
    pending(firm_a, D(2017, 12, 11))
    pending(firm_a, D(2017, 12, 11), county="220104")  # Jilin's: another province
    digest = digest_for(provincial_staff, D(2017, 12, 13))
    assert [(o.name, o.count) for o in digest.overdue_now] == [(authority_for("450103").name, 1)]
    assert digest.worth_mailing
    _subject, body = notices.render_digest_mail(digest)
    assert "均按时审核" not in body and authority_for("450103").name in body


def test_staff_get_the_calendar_warning_alone(provincial_staff):
    digest = digest_for(provincial_staff, D(2026, 12, 31))
    assert "2027" in digest.calendar_warning
    assert digest.overruns == [] and digest.due_count == 0
    assert digest.worth_mailing


def test_g6_staff_see_their_direct_reviews_due(firm_a, provincial_staff, county_reviewer):
    direct = pending(firm_a, D(2017, 12, 1), status=RecordStatus.DIRECT_REVIEW)
    pending(firm_a, D(2017, 12, 1))  # the county bureau's, not the office's
    digest = digest_for(provincial_staff, D(2017, 12, 1))
    assert prj_nums(digest.due_today) == {direct.project.prj_num}


def test_nobody_else_has_a_digest(clerk_a):
    digest = digest_for(clerk_a, D(2017, 12, 1))
    assert digest.kind == "" and digest.is_empty and not digest.worth_mailing


def test_the_digest_runs_a_bounded_number_of_queries(
    firm_a, county_reviewer, provincial_staff, overnight, django_assert_max_num_queries
):
    for _ in range(4):
        pending(firm_a, D(2017, 12, 7))
        pending(firm_a, D(2017, 12, 8))
    with django_assert_max_num_queries(8):
        digest_for(county_reviewer, D(2017, 12, 7))
    with django_assert_max_num_queries(10):
        digest_for(provincial_staff, D(2017, 12, 7))


# ----------------------------------------------------------------------------------------------------------------
# The admin page
# ----------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who", ["county_reviewer", "city_reviewer_x", "city_reviewer_y", "provincial_staff", "superuser"]
)
def test_the_admin_page_shows_the_digest_to_each_official(
    client, cast, who, firm_a, overnight, django_assert_max_num_queries
):
    due = pending(firm_a, D(2017, 12, 7))
    client.force_login(cast[who])
    with time_machine.travel(dt.datetime(2017, 12, 7, 9, 0, tzinfo=SHANGHAI), tick=False):
        with django_assert_max_num_queries(20):
            response = client.get(DIGEST)
    assert response.status_code == 200
    body = response.content.decode()
    if who in ("county_reviewer", "city_reviewer_x"):
        assert 'id="digest-due-today"' in body and due.project.prj_name in body
        assert f'href="/admin/review/reviewqueueitem/{due.pk}/change/"' in body
    if who in ("provincial_staff", "superuser"):
        assert 'id="digest-overruns"' in body and authority_for("450103").name in body
    if who == "city_reviewer_y":
        assert due.project.prj_name not in body


def test_the_admin_index_links_the_digest(client, county_reviewer):
    client.force_login(county_reviewer)
    body = client.get("/admin/").content.decode()
    assert f'href="{DIGEST}"' in body


def test_the_admin_page_says_when_the_next_working_day_is_unknown(client, county_reviewer, provincial_staff):
    with time_machine.travel(dt.datetime(2026, 12, 31, 8, 0, tzinfo=SHANGHAI), tick=False):
        client.force_login(county_reviewer)  # logged in on the day: a session of today would have expired
        body = client.get(DIGEST).content.decode()
        assert 'id="digest-unknown-day"' in body and "2027" in body
        client.force_login(provincial_staff)
        assert 'id="digest-calendar-warning"' in client.get(DIGEST).content.decode()


def test_enterprises_do_not_open_it(client, clerk_a):
    client.force_login(clerk_a)
    assert client.get(DIGEST).status_code == 403
    client.logout()
    assert client.get(DIGEST).status_code == 302


# ----------------------------------------------------------------------------------------------------------------
# The 07:30 mail
# ----------------------------------------------------------------------------------------------------------------


@pytest.fixture
def addresses(cast):
    for key in ("county_reviewer", "city_reviewer_x", "city_reviewer_y", "provincial_staff", "clerk_a"):
        cast[key].email = f"{key}@example.gov.cn"
        cast[key].save(update_fields=["email"])
    return cast


def test_the_command_mails_those_with_something_to_read_once_a_day(addresses, firm_a, overnight):
    due = pending(firm_a, D(2017, 12, 7))
    call_command("send_daily_digest", "--date", "2017-12-07")
    sent = {message.to[0]: message for message in mail.outbox}
    # city_reviewer_y (nothing in 桂林), the clerk (not an official) and the superuser (no address): no mail
    assert set(sent) == {
        "county_reviewer@example.gov.cn",
        "city_reviewer_x@example.gov.cn",
        "provincial_staff@example.gov.cn",
    }
    reviewer_mail = sent["county_reviewer@example.gov.cn"]
    assert "2017-12-07" in reviewer_mail.subject
    assert due.project.prj_name in reviewer_mail.body and due.project.prj_num in reviewer_mail.body
    assert "https://yeji.example.gov.cn/admin/review/digest/" in reviewer_mail.body
    staff_mail = sent["provincial_staff@example.gov.cn"]
    assert re.search(re.escape(authority_for("450103").name) + r": 2\b", staff_mail.body)

    call_command("send_daily_digest", "--date", "2017-12-07")  # the beat ran too: nothing twice
    assert len(mail.outbox) == 3
    assert DigestMail.objects.filter(day=D(2017, 12, 7)).count() == 3
    call_command("send_daily_digest", "--date", "2017-12-07", "--force")
    assert len(mail.outbox) == 6


def test_no_reviewer_mail_on_a_day_off(addresses, firm_a):
    pending(firm_a, D(2017, 12, 4))
    assert notices.send_daily_digests(today=D(2017, 12, 2)) == 0  # Saturday
    assert notices.send_daily_digests(today=D(2017, 12, 1)) == 2  # Friday: county and city reviewer, due Monday


def test_a_failed_digest_is_sent_again_by_the_next_run(addresses, firm_a, settings):
    pending(firm_a, D(2017, 12, 1))
    settings.EMAIL_BACKEND = "tests.review.test_notices.BrokenBackend"
    assert notices.send_daily_digests(today=D(2017, 12, 1)) == 0
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert notices.send_daily_digests(today=D(2017, 12, 1)) == 2


def test_the_task_and_its_beat_entry_at_half_past_seven_shanghai(addresses, firm_a, settings):
    from config.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["review.send_daily_digest"]
    assert entry["task"] == "review.tasks.send_daily_digest"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({7}, {30})
    assert settings.CELERY_TIMEZONE == "Asia/Shanghai"
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks
    pending(firm_a, D(2017, 12, 1))
    with time_machine.travel(dt.datetime(2017, 12, 1, 7, 30, tzinfo=SHANGHAI), tick=False):
        assert tasks.send_daily_digest() == 2


@pytest.mark.django_db(transaction=True)
def test_two_digest_runs_at_once_mail_each_official_once(seeded, addresses, firm_a, settings):
    """The beat and the command by hand at the same moment: the DigestMail row of (user, day) lets one of them send."""
    import threading

    from django.db import connection

    pending(firm_a, D(2017, 12, 1))
    settings.EMAIL_BACKEND = "tests.review.test_notices.SlowLocmem"
    mail.outbox = []
    start = threading.Barrier(2)
    results: list[int] = []

    def run():
        try:
            start.wait()
            results.append(notices.send_daily_digests(today=D(2017, 12, 1)))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sum(results) == 2 and len(mail.outbox) == 2  # the county reviewer and the provincial staff, once each
    assert DigestMail.objects.filter(day=D(2017, 12, 1)).count() == 2
