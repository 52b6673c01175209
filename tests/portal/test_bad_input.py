"""The bad-input corpus (issue 9): what a careless client or an attacker sends never answers 5xx, and a refused
save leaves the draft exactly as it was.

Every write field of every section of PATCH /api/v1/records/<id>/ receives every value of the corpus (NUL bytes,
±1e308, 1e400, forty nines, 2^63, negative counts, wrong types, impossible dates); JSON nested 5,000 deep, broken
JSON and every HTTP method go to every API URL. The counts sent are printed (the issue's closing note quotes them).
"""

from __future__ import annotations

import json

import pytest
import time_machine
from django.db import models

from portal.api.serializers import ROWS, SECTIONS
from projects.models import Record
from projects.services import editable_fields

from .test_api_support import CHINESE, SUBMIT_DAY, client_for, isolate

pytestmark = pytest.mark.django_db

NUL = "A\u0000B"
HUGE = ("1e308", "-1e308", "1e400", "9" * 40, str(2**63), str(-(2**63) - 1))


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path):
    isolate(settings, tmp_path)
    with time_machine.travel(SUBMIT_DAY, tick=False):
        yield


@pytest.fixture
def draft(record_a) -> Record:
    """firm A's fresh draft (tests/portal/conftest.py)."""
    return record_a


def _snapshot(api, pk: int) -> dict:
    body = api.get(f"/api/v1/records/{pk}/").json()
    body.pop("updated_at", None)
    return body


def _raw(api, method: str, url: str, body: str, content_type: str = "application/json"):
    return api.generic(method.upper(), url, body.encode(), content_type)


def _field_values(field: models.Field) -> list:
    """What the corpus sends to one field: raw JSON fragments, so that 1e400 and forty nines reach the parser."""
    values = [json.dumps(NUL), "1e308", "-1e308", "1e400", "9" * 40, str(2**63), "-5", "[1, 2]", '{"a": 1}']
    if isinstance(field, models.DateField):
        values += ['"2017-02-30"', '"0000-01-01"', '"99999-01-01"', "20171301"]
    if isinstance(field, models.CharField) and field.max_length:
        values.append(json.dumps("长" * (field.max_length + 1)))
    return values


def _corpus():
    for key, model in {**SECTIONS, **ROWS}.items():
        for field in editable_fields(model):
            for fragment in _field_values(field):
                inner = f'{{"{field.name}": {fragment}}}'
                yield key, field, fragment, (f"[{inner}]" if key in ROWS else inner)


def _field_body(draft: Record, key: str, section: str) -> str:
    return f'{{"version": {draft.version}, "{key}": {section}}}'


def test_every_field_of_every_section_takes_the_corpus_without_5xx_and_keeps_the_draft(draft, clerk_a, capsys):
    api = client_for(clerk_a, token=True)
    url = f"/api/v1/records/{draft.pk}/"
    ok = api.patch(url, {"version": 1, "project": {"prj_name": "邕江大桥（一期）"}}, format="json")
    assert ok.status_code == 200, ok.content
    draft.refresh_from_db()
    before = _snapshot(api, draft.pk)
    sent, refused, failures = 0, 0, []
    for key, field, fragment, section in _corpus():
        response = _raw(api, "patch", url, _field_body(draft, key, section))
        sent += 1
        if response.status_code >= 500:
            failures.append((key, field.name, fragment[:30], response.status_code))
            continue
        if response.status_code == 200:  # kept as typed (draft_inputs) or stored: undo to compare the rest
            draft.refresh_from_db()
            continue
        refused += 1
        assert Record.objects.get(pk=draft.pk).version == draft.version, (key, field.name, fragment)  # unsaved
        body = response.json()
        assert CHINESE.search(body["detail"]), body
        assert response.status_code == 400, (key, field.name, fragment, body)
    assert not failures, failures[:20]
    with capsys.disabled():
        print(f"bad-input corpus: {sent} field values sent, {refused} refused with 400, 0 answered 5xx")
    assert before["project"]["prj_name"] == "邕江大桥（一期）"


