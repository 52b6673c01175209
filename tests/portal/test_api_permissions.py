"""Who may do what in the API: every role of the cast against every endpoint, from one table.

Enterprise clerks only: anonymous callers get 401, officials and superusers 403 (by session or by a token made for
them in the admin), another enterprise 404 for a record that is not its own. config/access.py lets API URLs through
its gate for everyone (a token is read after it), so the walk at the end checks every API URL the way
tests/test_url_access.py checks the others.
"""

from __future__ import annotations

import pytest
import time_machine

from config import access
from projects.attachments import attachment_add
from tests.test_url_access import ALL_URLS

from .test_api_support import PDF, SUBMIT_DAY, client_for, isolate, upload, valid_record

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "clerk_a", "clerk_b", "county_reviewer", "city_reviewer_x", "provincial_staff", "superuser")

# endpoint -> (method, path, body); {pk} is a draft record of clerk_a's firm, {att} one of its attachments
ENDPOINTS = {
    "campaigns": ("get", "/api/v1/campaigns/", None),
    "list": ("get", "/api/v1/records/", None),
    "create": ("post", "/api/v1/records/", "create"),
    "read": ("get", "/api/v1/records/{pk}/", None),
    "put": ("put", "/api/v1/records/{pk}/", {"version": 1, "project": {"prj_name": "改名"}}),
    "patch": ("patch", "/api/v1/records/{pk}/", {"version": 1, "tender": {"tender_num": "ZB-9"}}),
    "submit": ("post", "/api/v1/records/{pk}/submit/", None),
    "check": ("get", "/api/v1/records/{pk}/check", None),  # the rule check (issue 12 item 6)
    "attachments": ("get", "/api/v1/records/{pk}/attachments/", None),
    "upload": ("post", "/api/v1/records/{pk}/attachments/", "upload"),
    "download": ("get", "/api/v1/records/{pk}/attachments/{att}/", None),
    "remove": ("delete", "/api/v1/records/{pk}/attachments/{att}/", None),
    "direct_review": ("post", "/api/v1/records/{pk}/direct-review/", {"reason_code": "owner_deregistered"}),
    "delete": ("delete", "/api/v1/records/{pk}/", None),
}
OWNER = {
    "campaigns": 200,
    "list": 200,
    "create": 201,
    "read": 200,
    "put": 200,
    "patch": 200,
    "submit": 200,
    "check": 200,
    "attachments": 200,
    "upload": 201,
    "download": 200,
    "remove": 204,
    "direct_review": 400,  # the owner may ask (G6), and is told the written application is missing
    "delete": 204,  # a draft never submitted
}
# another enterprise: its own list and its own new records, nothing of the first one's record
OTHER_FIRM = {**{name: 404 for name in ENDPOINTS}, "campaigns": 200, "list": 200, "create": 201}
EXPECTED = {
    "anonymous": dict.fromkeys(ENDPOINTS, 401),
    "clerk_a": OWNER,
    "clerk_b": OTHER_FIRM,
    "county_reviewer": dict.fromkeys(ENDPOINTS, 403),
    "city_reviewer_x": dict.fromkeys(ENDPOINTS, 403),
    "provincial_staff": dict.fromkeys(ENDPOINTS, 403),
    "superuser": dict.fromkeys(ENDPOINTS, 403),
}
MATRIX = [(role, endpoint, EXPECTED[role][endpoint]) for role in ROLES for endpoint in ENDPOINTS]


@pytest.fixture(autouse=True)
def _isolated_in_december_2017(settings, tmp_path):
    isolate(settings, tmp_path)
    with time_machine.travel(SUBMIT_DAY, tick=False):
        yield


@pytest.fixture
def scene(cast, firm_a, clerk_a, guangxi):
    """A complete draft of firm A (it could be submitted) with one stored attachment."""
    record = valid_record(firm_a)
    attachment = attachment_add(record_id=record.pk, user=clerk_a, kind="other", uploaded_file=upload(PDF))
    return {"record": record, "attachment": attachment, "guangxi": guangxi}


