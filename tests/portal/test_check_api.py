"""GET /api/v1/records/{id}/check (issue 12 item 6): every violation as (stage, field, rule id, message), from the one
rule check (grading.checks.check_record) that submit, the admin's decision page and the push call — and for a record
the firm may still submit, exactly what submit refuses with."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator

import grading.checks
import grading.eligibility
import review.admin.queue
import review.services
from grading.checks import check_record
from grading.eligibility import push_eligibility
from projects.models import Attachment, AttachmentKind, DeclaredProject, Record, Tender
from review.services import approve_record, submit_record

from .test_api_support import SUBMIT_DAY, client_for, isolate, valid_record

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _isolated_in_december_2017(settings, tmp_path):
    isolate(settings, tmp_path)
    with time_machine.travel(SUBMIT_DAY, tick=False):
        yield


def check_url(record: Record) -> str:
    return f"/api/v1/records/{record.pk}/check"


def broken(record: Record) -> Record:
    """Four defects of four kinds: a mandatory field empty, a credit code's check character, a negative amount, a
    required attachment missing."""
    Tender.objects.filter(record=record).update(tender_num="", tender_corp_code="91450100MA5KXXXXX0", tender_money=-5)
    Attachment.objects.filter(record=record, kind=AttachmentKind.BID_NOTICE).delete()
    return record


def rows(problems: list[dict], field: str = "field", rule: str = "rule") -> list[tuple[str, str, str]]:
    return [(p[field], p[rule], p["message"]) for p in problems]


def test_the_check_lists_exactly_what_submit_refuses_with(firm_a, clerk_a):
    record = broken(valid_record(firm_a))
    client = client_for(clerk_a)
    body = client.get(check_url(record)).json()
    assert body["record"] == record.pk and body["status"] == "draft" and body["submittable"] is True
    assert body["ok"] is False and body["count"] == len(body["problems"]) >= 4
    assert {p["rule"] for p in body["problems"]} >= {"J8.M", "J8.check-digit", "J8.amount", "attachment"}
    for problem in body["problems"]:
        assert set(problem) == {"stage", "stage_name", "field", "rule", "check", "message"}
        assert problem["message"]
    tender = next(p for p in body["problems"] if p["field"] == "tender.tender_num")
    assert (tender["stage"], tender["stage_name"]) == ("tender", "招投标备案")
    assert (tender["rule"], tender["check"]) == ("J8.M", "M")

    refused = client.post(f"/api/v1/records/{record.pk}/submit/")
    assert refused.status_code == 400
    assert rows(body["problems"]) == rows(refused.json()["problems"], field="path", rule="rule_id")
    assert Record.objects.get(pk=record.pk).status == "draft"  # the check changed nothing, submit neither


def test_submits_own_checks_are_listed_for_a_record_the_firm_may_submit(firm_a, clerk_a):
    """J3: a project already declared in the 工改系统 is refused by submit, and the check says so too."""
    record = valid_record(firm_a)
    DeclaredProject.objects.create(source="gongai", prj_num=record.project.prj_num, prj_name="已申报项目")
    client = client_for(clerk_a)
    body = client.get(check_url(record)).json()
    assert [p["rule"] for p in body["problems"]] == ["J3"]
    refused = client.post(f"/api/v1/records/{record.pk}/submit/").json()
    assert rows(body["problems"]) == rows(refused["problems"], field="path", rule="rule_id")


def test_a_valid_record_has_no_violation_and_submit_accepts_it(firm_a, clerk_a, county_reviewer):
    record = valid_record(firm_a)
    client = client_for(clerk_a)
    assert client.get(check_url(record)).json() == {
        "record": record.pk,
        "status": "draft",
        "submittable": True,
        "ok": True,
        "count": 0,
        "problems": [],
    }
    assert client.post(f"/api/v1/records/{record.pk}/submit/").status_code == 200


def test_a_decided_record_is_checked_as_the_push_checks_it(firm_a, clerk_a, county_reviewer):
    record = valid_record(firm_a)
    submit_record(record_id=record.pk, user=clerk_a)
    approve_record(record_id=record.pk, user=county_reviewer)
    Tender.objects.filter(record=record).update(tender_money=-1)  # a value the push would refuse (J8)
    body = client_for(clerk_a).get(check_url(record)).json()
    assert body["status"] == "approved" and body["submittable"] is False
    assert [p["rule"] for p in body["problems"]] == ["J8.amount"]
    expected = check_record(Record.objects.get(pk=record.pk))
    assert rows(body["problems"]) == [(p.path, p.rule_id, p.message) for p in expected]
    pushed = push_eligibility(Record.objects.get(pk=record.pk))
    assert [(p.path, p.rule_id, p.message) for p in pushed.problems] == rows(body["problems"])
    assert "J8" in pushed.rules


def test_a_pending_record_is_checked_as_the_decision_page_checks_it(client, firm_a, clerk_a, county_reviewer):
    record = valid_record(firm_a)
    submit_record(record_id=record.pk, user=clerk_a)
    Tender.objects.filter(record=record).update(tender_money=-1)
    body = client_for(clerk_a).get(check_url(record)).json()
    assert body["status"] == "submitted" and [p["rule"] for p in body["problems"]] == ["J8.amount"]
    client.force_login(county_reviewer)
    page = client.get(reverse("admin:review_reviewqueueitem_change", args=[record.pk])).content.decode()
    assert body["problems"][0]["message"] in page


def test_submit_the_admin_and_the_push_call_the_one_rule_check():
    one = grading.checks.check_record
    assert review.services.check_record is one  # submit (review.services._submission_problems)
    assert review.admin.queue.check_record is one  # the decision page (review.admin.queue._problems)
    assert grading.eligibility.check_record is one  # the push (push_eligibility, asked by sync)
    assert review.services._submission_problems.__code__.co_names.count("check_record") == 1
    assert "check_record" in grading.eligibility.push_eligibility.__code__.co_names
    assert "check_record" in review.admin.queue._problems.__code__.co_names


def test_every_problem_carries_its_rule_id():
    from grading.checks import Problem

    assert Problem("tender", "tender.tender_num", "…", "M").rule_id == "J8.M"
    assert Problem("corps", "corps[0].corp_code", "…", "check-digit").rule_id == "J8.check-digit"
    assert Problem("finish", "finish_check.e_date", "…", "G1").rule_id == "G1"
    assert Problem("licence", "licence.licence_cert_no", "…", "J3").rule_id == "J3"


def test_another_firms_record_is_not_found(firm_a, clerk_b):
    record = valid_record(firm_a)
    response = client_for(clerk_b).get(check_url(record))
    assert response.status_code == 404 and response.json()["code"]
    assert client_for(clerk_b, token=True).get(check_url(record)).status_code == 404


def test_who_may_call_it(firm_a, clerk_a, county_reviewer, provincial_staff):
    record = valid_record(firm_a)
    assert client_for().get(check_url(record)).status_code == 401
    assert client_for(county_reviewer).get(check_url(record)).status_code == 403  # officials: the decision page
    assert client_for(provincial_staff).get(check_url(record)).status_code == 403
    assert client_for(clerk_a, token=True).get(check_url(record)).status_code == 200


def test_bad_input_is_refused_without_an_error(firm_a, clerk_a):
    record = valid_record(firm_a)
    client = client_for(clerk_a)
    assert client.post(check_url(record)).status_code == 405
    assert client.delete(check_url(record)).status_code == 405
    assert Record.objects.filter(pk=record.pk).exists()
    for path in ("/api/v1/records/abc/check", "/api/v1/records/-1/check", f"/api/v1/records/{2**70}/check"):
        assert client.get(path).status_code == 404, path
    assert client.get(f"/api/v1/records/{record.pk}/check?x=%00").status_code == 400  # refused, not a 500


def test_the_schema_documents_it():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = [p for p in schema["paths"] if p.startswith("/api/v1/records/") and p.endswith("/check")]
    assert len(paths) == 1
    operation = schema["paths"][paths[0]]["get"]
    assert operation["operationId"] == "records_check"
    assert "check_record" in operation["description"]
    problem = schema["components"]["schemas"]["CheckProblem"]["properties"]
    assert {"stage", "field", "rule", "message"} <= set(problem)
