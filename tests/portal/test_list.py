"""我的业绩 (issue 4 item 2): own records only, status, authority, deadline, working days left, grade, filters,
search, pagination, the rejection reason, and a bounded number of queries."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from projects.models import FinishCheck, Project, Record, RecordStatus
from review.models import RecordTransition
from tests.factories import ProjectFactory, RecordFactory, authority_for

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def records_of(enterprise, n, **kwargs):
    return [RecordFactory(enterprise=enterprise, **kwargs) for _ in range(n)]


def test_lists_only_the_enterprises_own_records(client_a, firm_a, firm_b):
    RecordFactory(enterprise=firm_a, project=ProjectFactory(prj_name="甲院的项目"))
    RecordFactory(enterprise=firm_b, project=ProjectFactory(prj_name="乙所的项目"))
    body = client_a.get("/portal/").content.decode()
    assert "甲院的项目" in body
    assert "乙所的项目" not in body


def test_a_row_shows_number_status_authority_deadline_grade(client_a, firm_a):
    project = ProjectFactory(prj_name="青秀区体育馆", data_level="B")
    record = RecordFactory(enterprise=firm_a, project=project)
    Record.objects.filter(pk=record.pk).update(
        status=RecordStatus.SUBMITTED,
        responsible_authority=authority_for("450103"),
        review_deadline=dt.datetime(2017, 12, 6, 23, 59, 59, tzinfo=SHANGHAI),
    )
    with time_machine.travel(dt.datetime(2017, 12, 1, 10, tzinfo=SHANGHAI), tick=False):  # Friday
        body = client_a.get("/portal/").content.decode()
    assert "青秀区体育馆" in body
    assert project.prj_num in body
    assert "待审核" in body
    assert authority_for("450103").name in body
    assert "2017-12-06" in body
    assert "剩余 3 个工作日" in body  # Mon 4, Tue 5, Wed 6 (the weekend does not count)
    assert '<span class="grade grade-B">B</span>' in body


def test_deadline_day_and_overdue(client_a, firm_a):
    record = RecordFactory(enterprise=firm_a)
    Record.objects.filter(pk=record.pk).update(
        status=RecordStatus.SUBMITTED, review_deadline=dt.datetime(2017, 12, 6, 23, 59, 59, tzinfo=SHANGHAI)
    )
    with time_machine.travel(dt.datetime(2017, 12, 6, 9, tzinfo=SHANGHAI), tick=False):
        assert "今日到期" in client_a.get("/portal/").content.decode()
    with time_machine.travel(dt.datetime(2017, 12, 7, 9, tzinfo=SHANGHAI), tick=False):
        assert "已超过审核期限" in client_a.get("/portal/").content.decode()


def test_a_record_without_grade_shows_a_dash(client_a, firm_a):
    RecordFactory(enterprise=firm_a)
    body = client_a.get("/portal/").content.decode()
    assert 'class="grade' not in body


def test_a_rejected_record_shows_the_latest_reason(client_a, firm_a):
    record = RecordFactory(enterprise=firm_a)
    Record.objects.filter(pk=record.pk).update(status=RecordStatus.REJECTED)
    for day, reason in ((1, "合同金额与中标金额不一致"), (5, "竣工验收证明不清晰，请重新上传")):
        RecordTransition.objects.create(
            record=record,
            from_status=RecordStatus.SUBMITTED,
            to_status=RecordStatus.REJECTED,
            at=dt.datetime(2017, 12, day, tzinfo=SHANGHAI),
            reason=reason,
        )
    body = client_a.get("/portal/").content.decode()
    assert "竣工验收证明不清晰，请重新上传" in body
    assert "合同金额与中标金额不一致" not in body


def test_filter_by_status(client_a, firm_a):
    draft, approved = records_of(firm_a, 2)
    Record.objects.filter(pk=approved.pk).update(status=RecordStatus.APPROVED)
    body = client_a.get("/portal/", {"status": "approved"}).content.decode()
    assert approved.project.prj_name in body
    assert draft.project.prj_name not in body


def test_filter_by_completion_year_and_search_by_name(client_a, firm_a):
    old = RecordFactory(enterprise=firm_a, project=ProjectFactory(prj_name="邕江大桥维修工程"))
    new = RecordFactory(enterprise=firm_a, project=ProjectFactory(prj_name="五象新区学校"))
    FinishCheck.objects.create(record=old, e_date=dt.date(2015, 3, 1))
    FinishCheck.objects.create(record=new, e_date=dt.date(2016, 8, 1))
    response = client_a.get("/portal/", {"year": "2015"})
    body = response.content.decode()
    assert "邕江大桥维修工程" in body and "五象新区学校" not in body
    assert '<option value="2016">2016</option>' in body  # the years on offer are the enterprise's
    body = client_a.get("/portal/", {"q": "学校"}).content.decode()
    assert "五象新区学校" in body and "邕江大桥维修工程" not in body


def test_pagination(client_a, firm_a):
    records_of(firm_a, 23)
    first = client_a.get("/portal/").content.decode()
    assert first.count('class="record-link"') == 20
    assert "第 1 页，共 2 页" in first
    second = client_a.get("/portal/", {"page": 2}).content.decode()
    assert second.count('class="record-link"') == 3


def test_an_empty_list_invites_a_new_record(client_a):
    body = client_a.get("/portal/").content.decode()
    assert "没有符合条件的业绩" in body
    assert "/portal/records/new/" in body


@pytest.mark.parametrize("n", [5, 50])
def test_the_list_runs_a_bounded_number_of_queries(client_a, firm_a, n, django_assert_max_num_queries):
    for record in records_of(firm_a, n):
        Record.objects.filter(pk=record.pk).update(
            status=RecordStatus.SUBMITTED,
            responsible_authority=authority_for("450103"),
            review_deadline=dt.datetime(2017, 12, 6, 23, 59, 59, tzinfo=SHANGHAI),
        )
        FinishCheck.objects.create(record=record, e_date=dt.date(2016, 1, 1))
    Project.objects.update(data_level="C")
    with time_machine.travel(dt.datetime(2017, 12, 1, 10, tzinfo=SHANGHAI), tick=False):
        with django_assert_max_num_queries(14):  # 5 of them: the campaigns offered (issue 11)
            response = client_a.get("/portal/")
    assert response.status_code == 200


def test_the_year_filter_follows_every_change_of_the_records(client_a, clerk_a, firm_a):
    """Issue 11 item 9: the completion years are read once per state of the records (portal.selectors.list_summary)
    and kept; saving a completion date, a new record and a deleted draft each change what the filter offers."""
    from projects.services import record_delete, record_save

    first = RecordFactory(enterprise=firm_a, project=ProjectFactory(prj_name="邕江大桥维修工程"))
    FinishCheck.objects.create(record=first, e_date=dt.date(2015, 3, 1))
    assert '<option value="2015">2015</option>' in client_a.get("/portal/").content.decode()

    first.refresh_from_db()
    record_save(
        record_id=first.pk,
        user=clerk_a,
        data={"finish_check": {"e_date": "2014-05-06"}},
        expected_version=first.version,
    )
    body = client_a.get("/portal/").content.decode()
    assert '<option value="2014">2014</option>' in body and '<option value="2015">' not in body

    second = RecordFactory(enterprise=firm_a, project=ProjectFactory(prj_name="五象新区学校"))
    FinishCheck.objects.create(record=second, e_date=dt.date(2018, 1, 2))
    body = client_a.get("/portal/").content.decode()
    assert '<option value="2018">2018</option>' in body and '<option value="2014">2014</option>' in body

    record_delete(record_id=second.pk, user=clerk_a)
    body = client_a.get("/portal/").content.decode()
    assert '<option value="2018">' not in body and '<option value="2014">2014</option>' in body