def _call(client, endpoint: str, scene: dict):
    method, path, body = ENDPOINTS[endpoint]
    path = path.format(pk=scene["record"].pk, att=scene["attachment"].pk)
    if body == "create":
        return getattr(client, method)(
            path, {"campaign": scene["guangxi"].pk, "prj_name": "矩阵项目", "county": "450103"}, format="json"
        )
    if body == "upload":
        return getattr(client, method)(path, {"kind": "other", "file": upload(PDF)}, format="multipart")
    return getattr(client, method)(path, body, format="json") if body else getattr(client, method)(path)


@pytest.mark.parametrize(("role", "endpoint", "expected"), MATRIX, ids=[f"{r}-{e}" for r, e, _x in MATRIX])
def test_each_role_against_each_endpoint_by_session(cast, scene, county_reviewer, role, endpoint, expected):
    client = client_for(None if role == "anonymous" else cast[role])
    response = _call(client, endpoint, scene)
    assert response.status_code == expected, response.content[:300]
    if expected >= 400:
        assert response["Content-Type"] == "application/json"
        assert response.json()["code"]
    if expected == 401:
        assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
@pytest.mark.parametrize("endpoint", ["list", "read", "put", "upload", "submit"])
def test_a_token_carries_the_same_permissions_as_a_session(cast, scene, county_reviewer, role, endpoint):
    """A token made for an official in the admin opens nothing either."""
    response = _call(client_for(cast[role], token=True), endpoint, scene)
    assert response.status_code == EXPECTED[role][endpoint], response.content[:300]


def test_a_bad_token_is_401(scene):
    client = client_for()
    client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
    assert client.get("/api/v1/records/").status_code == 401


def test_the_other_firm_sees_none_of_the_first_ones_records(cast, scene):
    listed = client_for(cast["clerk_b"]).get("/api/v1/records/").json()
    assert listed["count"] == 0


def test_a_clerk_token_stops_working_when_the_account_is_no_longer_a_clerk(cast, scene):
    clerk = cast["clerk_a"]
    client = client_for(clerk, token=True)
    assert client.get("/api/v1/records/").status_code == 200
    clerk.is_active = False
    clerk.save()
    assert client.get("/api/v1/records/").status_code == 401


API_URLS = [(path, name) for path, name in ALL_URLS if name and name.startswith("api:")]


def test_the_walk_finds_every_api_url():
    names = {name for _path, name in API_URLS}
    assert names == {
        f"api:{n}"
        for n in (
            "token",
            "campaign-list",
            "record-list",
            "record-detail",
            "record-submit",
            "record-check",
            "record-direct-review",
            "record-attachments",
            "record-attachment",
            "qualification-records",  # the qualification review systems' one URL (ADR 0015)
        )
    }
    for _path, name in API_URLS:
        expected = access.EVERYONE if name == "api:token" else frozenset({access.ENTERPRISE})
        if name == "api:qualification-records":
            expected = frozenset({access.SYSTEM})  # tests/portal/test_qualification_api.py: clerks refused too
        assert access.roles_for(name) == expected, f"{name}: config/access.py:URL_ROLES names exactly who may call it"


@pytest.mark.parametrize("role", [r for r in ROLES if r not in ("clerk_a", "clerk_b")])
def test_no_api_url_answers_a_role_that_is_not_an_enterprise_clerk(cast, role):
    """Every API URL (the walk of tests/test_url_access.py), every method, for anonymous callers and officials."""
    client = client_for(None if role == "anonymous" else cast[role])
    leaks = []
    for path, name in API_URLS:
        if name == "api:token":
            continue
        for method in ("get", "post", "put", "patch", "delete"):
            response = getattr(client, method)(path)
            if response.status_code not in (401, 403, 405) or (role == "anonymous" and response.status_code == 403):
                leaks.append(f"{method.upper()} {path} ({name}) answered {response.status_code} to {role}")
    assert not leaks, "\n".join(leaks)
