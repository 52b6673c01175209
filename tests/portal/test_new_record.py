"""新增报建 (issue 4 item 3): campaign, name, county from the region picker, optional numbers to join a project."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine

from projects.models import Campaign, Record
from projects.services import record_start
from tests.factories import region

pytestmark = pytest.mark.django_db

OPEN_DAY = dt.datetime(2017, 12, 1, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # both notices' campaigns open


@pytest.fixture(autouse=True)
def _campaigns_open():
    """新增报建 works while the campaign is open: these tests run on a day of the Guangxi campaign (G2)."""
    with time_machine.travel(OPEN_DAY, tick=False):
        yield


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
        historical=True, enterprise=firm_b, campaign=guangxi, user=clerk_b, prj_name="共用项目", county=region("450103")
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


# --------------------------------------------------------------------------------------------------------------
# Issue 11 item 1: what each campaign allows is said before any work starts
# --------------------------------------------------------------------------------------------------------------

AFTER_GUANGXI_CLOSED = dt.datetime(2018, 7, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
GUANGXI_CLOSED = "补录时间延长至2018年6月30日，超过此期限将关闭历史业绩补录端口。"


def test_a_closed_campaign_refuses_a_new_record_in_the_notices_words(client_a, clerk_a, guangxi, firm_a):
    """G2/G3: after 2018-06-30 the Guangxi port is closed; 新增报建 says so on the page, before anything is typed,
    and refuses a start posted anyway — nothing is created."""
    with time_machine.travel(AFTER_GUANGXI_CLOSED, tick=False):
        client_a.force_login(clerk_a)  # a session of that day
        body = client_a.get("/portal/records/new/").content.decode()
        assert GUANGXI_CLOSED in body
        assert 'name="prj_name"' not in body  # no open campaign (Jilin's opens in 2020): no form to fill in vain
        assert "今天没有向贵企业开放的补录" in body
        response = client_a.post(
            "/portal/records/new/", {"campaign": guangxi.pk, "prj_name": "青秀区图书馆", "county": "450103"}
        )
    assert response.status_code == 400
    assert GUANGXI_CLOSED in response.content.decode()
    assert not Record.objects.filter(enterprise=firm_a).exists()


def test_the_service_refuses_a_start_in_a_closed_campaign_for_every_caller(guangxi, firm_a, clerk_a):
    from accounts.errors import DomainError

    with time_machine.travel(AFTER_GUANGXI_CLOSED, tick=False), pytest.raises(DomainError) as exc:
        record_start(enterprise=firm_a, campaign=guangxi, user=clerk_a, prj_name="x", county=region("450103"))
    assert exc.value.message == GUANGXI_CLOSED and exc.value.field == "campaign"


def test_a_campaign_not_yet_open_says_when_it_opens(client_a, clerk_a, jilin):
    with time_machine.travel(AFTER_GUANGXI_CLOSED, tick=False):
        client_a.force_login(clerk_a)
        body = client_a.get("/portal/records/new/").content.decode()
    opening = jilin.openings.get(enterprise_kind="design")
    assert f"{opening.opens_on:%Y-%m-%d}起向贵企业开放" in body
    assert opening.message_before_open in body


def test_the_open_campaign_of_the_firms_own_province_is_preselected(client_a, clerk_a, firm_a, jilin):
    """Jilin's campaign (no close date) is open in 2021; a Guangxi campaign of that year too. A Guangxi firm finds
    Guangxi's preselected, with its track, last day and days left; a firm registered in Jilin finds Jilin's."""
    from projects.models import CampaignOpening, Track

    later = Campaign.objects.create(
        name="广西2021补录",
        province_id="450000",
        notice_number="桂建〔2021〕1号",
        notice_date=dt.date(2021, 1, 4),
        scope_completed_before=dt.date(2021, 1, 4),
        close_date=dt.date(2021, 3, 31),
    )
    CampaignOpening.objects.create(campaign=later, enterprise_kind="design", opens_on=dt.date(2021, 1, 4))
    Track.objects.create(campaign=later, code="N", name="全国通道")
    for registered_in, expected in (("450103", later), ("220100", jilin)):
        firm_a.region_id = registered_in
        firm_a.save(update_fields=["region"])
        with time_machine.travel(dt.datetime(2021, 3, 1, 9, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
            client_a.force_login(clerk_a)
            body = client_a.get("/portal/records/new/").content.decode()
        selected = re.search(r'<option value="(\d+)" selected', body)
        assert selected and int(selected.group(1)) == expected.pk, registered_in
    assert "2021-03-31" in body and "剩31天" in body  # 1 March to 31 March, both counted
