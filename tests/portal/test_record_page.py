"""The record page (issue 4 items 3, 4, 7): every section on one page, red stars, codes shown by name,
工程用途 following 项目分类, completeness, values kept as typed, 修改保存 at any completeness, two tabs,
G7 read-only and 403."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine

from grading import rules
from projects import codes
from projects.models import Record, RecordStatus, UnitProject
from projects.services import record_save
from tests.factories import make_uscc

pytestmark = pytest.mark.django_db

OPEN_DAY = dt.datetime(2017, 12, 1, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def url(record, suffix=""):
    return f"/portal/records/{record.pk}/{suffix}"


def page(client, record) -> str:
    response = client.get(url(record))
    assert response.status_code == 200
    return response.content.decode()


def post(client, record, data: dict, version=None):
    payload = {"version": str(record.version if version is None else version), **data}
    return client.post(url(record), payload)


def set_status(record, status):
    Record.objects.filter(pk=record.pk).update(status=status)


# --------------------------------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------------------------------


def test_every_section_is_on_the_page_with_its_index(client_a, record_a):
    body = page(client_a, record_a)
    for title in (
        "基本信息",
        "单体",
        "审图备案",
        "招投标备案",
        "合同备案",
        "施工许可",
        "竣工验收与备案",
        "参建单位",
        "单位人员",
        "附件",
    ):
        assert title in body, title
    for section in rules.SECTIONS:
        assert f'id="s-{section.key}"' in body
        assert f'href="#s-{section.key}"' in body
    assert "甲级建筑设计院有限公司" in body  # the enterprise's name in the header
    assert "业绩补录平台" in body


def test_every_mandatory_field_has_a_red_star(client_a, valid_a):
    body = page(client_a, valid_a)
    for part in rules.PARTS:
        for name in part.required:
            path = f"{part.key}[0].{name}" if part.many else f"{part.key}.{name}"
            fid = "f-" + re.sub(r"[\[\].]+", "-", path).strip("-")
            label_for = f"{fid}-l1" if name == "county" else fid
            match = re.search(rf'<label for="{label_for}">(.*?)</label>', body, re.S)
            assert match, path
            assert 'class="req"' in match.group(1), path
    # an optional field has none
    optional = re.search(r'<label for="f-project-prj_code">(.*?)</label>', body, re.S).group(1)
    assert 'class="req"' not in optional
    # the mandatory inputs say so to assistive technology, without blocking a half-filled save
    assert 'name="tender.tender_money" value="170" inputmode="decimal" class="w-number" aria-required="true"' in body
    assert " required" not in re.search(r'<form id="record-form".*?</form>', body, re.S).group(0).replace(
        "aria-required", ""
    )


def test_choices_are_shown_by_name_and_posted_as_codes(client_a, valid_a):
    body = page(client_a, valid_a)
    assert '<option value="002" selected>设计</option>' in body  # tender_class 002
    assert '<option value="01" selected>房屋建筑工程</option>' in body  # prj_type


def test_project_use_options_carry_their_category(client_a, valid_a):
    body = page(client_a, valid_a)
    assert 'data-follows="f-project-prj_type"' in body
    assert re.search(r'<option value="014" data-types="02 99">', body)  # 道路: municipal
    assert re.search(r'<option value="304" selected data-types="01 99">', body)  # 教育: housing
    for code in codes.functions_for_type(codes.ProjectType.MUNICIPAL):
        assert re.search(rf'<option value="{code}"[^>]*data-types="[^"]*02', body)


def test_the_region_picker_shows_province_city_county(client_a, valid_a):
    body = page(client_a, valid_a)
    assert 'name="project.county" value="450103"' in body
    assert '<option value="450000" selected>广西壮族自治区</option>' in body
    assert '<option value="450100" selected>南宁市</option>' in body
    assert '<option value="450103" selected>青秀区</option>' in body


def test_region_children_json(client_a):
    data = client_a.get("/portal/regions/450100/").json()
    codes_ = [r["code"] for r in data["regions"]]
    assert "450103" in codes_ and all(c.startswith("4501") for c in codes_)


def test_each_section_shows_its_completeness(client_a, record_a, valid_a):
    assert "必填项 12/12" in page(client_a, valid_a)
    body = page(client_a, record_a)
    assert "必填项 2/12" in body  # a fresh record: name and county
    assert "必传附件 0/3" in body


def test_a_value_kept_as_typed_is_shown_back_with_a_warning(client_a, record_a, clerk_a):
    record_save(
        record_id=record_a.pk,
        user=clerk_a,
        expected_version=1,
        data={"tender": {"tender_result_date": "2016-02-30", "tender_money": "壹佰万"}},
    )
    body = page(client_a, record_a)
    assert 'name="tender.tender_result_date" value="2016-02-30"' in body
    assert 'name="tender.tender_money" value="壹佰万"' in body
    assert body.count("此处按您输入的原样显示") == 2


def test_the_record_page_runs_a_bounded_number_of_queries(client_a, firm_a, django_assert_max_num_queries):
    from tests.review.builders import valid_record

    small = valid_record(firm_a, units=1, corps=1, persons=1, staff=1)
    large = valid_record(firm_a, units=12, corps=15, persons=20, staff=10)
    with django_assert_max_num_queries(30) as small_queries:
        client_a.get(url(small))
    with django_assert_max_num_queries(30) as large_queries:
        client_a.get(url(large))
    assert len(large_queries.captured_queries) == len(small_queries.captured_queries)


# --------------------------------------------------------------------------------------------------------------
# 修改保存
# --------------------------------------------------------------------------------------------------------------


def test_save_half_the_fields(client_a, record_a):
    response = post(
        client_a,
        record_a,
        {
            "project.prj_name": "青秀区文化中心",
            "project.prj_type": "01",
            "project.all_invest": "1200.5",
            "tender.tender_num": "ZB-2016-01",
            "tender.tender_class": "002",
            "anchor": "s-tender",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == url(record_a, "?saved=1#s-tender")
    record = Record.objects.get(pk=record_a.pk)
    assert record.version == 2
    assert record.project.prj_name == "青秀区文化中心"
    assert record.tender.tender_class == "002"
    body = client_a.get(response["Location"]).content.decode()
    assert "已保存" in body
    assert 'value="1200.5"' in body


def test_an_impossible_value_is_kept_not_refused(client_a, record_a):
    response = post(client_a, record_a, {"contract.contract_date": "2016-13-01", "contract.contract_money": "12x"})
    assert response.status_code == 302
    record = Record.objects.get(pk=record_a.pk)
    assert record.draft_inputs == {"contract.contract_date": "2016-13-01", "contract.contract_money": "12x"}


def test_rows_are_added_and_removed_in_place_and_a_new_unit_is_referred_to_by_index(client_a, record_a):
    response = post(
        client_a,
        record_a,
        {
            "rows": ["units", "corps", "persons"],
            "units[0].id": "",
            "units[0].sub_prj_name": "1号楼",
            "units[3].id": "",  # indexes need not be contiguous: the page never renumbers
            "units[3].sub_prj_name": "2号楼",
            "units[4].id": "",  # a new row left blank is dropped
            "units[4].sub_prj_name": "",
            "corps[0].id": "",
            "corps[0].unit": "#3",
            "corps[0].corp_name": "南宁建工集团",
            "corps[0].corp_role": "3",
            "persons[0].id": "",
            "persons[0].name": "张工",
        },
    )
    assert response.status_code == 302
    record = Record.objects.get(pk=record_a.pk)
    units = {u.sub_prj_name: u for u in UnitProject.objects.filter(project=record.project)}
    assert set(units) == {"1号楼", "2号楼"}
    corp = record.corps.get()
    assert corp.unit == units["2号楼"]
    assert record.persons.get().name == "张工"
    # removing: the rows not posted are deleted
    unit = units["1号楼"]
    response = post(
        client_a,
        record,
        {"rows": ["units", "persons"], "units[0].id": str(unit.pk), "units[0].sub_prj_name": "1号楼"},
    )
    assert response.status_code == 302
    assert list(UnitProject.objects.filter(project=record.project).values_list("sub_prj_name", flat=True)) == ["1号楼"]
    assert not record.persons.exists()
    assert record.corps.exists()  # a part not on the POST is left as it is


def test_a_second_tab_is_refused_and_the_users_input_is_shown_back(client_a, record_a):
    assert post(client_a, record_a, {"project.prj_name": "第一个标签页"}, version=1).status_code == 302
    response = post(
        client_a,
        record_a,
        {
            "project.prj_name": "第二个标签页",
            "tender.tender_num": "ZB-TAB-2",
            "rows": ["units"],
            "units[0].id": "",
            "units[0].sub_prj_name": "只在第二个标签页",
        },
        version=1,
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert "已在别处保存" in body or "在您打开后" in body
    assert 'value="第二个标签页"' in body  # the user's own input, not the database's
    assert 'value="ZB-TAB-2"' in body
    assert 'value="只在第二个标签页"' in body
    assert 'id="reload-link"' in body
    assert 'name="version" value="1"' in body  # saving again from this page is refused again
    record = Record.objects.get(pk=record_a.pk)
    assert record.project.prj_name == "第一个标签页"
    assert record.version == 2


def test_a_post_without_a_version_is_stale(client_a, record_a):
    response = client_a.post(url(record_a), {"project.prj_name": "无版本"})
    assert response.status_code == 409


# --------------------------------------------------------------------------------------------------------------
# Enterprises see only their own; decided records are read-only and refuse every write (G7)
# --------------------------------------------------------------------------------------------------------------


def test_another_enterprises_record_is_not_found(client, clerk_b, record_a):
    client.force_login(clerk_b)
    assert client.get(url(record_a)).status_code == 404
    assert post(client, record_a, {"project.prj_name": "偷改"}).status_code == 404
    assert client.post(url(record_a, "submit/")).status_code == 404
    assert client.post(url(record_a, "attachments/"), {"kind": "other"}).status_code == 404
    assert Record.objects.get(pk=record_a.pk).project.prj_name == "青秀区草稿项目"


def test_officials_do_not_use_the_portal_pages(client, county_reviewer, record_a):
    client.force_login(county_reviewer)
    assert client.get(url(record_a)).status_code == 403
    assert client.get("/portal/").status_code == 403


@pytest.mark.parametrize("status", [RecordStatus.APPROVED, RecordStatus.SUBMITTED, RecordStatus.DIRECT_REVIEW])
def test_g7_a_record_out_of_the_enterprises_hands_is_read_only(client_a, valid_a, status):
    set_status(valid_a, status)
    body = page(client_a, valid_a)
    form = re.search(r'<form id="record-form".*?</form>', body, re.S).group(0)
    assert '<input type="text"' not in form and "<select" not in form and "<textarea" not in form
    assert 'id="save-button"' not in body and 'id="submit-button"' not in body
    assert 'id="upload-button"' not in body
    assert '<div class="value">房屋建筑工程</div>' in form  # codes shown by name
    assert 'id="readonly-note"' in body


@pytest.mark.parametrize("status", [RecordStatus.APPROVED, RecordStatus.SUBMITTED])
def test_g7_every_write_to_a_decided_record_is_refused_with_403(client_a, valid_a, status):
    set_status(valid_a, status)
    attachment = valid_a.attachments.first()
    assert post(client_a, valid_a, {"project.prj_name": "改名"}).status_code == 403
    assert client_a.post(url(valid_a), {}).status_code == 403  # whatever the client sends
    assert client_a.post(url(valid_a, "submit/")).status_code == 403
    assert client_a.post(url(valid_a, "attachments/"), {}).status_code == 403
    assert client_a.post(f"/portal/attachments/{attachment.pk}/delete/").status_code == 403
    valid_a.refresh_from_db()
    assert valid_a.project.prj_name != "改名"
    assert valid_a.attachments.filter(pk=attachment.pk).exists()


def test_a_rejected_record_is_editable_again(client_a, valid_a):
    set_status(valid_a, RecordStatus.REJECTED)
    with time_machine.travel(OPEN_DAY, tick=False):  # the Guangxi campaign still open
        body = page(client_a, valid_a)
        assert 'id="save-button"' in body and 'id="submit-button"' in body
        assert 'id="campaign-closed"' not in body
        assert post(client_a, valid_a, {"project.prj_name": "改正后的名称"}).status_code == 302


def test_a_record_of_a_closed_campaign_says_so_at_the_top_and_offers_no_submit(client_a, valid_a):
    """Issue 11 item 1: after the Guangxi port closed (2018-06-30), a rejected record does not invite 重新提交 and
    then refuse it in the submit report: it says at the top, in the notice's words, that it can no longer go."""
    set_status(valid_a, RecordStatus.REJECTED)
    with time_machine.travel(dt.datetime(2018, 7, 2, 9, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        body = page(client_a, valid_a)
    head = body[: body.index('id="record-form"')] if 'id="record-form"' in body else body
    assert 'id="campaign-closed"' in head
    assert "补录时间延长至2018年6月30日，超过此期限将关闭历史业绩补录端口。" in head
    assert 'id="submit-button"' not in body
    assert "请修改后重新提交审核" not in body


def test_the_basic_information_is_fixed_once_another_claim_was_submitted(client_a, valid_a, firm_b):
    other = Record.objects.create(enterprise=firm_b, project=valid_a.project, campaign=valid_a.campaign)
    set_status(other, RecordStatus.SUBMITTED)
    body = page(client_a, valid_a)
    assert "项目基本信息和单体工程对申报该项目的所有企业均已固定" in body
    assert 'name="project.prj_name"' not in body
    assert 'name="units[0].sub_prj_name"' not in body  # the 单体 are shared too (ADR 0008)
    assert 'name="tender.tender_num"' in body
    assert post(client_a, valid_a, {"tender.tender_num": "ZB-9"}).status_code == 302


def test_a_credit_code_is_saved_as_typed_for_the_submit_check(client_a, record_a):
    code = make_uscc(7)
    post(client_a, record_a, {"contract.contractor_corp_code": code})
    assert Record.objects.get(pk=record_a.pk).contract.contractor_corp_code == code
