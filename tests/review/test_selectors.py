"""P2: who reviews a project — the county bureau with reviewers, else the city bureau, else the provincial office;
G5: the alert for coming years nobody knows the working-day calendar of."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from accounts.errors import DomainError
from accounts.models import Authority, Role, User
from review.models import CalendarYear, WorkdayOverride
from review.selectors import calendar_warning, missing_calendar_years, responsible_authority
from tests.factories import authority_for, official, region

pytestmark = pytest.mark.django_db

QINGXIU = "450103"  # 南宁市青秀区
XINGNING = "450102"  # 南宁市兴宁区, no bureau on the platform in the cast
LINGUI = "450312"  # 桂林市临桂区


def test_p2_county_bureau_with_a_reviewer(county_reviewer, city_reviewer_x):
    assert responsible_authority(region(QINGXIU)) == county_reviewer.authority


def test_p2_county_without_a_bureau_goes_to_its_city(county_reviewer, city_reviewer_x):
    assert responsible_authority(region(XINGNING)) == city_reviewer_x.authority


def test_p2_county_bureau_without_reviewers_goes_to_its_city(city_reviewer_x):
    authority_for(QINGXIU)  # the bureau exists, nobody reviews there
    assert responsible_authority(region(QINGXIU)) == city_reviewer_x.authority


def test_p2_an_inactive_reviewer_does_not_count(county_reviewer, city_reviewer_x):
    User.objects.filter(pk=county_reviewer.pk).update(is_active=False)
    assert responsible_authority(region(QINGXIU)) == city_reviewer_x.authority


def test_p2_a_user_without_the_reviewer_role_does_not_count(city_reviewer_y):
    county = authority_for(LINGUI)
    staff = official("not_a_reviewer", Role.REVIEWER, LINGUI)
    User.objects.filter(pk=staff.pk).update(role="")
    assert responsible_authority(region(LINGUI)) == city_reviewer_y.authority
    assert responsible_authority(region(LINGUI)) != county


def test_p2_an_inactive_bureau_is_skipped(county_reviewer, city_reviewer_x):
    Authority.objects.filter(pk=county_reviewer.authority_id).update(is_active=False)
    assert responsible_authority(region(QINGXIU)) == city_reviewer_x.authority


def test_p2_no_local_reviewer_goes_to_the_provincial_office(provincial_staff):
    authority_for(LINGUI)
    assert responsible_authority(region(LINGUI)) == provincial_staff.authority


def test_p2_the_provincial_office_needs_no_reviewer_row():
    province = authority_for("220000")
    assert responsible_authority(region("220104")) == province


def test_p2_a_province_without_any_authority_is_an_error():
    with pytest.raises(DomainError) as info:
        responsible_authority(region("220104"))
    assert info.value.code == "no_authority"


def test_p2_one_query(county_reviewer, django_assert_num_queries):
    county = region(QINGXIU)
    with django_assert_num_queries(1):
        responsible_authority(county)


# ------------------------------------------------------------------------------------------------------------
# The alert: coming years whose working-day calendar nobody knows
# ------------------------------------------------------------------------------------------------------------

NOTICE_2027 = "国务院办公厅关于2027年部分节假日安排的通知 国办发明电〔2026〕X号（测试用）"


def test_g5_missing_calendar_years_on_2026_11_24_is_2027_until_a_complete_year_is_entered(
    django_assert_num_queries,
):
    today = dt.date(2026, 11, 24)
    with django_assert_num_queries(1):
        assert missing_calendar_years(today) == [2027]
    WorkdayOverride.objects.create(day=dt.date(2027, 1, 1), is_workday=False, note="元旦")
    assert missing_calendar_years(today) == [2027]  # overrides alone do not make a year known
    year = CalendarYear.objects.create(year=2027, source=NOTICE_2027, is_complete=False)
    assert missing_calendar_years(today) == [2027]  # started, not complete
    CalendarYear.objects.filter(pk=year.pk).update(is_complete=True)
    assert missing_calendar_years(today) == []


def test_g5_missing_calendar_years_looks_at_this_year_and_the_next():
    assert missing_calendar_years(dt.date(2027, 3, 1)) == [2027, 2028]
    CalendarYear.objects.create(year=2027, source=NOTICE_2027, is_complete=True)
    assert missing_calendar_years(dt.date(2027, 3, 1)) == [2028]
    CalendarYear.objects.create(year=2029, source="2029", is_complete=True)  # further ahead: not looked at
    assert missing_calendar_years(dt.date(2027, 12, 31)) == [2028]


def test_g5_years_the_package_knows_are_never_missing(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert missing_calendar_years(dt.date(2025, 6, 1)) == []


def test_g5_calendar_warning_names_the_years_and_what_to_do():
    assert calendar_warning(dt.date(2025, 6, 1)) is None
    with translation.override("zh-hans"):
        warning = calendar_warning(dt.date(2027, 3, 1))
    assert "2027、2028" in warning
    assert "工作日调整" in warning
    assert "年度节假日安排" in warning
    CalendarYear.objects.create(year=2027, source=NOTICE_2027, is_complete=True)
    CalendarYear.objects.create(year=2028, source="2028", is_complete=True)
    assert calendar_warning(dt.date(2027, 3, 1)) is None
