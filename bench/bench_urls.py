"""The benchmark's URLconf: every URL of the project (config.urls) plus `/bench/bare/`, the baseline, and the stock
pages of bench/baselines.py (`/bench/stock/` a stock admin, `/bench/list/` a ListView, `/bench/detail/<pk>/` a
DetailView).

The bare view does no work of its own — no database, no template — so what it costs is Django and the project's
middleware stack behind gunicorn. Deny by default (config/access.py) would answer it with a redirect to the login,
so this module opens it to everyone in `URL_ROLES` when it is imported, which only the benchmark's gunicorn does
(through bench.bench_settings): config/ is not touched, and no other process sees the entry.
"""

from django.http import HttpResponse
from django.urls import path

from bench.baselines import RecordDetailView, RecordListView, stock_site
from config import access
from config.urls import urlpatterns as project_urlpatterns

BARE_URL_NAME = "bench-bare"


def bare(request):
    return HttpResponse("ok", content_type="text/plain")


access.URL_ROLES[BARE_URL_NAME] = access.EVERYONE
# the stock pages the project's are measured against (bench/baselines.py): the same roles as the pages they stand for
access.URL_ROLES["bench_stock:*"] = access.OFFICIALS
access.URL_ROLES["bench-list"] = access.URL_ROLES["bench-detail"] = frozenset({access.ENTERPRISE})

urlpatterns = [
    path("bench/bare/", bare, name=BARE_URL_NAME),
    path("bench/stock/", stock_site.urls),
    path("bench/list/", RecordListView.as_view(), name="bench-list"),
    path("bench/detail/<int:pk>/", RecordDetailView.as_view(), name="bench-detail"),
    *project_urlpatterns,
]
