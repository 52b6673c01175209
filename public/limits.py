"""How often a client may ask, and how long an answer may be kept: the public pages and the public API.

Throttles are DRF's SimpleRateThrottle on the default cache (Redis), counted per client address (REMOTE_ADDR, as the
portal's login throttle: a client-sent X-Forwarded-For is never trusted; behind a proxy, the proxy sets it).
Rates come from settings.PUBLIC_RATES ({"html": "120/min", "api": "60/min"} by default). The pages answer a friendly
Chinese 429 page, the API its JSON error; both say when to try again (Retry-After).

Answers are public for a short while (Cache-Control: public, max-age=PUBLIC_MAX_AGE) with an ETag of their body, so
a second look at an unchanged page is a 304.
"""

from __future__ import annotations

import functools
import math

from django.conf import settings
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import conditional_page
from rest_framework.throttling import SimpleRateThrottle

DEFAULT_RATES = {"html": "120/min", "api": "60/min"}
PUBLIC_MAX_AGE = 60


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


class PublicThrottle(SimpleRateThrottle):
    """Every client alike (logged in or not), by address."""

    kind = "html"

    def get_rate(self) -> str | None:
        rates = {**DEFAULT_RATES, **(getattr(settings, "PUBLIC_RATES", None) or {})}
        return rates.get(self.kind)

    @property
    def scope(self) -> str:  # the cache key's scope: public_html, public_api
        return f"public_{self.kind}"

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request)}


class PublicApiThrottle(PublicThrottle):
    kind = "api"


def retry_after(throttle: SimpleRateThrottle) -> int:
    wait = throttle.wait()
    return max(1, math.ceil(wait)) if wait is not None else 60


def too_many_requests(request, wait: int):
    response = render(request, "public/429.html", {"wait": wait}, status=429)
    response["Retry-After"] = str(wait)
    response["Cache-Control"] = "no-store"
    return response


def cacheable(response):
    """A 200 may be kept PUBLIC_MAX_AGE seconds by browsers and proxies; anything else is not kept."""
    if response.status_code == 200:
        patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
    else:
        patch_cache_control(response, no_store=True)
    return response


def public_page(view):
    """A public page: throttled per client (429 page), cache headers, ETag and 304."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        throttle = PublicThrottle()
        if not throttle.allow_request(request, None):
            return too_many_requests(request, retry_after(throttle))
        return cacheable(view(request, *args, **kwargs))

    return conditional_page(wrapped)
