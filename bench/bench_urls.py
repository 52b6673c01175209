"""The benchmark's URLconf: every URL of the project (config.urls) plus `/bench/bare/`, the baseline.

The bare view does no work of its own — no database, no template — so what it costs is Django and the project's
middleware stack behind gunicorn. Deny by default (config/access.py) would answer it with a redirect to the login,
so this module opens it to everyone in `URL_ROLES` when it is imported, which only the benchmark's gunicorn does
(through bench.bench_settings): config/ is not touched, and no other process sees the entry.
"""

from django.http import HttpResponse
from django.urls import path

from config import access
from config.urls import urlpatterns as project_urlpatterns

BARE_URL_NAME = "bench-bare"


def bare(request):
    return HttpResponse("ok", content_type="text/plain")


access.URL_ROLES[BARE_URL_NAME] = access.EVERYONE

urlpatterns = [path("bench/bare/", bare, name=BARE_URL_NAME), *project_urlpatterns]