@pytest.mark.parametrize(
    "path, fragment",
    [
        ("project.prj_name", json.dumps(NUL)),
        ("project.all_invest", "1e308"),
        ("project.all_invest", "-1e308"),
        ("project.all_invest", "1e400"),
        ("project.all_invest", "9" * 40),
        ("tender.tender_money", "9" * 40),
        ("tender.tender_money", "1e400"),
        ("licence.bargain_days", str(2**63)),
        ("licence.bargain_days", "-5"),
        ("units[0].sub_prj_name", json.dumps(NUL)),
        ("corps[0].person_name", json.dumps(NUL)),
    ],
)
def test_values_no_field_can_hold_are_400_in_chinese_naming_the_field_and_the_draft_is_unchanged(
    draft, clerk_a, path, fragment
):
    api = client_for(clerk_a, token=True)
    url = f"/api/v1/records/{draft.pk}/"
    before = _snapshot(api, draft.pk)
    key, _, name = path.partition(".")
    key = key.split("[")[0]
    inner = f'{{"{name}": {fragment}}}'
    response = _raw(api, "patch", url, _field_body(draft, key, f"[{inner}]" if key in ROWS else inner))
    assert response.status_code == 400, response.content
    body = response.json()
    assert CHINESE.search(body["detail"]), body
    assert body.get("field") == path, body
    assert _snapshot(api, draft.pk) == before


def test_json_nested_5000_deep_is_400_on_every_json_url(draft, clerk_a):
    api = client_for(clerk_a, token=True)
    deep = "[" * 5000 + "]" * 5000
    deep_object = '{"version": 1, "project": ' + '{"a": ' * 5000 + "1" + "}" * 5001
    before = _snapshot(api, draft.pk)
    for url in (f"/api/v1/records/{draft.pk}/", "/api/v1/records/", "/api/v1/auth/token/"):
        for body in (deep, deep_object):
            for method in ("post", "put", "patch"):
                response = _raw(api, method, url, body)
                assert response.status_code in (400, 405, 429), (url, method, response.status_code)  # 429: throttle
                if response.status_code == 400:
                    assert CHINESE.search(response.json()["detail"]), response.content
    assert _snapshot(api, draft.pk) == before


def test_every_method_on_every_api_url_answers_without_5xx(draft, clerk_a):
    api = client_for(clerk_a, token=True)
    attachment_url = f"/api/v1/records/{draft.pk}/attachments/"
    urls = [
        "/api/v1/auth/token/",
        "/api/v1/campaigns/",
        "/api/v1/records/",
        f"/api/v1/records/{draft.pk}/",
        f"/api/v1/records/{draft.pk}/submit/",
        f"/api/v1/records/{draft.pk}/check",  # the rule check (issue 12 item 6)
        "/api/v1/records/99999999999999999999999/check",
        f"/api/v1/records/{draft.pk}/direct-review/",
        attachment_url,
        f"{attachment_url}999999/",
        "/api/v1/records/999999/",
        "/api/v1/records/99999999999999999999999/",
        "/api/schema/",
        # the public search's JSON (issue 12 item 3): read-only, every other method 405
        "/api/v1/public/projects/",
        "/api/v1/public/projects/4501031309220001/",
        "/api/v1/public/projects/%00/",
    ]
    bodies = ["", "{", "null", "[]", '"x"', "1e400", json.dumps({"version": "x"}), "\u0000"]
    sent = 0
    for url in urls:
        for method in ("get", "post", "put", "patch", "delete", "options", "head"):
            for body in bodies:
                response = _raw(api, method, url, body)
                sent += 1
                assert response.status_code < 500, (method, url, body, response.status_code, response.content[:300])
            for content_type in ("text/plain", "multipart/form-data; boundary=x", "application/xml"):
                response = _raw(api, method, url, "<x/>", content_type)
                sent += 1
                assert response.status_code < 500, (method, url, content_type, response.status_code)
    print(f"\nmethods × URLs × bodies: {sent} requests, 0 answered 5xx")


@pytest.mark.parametrize(
    "query",
    [
        "search=%00",
        "search=A%00B",
        "status=%00",
        "year=%00",
        "year=99999999999999999999",
        "page=%00",
        "page=99999999999999999999",
        "page=-1",
        "search=" + "长" * 5000,
    ],
)
def test_query_strings_of_the_lists_answer_without_5xx(draft, clerk_a, client, query):
    api = client_for(clerk_a, token=True)
    response = api.get(f"/api/v1/records/?{query}")
    assert response.status_code in (200, 400, 404), (query, response.status_code)
    if response.status_code != 200:
        assert CHINESE.search(response.json()["detail"]), response.content
    client.force_login(clerk_a)
    page = client.get(f"/portal/records/?{query.replace('search=', 'q=')}")
    assert page.status_code in (200, 400, 404), (query, page.status_code)


