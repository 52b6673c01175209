"""Hostile values in every filter of the public search (issue 12 item 3): a Chinese message naming what is wrong,
never a 500, in the pages and in the JSON."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db

CHINESE = re.compile(r"[\u4e00-\u9fff]")
FILTERS = ("name", "enterprise", "region", "year", "category", "grade", "page")
HOSTILE = (
    "%00",
    "A%00B",
    "'; DROP TABLE projects_project; --",
    "%25%25%25",
    "%5C",
    "_",
    "<script>alert(1)</script>",
    "1e400",
    "99999999999999999999",
    "-1",
    "0",
    "%E2%80%AE",  # right-to-left override
    "%F0%9F%98%80",  # an emoji
    "%EF%BF%BF",
    "%01%02",
    "%FF%FE",  # not UTF-8
    "长" * 300,
    "2017-02-30",
    "４５００００",  # full-width digits
)


@pytest.mark.parametrize("field", FILTERS)
def test_every_filter_takes_every_hostile_value_without_5xx(client, settings, field):
    settings.PUBLIC_RATES = {"html": None, "api": None}
    for value in HOSTILE:
        for base in ("/public/", "/api/v1/public/projects/"):
            response = client.get(f"{base}?{field}={value}")
            assert response.status_code in (200, 400, 404), (field, value, base, response.status_code)
            if response.status_code == 400:
                if base.startswith("/api/"):
                    assert CHINESE.search(response.json()["detail"]), (field, value)
                else:
                    assert CHINESE.search(response.content.decode()), (field, value)
            assert b"<script>alert(1)</script>" not in response.content


def test_a_refused_value_is_named_in_chinese(client):
    response = client.get("/public/", {"year": "1e400"})
    assert response.status_code == 400
    assert "竣工年份应为" in response.content.decode()
    response = client.get("/public/", {"name": "长" * 101})
    assert response.status_code == 400 and "项目名称最多100个字" in response.content.decode()
    body = client.get("/api/v1/public/projects/", {"region": "999999"}).json()
    assert body["field"] == "region" and "请从列表中选择地区" in body["detail"]


def test_hostile_project_numbers_and_record_ids(client, settings):
    settings.PUBLIC_RATES = {"html": None, "api": None}
    for value in ("x", "%00", "' or 1=1 --", "9" * 400, "..%2F..%2Fetc", "%E2%80%AE"):
        for url in (f"/public/projects/{value}/", f"/api/v1/public/projects/{value}/", f"/public/regions/{value}/"):
            response = client.get(url)
            assert response.status_code in (400, 404), (url, response.status_code)
    assert client.get("/public/records/99999999999999999999999/").status_code == 404
