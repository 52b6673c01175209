"""The REST API (/api/v1/): the browser's journey by program, G7 locks, optimistic versions, uploads, tokens, schema.

The API calls the portal's services (record_start, record_save, attachment_add, submit_record), so these tests
pin the adapter: the JSON shape, the status codes and the error bodies.
"""

from __future__ import annotations

import hashlib

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.utils import translation

from accounts.models import Role
from projects.attachments import attachment_add
from projects.models import Attachment, Record, RecordStatus
from projects.services import record_start
from tests.factories import PASSWORD, RecordFactory, UserFactory, region

from .test_api_support import (
    CHINESE,
    JPG,
    PDF,
    PNG,
    SUBMIT_DAY,
    client_for,
    isolate,
    sections_to_copy,
    upload,
    valid_record,
)

pytestmark = pytest.mark.django_db

RECORDS = "/api/v1/records/"


@pytest.fixture(autouse=True)
def _isolated_in_december_2017(settings, tmp_path):
    isolate(settings, tmp_path)
    with time_machine.travel(SUBMIT_DAY, tick=False):
        yield


@pytest.fixture
def draft(firm_a, guangxi, clerk_a) -> Record:
    return record_start(
        historical=True, enterprise=firm_a, campaign=guangxi, user=clerk_a, prj_name="邕江大桥", county=region("450103")
    )


def _token(client, username: str, password: str = PASSWORD):
    return client.post("/api/v1/auth/token/", {"username": username, "password": password}, format="json")


def _logged_in_by_token(username: str):
    client = client_for()
    response = _token(client, username)
    assert response.status_code == 200, response.content
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    return client


# --------------------------------------------------------------------------------------------------------------
# The journey of the browser, by program
# --------------------------------------------------------------------------------------------------------------


def test_journey_create_save_half_read_back_refused_fill_upload_submit(clerk_a, firm_a, guangxi, county_reviewer):
    pytest.importorskip("review.services")
    api = _logged_in_by_token("clerk_a")

    campaigns = api.get("/api/v1/campaigns/").json()
    assert guangxi.pk in [c["id"] for c in campaigns]

    # 新增报建
    created = api.post(
        RECORDS, {"campaign": guangxi.pk, "prj_name": "青秀区文化中心", "county": "450103"}, format="json"
    )
    assert created.status_code == 201, created.content
    record = created.json()
    pk, prj_num = record["id"], record["prj_num"]
    assert created["Location"] == f"{RECORDS}{pk}/"
    assert (record["status"], record["version"]) == ("draft", 1)
    assert prj_num.startswith("450103171201") and len(prj_num) == 16

    # 修改保存 with half the fields, one of them impossible: kept as typed
    half = {
        "version": 1,
        "project": {"prj_type": "01", "all_invest": "1200.5", "address": "南宁市青秀区民族大道100号"},
        "tender": {"tender_num": "ZB-2016-01", "tender_result_date": "2016-02-30"},
        "corps": [{"corp_name": "甲级建筑设计院有限公司", "corp_role": "2"}],
    }
    saved = api.patch(f"{RECORDS}{pk}/", half, format="json")
    assert saved.status_code == 200, saved.content
    assert saved.json()["version"] == 2

    # log out, log in again: the draft is intact
    api = _logged_in_by_token("clerk_a")
    again = api.get(f"{RECORDS}{pk}/").json()
    assert again["project"]["prj_name"] == "青秀区文化中心"
    assert again["project"]["all_invest"] == "1200.5000"
    assert again["project"]["address"] == "南宁市青秀区民族大道100号"
    assert again["tender"]["tender_num"] == "ZB-2016-01"
    assert again["tender"]["tender_result_date"] is None
    assert again["draft_inputs"] == {"tender.tender_result_date": "2016-02-30"}
    assert [c["corp_name"] for c in again["corps"]] == ["甲级建筑设计院有限公司"]
    assert pk in [r["id"] for r in api.get(RECORDS).json()["results"]]

    # 提交审核 too early: every problem listed, nothing changed
    refused = api.post(f"{RECORDS}{pk}/submit/")
    assert refused.status_code == 400
    body = refused.json()
    assert body["code"] == "refused"
    paths = {p["path"] for p in body["problems"]}
    assert {"tender.tender_result_date", "attachments.bid_notice", "contract.contract_money"} <= paths
    assert all(set(p) == {"section", "path", "message", "rule", "rule_id"} and p["message"] for p in body["problems"])
    assert api.get(f"{RECORDS}{pk}/").json()["status"] == "draft"

    # fill every section (the values of a valid record of the same firm) and upload the three documents
    complete = sections_to_copy(api.get(f"{RECORDS}{valid_record(firm_a).pk}/").json(), prj_num=prj_num)
    filled = api.put(f"{RECORDS}{pk}/", {"version": 2, **complete}, format="json")
    assert filled.status_code == 200, filled.content
    assert filled.json()["draft_inputs"] == {}
    for kind, content, name in (
        ("bid_notice", PDF, "中标通知书.pdf"),
        ("contract", PNG, "合同.png"),
        ("completion", JPG, "验收.jpg"),
    ):
        sent = api.post(
            f"{RECORDS}{pk}/attachments/", {"kind": kind, "file": upload(content, name)}, format="multipart"
        )
        assert sent.status_code == 201, sent.content

    submitted = api.post(f"{RECORDS}{pk}/submit/")
    assert submitted.status_code == 200, submitted.content
    record = submitted.json()
    assert record["status"] == "submitted"
    assert record["responsible_authority"]["id"] == county_reviewer.authority_id  # P2: the county has reviewers
    assert record["review_deadline"] and record["submitted_at"]
    assert len(record["attachments"]) == 3


