"""G6 申请直接审核 through the API (issue 11 item 6): POST /api/v1/records/{id}/direct-review/ answers as submit does
(400 `refused` with the problems in ProblemSerializer's shape), and the record's GET says which queue it waits in
(provincial), why and until when."""

from __future__ import annotations

import pytest
import time_machine

from projects.models import Project, Record, RecordStatus
from review.models import RecordTransition
from review.services import approve_record, submit_record

from .test_api_support import CHINESE, PDF, SUBMIT_DAY, client_for, isolate, upload, valid_record

pytestmark = pytest.mark.django_db

RECORDS = "/api/v1/records/"
PROVINCE_OFFICE = "广西壮族自治区住房和城乡建设厅"
PROBLEM_KEYS = {"section", "path", "message", "rule", "rule_id"}


@pytest.fixture(autouse=True)
def _isolated_in_december_2017(settings, tmp_path):
    isolate(settings, tmp_path)
    with time_machine.travel(SUBMIT_DAY, tick=False):
        yield


@pytest.fixture
def deregistered(firm_a, provincial_staff):
    """A complete record of firm A but for its owner (建设单位), which has been deregistered (已注销)."""
    record = valid_record(firm_a)
    Project.objects.filter(pk=record.project_id).update(build_corp_name="", build_corp_code="")
    return record


@pytest.fixture
def api(clerk_a):
    return client_for(clerk_a, token=True)


def attach_application(api, record):
    sent = api.post(
        f"{RECORDS}{record.pk}/attachments/",
        {"kind": "direct_review", "file": upload(PDF, "直接审核申请书.pdf")},
        format="multipart",
    )
    assert sent.status_code == 201, sent.content
    return sent


def ask(api, record, **body):
    return api.post(f"{RECORDS}{record.pk}/direct-review/", body, format="json")


def test_g6_api_round_trip_refused_without_the_application_then_provincial_queue(api, deregistered, provincial_staff):
    refused = ask(api, deregistered, reason_code="owner_deregistered")
    assert refused.status_code == 400
    body = refused.json()
    assert body["code"] == "refused" and CHINESE.search(body["detail"])
    # only the written application: the deregistered owner's fields are not asked for (G6)
    assert body["problems"] == [
        {
            "section": "attachments",
            "path": "attachments.direct_review",
            "message": "请上传企业签章的直接审核书面申请（G6）。",
            "rule": "G6",
            "rule_id": "G6",
        }
    ]
    assert api.get(f"{RECORDS}{deregistered.pk}/").json()["status"] == "draft"

    attach_application(api, deregistered)
    sent = ask(api, deregistered, reason_code="owner_deregistered")
    assert sent.status_code == 200, sent.content
    for detail in (sent.json(), api.get(f"{RECORDS}{deregistered.pk}/").json()):
        assert detail["status"] == "direct_review"
        assert detail["status_display"] == "待省厅直接审核"
        assert detail["responsible_authority"]["name"] == PROVINCE_OFFICE
        waiting = detail["waiting"]
        assert waiting["queue"] == "provincial"
        assert waiting["authority_name"] == PROVINCE_OFFICE
        assert waiting["reason_code"] == "owner_deregistered"
        assert waiting["reason"] == "建设单位已注销" and waiting["words"] == ""
        assert waiting["deadline"] == "2017-12-06T23:59:59+08:00"
        assert waiting["working_days_left"] == 3 and waiting["overdue"] is False
        assert waiting["requested_at"] == "2017-12-01T10:00:00+08:00"
        assert "直接审核" in waiting["text"] and "等待主管部门审核" not in waiting["text"]

    approve_record(record_id=deregistered.pk, user=provincial_staff)
    decided = api.get(f"{RECORDS}{deregistered.pk}/").json()
    assert decided["status"] == "approved" and decided["waiting"] is None


