"""Shared projects (ADR 0008): the project's basic information and its 单体 belong to every claim on the project;
they are entered by the first claim only, frozen for everyone once any claim is submitted or decided (G7), and
another firm's entries are not shown to a firm that joins until an authority has approved them.

The breach of issue 9: a firm joined another firm's approved project with POST /api/v1/records/ naming its 项目编号,
then changed (or, with "units": [], deleted) the approved record's 单体 by PATCHing its own draft.
"""

from __future__ import annotations

import pytest
import time_machine

from accounts.errors import DomainError
from projects.models import Project, ProjectCorp, Record, RecordStatus, UnitProject
from projects.selectors import shared_access
from projects.services import record_save, record_start
from tests.factories import region
from tests.portal.test_api_support import SUBMIT_DAY, client_for, isolate
from tests.review.builders import valid_record

pytestmark = pytest.mark.django_db

RECORDS = "/api/v1/records/"


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path):
    isolate(settings, tmp_path)
    with time_machine.travel(SUBMIT_DAY, tick=False):
        yield


def _units(project: Project) -> list[tuple]:
    return list(UnitProject.objects.filter(project=project).order_by("pk").values_list("pk", "sub_prj_name", "invest"))


def _join(clerk, prj_num: str, guangxi) -> dict:
    body = {"campaign": guangxi.pk, "prj_name": "随便写的名字", "county": "450103", "prj_num": prj_num}
    response = client_for(clerk).post(RECORDS, body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


@pytest.mark.parametrize("keeper_status", [RecordStatus.APPROVED, RecordStatus.SUBMITTED])
@pytest.mark.parametrize("units", [[], [{"sub_prj_name": "被改掉的单体", "invest": "1"}]])
def test_g7_a_joining_firm_cannot_change_the_units_of_a_decided_or_pending_record(
    firm_a, clerk_b, guangxi, keeper_status, units
):
    """Issue 9, breach 1: refused (403 "shared_fixed", in Chinese), and the other firm's record keeps its 单体."""
    keeper = valid_record(firm_a, units=2)
    Record.objects.filter(pk=keeper.pk).update(status=keeper_status)
    before = _units(keeper.project)
    joined = _join(clerk_b, keeper.project.prj_num, guangxi)
    api = client_for(clerk_b)
    answer = api.patch(f"{RECORDS}{joined['id']}/", {"version": joined["version"], "units": units}, format="json")
    assert answer.status_code == 403, answer.content
    assert answer.json()["code"] == "shared_fixed"
    assert "固定" in answer.json()["detail"]
    assert _units(keeper.project) == before
    project = api.patch(
        f"{RECORDS}{joined['id']}/", {"version": joined["version"], "project": {"all_invest": "1"}}, format="json"
    )
    assert project.status_code == 403
    keeper.project.refresh_from_db()
    assert str(keeper.project.all_invest) == "6800.0000"
    assert Record.objects.get(pk=joined["id"]).version == joined["version"]  # nothing of the save was written


def test_the_joining_firm_cannot_change_the_first_firms_draft_either(firm_a, clerk_b, guangxi):
    keeper = valid_record(firm_a, units=1)
    before = _units(keeper.project)
    joined = _join(clerk_b, keeper.project.prj_num, guangxi)
    with pytest.raises(DomainError) as refused:
        record_save(record_id=joined["id"], user=clerk_b, expected_version=joined["version"], data={"units": []})
    assert refused.value.code == "shared_fixed"
    assert "最先" in str(refused.value.message)
    assert _units(keeper.project) == before


def test_the_joining_firm_does_not_see_the_first_firms_unapproved_entries(firm_a, clerk_b, guangxi, client):
    """Before an authority approves a claim, a joining firm sees the project's identity (the numbers it typed, the
    name and the county), not 建设单位, 总投资 or 单体 — in the API and on the page."""
    keeper = valid_record(firm_a, units=2)
    joined = _join(clerk_b, keeper.project.prj_num, guangxi)
    assert joined["project"]["prj_num"] == keeper.project.prj_num
    assert joined["project"]["prj_name"] == keeper.project.prj_name
    assert joined["project"]["build_corp_name"] == ""
    assert joined["project"]["all_invest"] is None
    assert joined["units"] == []
    assert joined["project_editable"] is False
    client.force_login(clerk_b)
    html = client.get(f"/portal/records/{joined['id']}/").content.decode()
    assert keeper.project.prj_name in html
    for secret in (keeper.project.build_corp_name, keeper.project.build_corp_code, "1号教学楼", "6800"):
        assert secret not in html, secret
    assert "最先" in html


def test_once_a_claim_is_approved_every_claimant_sees_the_shared_part_read_only(firm_a, clerk_b, guangxi, client):
    keeper = valid_record(firm_a, units=1)
    Record.objects.filter(pk=keeper.pk).update(status=RecordStatus.APPROVED)
    joined = _join(clerk_b, keeper.project.prj_num, guangxi)
    assert joined["project"]["build_corp_name"] == keeper.project.build_corp_name
    assert [u["sub_prj_name"] for u in joined["units"]] == ["1号教学楼"]
    # what it sees it may send back unchanged (a PUT of its GET), with its own sections
    body = {"version": joined["version"], "project": joined["project"], "units": joined["units"]}
    body["tender"] = {"tender_num": "ZB-B-01"}
    answer = client_for(clerk_b).put(f"{RECORDS}{joined['id']}/", body, format="json")
    assert answer.status_code == 200, answer.content
    assert answer.json()["tender"]["tender_num"] == "ZB-B-01"
    client.force_login(clerk_b)
    html = client.get(f"/portal/records/{joined['id']}/").content.decode()
    assert keeper.project.build_corp_name in html
    assert "固定" in html


def test_the_first_firm_edits_the_shared_part_until_any_claim_is_submitted(firm_a, clerk_a, firm_b, clerk_b, guangxi):
    keeper = record_start(
        historical=True, enterprise=firm_a, campaign=guangxi, user=clerk_a, prj_name="共享项目", county=region("450103")
    )
    other = record_start(
        historical=True,
        enterprise=firm_b,
        campaign=guangxi,
        user=clerk_b,
        prj_name="x",
        county=region("450103"),
        prj_num=keeper.project.prj_num,
    )
    assert shared_access(keeper).editable and not shared_access(other).editable
    saved = record_save(
        record_id=keeper.pk, user=clerk_a, expected_version=1, data={"units": [{"sub_prj_name": "主楼"}]}
    )
    assert [u[1] for u in _units(saved.project)] == ["主楼"]
    Record.objects.filter(pk=other.pk).update(status=RecordStatus.SUBMITTED)
    with pytest.raises(DomainError) as refused:
        record_save(record_id=keeper.pk, user=clerk_a, expected_version=2, data={"project": {"prj_name": "改名"}})
    assert refused.value.code == "shared_fixed"
    # the keeper's own sections still save, and so does its shared part sent back unchanged
    saved = record_save(
        record_id=keeper.pk,
        user=clerk_a,
        expected_version=2,
        data={"project": {"prj_name": "共享项目"}, "tender": {"tender_num": "T1"}},
    )
    assert saved.tender.tender_num == "T1"
    saved.project.refresh_from_db()
    assert saved.project.prj_name == "共享项目"


def test_a_rejected_claim_freezes_nothing(firm_a, clerk_a, firm_b, clerk_b, guangxi):
    keeper = record_start(
        historical=True, enterprise=firm_a, campaign=guangxi, user=clerk_a, prj_name="共享项目", county=region("450103")
    )
    Record.objects.filter(pk=keeper.pk).update(status=RecordStatus.REJECTED)
    keeper.refresh_from_db()
    saved = record_save(record_id=keeper.pk, user=clerk_a, expected_version=1, data={"project": {"prj_name": "改正"}})
    saved.project.refresh_from_db()
    assert saved.project.prj_name == "改正"


def test_a_corp_cannot_name_a_unit_of_another_project(firm_a, clerk_a, firm_b, guangxi):
    mine = record_start(
        historical=True, enterprise=firm_a, campaign=guangxi, user=clerk_a, prj_name="本项目", county=region("450103")
    )
    foreign = valid_record(firm_b, units=1)
    foreign_unit = UnitProject.objects.get(project=foreign.project)
    saved = record_save(
        record_id=mine.pk,
        user=clerk_a,
        expected_version=1,
        data={"corps": [{"corp_name": "某公司", "unit": str(foreign_unit.pk)}]},
    )
    corp = ProjectCorp.objects.get(record=saved)
    assert corp.unit_id is None
    assert saved.draft_inputs["corps[0].unit"] == str(foreign_unit.pk)  # kept as typed, reported at submit
