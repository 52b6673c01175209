"""修改保存: any completeness, nothing typed lost, stale pages refused, decided records locked (G7)."""

from __future__ import annotations

import datetime as dt

import pytest

from accounts.errors import DomainError
from projects.models import Record, RecordStatus
from projects.services import record_save, record_start
from tests.factories import region

pytestmark = pytest.mark.django_db


@pytest.fixture
def record(firm_a, guangxi, clerk_a):
    return record_start(
        historical=True, enterprise=firm_a, campaign=guangxi, user=clerk_a, prj_name="草稿项目", county=region("450103")
    )


def test_half_filled_record_saves(record, clerk_a):
    saved = record_save(
        record_id=record.pk,
        user=clerk_a,
        expected_version=1,
        data={
            "project": {"prj_name": "青秀区文化中心", "all_invest": "1200.5"},
            "tender": {"tender_num": "ZB-2016-01"},
        },
    )
    assert saved.version == 2
    assert saved.project.prj_name == "青秀区文化中心"
    saved.project.refresh_from_db()
    assert str(saved.project.all_invest) == "1200.5000"
    assert saved.tender.tender_num == "ZB-2016-01"
    assert saved.draft_inputs == {}


def test_an_impossible_date_is_kept_as_typed(record, clerk_a):
    saved = record_save(
        record_id=record.pk,
        user=clerk_a,
        expected_version=1,
        data={"tender": {"tender_result_date": "2016-02-30", "tender_money": "壹佰万"}},
    )
    assert saved.tender.tender_result_date is None
    assert saved.draft_inputs == {"tender.tender_result_date": "2016-02-30", "tender.tender_money": "壹佰万"}
    fixed = record_save(
        record_id=record.pk, user=clerk_a, expected_version=2, data={"tender": {"tender_result_date": "2016-02-29"}}
    )
    assert fixed.tender.tender_result_date == dt.date(2016, 2, 29)
    assert fixed.draft_inputs == {"tender.tender_money": "壹佰万"}


def test_a_bad_credit_code_is_stored_for_the_submit_check_to_report(record, clerk_a):
    saved = record_save(
        record_id=record.pk,
        user=clerk_a,
        expected_version=1,
        data={"contract": {"contractor_corp_code": "91450100198230181L"}},
    )
    assert saved.contract.contractor_corp_code == "91450100198230181L"


def test_second_tab_with_a_stale_version_is_refused(record, clerk_a):
    record_save(record_id=record.pk, user=clerk_a, expected_version=1, data={"project": {"prj_name": "第一个标签页"}})
    with pytest.raises(DomainError) as exc:
        record_save(record_id=record.pk, user=clerk_a, expected_version=1, data={"project": {"prj_name": "第二个"}})
    assert exc.value.code == "stale"
    record.refresh_from_db()
    assert record.project.prj_name == "第一个标签页"


def test_g7_a_decided_record_cannot_be_saved(record, clerk_a):
    Record.objects.filter(pk=record.pk).update(status=RecordStatus.APPROVED)
    with pytest.raises(DomainError) as exc:
        record_save(record_id=record.pk, user=clerk_a, expected_version=1, data={"project": {"prj_name": "改"}})
    assert exc.value.code == "locked"


def test_another_enterprise_cannot_save(record, clerk_b):
    with pytest.raises(DomainError) as exc:
        record_save(record_id=record.pk, user=clerk_b, expected_version=1, data={})
    assert exc.value.code == "forbidden"


def test_rows_are_added_updated_and_removed_in_place(record, clerk_a):
    saved = record_save(
        record_id=record.pk,
        user=clerk_a,
        expected_version=1,
        data={
            "units": [{"sub_prj_name": "1号楼"}, {"sub_prj_name": "2号楼"}],
            "corps": [{"corp_name": "甲设计院", "corp_role": "2", "unit": "#1"}, {"corp_name": "乙施工"}],
            "persons": [{"name": "张三", "role": "WD001"}],
        },
    )
    units = list(saved.project.units.order_by("id"))
    corps = list(saved.corps.order_by("id"))
    assert [u.sub_prj_name for u in units] == ["1号楼", "2号楼"]
    assert corps[0].unit_id == units[1].pk
    saved = record_save(
        record_id=record.pk,
        user=clerk_a,
        expected_version=2,
        data={"corps": [{"id": corps[1].pk, "corp_name": "乙施工集团"}], "persons": []},
    )
    assert [c.corp_name for c in saved.corps.all()] == ["乙施工集团"]
    assert saved.persons.count() == 0


def test_a_too_long_text_is_kept_not_cut(record, clerk_a):
    saved = record_save(
        record_id=record.pk,
        user=clerk_a,
        expected_version=1,
        data={"licence": {"licence_cert_no": "4501032015030101011"}},
    )
    assert saved.licence.licence_cert_no == ""
    assert saved.draft_inputs["licence.licence_cert_no"] == "4501032015030101011"


def test_shared_project_info_is_fixed_once_another_claim_is_submitted(record, clerk_a, firm_b, clerk_b, guangxi):
    """ADR 0008: a save that would change the fixed shared part is refused whole, saying why; the rest of the
    record is saved by a save without it (tests/projects/test_shared_projects.py has the other cases)."""
    other = record_start(
        historical=True,
        enterprise=firm_b,
        campaign=guangxi,
        user=clerk_b,
        prj_name="x",
        county=region("450103"),
        prj_num=record.project.prj_num,
    )
    Record.objects.filter(pk=other.pk).update(status=RecordStatus.SUBMITTED)
    with pytest.raises(DomainError) as refused:
        record_save(
            record_id=record.pk,
            user=clerk_a,
            expected_version=1,
            data={"project": {"prj_name": "想改名"}, "tender": {"tender_num": "T1"}},
        )
    assert refused.value.code == "shared_fixed"
    record.refresh_from_db()
    assert record.project.prj_name == "草稿项目"
    assert record.version == 1
    saved = record_save(record_id=record.pk, user=clerk_a, expected_version=1, data={"tender": {"tender_num": "T1"}})
    assert saved.tender.tender_num == "T1"
