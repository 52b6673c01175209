"""The reviewer's 审核工作台 (issue 11 item 2): the admin's index counts the jurisdiction's records (待审核, 今日到期,
即将超期, 已逾期, 已办), lists the next deadlines with the countdown first, names the official and the department in
the header, and shows only the menus the role works in, named as the notices name them."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client

from review.selectors import workbench_counts
from review.services import approve_record

from .decisions import SHANGHAI, D
from .test_digest import pending

pytestmark = pytest.mark.django_db

#: Friday 2017-12-01, 10:00 in Shanghai: the next working day is Monday 12-04.
NOW = dt.datetime(2017, 12, 1, 10, tzinfo=SHANGHAI)


def page(user, url="/admin/") -> str:
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def tile(html: str, key: str) -> str:
    match = re.search(rf'id="wb-{key}".*?<span class="wb-count">([^<]*)</span>', html, re.S)
    assert match, key
    return match.group(1)


def test_the_counts_of_the_jurisdiction(firm_a, county_reviewer, city_reviewer_y):
    overdue = pending(firm_a, D(2017, 11, 30))
    pending(firm_a, D(2017, 12, 1))
    pending(firm_a, D(2017, 12, 1))
    pending(firm_a, D(2017, 12, 4))  # Monday: the next working day
    pending(firm_a, D(2017, 12, 5))
    pending(firm_a, D(2017, 12, 1), county="450305")  # 桂林: another jurisdiction
    with time_machine.travel(NOW, tick=False):
        approve_record(record_id=overdue.pk, user=county_reviewer)
        counts = workbench_counts(county_reviewer)
        assert (counts.pending, counts.overdue, counts.due_today, counts.due_soon, counts.done) == (4, 0, 2, 1, 1)
        html = page(county_reviewer)
    assert [tile(html, key) for key in ("pending", "due_today", "due_soon", "overdue", "done")] == [
        "4",
        "2",
        "1",
        "0",
        "1",
    ]
    assert "审核工作台" in html
    assert 'href="/admin/review/reviewqueueitem/?due=today"' in html
    with time_machine.travel(NOW, tick=False):
        assert workbench_counts(city_reviewer_y).pending == 1


def test_overdue_is_never_due_today(firm_a, county_reviewer):
    pending(firm_a, D(2017, 11, 28))
    with time_machine.travel(NOW, tick=False):
        counts = workbench_counts(county_reviewer)
        html = page(county_reviewer)
    assert (counts.overdue, counts.due_today) == (1, 0)
    rows = re.findall(r'<td class="wb-countdown[^"]*">([^<]*)</td>', html)
    assert rows == ["已逾期"]


def test_the_queue_rows_by_deadline_countdown_first(firm_a, county_reviewer):
    later = pending(firm_a, D(2017, 12, 5))
    sooner = pending(firm_a, D(2017, 12, 1))
    with time_machine.travel(NOW, tick=False):
        html = page(county_reviewer)
    table = html[html.index('id="wb-queue"') :]
    assert table.index(sooner.project.prj_name) < table.index(later.project.prj_name) or (
        sooner.project.prj_name == later.project.prj_name
        and table.index(sooner.project.prj_num) < table.index(later.project.prj_num)
    )
    assert re.findall(r'<td class="wb-countdown[^"]*">([^<]*)</td>', table) == ["今日到期", "剩 2 个工作日"]
    assert table.index("剩余工作日") < table.index("项目名称")  # the countdown is the first column


def test_the_header_names_the_person_and_department(county_reviewer):
    html = page(county_reviewer)
    assert f'<strong id="yeji-user-name">{county_reviewer.real_name}</strong>' in html
    assert county_reviewer.department.name in html and county_reviewer.authority.name in html
    assert county_reviewer.username not in re.search(r'<div id="user-tools">.*?</div>', html, re.S).group(0)


def test_a_reviewer_sees_the_menus_of_the_notice_not_the_tables(county_reviewer):
    html = page(county_reviewer)
    assert "项目管理" in html and "已竣工历史业绩补录（待审核）" in html and "诚信档案" in html
    for table in ("编号序列", "单体工程", "招投标信息", "审图人员", "行政区划", "events", "组", "令牌"):
        assert f">{table}<" not in html, table
    # the application pages are filtered the same way
    projects = Client()
    projects.force_login(county_reviewer)
    response = projects.get("/admin/projects/")
    assert response.status_code in (200, 404)
    if response.status_code == 200:
        assert ">编号序列<" not in response.content.decode()


def test_provincial_staff_see_their_sections(provincial_staff):
    html = page(provincial_staff)
    for section in ("项目管理", "补录工作", "账号与单位", "诚信档案", "推送全国平台"):
        assert section in html, section
    assert ">编号序列<" not in html


def test_a_superuser_keeps_the_full_list(superuser):
    html = page(superuser)
    assert ">编号序列<" in html
    assert "wb-tiles" in html


def test_the_queue_says_what_it_is_and_counts_down_first(firm_a, county_reviewer):
    pending(firm_a, D(2017, 12, 1))
    with time_machine.travel(NOW, tick=False):
        html = page(county_reviewer, "/admin/review/reviewqueueitem/")
    assert "已竣工历史业绩补录 · 待审核" in html and "选择" not in html.split("<h1>")[1].split("</h1>")[0]
    assert html.index("column-days_left") < html.index("column-prj_name")