def test_g6_api_other_reason_keeps_the_words_and_still_needs_the_owners_fields(api, deregistered):
    attach_application(api, deregistered)
    refused = ask(api, deregistered, reason_code="other", reason="建设单位已合并重组")
    assert refused.status_code == 400
    paths = {p["path"] for p in refused.json()["problems"]}
    assert paths and all(path.startswith("project.build_corp_") for path in paths)
    assert all(set(p) == PROBLEM_KEYS for p in refused.json()["problems"])


def test_g6_api_other_reason_with_words_is_logged(api, firm_a, provincial_staff):
    record = valid_record(firm_a)
    attach_application(api, record)
    sent = ask(api, record, reason_code="other", reason="  建设单位已合并重组 ")
    assert sent.status_code == 200, sent.content
    waiting = sent.json()["waiting"]
    assert (waiting["reason_code"], waiting["words"]) == ("other", "建设单位已合并重组")
    assert waiting["reason"] == "其他：建设单位已合并重组"


@pytest.mark.parametrize("reason", ["", "   "])
def test_g6_api_other_without_words_is_refused(api, deregistered, reason):
    attach_application(api, deregistered)
    refused = ask(api, deregistered, reason_code="other", reason=reason)
    assert refused.status_code == 400
    body = refused.json()
    assert (body["code"], body["field"]) == ("reason_required", "reason")
    assert body["detail"] == "请说明申请省厅直接审核的原因。"
    assert Record.objects.get(pk=deregistered.pk).status == RecordStatus.DRAFT


@pytest.mark.parametrize("body", [{}, {"reason_code": "bored"}, {"reason_code": None}])
def test_g6_api_a_missing_or_unknown_reason_code_is_refused(api, deregistered, body):
    refused = ask(api, deregistered, **body)
    assert refused.status_code == 400
    assert refused.json()["code"] == "invalid" and "reason_code" in refused.json()["errors"]
    assert Record.objects.get(pk=deregistered.pk).status == RecordStatus.DRAFT


@pytest.mark.parametrize("status", [RecordStatus.SUBMITTED, RecordStatus.APPROVED, RecordStatus.DIRECT_REVIEW])
def test_g7_api_a_record_out_of_the_enterprises_hands_is_locked(api, deregistered, status):
    attach_application(api, deregistered)
    Record.objects.filter(pk=deregistered.pk).update(status=status)
    refused = ask(api, deregistered, reason_code="owner_deregistered")
    assert refused.status_code == 403 and refused.json()["code"] == "locked"
    assert not RecordTransition.objects.filter(record=deregistered).exists()


def test_g6_api_another_firms_record_is_not_found(clerk_b, deregistered):
    other = client_for(clerk_b, token=True)
    assert ask(other, deregistered, reason_code="owner_deregistered").status_code == 404
    assert Record.objects.get(pk=deregistered.pk).status == RecordStatus.DRAFT


def test_g5_api_a_submitted_record_waits_in_the_local_queue(api, firm_a, clerk_a, county_reviewer):
    record = valid_record(firm_a)
    assert api.get(f"{RECORDS}{record.pk}/").json()["waiting"] is None
    submit_record(record_id=record.pk, user=clerk_a)
    waiting = api.get(f"{RECORDS}{record.pk}/").json()["waiting"]
    assert (waiting["queue"], waiting["authority_name"]) == ("local", county_reviewer.authority.name)
    assert waiting["reason_code"] == "" and waiting["requested_at"] is None


def test_g6_the_operation_is_documented_with_examples(clerk_a):
    schema = client_for(clerk_a).get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/records/{id}/direct-review/"]["post"]
    assert operation["operationId"] == "records_direct_review"
    assert {"200", "400", "401", "403", "404"} <= set(operation["responses"])
    request = operation["requestBody"]["content"]["application/json"]
    assert len(request["examples"]) == 2
    assert "refused" in str(operation["responses"]["400"]["content"]["application/json"]["examples"])
    body = schema["components"]["schemas"]["DirectReviewRequest"]
    assert body["required"] == ["reason_code"]
    assert "waiting" in schema["components"]["schemas"]["RecordDetail"]["properties"]
