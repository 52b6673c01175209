"""The clerk's record form (issue 11 item 7, first half): messages that name the field and the format it expects,
common date and number forms read the same way by the page and the API, an honest 已保存 that names what was not
saved and stays in view, upload errors at the upload, and 单位人员 required (DOMAIN.md "The record" §7: 单位人员录入,
桂建设〔2017〕29号 (二))."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation

from grading import rules
from grading.checks import check_record, section_completeness
from projects import inputs
from projects.models import Record, RecordPerson
from projects.services import editable_fields

from .test_api_support import client_for

pytestmark = pytest.mark.django_db

SUBMIT_DAY = dt.datetime(2017, 12, 1, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def url(record, suffix=""):
    return f"/portal/records/{record.pk}/{suffix}"


def save(client, record, data: dict):
    record.refresh_from_db()
    return client.post(url(record), {"version": str(record.version), **data})


# --------------------------------------------------------------------------------------------------------------
# One source of the messages: grading.rules.input_hint, from the field's type, unit and format check
# --------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("project.all_invest", "总投资须为数字，单位万元，例如 6800"),
        ("tender.tender_money", "中标金额须为数字，单位万元，例如 6800"),
        ("finish_check.b_date", "实际开工日期须为日期，例如 2015-03-08"),
        ("contract.contract_date", "合同签订日期须为日期，例如 2015-03-08"),
        ("corps[3].corp_code", "统一社会信用代码须为18位统一社会信用代码"),
        ("project.build_corp_code", "没有统一社会信用代码的填写“其它”"),
        ("persons[0].id_card", "证件号码须为18位居民身份证号码（17位数字加1位数字或X），例如 11010519491231002X"),
        ("corps[0].person_phone", "须为11位手机号码或带区号的固定电话，例如 13807710000 或 0771-2368335"),
        ("project.all_area", "总面积须为数字，单位平方米，最多2位小数，例如 12500"),
        ("licence.length", "长度须为数字，单位米，最多2位小数"),
        ("licence.bargain_days", "合同工期须为整数，单位天，例如 365"),
        ("units.invest", "单位万元，最多2位小数"),  # TBUnitProjectInfo.Invest Float(19,2)
        ("project.prj_num", "项目编号须为16位数字"),
        ("licence.licence_cert_no", "施工许可证编号须为施工许可证上印制的18位数字"),
        ("project.prj_type", "项目分类须在列表中选择（国家数据标准的代码）"),
        ("censor.one_censor_is_pass", "须选择“是”或“否”"),
        ("project.county", "须在列表中依次选择省、市、区县"),
        ("project.prj_name", "项目名称最多250个字"),
    ],
)
def test_each_kind_of_field_names_itself_and_the_format_it_expects(path, expected):
    with translation.override("zh-hans"):
        assert expected in rules.input_hint(path)


@pytest.mark.parametrize("part", rules.PARTS, ids=lambda p: p.key)
def test_every_field_a_clerk_types_has_a_message(part):
    """No field falls back to a generic 格式不正确: the hint is built from the definition, for every field."""
    with translation.override("zh-hans"):
        for field in editable_fields(part.model):
            if field.name in rules.SYSTEM_FIELDS:
                continue
            hint = rules.input_hint(f"{part.key}.{field.name}")
            assert hint and ("须" in hint or "最多" in hint), (part.key, field.name, hint)
            assert not re.split("须|最多", hint)[0].endswith("）"), (part.key, field.name, hint)  # unit said once


def test_a_units_unit_comes_from_the_field_definition():
    from projects.models import BuilderLicence, Project, UnitProject

    assert inputs.unit_of(Project._meta.get_field("all_invest")) is inputs.Unit.WAN_YUAN
    assert inputs.unit_of(UnitProject._meta.get_field("build_area")) is inputs.Unit.SQUARE_METRES
    assert inputs.unit_of(BuilderLicence._meta.get_field("span")) is inputs.Unit.METRES
    assert inputs.unit_of(BuilderLicence._meta.get_field("bargain_days")) is inputs.Unit.DAYS
    assert inputs.unit_of(UnitProject._meta.get_field("floor_count")) is None


# --------------------------------------------------------------------------------------------------------------
# The forms accepted and refused (projects.inputs, through record_save: the page and the API alike)
# --------------------------------------------------------------------------------------------------------------

DATES_ACCEPTED = ["2015-03-08", "2015/3/8", "2015.3.8", "2015年3月8日", "20150308", "2015-3-8", " 2015/03/08 "]
DATES_ACCEPTED += ["２０１５/３/８", "2015年03月08号"]
DATES_REFUSED = ["2015-02-30", "3/8/2015", "2015年13月1日", "八号", "2015-3", "201538"]
AMOUNTS_ACCEPTED = ["1200", "1,200", "1，200", "１２００", " 1200 ", "1200万元", "1200 万元", "1,200.00万元"]
AMOUNTS_REFUSED = ["1200元", "1,2", "12,00", "壹仟贰佰", "1200平方米", "1.2.3", "1e3"]


@pytest.mark.parametrize("typed", DATES_ACCEPTED)
def test_common_date_forms_are_read_on_the_page(client_a, record_a, typed):
    response = save(client_a, record_a, {"finish_check.b_date": typed})
    assert response.status_code == 302
    record = Record.objects.get(pk=record_a.pk)
    assert record.finish_check.b_date == dt.date(2015, 3, 8)
    assert record.draft_inputs == {}


@pytest.mark.parametrize("typed", AMOUNTS_ACCEPTED)
def test_common_number_forms_and_the_fields_own_unit_are_read_on_the_page(client_a, record_a, typed):
    response = save(client_a, record_a, {"project.all_invest": typed})
    assert response.status_code == 302
    record = Record.objects.get(pk=record_a.pk)
    assert record.project.all_invest == Decimal("1200")
    assert record.draft_inputs == {}


@pytest.mark.parametrize(
    ("path", "typed", "stored"),
    [
        ("project.all_area", "12,500㎡", Decimal("12500")),
        ("project.all_area", "12500平方米", Decimal("12500")),
        ("project.all_length", "320.5米", Decimal("320.5")),
        ("licence.bargain_days", "365天", 365),
        ("licence.bargain_days", "１，０００", 1000),
    ],
)
def test_a_unit_of_the_fields_own_kind_is_read(client_a, record_a, path, typed, stored):
    save(client_a, record_a, {path: typed})
    record = Record.objects.get(pk=record_a.pk)
    part, name = path.split(".")
    owner = record.project if part == "project" else getattr(record, part)
    assert getattr(owner, name) == stored
    assert record.draft_inputs == {}


@pytest.mark.parametrize(
    ("path", "typed", "message"),
    [
        *(("finish_check.b_date", typed, "实际开工日期须为日期，例如 2015-03-08") for typed in DATES_REFUSED),
        *(("project.all_invest", typed, "总投资须为数字，单位万元，例如 6800") for typed in AMOUNTS_REFUSED),
        ("licence.bargain_days", "365.5", "合同工期须为整数，单位天，例如 365"),
        ("project.all_length", "320平方米", "总长度须为数字，单位米"),
    ],
)
def test_anything_else_is_kept_as_typed_with_the_fields_message(client_a, record_a, path, typed, message):
    response = save(client_a, record_a, {path: typed})
    assert response.status_code == 302
    assert Record.objects.get(pk=record_a.pk).draft_inputs == {path: typed}
    body = client_a.get(response["Location"]).content.decode()
    fid = "f-" + path.replace(".", "-")
    kept = re.search(rf'<p class="kept" id="{fid}-kept">(.*?)</p>', body, re.S)
    assert kept and message in kept.group(1), body[:500]
    assert "格式不正确" not in body
    # …and the submit report says the same words
    problems = [p for p in check_record(Record.objects.get(pk=record_a.pk)) if p.path == path]
    assert problems and message in problems[0].message


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ({"finish_check": {"b_date": "2015年3月8日"}}, ("finish_check", "b_date", "2015-03-08")),
        ({"finish_check": {"b_date": "2015/3/8"}}, ("finish_check", "b_date", "2015-03-08")),
        ({"tender": {"tender_money": "1,200万元"}}, ("tender", "tender_money", "1200.0000")),
        ({"tender": {"tender_money": "１２００"}}, ("tender", "tender_money", "1200.0000")),
        ({"tender": {"area": 1200.5}}, ("tender", "area", "1200.50")),
    ],
)
def test_the_api_reads_the_same_forms(clerk_a, record_a, sent, stored):
    api = client_for(clerk_a)
    body = api.patch(f"/api/v1/records/{record_a.pk}/", {"version": 1, **sent}, format="json").json()
    part, name, value = stored
    assert body[part][name] == value
    assert body["draft_inputs"] == {} and body["not_saved"] == []


@pytest.mark.parametrize(
    ("sent", "path", "message"),
    [
        ({"tender": {"tender_money": "1200元"}}, "tender.tender_money", "中标金额须为数字，单位万元，例如 6800"),
        ({"finish_check": {"b_date": "2015-02-30"}}, "finish_check.b_date", "实际开工日期须为日期，例如 2015-03-08"),
        ({"licence": {"bargain_days": "一年"}}, "licence.bargain_days", "合同工期须为整数，单位天"),
    ],
)
def test_the_api_names_the_field_and_its_format_for_what_it_could_not_save(clerk_a, record_a, sent, path, message):
    api = client_for(clerk_a)
    body = api.patch(f"/api/v1/records/{record_a.pk}/", {"version": 1, **sent}, format="json").json()
    assert [item["path"] for item in body["not_saved"]] == [path]
    assert message in body["not_saved"][0]["message"]
    assert "格式不正确" not in body["not_saved"][0]["message"]


def test_the_api_says_which_field_a_request_lacks_never_a_generic_required(clerk_a, record_a):
    api = client_for(clerk_a)
    response = api.patch(f"/api/v1/records/{record_a.pk}/", {"project": {"prj_name": "新名"}}, format="json")
    assert response.status_code == 400
    assert "请提供“version”" in response.json()["errors"]["version"][0]
    created = api.post("/api/v1/records/", {}, format="json").json()
    for name in ("campaign", "prj_name", "county"):
        assert f"请提供“{name}”" in created["errors"][name][0], created
    assert "该字段是必填项" not in str(created)


# --------------------------------------------------------------------------------------------------------------
# 修改保存: honest, and where the clerk is
# --------------------------------------------------------------------------------------------------------------


def test_a_save_with_values_not_saved_says_so_naming_them_and_keeps_them_typed(client_a, record_a):
    response = save(
        client_a,
        record_a,
        {
            "project.all_invest": "六千八百",
            "finish_check.b_date": "2015-3-32",
            "tender.tender_num": "ZB-2015-01",
            "anchor": "s-finish",
        },
    )
    assert response.status_code == 302 and response["Location"].endswith("#s-finish")
    body = client_a.get(response["Location"]).content.decode()
    message = re.search(r'<p class="msg msg-warning">(.*?)</p>', body, re.S).group(1)
    assert message.startswith("已保存，2 处内容未能保存：")
    assert "总投资（万元）”“六千八百”" in message and "实际开工日期”“2015-3-32”" in message
    assert 'name="project.all_invest" value="六千八百"' in body
    assert 'name="finish_check.b_date" value="2015-3-32"' in body
    assert body.count('class="kept"') == 2
    assert "已保存。" not in body
    assert Record.objects.get(pk=record_a.pk).tender.tender_num == "ZB-2015-01"  # the rest was saved


def test_a_clean_save_says_saved(client_a, record_a):
    response = save(client_a, record_a, {"project.all_invest": "6,800万元"})
    body = client_a.get(response["Location"]).content.decode()
    assert '<p class="msg msg-success">已保存。</p>' in body
    assert "未能保存" not in body


def test_the_save_messages_stay_in_view_as_a_toast(client_a, record_a):
    """The page jumps to the section saved; its messages are a fixed toast of the record page (portal.css,
    portal.js), closable, never only at the top."""
    response = save(client_a, record_a, {"project.all_invest": "6800", "anchor": "s-persons"})
    body = client_a.get(response["Location"]).content.decode()
    assert 'class="page-record' in body and '<div class="messages" role="status">' in body
    assert 'data-close-text="关闭提示"' in body
    from django.contrib.staticfiles import finders

    css = open(finders.find("portal/portal.css"), encoding="utf-8").read()
    assert re.search(r"\.page-record main > \.messages\.toast \{[^}]*position: fixed", css)
    js = open(finders.find("portal/portal.js"), encoding="utf-8").read()
    assert 'box.classList.add("toast")' in js


def test_a_value_no_field_can_hold_refuses_the_save_and_says_so_at_the_field(client_a, record_a):
    response = save(client_a, record_a, {"project.all_invest": "9" * 40, "tender.tender_num": "ZB-1"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "本次未保存任何内容" in body
    assert re.search(r'id="f-project-all_invest"[^>]*aria-invalid="true"', body)
    assert 'href="#f-project-all_invest"' in body
    assert 'name="tender.tender_num" value="ZB-1"' in body  # what was typed is shown back
    assert Record.objects.get(pk=record_a.pk).version == record_a.version


def test_a_code_in_the_wrong_format_is_told_at_its_field_right_after_the_save(client_a, record_a):
    """A credit code, an ID number or a phone is saved as typed (a draft), and told at once, not first at submit."""
    response = save(
        client_a, record_a, {"project.build_corp_code": "9145010019823005", "tender.constructor_id_card": "12345"}
    )
    body = client_a.get(response["Location"]).content.decode()
    warning = re.search(r'<p class="msg msg-warning">(.*?)</p>', body, re.S).group(1)
    assert "提交时" in warning and "建设单位统一社会信用代码" in warning
    assert re.search(r'id="f-project-build_corp_code"[^>]*aria-invalid="true"', body)
    field = re.search(r'id="f-project-build_corp_code".*?<p class="error">(.*?)</p>', body, re.S).group(1)
    assert "18" in field


def test_date_inputs_stay_text_with_a_calendar_beside(client_a, record_a):
    body = client_a.get(url(record_a)).content.decode()
    assert re.search(r'<input type="text" id="f-finish_check-b_date"[^>]*class="w-date"', body)
    assert 'data-date-button="从日历选择{label}"' in body
    assert "<script>" not in body and "onclick" not in body  # no inline JS (CSP)


# --------------------------------------------------------------------------------------------------------------
# Uploads: the error at the upload
# --------------------------------------------------------------------------------------------------------------


def test_an_upload_error_is_said_at_the_upload_control(client_a, record_a):
    response = client_a.post(url(record_a, "attachments/"), {"kind": "bid_notice"})
    assert response.status_code == 400
    body = response.content.decode()
    form = re.search(r'<form [^>]*id="upload-form".*?</form>', body, re.S).group(0)
    assert f'action="/portal/records/{record_a.pk}/attachments/#upload-form"' in form
    assert 'id="upload-errors"' in form and "请选择要上传的文件（PDF、JPG 或 PNG）" in form
    assert "该字段是必填项" not in body
    assert 'id="problems"' not in body  # nothing at the top of the page


# --------------------------------------------------------------------------------------------------------------
# 单位人员录入 required (DOMAIN.md "The record" §7)
# --------------------------------------------------------------------------------------------------------------


def test_record_7_unit_personnel_needs_one_person_in_completeness(client_a, record_a):
    assert section_completeness(record_a)["persons"] == (0, 6)
    body = client_a.get(url(record_a)).content.decode()
    head = re.search(r'id="s-persons".*?<span class="completeness([^"]*)">(.*?)</span>', body, re.S)
    assert head.group(2) == "必填项 0/6" and "done" not in head.group(1)


def test_record_7_submit_asks_for_a_person_with_the_unit_name_role_and_id(client_a, valid_a):
    RecordPerson.objects.filter(record=valid_a).delete()
    with time_machine.travel(SUBMIT_DAY, tick=False):
        response = client_a.post(url(valid_a, "submit/"))
    assert response.status_code == 422
    body = response.content.decode()
    assert "单位人员：至少应填写一条。" in body
    assert Record.objects.get(pk=valid_a.pk).status == "draft"


def test_record_7_a_person_without_unit_or_id_is_refused_at_submit_and_in_the_api(clerk_a, valid_a):
    RecordPerson.objects.filter(record=valid_a).update(corp_code="", id_card="")
    paths = {p.path for p in check_record(Record.objects.get(pk=valid_a.pk)) if p.rule == "M"}
    assert paths == {"persons[0].corp_code", "persons[0].id_card"}
    with time_machine.travel(SUBMIT_DAY, tick=False):
        response = client_for(clerk_a).post(f"/api/v1/records/{valid_a.pk}/submit/")
    assert response.status_code == 400, response.content
    assert {p["path"] for p in response.json()["problems"]} >= {"persons[0].corp_code", "persons[0].id_card"}
