"""/api/v1/public/ (J5): the search as read-only JSON, in the schema; cache headers and ETags on pages and JSON; no
write path anywhere under /public/ and /api/v1/public/."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db

CHINESE = re.compile(r"[\u4e00-\u9fff]")
METHODS = ("post", "put", "patch", "delete", "options")


def public_urls(world) -> list[str]:
    prj_num = world.school.project.prj_num
    return [
        "/public/",
        "/public/?name=青秀",
        f"/public/projects/{prj_num}/",
        f"/public/records/{world.school.pk}/",
        "/public/regions/",
        "/public/regions/450000/",
        "/api/v1/public/projects/",
        "/api/v1/public/projects/?name=桂林",
        f"/api/v1/public/projects/{prj_num}/",
    ]


def test_the_list_and_a_project_as_json(client, world):
    body = client.get("/api/v1/public/projects/", {"name": "青秀"}).json()
    assert (body["count"], body["capped"], body["page"], body["pages"]) == (2, False, 1, 1)
    assert body["next"] is None and body["previous"] is None
    park = next(r for r in body["results"] if r["prj_num"] == world.park.project.prj_num)
    (claim,) = park["claims"]
    assert claim["record_id"] == world.park.pk
    assert claim["enterprise"] == {"name": world.firm_b.name, "credit_code": world.firm_b.credit_code}
    assert (claim["grade"], claim["completed_on"]) == ("D", "2016-09-09")
    assert claim["grade_label"].startswith("D") and CHINESE.search(claim["grade_label"])
    assert park["region"]["names"] == ["广西壮族自治区", "南宁市", "青秀区"]
    assert park["url"] == f"/public/projects/{world.park.project.prj_num}/"
    detail = client.get(park["api_url"]).json()
    assert [r["record_id"] for r in detail["records"]] == [world.park.pk]  # never the working copy
    stages = {s["key"]: s for s in detail["records"][0]["stages"]}
    assert set(stages) == {"tender", "contract", "censor", "licence", "finish_check", "finish_record"}
    assert {s["grade"] for s in stages.values()} == {"D"}
    assert all(s["check_depart_name"] for s in stages.values())
    assert detail["records"][0]["corps"][0]["corp_name"]


def test_filters_and_refusals_in_json(client, world):
    assert client.get("/api/v1/public/projects/", {"grade": "B"}).json()["count"] == 1
    refused = client.get("/api/v1/public/projects/", {"year": "20x6"})
    assert refused.status_code == 400
    assert refused.json()["code"] == "invalid" and refused.json()["field"] == "year"
    assert CHINESE.search(refused.json()["detail"])
    beyond = client.get("/api/v1/public/projects/", {"page": "7"})
    assert beyond.status_code == 404 and CHINESE.search(beyond.json()["detail"])
    missing = client.get(f"/api/v1/public/projects/{world.draft.project.prj_num}/")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"


def test_the_api_is_in_the_schema(client, clerk_a):
    client.force_login(clerk_a)
    schema = client.get("/api/schema/?format=json").json()
    assert "/api/v1/public/projects/" in schema["paths"]
    assert "/api/v1/public/projects/{prj_num}/" in schema["paths"]
    operation = schema["paths"]["/api/v1/public/projects/"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"name", "enterprise", "region", "year", "category", "grade"}
    assert set(operation["responses"]) >= {"200", "400", "404", "429"}
    assert set(schema["paths"]["/api/v1/public/projects/"]) == {"get"}  # nothing but reading


def test_no_write_path_every_other_method_is_405(client, clerk_a, world):
    for url in public_urls(world):
        for method in METHODS:
            response = getattr(client, method)(url)
            assert response.status_code == 405, (method, url, response.status_code)
    client.force_login(clerk_a)  # a logged-in user too (no CSRF refusal first: nothing here writes)
    for url in public_urls(world):
        assert client.post(url, {"name": "x"}).status_code == 405, url
    assert client.head("/public/").status_code == 200
    assert client.head("/api/v1/public/projects/").status_code == 200


def test_cache_headers_and_etags(client, world):
    for url in public_urls(world):
        response = client.get(url)
        if response.status_code != 200:
            assert response.status_code == 302, url
            continue
        cache = response["Cache-Control"]
        assert "public" in cache and "max-age=60" in cache, (url, cache)
        etag = response["ETag"]
        again = client.get(url, HTTP_IF_NONE_MATCH=etag)
        assert again.status_code == 304, url
    refused = client.get("/public/", {"year": "abc"})
    assert refused.status_code == 400 and "public" not in refused["Cache-Control"]


def test_anyone_reads_it_whatever_their_role(client, cast, world):
    for user in cast.values():
        client.force_login(user)
        assert client.get("/public/").status_code == 200
        assert client.get("/api/v1/public/projects/").status_code == 200
        assert client.get(f"/public/projects/{world.bridge.project.prj_num}/").status_code == 200
    client.logout()
    assert client.get("/api/v1/public/projects/").status_code == 200
