"""The review admin: staff enter the working-day calendar; the transition log is read-only and scoped."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from review.models import CalendarYear, RecordTransition, WorkdayOverride
from review.services import submit_record

from .builders import valid_record

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def transition(firm_a, clerk_a, county_reviewer) -> RecordTransition:
    record = valid_record(firm_a)
    with time_machine.travel(dt.datetime(2017, 12, 1, 10, tzinfo=SHANGHAI), tick=False):
        submit_record(record_id=record.pk, user=clerk_a)
    return RecordTransition.objects.get(record=record)


def url(model, view: str, *args) -> str:
    return reverse(f"admin:review_{model._meta.model_name}_{view}", args=args)


def test_g5_provincial_staff_enter_next_years_calendar(client, provincial_staff):
    client.force_login(provincial_staff)
    assert client.get(url(WorkdayOverride, "changelist")).status_code == 200
    assert client.get(url(WorkdayOverride, "add")).status_code == 200
    response = client.post(
        url(WorkdayOverride, "add"), {"day": "2027-01-01", "is_workday": "", "note": "元旦"}, follow=True
    )
    assert response.status_code == 200
    override = WorkdayOverride.objects.get(day=dt.date(2027, 1, 1))
    assert override.is_workday is False
    assert override.created_by == provincial_staff
    assert client.get(url(WorkdayOverride, "change", override.pk)).status_code == 200
    assert "星期五" in client.get(url(WorkdayOverride, "changelist")).content.decode()


def test_reviewers_read_the_calendar_but_do_not_change_it(client, county_reviewer):
    override = WorkdayOverride.objects.create(day=dt.date(2027, 1, 1), is_workday=False)
    client.force_login(county_reviewer)
    assert client.get(url(WorkdayOverride, "changelist")).status_code == 200
    assert client.get(url(WorkdayOverride, "add")).status_code == 403
    client.post(url(WorkdayOverride, "change", override.pk), {"day": "2027-01-01", "is_workday": "on"})
    assert WorkdayOverride.objects.get(pk=override.pk).is_workday is False


def test_the_transition_log_is_read_only(admin_client, transition):
    assert admin_client.get(url(RecordTransition, "changelist")).status_code == 200
    page = admin_client.get(url(RecordTransition, "change", transition.pk))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert admin_client.get(url(RecordTransition, "add")).status_code == 403
    assert admin_client.post(url(RecordTransition, "delete", transition.pk), {"post": "yes"}).status_code == 403
    assert RecordTransition.objects.filter(pk=transition.pk).exists()
    response = admin_client.get(url(RecordTransition, "changelist"), {"q": "45", "_facets": "1"})
    assert response.status_code == 200


def test_officials_see_the_log_of_their_region_only(client, transition, county_reviewer, city_reviewer_y):
    client.force_login(county_reviewer)
    assert client.get(url(RecordTransition, "change", transition.pk)).status_code == 200
    client.force_login(city_reviewer_y)
    response = client.get(url(RecordTransition, "change", transition.pk))
    assert response.status_code == 302  # the admin's "does not exist" redirect: not in Guilin's scope
    assert transition.record.project.prj_name not in client.get(url(RecordTransition, "changelist")).content.decode()


# ------------------------------------------------------------------------------------------------------------
# Calendar years: the declaration that a year the package lacks has been entered in full, and the alert
# ------------------------------------------------------------------------------------------------------------

NOTICE_2027 = "国务院办公厅关于2027年部分节假日安排的通知 国办发明电〔2026〕X号"
ON_2026_11_24 = dt.datetime(2026, 11, 24, 10, tzinfo=SHANGHAI)


def enter_spring_festival_2027() -> None:
    # Invented days: the real 2027 schedule is not published yet.
    WorkdayOverride.objects.bulk_create(
        [
            WorkdayOverride(day=dt.date(2027, 2, 4) + dt.timedelta(days=i), is_workday=False, note="春节")
            for i in range(9)
        ]
        + [WorkdayOverride(day=dt.date(2027, 2, 20), is_workday=True, note="春节调休上班")]
    )


def test_g5_provincial_staff_declare_2027_complete_after_entering_its_days(client, provincial_staff):
    client.force_login(provincial_staff)
    page = client.get(url(CalendarYear, "add"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "系统内置的国务院办公厅节假日安排" in body and "chinesecalendar" not in body  # the rule, in plain words
    data = {"year": "2027", "source": NOTICE_2027, "is_complete": "on"}

    with translation.override("zh-hans"):
        refused = client.post(url(CalendarYear, "add"), data)
    assert refused.status_code == 200
    assert "尚未录入2027年的任何休息日" in refused.content.decode()
    assert not CalendarYear.objects.exists()

    enter_spring_festival_2027()
    response = client.post(url(CalendarYear, "add"), data, follow=True)
    assert response.status_code == 200
    year = CalendarYear.objects.get(year=2027)
    assert year.is_complete is True
    assert year.source == NOTICE_2027
    assert year.entered_by == provincial_staff

    change = client.get(url(CalendarYear, "change", year.pk)).content.decode()
    assert "day__year=2027" in change  # linked to the year's overrides
    assert 'name="year"' not in change  # the year of a declaration is not moved
    changelist = client.get(url(CalendarYear, "changelist"))
    assert changelist.status_code == 200
    assert [(row.days_off_count, row.make_up_count) for row in changelist.context["cl"].result_list] == [(9, 1)]
    assert client.get(url(WorkdayOverride, "changelist"), {"day__year": "2027"}).status_code == 200


@pytest.mark.parametrize("model", [WorkdayOverride, CalendarYear], ids=["overrides", "calendar_years"])
def test_g5_the_calendar_pages_warn_while_next_year_is_unknown(client, provincial_staff, model):
    client.force_login(provincial_staff)
    with time_machine.travel(ON_2026_11_24, tick=False), translation.override("zh-hans"):
        page = client.get(url(model, "changelist")).content.decode()
        assert "系统尚无2027年的工作日安排" in page

        enter_spring_festival_2027()
        CalendarYear.objects.create(year=2027, source=NOTICE_2027, is_complete=True)
        page = client.get(url(model, "changelist")).content.decode()
        assert "系统尚无" not in page


def test_g5_no_warning_while_the_package_knows_this_year_and_the_next(client, provincial_staff):
    client.force_login(provincial_staff)
    with time_machine.travel(dt.datetime(2025, 11, 24, 10, tzinfo=SHANGHAI), tick=False):
        response = client.get(url(WorkdayOverride, "changelist"))
    assert not list(response.context["messages"])


def test_reviewers_read_the_calendar_years_but_do_not_change_them(client, county_reviewer):
    enter_spring_festival_2027()
    year = CalendarYear.objects.create(year=2027, source=NOTICE_2027, is_complete=False)
    client.force_login(county_reviewer)
    assert client.get(url(CalendarYear, "changelist")).status_code == 200
    assert client.get(url(CalendarYear, "change", year.pk)).status_code == 200
    assert client.get(url(CalendarYear, "add")).status_code == 403
    client.post(url(CalendarYear, "change", year.pk), {"source": NOTICE_2027, "is_complete": "on"})
    assert CalendarYear.objects.get(pk=year.pk).is_complete is False


def test_calendar_year_permissions_of_the_roles(provincial_staff, county_reviewer):
    for action in ("add", "change", "delete", "view"):
        assert provincial_staff.has_perm(f"review.{action}_calendaryear")
    assert county_reviewer.has_perm("review.view_calendaryear")
    assert not county_reviewer.has_perm("review.change_calendaryear")
    assert not county_reviewer.has_perm("review.add_calendaryear")


def test_the_calendar_year_add_form_shows_every_editable_field(rf):
    from django.contrib import admin

    from accounts.models import User

    request = rf.get("/")
    request.user = User(is_superuser=True, is_staff=True)
    fieldsets = admin.site._registry[CalendarYear].get_fieldsets(request, None)
    shown = {name for _title, options in fieldsets for name in options["fields"]}
    editable = {f.name for f in CalendarYear._meta.get_fields() if f.concrete and f.editable and not f.auto_created}
    assert editable == shown == {"year", "source", "is_complete"}