def test_what_get_returns_put_accepts_unchanged(firm_a, clerk_a):
    record = valid_record(firm_a, units=2, corps=3, persons=2, staff=2)
    api = client_for(clerk_a)
    before = api.get(f"{RECORDS}{record.pk}/").json()
    after = api.put(f"{RECORDS}{record.pk}/", before, format="json")
    assert after.status_code == 200, after.content
    after = after.json()
    assert after["version"] == before["version"] + 1
    for key in (
        "project",
        "tender",
        "contract",
        "censor",
        "licence",
        "finish_check",
        "finish_record",
        "units",
        "corps",
        "persons",
        "censor_staff",
        "draft_inputs",
        "attachments",
    ):
        assert after[key] == before[key], key


def test_rows_are_added_updated_and_removed_and_a_new_unit_is_named_by_its_index(draft, clerk_a):
    api = client_for(clerk_a)
    body = {
        "version": 1,
        "units": [{"sub_prj_name": "1号楼"}, {"sub_prj_name": "2号楼"}],
        "corps": [{"corp_name": "甲设计院", "corp_role": "2", "unit": "#1"}, {"corp_name": "乙施工"}],
    }
    saved = api.put(f"{RECORDS}{draft.pk}/", body, format="json").json()
    units, corps = saved["units"], saved["corps"]
    assert [u["sub_prj_name"] for u in units] == ["1号楼", "2号楼"]
    assert {c["corp_name"]: c["unit"] for c in corps}["甲设计院"] == units[1]["id"]
    second = next(c for c in corps if c["corp_name"] == "乙施工")
    saved = api.patch(
        f"{RECORDS}{draft.pk}/",
        {"version": 2, "corps": [{"id": second["id"], "corp_name": "乙施工集团"}]},
        format="json",
    ).json()
    assert [(c["id"], c["corp_name"]) for c in saved["corps"]] == [(second["id"], "乙施工集团")]
    assert len(saved["units"]) == 2  # a section not sent stays as it is


# --------------------------------------------------------------------------------------------------------------
# Refusals
# --------------------------------------------------------------------------------------------------------------


def test_stale_version_is_409_in_chinese_and_nothing_is_overwritten(draft, clerk_a):
    api = client_for(clerk_a)
    first = api.patch(f"{RECORDS}{draft.pk}/", {"version": 1, "project": {"prj_name": "第一个标签页"}}, format="json")
    assert first.status_code == 200
    second = api.patch(f"{RECORDS}{draft.pk}/", {"version": 1, "project": {"prj_name": "第二个标签页"}}, format="json")
    assert second.status_code == 409
    assert second.json()["code"] == "stale"
    assert CHINESE.search(second.json()["detail"])
    draft.project.refresh_from_db()
    assert draft.project.prj_name == "第一个标签页"


