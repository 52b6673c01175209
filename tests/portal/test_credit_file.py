"""The enterprise's credit file in its portal (诚信档案, G10): its own entries only; a record rejected for fraud is
shown locked, with the facts, and refuses every write (page, submit, API)."""

from __future__ import annotations

import re

import pytest

from projects.models import RecordStatus
from review.services import mark_fraud
from tests.review.decisions import submitted_record

from .test_api_support import client_for

pytestmark = pytest.mark.django_db

CREDIT = "/portal/credit/"
FACTS_A = "合同备案编号系伪造，经合同备案机关核实无此备案。"
FACTS_B = "竣工验收证明系伪造。"


@pytest.fixture
def fraud_a(firm_a, clerk_a, county_reviewer):
    """Firm A's record, submitted and then rejected for fraud by the Qingxiu county bureau."""
    record = submitted_record(firm_a, clerk_a)
    mark_fraud(record_id=record.pk, user=county_reviewer, facts=FACTS_A)
    record.refresh_from_db()
    return record


@pytest.fixture
def fraud_b(firm_b, clerk_b, county_reviewer):
    record = submitted_record(firm_b, clerk_b)
    mark_fraud(record_id=record.pk, user=county_reviewer, facts=FACTS_B)
    return record


def test_g10_the_enterprise_reads_its_own_credit_file_only(client, clerk_a, fraud_a, fraud_b, county_reviewer):
    client.force_login(clerk_a)
    response = client.get(CREDIT)
    assert response.status_code == 200
    body = response.content.decode()
    assert FACTS_A in body and FACTS_B not in body
    assert fraud_a.project.prj_name in body and fraud_a.project.prj_num in body
    assert county_reviewer.authority.name in body  # the authority that recorded it
    assert f'href="/portal/records/{fraud_a.pk}/"' in body
    assert f'href="/portal/records/{fraud_b.pk}/"' not in body


def test_g10_another_enterprise_sees_none_of_it(client, clerk_b, fraud_a):
    client.force_login(clerk_b)
    body = client.get(CREDIT).content.decode()
    assert FACTS_A not in body
    assert 'id="credit-empty"' in body


def test_g10_the_credit_file_is_in_the_portals_navigation(client, clerk_a):
    client.force_login(clerk_a)
    body = client.get(CREDIT).content.decode()
    assert re.search(r'<a href="/portal/credit/" aria-current="page">', body)
    assert 'href="/portal/credit/"' in client.get("/portal/").content.decode()


def test_g10_officials_do_not_open_the_portals_credit_file(client, county_reviewer, provincial_staff):
    for user in (county_reviewer, provincial_staff):
        client.force_login(user)
        assert client.get(CREDIT).status_code == 403


def test_g10_a_fraud_record_page_is_read_only_and_shows_the_facts(client, clerk_a, fraud_a):
    client.force_login(clerk_a)
    response = client.get(f"/portal/records/{fraud_a.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'class="badge badge-lg status-fraud"' in body
    assert 'id="readonly-note"' in body and 'id="fraud-facts"' in body
    assert FACTS_A in body
    assert 'id="save-button"' not in body and 'id="submit-button"' not in body and 'id="upload-button"' not in body


def test_g10_every_write_to_a_fraud_record_is_refused_with_403(client, clerk_a, fraud_a):
    client.force_login(clerk_a)
    url = f"/portal/records/{fraud_a.pk}/"
    attachment = fraud_a.attachments.first()
    assert client.post(url, {"version": str(fraud_a.version), "project.prj_name": "改名"}).status_code == 403
    assert client.post(f"{url}submit/").status_code == 403
    assert client.post(f"{url}attachments/", {}).status_code == 403
    assert client.post(f"/portal/attachments/{attachment.pk}/delete/").status_code == 403
    fraud_a.refresh_from_db()
    assert fraud_a.status == RecordStatus.FRAUD
    assert fraud_a.project.prj_name != "改名"


def test_g10_the_list_shows_the_fraud_status_and_its_facts(client, clerk_a, fraud_a):
    client.force_login(clerk_a)
    body = client.get("/portal/").content.decode()
    assert 'class="badge status-fraud"' in body
    assert FACTS_A in body
    filtered = client.get("/portal/", {"status": RecordStatus.FRAUD}).content.decode()
    assert fraud_a.project.prj_name in filtered


def test_g10_the_api_shows_the_facts_and_refuses_writes(clerk_a, fraud_a):
    api = client_for(clerk_a)
    detail = api.get(f"/api/v1/records/{fraud_a.pk}/").json()
    assert (detail["status"], detail["rejection_reason"]) == (RecordStatus.FRAUD, FACTS_A)
    rows = api.get("/api/v1/records/", {"status": RecordStatus.FRAUD}).json()
    rows = rows["results"] if isinstance(rows, dict) else rows
    assert [(row["id"], row["rejection_reason"]) for row in rows] == [(fraud_a.pk, FACTS_A)]
    refused = api.patch(f"/api/v1/records/{fraud_a.pk}/", {"version": fraud_a.version}, format="json")
    assert refused.status_code == 403
    assert refused.json()["code"] == "locked"
