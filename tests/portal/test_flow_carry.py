"""Values carried forward (issue 11 item 7): what one stage already says prefills the next stage not yet entered,
marked with its source, saved only when the clerk saves, never over a stage already entered (projects/carry.py)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from projects import carry
from projects.models import Contract, FinishCheck, FinishRecord, Record
from projects.services import record_save

pytestmark = pytest.mark.django_db

OWNER_CODE = "91450100MA5L0E7X8A"  # any text: carried as it stands, checked at submit


def page(client, record) -> str:
    response = client.get(f"/portal/records/{record.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def input_value(body: str, path: str) -> str:
    fid = "f-" + re.sub(r"[\[\].]+", "-", path).strip("-")
    match = re.search(rf'<input type="text" id="{fid}" name="{re.escape(path)}" value="([^"]*)"', body)
    assert match, path
    return match.group(1)


def form_post(body: str) -> dict:
    """Every input, select and textarea of the record form as the browser would post it."""
    form = re.search(r'<form id="record-form".*?</form>', body, re.S).group(0)
    form = re.sub(r"<template.*?</template>", "", form, flags=re.S)
    data: dict = {}
    for m in re.finditer(r'<input type="(?:text|hidden)"[^>]*name="([^"]+)" value="([^"]*)"', form):
        data[m[1]] = m[2]
    for m in re.finditer(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form):
        data.setdefault(m[1], m[2])
    for m in re.finditer(r'<select id="[^"]+" name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', m[2])
        data[m[1]] = chosen[1] if chosen else ""
    for m in re.finditer(r'<textarea id="[^"]+" name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        data[m[1]] = m[2]
    return data


@pytest.fixture
def tendered(record_a, clerk_a):
    """报建 and 招投标 filled, 合同 and the later stages never entered."""
    record_save(
        record_id=record_a.pk,
        user=clerk_a,
        expected_version=record_a.version,
        data={
            "project": {
                "prj_name": "青秀区草稿项目",
                "build_corp_name": "南宁市青秀区教育局",
                "build_corp_code": OWNER_CODE,
                "all_area": "12000",
                "begin_date": "2015-03-08",
                "end_date": "2016-06-01",
            },
            "tender": {
                "tender_prj_name": "青秀区草稿项目设计",
                "tender_money": "1200.5",
                "tender_corp_name": "甲级设计院",
            },
        },
    )
    return Record.objects.get(pk=record_a.pk)


def test_carry_the_contract_is_prefilled_from_tender_and_basic_information(client_a, tendered):
    body = page(client_a, tendered)
    assert input_value(body, "contract.contract_money") == "1200.5"  # 中标金额 → 合同金额
    assert input_value(body, "contract.con_prj_name") == "青秀区草稿项目设计"
    assert input_value(body, "contract.propietor_corp_name") == "南宁市青秀区教育局"  # 建设单位 → 发包单位
    assert input_value(body, "contract.propietor_corp_code") == OWNER_CODE
    assert input_value(body, "contract.contractor_corp_name") == "甲级设计院"
    assert input_value(body, "finish_check.fact_area") == "12000"
    assert input_value(body, "finish_check.b_date") == "2015-03-08"
    # each says where it comes from, in Chinese
    assert "已从招投标备案带入，可修改" in body
    assert "已从基本信息带入，可修改" in body
    assert 'id="f-contract-contract_money-carried"' in body
    # nothing was written by showing the page
    assert not Contract.objects.filter(record=tendered).exclude(contract_money=None).exists()


def test_carry_is_stored_when_the_clerk_saves_and_an_override_is_kept(client_a, tendered):
    data = form_post(page(client_a, tendered))
    data["contract.con_prj_name"] = "青秀区草稿项目设计合同"  # the clerk overrides one
    response = client_a.post(f"/portal/records/{tendered.pk}/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    contract = Contract.objects.get(record=tendered)
    assert contract.contract_money == Decimal("1200.5")
    assert contract.propietor_corp_name == "南宁市青秀区教育局"
    assert contract.con_prj_name == "青秀区草稿项目设计合同"
    body = page(client_a, tendered)
    assert input_value(body, "contract.con_prj_name") == "青秀区草稿项目设计合同"
    assert 'id="f-contract-contract_money-carried"' not in body  # stored now, no longer a suggestion


def test_carry_never_touches_a_stage_already_entered(client_a, tendered, clerk_a):
    record_save(
        record_id=tendered.pk,
        user=clerk_a,
        expected_version=tendered.version,
        data={"contract": {"contract_num": "HT-2015-01"}},  # entered, with its amount still empty
    )
    body = page(client_a, tendered)
    assert input_value(body, "contract.contract_money") == ""
    assert 'id="f-contract-contract_money-carried"' not in body


def test_carry_finish_record_repeats_finish_check(record_a, clerk_a, client_a):
    record_save(
        record_id=record_a.pk,
        user=clerk_a,
        expected_version=record_a.version,
        data={
            "finish_check": {
                "fin_prj_name": "科教楼",
                "fact_cost": "3100",
                "fact_area": "8800.5",
                "length": "0",
                "span": "0",
                "b_date": "2015-04-01",
                "e_date": "2016-06-18",
                "prj_structure_type": "010",
            }
        },
    )
    values = {"finish_check": {"fin_prj_name": "科教楼", "fact_cost": "3100", "b_date": "2015-04-01"}}
    offered = carry.suggestions(values)
    assert offered["finish_record.fin_prj_name"].value == "科教楼"
    assert offered["finish_record.fact_cost"].source == "finish_check.fact_cost"
    assert "finish_record.e_date" not in offered  # the filing has its own date
    body = page(client_a, Record.objects.get(pk=record_a.pk))
    assert input_value(body, "finish_record.fact_area") == "8800.5"
    assert input_value(body, "finish_record.b_date") == "2015-04-01"
    assert re.search(r'<option value="010" selected', body.split('name="finish_record.prj_structure_type"')[1][:3000])
    assert not FinishRecord.objects.filter(record=record_a).exclude(fact_cost=None).exists()
    assert FinishCheck.objects.get(record=record_a).fact_cost == Decimal("3100")


def test_carry_a_read_only_record_is_not_prefilled(client_a, tendered):
    Record.objects.filter(pk=tendered.pk).update(status="submitted")
    body = page(client_a, tendered)
    assert "带入，可修改" not in body


def test_carry_takes_the_first_source_that_holds_a_value():
    values = {"project": {"prj_name": "甲"}, "tender": {"tender_prj_name": ""}, "contract": {}}
    assert carry.suggestions(values)["contract.con_prj_name"].source == "project.prj_name"
    values["tender"]["tender_prj_name"] = "乙"
    assert carry.suggestions(values)["contract.con_prj_name"].value == "乙"
    # defaults (证件类型 1) do not make a stage entered
    assert not carry.is_entered("tender", {"constructor_id_type": "1", "tender_money": ""})
    assert carry.is_entered("tender", {"tender_money": "5"})