@pytest.mark.parametrize("status", [RecordStatus.APPROVED, RecordStatus.SUBMITTED, RecordStatus.DIRECT_REVIEW])
def test_g7_a_decided_or_pending_record_refuses_every_write_whatever_is_sent(draft, clerk_a, status):
    attachment = attachment_add(record_id=draft.pk, user=clerk_a, kind="other", uploaded_file=upload(PDF))
    Record.objects.filter(pk=draft.pk).update(status=status)
    api = client_for(clerk_a)
    url = f"{RECORDS}{draft.pk}/"
    attempts = [
        api.put(url, {"version": 1, "project": {"prj_name": "改"}}, format="json"),
        api.put(url, {"version": 99, "project": {"prj_name": "改"}}, format="json"),  # stale too
        api.put(url, {}, format="json"),  # no version
        api.put(url, "not json", content_type="application/json"),
        api.patch(url, {"version": 1, "tender": {"no_such_field": 1}}, format="json"),
        api.post(f"{url}attachments/", {"kind": "bid_notice", "file": upload(PDF)}, format="multipart"),
        api.post(
            f"{url}attachments/", {"kind": "bid_notice", "file": upload(b"MZ\x90\x00", "x.exe")}, format="multipart"
        ),
        api.post(f"{url}attachments/", {}, format="multipart"),
        api.delete(f"{url}attachments/{attachment.pk}/"),
        api.post(f"{url}submit/"),
    ]
    assert [r.status_code for r in attempts] == [403] * len(attempts)
    assert {r.json()["code"] for r in attempts} == {"locked"}
    draft.refresh_from_db()
    assert draft.version == 1 and draft.project.prj_name == "邕江大桥"
    assert Attachment.objects.filter(record=draft).count() == 1
    assert api.get(url).status_code == 200  # still readable
    assert api.get(f"{url}attachments/{attachment.pk}/").status_code == 200


def test_a_rejected_record_can_be_saved_again(draft, clerk_a):
    Record.objects.filter(pk=draft.pk).update(status=RecordStatus.REJECTED)
    response = client_for(clerk_a).patch(
        f"{RECORDS}{draft.pk}/", {"version": 1, "project": {"prj_name": "改正"}}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["project"]["prj_name"] == "改正"


def test_an_unknown_field_is_refused_and_nothing_is_saved(draft, clerk_a):
    response = client_for(clerk_a).patch(
        f"{RECORDS}{draft.pk}/",
        {"version": 1, "project": {"prj_name": "新名"}, "tender": {"tender_nmu": "ZB-1"}, "corps": [{"cop_name": "x"}]},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert set(body["errors"]) == {"tender", "corps"}
    assert "tender_nmu" in body["errors"]["tender"]
    draft.refresh_from_db()
    assert (draft.version, draft.project.prj_name) == (1, "邕江大桥")


def test_the_version_is_required(draft, clerk_a):
    response = client_for(clerk_a).patch(f"{RECORDS}{draft.pk}/", {"project": {"prj_name": "新名"}}, format="json")
    assert response.status_code == 400
    assert "version" in response.json()["errors"]


def test_a_value_of_the_wrong_kind_is_refused_but_any_text_is_kept(draft, clerk_a):
    api = client_for(clerk_a)
    refused = api.patch(
        f"{RECORDS}{draft.pk}/", {"version": 1, "tender": {"tender_money": {"amount": 1}}}, format="json"
    )
    assert refused.status_code == 400
    kept = api.patch(
        f"{RECORDS}{draft.pk}/",
        {"version": 1, "tender": {"tender_money": "壹佰万", "area": 1200.5}, "censor": {"one_censor_is_pass": True}},
        format="json",
    ).json()
    assert kept["draft_inputs"] == {"tender.tender_money": "壹佰万"}
    assert kept["tender"]["area"] == "1200.50"
    assert kept["censor"]["one_censor_is_pass"] is True


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"county": "999999"}, "invalid", "county"),
        ({"county": "450100"}, "county_level", "county"),  # a city, not a county
        ({"prj_num": "12345"}, "invalid", "prj_num"),
        ({"campaign": 0}, "invalid", "campaign"),
    ],
)
def test_create_refusals_name_their_field(clerk_a, guangxi, body, code, field):
    sent = {"campaign": guangxi.pk, "prj_name": "新项目", "county": "450103", **body}
    response = client_for(clerk_a).post(RECORDS, sent, format="json")
    assert response.status_code == 400, response.content
    assert (response.json()["code"], response.json()["field"]) == (code, field)
    assert CHINESE.search(response.json()["detail"])


