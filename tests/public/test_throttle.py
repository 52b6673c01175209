"""Public pages and JSON are rate-limited per client on the Redis cache (issue 12 item 3): a friendly Chinese 429
page, the API's JSON error, both with Retry-After; another address is not held back."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def low_rates(settings):
    settings.PUBLIC_RATES = {"html": "3/min", "api": "2/min"}


def test_pages_answer_a_chinese_429_with_retry_after(client, low_rates):
    assert [client.get("/public/").status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get("/public/projects/4501031309220001/")  # every public page counts
    assert refused.status_code == 429
    text = refused.content.decode()
    assert "查询过于频繁" in text and "秒后再试" in text
    assert int(refused["Retry-After"]) > 0 and refused["Cache-Control"] == "no-store"
    assert client.get("/public/", REMOTE_ADDR="10.0.0.9").status_code == 200  # another client


def test_the_api_answers_429_json(client, low_rates):
    assert [client.get("/api/v1/public/projects/").status_code for _ in range(2)] == [200, 200]
    refused = client.get("/api/v1/public/projects/")
    assert refused.status_code == 429
    assert refused.json()["code"] == "throttled" and "查询过于频繁" in refused.json()["detail"]
    assert int(refused["Retry-After"]) > 0
    assert client.get("/public/").status_code == 200  # pages and JSON are counted apart


def test_the_counters_live_in_the_redis_cache(client, low_rates, settings):
    from django.core.cache import cache

    assert "redis" in settings.CACHES["default"]["BACKEND"].lower()
    client.get("/api/v1/public/projects/")
    assert len(cache.get("throttle_public_api_127.0.0.1")) == 1
