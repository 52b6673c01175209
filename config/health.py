"""GET /healthz: the state of the database and of Redis; 200 when both answer, else 503. It also says whether the
national platform's endpoint answers (`national_platform`), without turning 503 for it: the platform is someone
else's, and the push retries on its own."""

from __future__ import annotations

import time

import redis
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def _check(probe) -> dict:
    started = time.perf_counter()
    try:
        probe()
    except Exception as exc:  # any failure means "down"; say which
        return {"ok": False, "error": exc.__class__.__name__}
    return {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _redis() -> None:
    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
    finally:
        client.close()


@never_cache
@require_GET
def healthz(request):
    checks = {"database": _check(_database), "redis": _check(_redis)}
    healthy = all(c["ok"] for c in checks.values())
    national = _national()
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", **checks, "national_platform": national},
        status=200 if healthy else 503,
    )


#: the national endpoint is asked at most once per this many seconds per process (a health check every few seconds
#: must not become load on someone else's service)
NATIONAL_CHECK_SECONDS = 30
_national_cache: dict = {}


def _national() -> dict:
    from sync.client import NationalClient

    url = settings.NATIONAL_PLATFORM_URL
    cached = _national_cache.get(url)
    if cached is not None and time.monotonic() - cached[0] < NATIONAL_CHECK_SECONDS:
        return cached[1]
    ok, detail = NationalClient(timeout=2).healthy()
    answer = {"ok": ok, "url": url, "detail": detail}
    _national_cache[url] = (time.monotonic(), answer)
    return answer