def test_a_project_claimed_twice_is_refused(draft, clerk_a, guangxi):
    sent = {"campaign": guangxi.pk, "prj_name": "邕江大桥", "county": "450103", "prj_num": draft.project.prj_num}
    response = client_for(clerk_a).post(RECORDS, sent, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "already_claimed"


def test_another_enterprise_gets_404_for_the_record_and_its_attachment(draft, clerk_a, clerk_b):
    attachment = attachment_add(record_id=draft.pk, user=clerk_a, kind="other", uploaded_file=upload(PDF))
    api = client_for(clerk_b)
    url = f"{RECORDS}{draft.pk}/"
    responses = [
        api.get(url),
        api.put(url, {"version": 1}, format="json"),
        api.post(f"{url}submit/"),
        api.get(f"{url}attachments/"),
        api.post(f"{url}attachments/", {"kind": "other", "file": upload(PDF)}, format="multipart"),
        api.get(f"{url}attachments/{attachment.pk}/"),
        api.delete(f"{url}attachments/{attachment.pk}/"),
    ]
    assert [r.status_code for r in responses] == [404] * len(responses)
    assert draft.pk not in [r["id"] for r in api.get(RECORDS).json()["results"]]


def test_an_attachment_is_found_only_under_its_own_record(draft, clerk_a, firm_a, guangxi):
    other = record_start(
        historical=True, enterprise=firm_a, campaign=guangxi, user=clerk_a, prj_name="另一项目", county=region("450103")
    )
    attachment = attachment_add(record_id=draft.pk, user=clerk_a, kind="other", uploaded_file=upload(PDF))
    api = client_for(clerk_a)
    assert api.get(f"{RECORDS}{other.pk}/attachments/{attachment.pk}/").status_code == 404
    assert api.delete(f"{RECORDS}{other.pk}/attachments/{attachment.pk}/").status_code == 404
    assert Attachment.objects.filter(pk=attachment.pk).exists()


# --------------------------------------------------------------------------------------------------------------
# Attachments
# --------------------------------------------------------------------------------------------------------------


def test_an_upload_is_typed_by_its_content_and_stored_under_a_name_nobody_can_guess(draft, clerk_a):
    api = client_for(clerk_a)
    response = api.post(
        f"{RECORDS}{draft.pk}/attachments/",
        {"kind": "completion", "file": upload(PNG, "../../验收证明.txt", "text/plain")},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["content_type"], body["size"]) == ("completion", "image/png", len(PNG))
    assert body["sha256"] == hashlib.sha256(PNG).hexdigest()
    assert body["original_name"] == "验收证明.png"  # the suffix of the type its content is (issue 9)
    stored = Attachment.objects.get(pk=body["id"]).file.name
    assert stored.startswith("attachments/") and stored.endswith(".png") and "验收" not in stored
    download = api.get(body["url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PNG
    assert download["Content-Type"] == "image/png"
    assert "attachment;" in download["Content-Disposition"]


def test_a_pdf_with_a_preamble_is_a_pdf(draft, clerk_a):
    api = client_for(clerk_a)
    response = api.post(
        f"{RECORDS}{draft.pk}/attachments/", {"kind": "other", "file": upload(b"\r\n" * 10 + PDF)}, format="multipart"
    )
    assert response.status_code == 201
    assert response.json()["content_type"] == "application/pdf"


@pytest.mark.parametrize(
    ("content", "name", "code"),
    [
        (b"<html><script>alert(1)</script></html>", "notice.pdf", "file_type"),
        (b"MZ\x90\x00\x03\x00\x00\x00", "notice.jpg", "file_type"),
        (b"GIF89a\x01\x00\x01\x00", "notice.png", "file_type"),
        (b"", "empty.pdf", "file_empty"),
    ],
)
def test_an_upload_that_is_not_pdf_jpg_or_png_is_refused(draft, clerk_a, content, name, code):
    response = client_for(clerk_a).post(
        f"{RECORDS}{draft.pk}/attachments/", {"kind": "bid_notice", "file": upload(content, name)}, format="multipart"
    )
    assert response.status_code == 400, response.content
    assert (response.json()["code"], response.json()["field"]) == (code, "file")
    assert CHINESE.search(response.json()["detail"])
    assert not Attachment.objects.exists()


def test_an_upload_larger_than_the_setting_is_refused(draft, clerk_a, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    api = client_for(clerk_a)
    url = f"{RECORDS}{draft.pk}/attachments/"
    assert (
        api.post(
            url, {"kind": "other", "file": upload(PDF + b"\0" * (1024 - len(PDF)))}, format="multipart"
        ).status_code
        == 201
    )
    response = api.post(url, {"kind": "other", "file": upload(PDF + b"\0" * 1024)}, format="multipart")
    assert response.status_code == 400
    assert response.json()["code"] == "file_too_large"


def test_an_upload_needs_a_known_kind_and_a_file(draft, clerk_a):
    api = client_for(clerk_a)
    url = f"{RECORDS}{draft.pk}/attachments/"
    no_kind = api.post(url, {"kind": "photo", "file": upload(PDF)}, format="multipart")
    no_file = api.post(url, {"kind": "other"}, format="multipart")
    assert (no_kind.status_code, no_file.status_code) == (400, 400)
    assert "kind" in no_kind.json()["errors"] and "file" in no_file.json()["errors"]


def test_removing_an_attachment_deletes_its_file(draft, clerk_a, django_capture_on_commit_callbacks):
    attachment = attachment_add(record_id=draft.pk, user=clerk_a, kind="other", uploaded_file=upload(PDF))
    name = attachment.file.name
    assert default_storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(clerk_a).delete(f"{RECORDS}{draft.pk}/attachments/{attachment.pk}/")
    assert response.status_code == 204
    assert not Attachment.objects.filter(pk=attachment.pk).exists()
    assert not default_storage.exists(name)


def test_an_upload_does_not_make_an_open_page_stale(draft, clerk_a):
    api = client_for(clerk_a)
    api.post(f"{RECORDS}{draft.pk}/attachments/", {"kind": "other", "file": upload(JPG, "a.jpg")}, format="multipart")
    assert api.patch(f"{RECORDS}{draft.pk}/", {"version": 1}, format="json").status_code == 200


# --------------------------------------------------------------------------------------------------------------
# The list
# --------------------------------------------------------------------------------------------------------------


def test_the_list_filters_by_status_year_and_name(firm_a, clerk_a, guangxi):
    completed = valid_record(firm_a)  # completed 2016-06-18
    approved = RecordFactory(enterprise=firm_a, project__prj_name="桂林会展中心")
    Record.objects.filter(pk=approved.pk).update(status=RecordStatus.APPROVED)
    draft = record_start(
        historical=True,
        enterprise=firm_a,
        campaign=guangxi,
        user=clerk_a,
        prj_name="南宁会展中心",
        county=region("450103"),
    )
    api = client_for(clerk_a)

    def ids(query: str = "") -> set[int]:
        response = api.get(f"{RECORDS}{query}")
        assert response.status_code == 200, response.content
        return {r["id"] for r in response.json()["results"]}

    assert ids() == {completed.pk, approved.pk, draft.pk}
    assert ids("?status=approved") == {approved.pk}
    assert ids("?year=2016") == {completed.pk}
    assert ids("?year=2015") == set()
    assert ids("?search=会展") == {approved.pk, draft.pk}
    assert ids("?search=南宁&status=draft") == {draft.pk}
    assert api.get(f"{RECORDS}?status=burnt").status_code == 400
    assert api.get(f"{RECORDS}?year=last").status_code == 400


def test_the_list_row(firm_a, clerk_a):
    record = valid_record(firm_a)
    row = client_for(clerk_a).get(RECORDS).json()["results"][0]
    assert row["id"] == record.pk
    assert row["url"] == f"{RECORDS}{record.pk}/"
    assert (row["status"], row["status_display"]) == ("draft", "暂存")
    assert row["prj_num"] == record.project.prj_num
    assert row["completed_on"] == "2016-06-18"
    assert row["responsible_authority_name"] is None and row["rejection_reason"] is None


@pytest.mark.parametrize("token", [False, True], ids=["session", "token"])
def test_the_list_runs_a_bounded_number_of_queries(firm_a, clerk_a, django_assert_max_num_queries, token):
    api = client_for(clerk_a, token=token)
    RecordFactory(enterprise=firm_a)
    with django_assert_max_num_queries(5):
        assert len(api.get(RECORDS).json()["results"]) == 1
    RecordFactory.create_batch(59, enterprise=firm_a)
    with django_assert_max_num_queries(5):
        page = api.get(RECORDS).json()
    assert (page["count"], len(page["results"])) == (60, 50)
    assert page["next"]


def test_the_record_reads_in_a_bounded_number_of_queries(firm_a, clerk_a, django_assert_max_num_queries):
    small = valid_record(firm_a, units=1, corps=1, persons=1, staff=1)
    big = valid_record(firm_a, units=8, corps=9, persons=12, staff=6)
    api = client_for(clerk_a)
    with django_assert_max_num_queries(12) as small_queries:
        api.get(f"{RECORDS}{small.pk}/")
    with django_assert_max_num_queries(len(small_queries)):
        body = api.get(f"{RECORDS}{big.pk}/").json()
    assert (len(body["units"]), len(body["corps"]), len(body["persons"]), len(body["censor_staff"])) == (8, 9, 12, 6)


# --------------------------------------------------------------------------------------------------------------
# Tokens
# --------------------------------------------------------------------------------------------------------------


def test_a_clerk_obtains_a_token_and_uses_it(clerk_a):
    api = client_for()
    response = _token(api, "clerk_a")
    assert response.status_code == 200
    api.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert api.get(RECORDS).status_code == 200
    assert _token(client_for(), "clerk_a").json()["token"] == response.json()["token"]  # one token per account


def test_a_wrong_password_gets_no_token(clerk_a):
    response = _token(client_for(), "clerk_a", "wrong-password")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_credentials"
    assert CHINESE.search(response.json()["detail"])


@pytest.mark.parametrize("who", ["county_reviewer", "provincial_staff", "superuser"])
def test_officials_get_no_token(cast, who):
    response = _token(client_for(), cast[who].username)
    assert response.status_code == 403
    assert response.json()["code"] == "not_enterprise"


def test_an_inactive_clerk_gets_no_token(firm_a):
    UserFactory(username="gone", role=Role.ENTERPRISE, enterprise=firm_a, is_active=False)
    assert _token(client_for(), "gone").status_code == 400


def test_token_requests_are_throttled_per_address(clerk_a):
    api = client_for()
    codes = [_token(api, "clerk_a", "wrong-password").status_code for _ in range(5)]
    assert codes == [400] * 4 + [429]  # the fifth failure locks the account from this address (portal.auth)
    throttled = _token(api, "clerk_a")  # even with the right password
    assert throttled.status_code == 429
    assert throttled.json()["code"] == "throttled"
    other = client_for()
    assert _token(other, "clerk_b_unknown").status_code == 429  # 5 requests a minute from this address
    assert "Retry-After" in _token(other, "x")


def test_the_token_throttle_counts_every_request_from_an_address(clerk_a, clerk_b):
    api = client_for()
    codes = [_token(api, name).status_code for name in ("clerk_a", "clerk_b") * 3]
    assert codes == [200] * 5 + [429]


def test_a_session_write_needs_the_csrf_token_but_a_token_write_does_not(draft, clerk_a):
    by_session = client_for(clerk_a)
    by_session.handler.enforce_csrf_checks = True
    refused = by_session.patch(f"{RECORDS}{draft.pk}/", {"version": 1}, format="json")
    assert refused.status_code == 403
    by_token = client_for(clerk_a, token=True)
    by_token.handler.enforce_csrf_checks = True
    assert by_token.patch(f"{RECORDS}{draft.pk}/", {"version": 1}, format="json").status_code == 200


# --------------------------------------------------------------------------------------------------------------
# OpenAPI
# --------------------------------------------------------------------------------------------------------------


def test_the_schema_describes_the_api_and_validates(settings):
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema

    GENERATOR_STATS.reset()
    with translation.override("en"):
        schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)
    assert not GENERATOR_STATS._error_cache
    # Two code tables serve fields of two names (IdCardType, StructureType): drf-spectacular warns until
    # SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] names them; no other warning is allowed.
    expected = () if settings.SPECTACULAR_SETTINGS.get("ENUM_NAME_OVERRIDES") else ("multiple names for the same",)
    assert [w for w in GENERATOR_STATS._warn_cache if not any(e in w for e in expected)] == []
    paths = schema["paths"]
    for path in (
        "/api/v1/records/",
        "/api/v1/records/{id}/",
        "/api/v1/records/{id}/submit/",
        "/api/v1/records/{id}/attachments/",
        "/api/v1/records/{id}/attachments/{att_id}/",
        "/api/v1/auth/token/",
        "/api/v1/campaigns/",
    ):
        assert path in paths, path
    write = schema["components"]["schemas"]["RecordWrite"]
    assert write["required"] == ["version"]
    assert "PatchedRecordWrite" not in schema["components"]["schemas"]
    assert "tender_money" in schema["components"]["schemas"]["TenderSectionWrite"]["properties"]


def test_the_schema_and_the_docs_are_served_to_a_clerk(clerk_a):
    api = client_for(clerk_a)
    assert api.get("/api/schema/").status_code == 200
    assert api.get("/api/docs/").status_code == 200
