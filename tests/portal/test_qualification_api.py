"""GET /api/v1/qualification/enterprises/{credit_code}/records/ (J4, G11; ADR 0015): a qualification review system
of its own role reads, with a key provincial staff issued, the published records of one enterprise in its province;
every call is logged."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Role, User
from portal.models import SystemCall, SystemToken
from projects.codes import CorpRole
from projects.models import Record, RecordStatus
from tests.factories import UserFactory, authority_for, make_uscc
from tests.review.builders import valid_record

from .qualification_support import issue_key, published, records_url, system_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def key(review_system):
    return issue_key(review_system)[0]


@pytest.fixture
def api(key):
    return system_client(key)


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


# ---- who may call ------------------------------------------------------------------------------------------------


def test_without_a_key_the_call_is_refused_401_and_logged(firm_a):
    published(firm_a)
    answer = system_client().get(records_url(firm_a.credit_code))
    assert answer.status_code == 401
    assert answer["WWW-Authenticate"].startswith("Bearer")
    call = SystemCall.objects.get()
    assert (call.status, call.caller, call.records, call.path) == (401, None, None, records_url(firm_a.credit_code))


@pytest.mark.parametrize("kind", ["unknown", "expired", "revoked", "disabled", "malformed"])
def test_a_wrong_expired_or_revoked_key_is_refused(firm_a, review_system, kind):
    published(firm_a)
    key, token = issue_key(review_system)
    if kind == "unknown":
        key = key[:-4] + "abcd"
    elif kind == "expired":
        SystemToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    elif kind == "revoked":
        SystemToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    elif kind == "disabled":
        User.objects.filter(pk=review_system.pk).update(is_active=False)
    client = system_client(key)
    if kind == "malformed":
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key} extra")
    answer = client.get(records_url(firm_a.credit_code))
    assert answer.status_code == 401, answer.content
    assert answer.json()["code"] == "not_authenticated"
    assert SystemCall.objects.get().status == 401


def test_a_clerks_token_or_session_and_officials_are_refused(client, firm_a, clerk_a, provincial_staff):
    from tests.portal.test_api_support import client_for

    url = records_url(firm_a.credit_code)
    assert client_for(clerk_a, token=True).get(url).status_code == 403
    assert client_for(clerk_a).get(url).status_code == 403
    client.force_login(provincial_staff)
    assert client.get(url).status_code == 403
    assert SystemCall.objects.filter(status=403).count() == 3


def test_a_systems_key_opens_no_other_api_url(api, firm_a):
    for url in ("/api/v1/records/", "/api/v1/campaigns/"):
        assert api.get(url).status_code == 403


# ---- what it reads -----------------------------------------------------------------------------------------------


def test_the_published_records_of_the_enterprise_in_the_systems_province_only(api, firm_a, firm_b):
    mine = published(firm_a, "A")
    jilin = published(firm_a, "A", jilin=True)  # the same firm's project in Jilin: not Guangxi's system's
    draft = valid_record(firm_a)
    rejected = published(firm_a, "A")
    Record.objects.filter(pk=rejected.pk).update(status=RecordStatus.REJECTED)
    fraud = published(firm_a, "A")
    Record.objects.filter(pk=fraud.pk).update(status=RecordStatus.FRAUD)
    other_firm = published(firm_b, "A")
    ids = _ids(api.get(records_url(firm_a.credit_code)))
    assert ids == {mine.pk}
    assert {jilin.pk, draft.pk, rejected.pk, fraud.pk, other_firm.pk}.isdisjoint(ids)


def test_a_working_copy_is_never_read(api, firm_a):
    record = published(firm_a, "D")
    copy = valid_record(firm_a)
    Record.objects.filter(pk=copy.pk).update(revision_of=record, status=RecordStatus.APPROVED)
    assert _ids(api.get(records_url(firm_a.credit_code))) == {record.pk}


def test_jilins_system_reads_jilin_only(firm_a):
    jilin_system = UserFactory(username="jl_system", role=Role.SYSTEM, authority=authority_for("220000"))
    guangxi = published(firm_a, "A")
    jilin = published(firm_a, "A", jilin=True)
    ids = _ids(system_client(issue_key(jilin_system)[0]).get(records_url(firm_a.credit_code)))
    assert ids == {jilin.pk} and guangxi.pk not in ids


def test_every_stage_with_grade_department_and_reviewer_and_the_firms_persons_unmasked(api, firm_a):
    record = published(firm_a, "A", licence="B", roles=(CorpRole.DESIGN,))
    row = api.get(records_url(firm_a.credit_code)).json()["results"][0]
    stages = {s["stage"]: s for s in row["stages"]}
    assert set(stages) == {"project", "censor", "tender", "contract", "licence", "finish_check", "finish_record"}
    assert stages["licence"]["data_level"] == "B" and stages["finish_check"]["data_level"] == "A"
    assert stages["finish_check"]["check_depart_name"] == "广西壮族自治区住房和城乡建设厅建筑市场监管处"
    assert row["grade"] == "A" and row["completed_on"] == "2016-06-18"
    assert row["enterprise_roles"] == ["2"] and row["enterprise_credit_code"] == firm_a.credit_code
    person = record.persons.get()
    names = {p["name"]: p for p in row["persons"]}
    assert names[person.name]["id_card"] == person.id_card  # unmasked (ADR 0015)
    assert "负责人0" in names  # the firm's own 参建单位 row's responsible person
    assert "负责人1" not in names  # another unit's person is not this enterprise's
    assert "phone" not in str(row) and "13800771099" not in str(row)


def test_the_filters(api, firm_a):
    design = (CorpRole.DESIGN,)
    a_2015 = published(firm_a, "A", completed=dt.date(2015, 5, 4), roles=design)
    b_2016 = published(firm_a, "B", completed=dt.date(2016, 6, 18), roles=design)
    c_permit = published(firm_a, "A", completed=dt.date(2016, 3, 1), licence="C", roles=design)
    url = records_url(firm_a.credit_code)
    assert _ids(api.get(url, {"grade": "A"})) == {a_2015.pk, c_permit.pk}
    assert _ids(api.get(url, {"grade": "A,B"})) == {a_2015.pk, b_2016.pk, c_permit.pk}
    assert _ids(api.get(url, {"grade": "C", "stage": "licence"})) == {c_permit.pk}
    assert _ids(api.get(url, {"role": "2"})) == {a_2015.pk, b_2016.pk, c_permit.pk}
    assert _ids(api.get(url, {"role": "3"})) == set()
    assert _ids(api.get(url, {"completed_from": "2016-01-01"})) == {b_2016.pk, c_permit.pk}
    assert _ids(api.get(url, {"completed_from": "2016-01-01", "completed_to": "2016-05-01"})) == {c_permit.pk}


@pytest.mark.parametrize(
    "query, field",
    [
        ({"grade": "E"}, "grade"),
        ({"stage": "nope"}, "stage"),
        ({"role": "77"}, "role"),
        ({"completed_from": "2016-02-30"}, "completed_from"),
        ({"completed_from": "2017-01-01", "completed_to": "2016-01-01"}, "completed_to"),
        ({"qualification": "NOPE"}, "qualification"),
    ],
)
def test_a_refused_filter_is_400_in_chinese_naming_it(api, firm_a, query, field):
    answer = api.get(records_url(firm_a.credit_code), query)
    assert answer.status_code == 400
    body = answer.json()
    assert body["field"] == field and any("\u4e00" <= c <= "\u9fff" for c in body["detail"])


def test_a_bad_or_unknown_credit_code(api):
    assert api.get(records_url("123")).status_code == 400
    assert api.get(records_url(make_uscc(99999))).status_code == 404


def test_with_a_qualification_each_record_carries_the_verdict_of_its_rule(api, firm_a):
    published(firm_a, "B")
    row = api.get(records_url(firm_a.credit_code), {"qualification": "CON-GEN-1"}).json()["results"][0]
    check = row["qualification_check"]
    assert check["qualification"] == "CON-GEN-1"
    assert check["personal"] == {"ok": True, "reasons": []}
    assert check["enterprise"]["ok"] is False
    assert "基本信息的数据等级为B：施工总承包一级的企业业绩须为A级。" in check["enterprise"]["reasons"]
    assert api.get(records_url(firm_a.credit_code)).json()["results"][0]["qualification_check"] is None


# ---- the log and the cost -----------------------------------------------------------------------------------------


def test_every_call_is_logged_with_who_when_what_and_how_many(api, firm_a, review_system, key):
    published(firm_a, "A")
    published(firm_a, "B")
    api.get(records_url(firm_a.credit_code), {"grade": "A"}, REMOTE_ADDR="10.1.2.3")
    api.get(records_url(firm_a.credit_code), {"grade": "Q"})
    first, second = SystemCall.objects.order_by("id")
    token = SystemToken.objects.get()
    assert (first.caller, first.token, first.status, first.records) == (review_system, token, 200, 1)
    assert first.query == "grade=A" and first.client_ip == "10.1.2.3" and first.method == "GET"
    assert first.path == records_url(firm_a.credit_code)
    assert (second.status, second.records) == (400, None)
    assert token.__class__.objects.get().last_used_at is not None


def test_the_query_count_does_not_grow_with_the_records(api, firm_a, django_assert_max_num_queries):
    url = records_url(firm_a.credit_code)
    published(firm_a, "A")
    with django_assert_max_num_queries(12) as few:
        assert len(_ids(api.get(url, {"qualification": "CON-GEN-1"}))) == 1
    for _ in range(8):
        published(firm_a, "A")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(_ids(api.get(url, {"qualification": "CON-GEN-1"}))) == 9


def test_the_schema_documents_the_url_and_its_key(client, clerk_a):
    client.force_login(clerk_a)
    schema = client.get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/qualification/enterprises/{credit_code}/records/"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"grade", "stage", "role", "completed_from", "completed_to"}
    assert "Bearer" in operation["description"]
    assert set(operation["responses"]) >= {"200", "400", "401", "403", "404"}


# ---- keys in the admin -------------------------------------------------------------------------------------------


def test_provincial_staff_issue_a_key_shown_once_and_stored_hashed(client, provincial_staff, review_system, firm_a):
    published(firm_a, "A")
    client.force_login(provincial_staff)
    expires = (timezone.localtime() + dt.timedelta(days=90)).strftime("%Y-%m-%d %H:%M:%S")
    answer = client.post(
        "/admin/portal/systemtoken/add/",
        {
            "system": review_system.pk,
            "name": "资质审批系统正式环境",
            "expires_at_0": expires[:10],
            "expires_at_1": expires[11:],
        },
    )
    assert answer.status_code == 200, answer.content.decode()[:3000]
    text = answer.content.decode()
    key = text.split('id="issued-key">')[1].split("<")[0]
    assert key.startswith("yjq_") and len(key) > 40
    token = SystemToken.objects.get()
    assert key not in (token.key_hash, token.key_prefix) and token.created_by == provincial_staff
    assert key not in client.get(f"/admin/portal/systemtoken/{token.pk}/change/").content.decode()
    assert system_client(key).get(records_url(firm_a.credit_code)).status_code == 200
    revoke = client.post(
        "/admin/portal/systemtoken/", {"action": "revoke", "_selected_action": [token.pk]}, follow=True
    )
    assert revoke.status_code == 200
    assert system_client(key).get(records_url(firm_a.credit_code)).status_code == 401


def test_provincial_staff_issue_keys_for_their_own_province_only(client, review_system):
    jilin_staff = UserFactory(username="jl_staff", role=Role.PROVINCIAL, authority=authority_for("220000"))
    client.force_login(jilin_staff)
    form = client.get("/admin/portal/systemtoken/add/").content.decode()
    assert f'value="{review_system.pk}"' not in form
    answer = client.post(
        "/admin/portal/systemtoken/add/",
        {"system": review_system.pk, "name": "x", "expires_at_0": "2027-06-01", "expires_at_1": "00:00:00"},
    )
    assert answer.status_code == 200 and not SystemToken.objects.exists()


def test_the_call_log_is_read_by_the_systems_province_only(client, provincial_staff, api, firm_a):
    api.get(records_url(firm_a.credit_code))
    call = SystemCall.objects.get()
    client.force_login(provincial_staff)
    assert client.get(f"/admin/portal/systemcall/{call.pk}/change/").status_code == 200
    jilin_staff = UserFactory(username="jl_staff", role=Role.PROVINCIAL, authority=authority_for("220000"))
    client.force_login(jilin_staff)
    assert call.pk not in client.get("/admin/portal/systemcall/").context["cl"].queryset.values_list("pk", flat=True)


def test_a_system_account_belongs_to_a_provincial_office(review_system):
    from django.core.exceptions import ValidationError

    review_system.full_clean()
    review_system.authority = authority_for("450100")
    with pytest.raises(ValidationError):
        review_system.full_clean()
    assert not review_system.is_staff


def test_a_runaway_system_is_throttled_per_key_with_429_in_chinese(api, firm_a, settings):
    from django.core.cache import cache

    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"qualification_system": "3/min"}}
    cache.clear()
    url = f"/api/v1/qualification/enterprises/{firm_a.credit_code}/records/"
    answers = [api.get(url).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    refused = api.get(url)
    assert refused.status_code == 429 and refused.json()["code"] == "throttled"
    assert "Retry-After" in refused
    cache.clear()
