"""Issue 5 item 3: a coming year whose working days nobody knows raises an alert in the admin; never a guess."""

from __future__ import annotations

import datetime as dt
import logging
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from review.models import CalendarAlert, CalendarYear, WorkdayOverride
from review.services import check_calendar
from review.workdays import UnknownCalendarDay, review_deadline

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 24, 0, 20, tzinfo=SHANGHAI)  # the nightly check, weeks before 2027


def _enter_2027() -> None:
    WorkdayOverride.objects.create(day=dt.date(2027, 1, 1), is_workday=False, note="元旦")
    CalendarYear.objects.create(year=2027, source="国办发明电〔2026〕X号", is_complete=True)


def test_g5_unknown_next_year_raises_one_alert_and_logs_it(caplog):
    with caplog.at_level(logging.ERROR, logger="review.calendar"):
        assert check_calendar(now=NOW) == [2027]
        assert check_calendar(now=NOW + dt.timedelta(days=1)) == [2027]  # the next night: still the one alert
    alert = CalendarAlert.objects.get()
    assert (alert.year, alert.raised_at, alert.resolved_at) == (2027, NOW, None)
    assert alert.last_checked_at == NOW + dt.timedelta(days=1)
    assert len([r for r in caplog.records if "2027" in r.getMessage()]) == 1  # logged when raised, not every night


def test_g5_unknown_day_is_never_guessed_while_the_alert_is_open():
    check_calendar(now=NOW)
    with pytest.raises(UnknownCalendarDay):
        review_deadline(dt.datetime(2026, 12, 30, 10, tzinfo=SHANGHAI), 3)


def test_g5_entering_the_year_resolves_the_alert():
    check_calendar(now=NOW)
    _enter_2027()
    later = NOW + dt.timedelta(days=2)
    assert check_calendar(now=later) == []
    assert CalendarAlert.objects.get().resolved_at == later


def test_g5_a_year_the_package_knows_raises_nothing():
    assert check_calendar(now=dt.datetime(2025, 6, 1, tzinfo=SHANGHAI)) == []
    assert not CalendarAlert.objects.exists()


def test_g5_alert_on_the_admin_index_until_resolved(client, provincial_staff, county_reviewer):
    check_calendar(now=NOW)
    for user in (provincial_staff, county_reviewer):
        client.force_login(user)
        page = client.get(reverse("admin:index")).content.decode()
        assert 'data-calendar-alert="2027"' in page
    client.force_login(provincial_staff)
    assert reverse("admin:review_calendaryear_changelist") in client.get(reverse("admin:index")).content.decode()
    _enter_2027()
    check_calendar(now=NOW + dt.timedelta(days=1))
    assert "data-calendar-alert" not in client.get(reverse("admin:index")).content.decode()


def test_g5_alert_list_is_read_only(client, provincial_staff):
    check_calendar(now=NOW)
    client.force_login(provincial_staff)
    assert client.get(reverse("admin:review_calendaralert_changelist")).status_code == 200
    assert client.get(reverse("admin:review_calendaralert_add")).status_code == 403


def test_g5_nightly_beat_runs_the_check_before_the_auto_approval():
    schedule = settings.CELERY_BEAT_SCHEDULE
    check, approve = schedule["review.check_calendar"]["schedule"], schedule["review.auto_approve_overdue"]["schedule"]
    assert schedule["review.check_calendar"]["task"] == "review.tasks.check_calendar"
    assert (check.hour, check.minute) == ({0}, {20})
    assert (approve.hour, approve.minute) == ({0}, {30})


def test_g5_command_reports_the_unknown_year(time_machine, capsys):
    time_machine.move_to(NOW, tick=False)
    call_command("check_calendar")
    assert "2027" in capsys.readouterr().err
    assert CalendarAlert.objects.filter(year=2027, resolved_at__isnull=True).exists()
