"""新增报建 (issue 4 item 3): campaign, name, county from the region picker, optional numbers to join a project."""

from __future__ import annotations

import pytest

from projects.models import Campaign, Record
from projects.services import record_start
from tests.factories import region

pytestmark = pytest.mark.django_db


def test_the_form_offers_the_campaigns_open_to_the_enterprise_kind(client_a, guangxi, jilin):
    body = client_a.get("/portal/records/new/").content.decode()
    assert guangxi.name in body  # design: both seeded campaigns open for design enterprises
    assert jilin.name in body
    assert 'id="f-county-l1"' in body and "广西壮族自治区" in body
    Campaign.objects.filter(pk=jilin.pk).update(is_active=False)
    assert jilin.name not in client_a.get("/portal/records/new/").content.decode()


def test_create_a_record_and_land_on_its_page(client_a, guangxi, firm_a):
    response = client_a.post(
        "/portal/records/new/", {"campaign": guangxi.pk, "prj_name": "青秀区图书馆", "county": "450103"}
    )
    record = Record.objects.get(enterprise=firm_a)
    assert response.status_code == 302
    assert response["Location"] == f"/portal/records/{record.pk}/"
    assert record.project.prj_name == "青秀区图书馆"
    assert record.project.county_id == "450103"
    assert record.project.prj_num.startswith("450103")
    body = client_a.get(response["Location"]).content.decode()
    assert "业绩已创建" in body


def test_join_a_known_project_by_its_number(client_a, guangxi, firm_a, firm_b, clerk_b):
    theirs = record_start(
        enterprise=firm_b, campaign=guangxi, user=clerk_b, prj_name="共用项目", county=region("450103")
    )
    response = client_a.post(
        "/portal/records/new/",
        {"campaign": guangxi.pk, "prj_name": "随便", "county": "450103", "prj_num": theirs.project.prj_num},
    )
    assert response.status_code == 302
    assert Record.objects.get(enterprise=firm_a).project_id == theirs.project_id


def test_the_services_refusal_is_shown_on_its_field(client_a, guangxi, record_a):
    response = client_a.post(
        "/portal/records/new/",
        {"campaign": guangxi.pk, "prj_name": "重复", "county": "450103", "prj_num": record_a.project.prj_num},
    )
    assert response.status_code == 400
    assert "贵企业已申报过该项目" in response.content.decode()


def test_a_county_must_be_chosen(client_a, guangxi):
    response = client_a.post("/portal/records/new/", {"campaign": guangxi.pk, "prj_name": "无地点", "county": ""})
    assert response.status_code == 400
    body = response.content.decode()
    assert "请选择项目所在的省、市、区县" in body
    assert 'value="无地点"' in body  # what was typed stays


def test_a_city_is_not_a_county(client_a, guangxi):
    response = client_a.post("/portal/records/new/", {"campaign": guangxi.pk, "prj_name": "市级", "county": "450100"})
    assert response.status_code == 400
    body = response.content.decode()
    assert '<option value="450100" selected>南宁市</option>' in body  # the picker keeps the choice


def test_a_campaign_of_another_kind_is_refused(client_a, firm_a):
    closed = Campaign.objects.create(
        name="只对施工企业",
        province=region("450000"),
        notice_date="2020-01-01",
        scope_completed_before="2020-01-01",
    )
    closed.openings.create(enterprise_kind="construction", opens_on="2020-01-01")
    response = client_a.post("/portal/records/new/", {"campaign": closed.pk, "prj_name": "x", "county": "450103"})
    assert response.status_code == 400
    assert not Record.objects.filter(enterprise=firm_a).exists()
