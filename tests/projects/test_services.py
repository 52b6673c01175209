"""新增报建: joining a known project, one claim per enterprise, number allocation, historical region codes."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from django.db import connection

from accounts.errors import DomainError
from projects.models import Project, Record
from projects.selectors import declared_match, region_accepted
from projects.services import allocate_prj_num, record_start
from tests.factories import EnterpriseFactory, region

pytestmark = pytest.mark.django_db


def test_new_project_gets_a_16_digit_number_of_its_county_and_day(firm_a, guangxi):
    with time_machine.travel(dt.datetime(2017, 12, 1, 10, tzinfo=dt.UTC)):
        record = record_start(
            historical=True, enterprise=firm_a, campaign=guangxi, prj_name="青秀区第一中学", county=region("450103")
        )
    assert record.project.prj_num == "4501031712010001"
    assert record.status == "draft"


def test_second_enterprise_joins_the_project_by_its_number(firm_a, firm_b, guangxi):
    first = record_start(
        historical=True,
        enterprise=firm_a,
        campaign=guangxi,
        prj_name="体育馆",
        county=region("450103"),
        prj_num="4501031711010001",
    )
    second = record_start(
        historical=True,
        enterprise=firm_b,
        campaign=guangxi,
        prj_name="体育馆（乙方写法）",
        county=region("450103"),
        prj_num="4501031711010001",
    )
    assert second.project_id == first.project_id
    assert Project.objects.count() == 1


def test_joining_by_construction_permit_number(firm_a, firm_b, guangxi):
    first = record_start(
        historical=True,
        enterprise=firm_a,
        campaign=guangxi,
        prj_name="大桥",
        county=region("450103"),
        licence_cert_no="450103201503010101",
    )
    second = record_start(
        historical=True,
        enterprise=firm_b,
        campaign=guangxi,
        prj_name="大桥",
        county=region("450103"),
        licence_cert_no="450103201503010101",
    )
    assert second.project_id == first.project_id


def test_an_enterprise_cannot_claim_the_same_project_twice(firm_a, guangxi):
    record_start(
        historical=True,
        enterprise=firm_a,
        campaign=guangxi,
        prj_name="图书馆",
        county=region("450103"),
        prj_num="4501031711010002",
    )
    with pytest.raises(DomainError) as exc:
        record_start(
            historical=True,
            enterprise=firm_a,
            campaign=guangxi,
            prj_name="图书馆",
            county=region("450103"),
            prj_num="4501031711010002",
        )
    assert exc.value.code == "already_claimed"
    assert Record.objects.count() == 1


def test_bad_project_number_is_refused_with_its_field(firm_a, guangxi):
    with pytest.raises(DomainError) as exc:
        record_start(
            historical=True,
            enterprise=firm_a,
            campaign=guangxi,
            prj_name="x",
            county=region("450103"),
            prj_num="45010317110100",
        )
    assert exc.value.field == "prj_num"


def test_a_city_is_not_a_project_location(firm_a, guangxi):
    with pytest.raises(DomainError) as exc:
        record_start(historical=True, enterprise=firm_a, campaign=guangxi, prj_name="x", county=region("450100"))
    assert exc.value.code == "county_level"


@pytest.mark.django_db(transaction=True)
def test_number_allocation_is_race_free():
    results: list[str] = []

    def draw():
        try:
            for _ in range(20):
                results.append(allocate_prj_num(county_code="450103", on=dt.date(2017, 12, 2)))
        finally:
            connection.close()

    threads = [threading.Thread(target=draw) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 80
    assert len(set(results)) == 80


def test_2017_records_keep_2017_region_codes():
    # 横县 450127 became 横州市 450181 in 2021: a 2017 record still carries 450127.
    assert region_accepted("450127", 2017)
    assert region_accepted("450181", 2017)  # the current code is accepted too
    assert not region_accepted("450404", 2017)  # 蝶山区 was abolished in 2013
    assert not region_accepted("459999", 2017)


def test_j3_declared_elsewhere_lookup():
    from projects.models import DeclaredProject

    DeclaredProject.objects.create(source="permit", licence_cert_no="450103201503010101")
    assert declared_match(licence_cert_no="450103201503010101") is not None
    assert declared_match(prj_num="4501031711010001") is None
    assert declared_match() is None


def test_enterprise_kinds_cannot_be_empty():
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        EnterpriseFactory(kinds=[])


def test_numbers_of_two_different_projects_are_refused(firm_a, firm_b, guangxi):
    record_start(
        historical=True,
        enterprise=firm_a,
        campaign=guangxi,
        prj_name="甲",
        county=region("450103"),
        prj_num="4501031711010003",
    )
    record_start(
        historical=True,
        enterprise=firm_a,
        campaign=guangxi,
        prj_name="乙",
        county=region("450103"),
        licence_cert_no="450103201503010201",
    )
    with pytest.raises(DomainError) as exc:
        record_start(
            historical=True,
            enterprise=firm_b,
            campaign=guangxi,
            prj_name="?",
            county=region("450103"),
            prj_num="4501031711010003",
            licence_cert_no="450103201503010201",
        )
    assert exc.value.code == "numbers_disagree"