def test_options_on_a_record_describes_it(draft, clerk_a):
    api = client_for(clerk_a, token=True)
    response = api.options(f"/api/v1/records/{draft.pk}/")
    assert response.status_code == 200, response.content
    assert response.json()["name"]


# --------------------------------------------------------------------------------------------------------------
# A negative 总投资 or 中标金额 is told at save time (P-rules: amounts > 0), not first at submit
# --------------------------------------------------------------------------------------------------------------


def test_api_save_of_a_negative_amount_keeps_it_and_warns_naming_the_field(draft, clerk_a):
    api = client_for(clerk_a, token=True)
    url = f"/api/v1/records/{draft.pk}/"
    response = api.patch(
        url, {"version": 1, "project": {"all_invest": "-5"}, "tender": {"tender_money": -100}}, format="json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["project"]["all_invest"] == "-5.000000" or body["project"]["all_invest"].startswith("-5")
    paths = {w["path"]: w for w in body["warnings"]}
    assert set(paths) == {"project.all_invest", "tender.tender_money"}
    assert all(CHINESE.search(w["message"]) and w["rule"] == "amount" for w in body["warnings"])
    fixed = api.patch(
        url, {"version": 2, "project": {"all_invest": "120"}, "tender": {"tender_money": 80}}, format="json"
    )
    assert fixed.json()["warnings"] == []


def test_portal_save_of_a_negative_amount_says_so_on_the_page(draft, clerk_a, client):
    client.force_login(clerk_a)
    url = f"/portal/records/{draft.pk}/"
    response = client.post(url, {"version": "1", "project.all_invest": "-3", "tender.tender_money": "-1"}, follow=True)
    assert response.status_code == 200
    text = response.content.decode()
    assert "提交时" in text  # the warning message after 已保存
    assert 'id="f-project-all_invest"' in text and "has-problem" in text
    draft.refresh_from_db()
    assert draft.version == 2
    assert str(draft.project.all_invest).startswith("-3")


def test_a_hunan_county_is_answered_with_g1s_words_not_no_such_region(clerk_a, guangxi):
    api = client_for(clerk_a, token=True)
    response = api.post(
        "/api/v1/records/", {"campaign": guangxi.pk, "prj_name": "长沙某项目", "county": "430102"}, format="json"
    )
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "G1" and body["field"] == "county"
    assert "在区外完成的工程项目" in body["detail"] and "不存在" not in body["detail"]
    assert not Record.objects.filter(enterprise=clerk_a.enterprise).exists()


def test_the_correction_forms_take_the_corpus_without_5xx_and_file_nothing(
    firm_a, clerk_a, city_reviewer_x, provincial_staff, client
):
    """申请更正 and its decision (J7, issue 12): hostile choices, values, reasons and files never answer 5xx; nothing is
    filed, decided or changed on the record."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from review.models import CorrectionRequest
    from tests.sync.test_push import approved

    record = approved(firm_a, clerk_a, city_reviewer_x)
    client.force_login(clerk_a)
    url = f"/portal/records/{record.pk}/correction/"
    choices = ["a|b|c", "tender||national_num", "corps|" + "9" * 40 + "|corp_name", NUL, "长" * 300, "||", "tender"]
    values = [NUL, "1e400", "9" * 40, "-5", "2017-02-30", "长" * 3000, ""]
    sent = 0
    for choice in [*choices, "tender||tender_money", "finish_check||e_date"]:
        for i, value in enumerate(values):
            action = ("preview", "file", "back")[i % 3]
            answer = client.post(url, {"field-0": choice, "value-0": value, "action": action, "reason": NUL})
            assert answer.status_code < 500, (choice, value, action, answer.status_code)
            sent += 1
    for files in (
        [SimpleUploadedFile("a.exe", b"MZ\x90\x00")],
        [SimpleUploadedFile("empty.pdf", b"")],
        [SimpleUploadedFile(NUL + ".pdf", b"%PDF-1.4 x")] * 11,
    ):
        answer = client.post(
            url,
            {"field-0": "tender||tender_money", "value-0": "7000", "action": "file", "reason": "理由", "evidence": files},  # noqa: E501
        )
        assert answer.status_code == 400, answer.status_code
        sent += 1
    assert client.get("/portal/correction-evidence/" + "9" * 18 + "/").status_code == 404
    assert client.post(f"/portal/records/{record.pk}/complete/").status_code == 403  # a B record is not completed
    assert not CorrectionRequest.objects.filter(record=record).exists()
    assert Record.objects.get(pk=record.pk).version == record.version
    from review import corrections

    request = corrections.file_correction(
        record_id=record.pk,
        user=clerk_a,
        changes=[{"part": "tender", "field": "tender_money", "value": "7000"}],
        reason="理由",
        files=[SimpleUploadedFile("a.pdf", b"%PDF-1.4 x")],
    )
    client.force_login(provincial_staff)
    for body in ({"reason": NUL}, {"reason": "长" * 5000}, {"reason": ""}, {}):
        answer = client.post(f"/admin/review/correctionrequest/{request.pk}/refuse/", body)
        assert answer.status_code < 500, (body, answer.status_code)
        sent += 1
    for path in (f"{request.pk}/accept/", f"{request.pk}/refuse/", "9" * 30 + "/change/", "x/change/"):
        assert client.get(f"/admin/review/correctionrequest/{path}").status_code < 500
    assert CorrectionRequest.objects.get(pk=request.pk).status in ("pending", "refused")
    print(f"\ncorrection corpus: {sent} requests")


def test_print_and_verify_take_the_corpus_without_5xx(draft, clerk_a, county_reviewer, client):
    """打印 (portal and admin) and the verification page (issue 12 item 5): every method, hostile ids, codes and
    query strings answer without 5xx, and the record is unchanged."""
    version = Record.objects.get(pk=draft.pk).version
    ids = [str(draft.pk), "0", "-1", "9" * 30, "x", "%00", "..%2F"]
    codes = ["%00", "1-1-" + "A" * 12, "1-1-" + "Z" * 5000, "长" * 300, "<b>", "%2E%2E%2F", "1--1-", "-"]
    queries = ["", "?x=%00", "?page=" + "9" * 40, "?code=" + "长" * 2000]
    sent = 0
    for user, urls in (
        (clerk_a, [f"/portal/records/{pk}/print/" for pk in ids]),
        (county_reviewer, [f"/admin/review/records/{pk}/print/" for pk in ids]),
        (None, [f"/public/verify/{code}/" for code in codes]),
    ):
        client.logout()
        if user is not None:
            client.force_login(user)
        for url in urls:
            for query in queries:
                for method in ("get", "head", "post", "put", "delete", "options"):
                    response = getattr(client, method)(url + query)
                    sent += 1
                    assert response.status_code < 500, (method, url + query, response.status_code)
    assert Record.objects.get(pk=draft.pk).version == version
    print(f"\nprint and verify corpus: {sent} requests, 0 answered 5xx")


# --------------------------------------------------------------------------------------------------------------
# The public search (issue 12 item 3, J5): every filter of its page and its JSON, every method, no login
# --------------------------------------------------------------------------------------------------------------

PUBLIC_FILTERS = ("name", "enterprise", "region", "year", "category", "grade", "page")
PUBLIC_URLS = ("/public/", "/api/v1/public/projects/", "/public/projects/4501031309220001/", "/public/records/1/",
               "/public/regions/", "/public/regions/450000/")


def test_the_public_search_takes_the_corpus_in_every_filter_without_5xx(client, settings):
    settings.PUBLIC_RATES = {"html": None, "api": None}
    values = ["%00", "A%00B", "1e400", "9" * 40, str(2**63), "-5", "[1,2]", "%7B%22a%22:1%7D", "2017-02-30",
              "'--", "%25_%5C", "长" * 5000, "%FF%FE", "%E2%80%AE"]
    sent = 0
    for url in PUBLIC_URLS[:2]:
        for name in PUBLIC_FILTERS:
            for value in values:
                response = client.get(f"{url}?{name}={value}")
                sent += 1
                assert response.status_code in (200, 400, 404), (url, name, value, response.status_code)
                if response.status_code == 400:
                    text = response.json()["detail"] if url.startswith("/api/") else response.content.decode()
                    assert CHINESE.search(text), (url, name, value)
    for url in PUBLIC_URLS:
        for method in ("get", "post", "put", "patch", "delete", "options", "head"):
            for body in ("", "{", "\u0000", "name=x"):
                response = client.generic(method.upper(), url, body.encode(), "application/x-www-form-urlencoded")
                sent += 1
                assert response.status_code < 500, (method, url, response.status_code)
                assert response.status_code in (200, 302, 304, 400, 404) if method in ("get", "head") else (
                    response.status_code == 405
                ), (method, url, response.status_code)
    print(f"\npublic search corpus: {sent} requests, 0 answered 5xx")


# --------------------------------------------------------------------------------------------------------------
# 资质申报业绩 (issue 12 item 4, J4): the lists' forms and the qualification review systems' API
# --------------------------------------------------------------------------------------------------------------

QUALIFICATION_VALUES = (NUL, "\u0000", "", " ", "1e400", "9" * 40, str(2**63), "-5", "[1, 2]", "长" * 5000, "\r\nX: y")


def test_the_application_list_forms_take_the_corpus_without_5xx_and_lose_nothing(clerk_a, client):
    from portal.models import ApplicationList, ApplicationPick
    from tests.portal.qualification_support import published, qualification

    record = published(clerk_a.enterprise, "A")
    application = ApplicationList.objects.create(
        enterprise=clerk_a.enterprise, name="施工一级", qualification=qualification("CON-GEN-1")
    )
    pick = ApplicationPick.objects.create(application=application, record=record)
    client.force_login(clerk_a)
    base = f"/portal/qualification/{application.pk}/"
    sent = 0
    for value in QUALIFICATION_VALUES:
        for url, body in (
            ("/portal/qualification/", {"name": value, "qualification": value}),
            ("/portal/qualification/", {"name": "合法名称", "qualification": value}),
            (f"{base}picks/", {"record": value, "use": "enterprise"}),
            (f"{base}picks/", {"record": record.pk, "use": value}),
            (f"{base}picks/", {"record": record.pk, "use": "personal", "query": value}),
        ):
            response = client.post(url, body)
            sent += 1
            assert response.status_code < 500, (url, body, response.status_code)
        for name in ("grade", "stage", "role", "year", "q", "page"):
            response = client.get(base, {name: value})
            sent += 1
            assert response.status_code in (200, 400), (name, value[:20], response.status_code)
    for url in (
        f"{base}picks/99999999999999999999/delete/",
        "/portal/qualification/99999999999999999999/",
        "/portal/qualification/99999999999999999999/export.xlsx",
        f"{base}delete/x/",
    ):
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            sent += 1
            assert response.status_code in (302, 404, 405), (method, url, response.status_code)  # 302: 已不在清单中
    assert ApplicationList.objects.filter(name="施工一级").exists()
    assert ApplicationPick.objects.filter(pk=pick.pk).exists()
    print(f"\napplication list corpus: {sent} requests, 0 answered 5xx")


def test_the_qualification_api_takes_the_corpus_without_5xx(clerk_a, review_system):
    from tests.portal.qualification_support import issue_key, published, records_url, system_client

    published(clerk_a.enterprise, "A")
    key = issue_key(review_system)[0]
    api = system_client(key)
    url = records_url(clerk_a.enterprise.credit_code)
    sent = 0
    for name in ("grade", "stage", "role", "completed_from", "completed_to", "qualification", "page", "page_size"):
        for value in QUALIFICATION_VALUES:
            response = api.get(url, {name: value})
            sent += 1
            assert response.status_code in (200, 400, 404), (name, value[:20], response.status_code)
            if response.status_code != 200:
                assert CHINESE.search(response.json()["detail"]) or name == "page", response.content[:200]
    for code in ("x", "%00", "长" * 300, "9" * 40, "91450100MA5KXXXXXX"):
        for method in ("get", "post", "put", "patch", "delete", "options", "head"):
            response = _raw(api, method, records_url(code), "{")
            sent += 1
            assert response.status_code < 500, (method, code[:20], response.status_code)
    for header in ("Bearer", "Bearer a b", "Bearer " + "x" * 5000, "Bearer \u00e9\u00e9", "Bearer yjq_\x00", "Basic x"):
        client = system_client()
        client.credentials(HTTP_AUTHORIZATION=header)
        response = client.get(url)
        sent += 1
        assert response.status_code in (401, 403), (header[:20], response.status_code)
    print(f"\nqualification API corpus: {sent} requests, 0 answered 5xx")
