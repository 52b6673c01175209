"""Issue 11 item 9, fast at provincial scale: the queue's rows rendered per row (review.admin.fast_list) are Django's
rows byte for byte, for every column, filter, search and official; the queue and the workbench run a number of
queries that does not grow with the rows (bench queue_page measures their speed next to a stock changelist)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.admin.templatetags.admin_list import result_list
from django.urls import reverse

from review.admin.fast_list import fast_results

from .decisions import SUBMITTED_AT, submitted_record

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:review_reviewqueueitem_changelist"
GUILIN_COUNTY = "450303"


@pytest.fixture
def records(cast, firm_a, clerk_a):
    out = [submitted_record(firm_a, clerk_a, at=SUBMITTED_AT + dt.timedelta(days=k)) for k in range(3)]
    out.append(submitted_record(firm_a, clerk_a, county=GUILIN_COUNTY))
    return out


def django_rows(cl) -> list[str]:
    return ["".join(str(cell) for cell in row) for row in result_list(cl)["results"]]


@pytest.mark.parametrize(
    ("who", "query"),
    [
        ("provincial_staff", {}),  # with the bulk approval's checkbox column
        ("provincial_staff", {"city": "450100", "o": "-5"}),  # preserved filters in the links, another order
        ("provincial_staff", {"q": "项目"}),
        ("county_reviewer", {}),
        ("city_reviewer_x", {"due": "overdue"}),
    ],
)
def test_the_rows_are_djangos_rows_byte_for_byte(client, cast, records, who, query):
    client.force_login(cast[who])
    response = client.get(reverse(CHANGELIST), query)
    assert response.status_code == 200
    cl = response.context["cl"]
    fast = ["".join(str(cell) for cell in row) for row in fast_results(cl)]
    assert fast == django_rows(cl)
    page = response.content.decode()
    for row in fast:
        assert f"<tr>{row}</tr>" in page


def test_the_fast_rows_are_used_and_hold_every_column(client, cast, records):
    client.force_login(cast["provincial_staff"])
    page = client.get(reverse(CHANGELIST)).content.decode()
    assert page.count('class="action-select"') == len(records)
    for column in ("days_left", "prj_name", "enterprise", "responsible_authority", "review_deadline", "status"):
        assert page.count(f"field-{column}") >= len(records), column


QUEUE_QUERIES = 14
WORKBENCH_QUERIES = 14


@pytest.mark.parametrize("who", ["provincial_staff", "county_reviewer", "city_reviewer_x"])
def test_the_queue_and_the_workbench_run_the_same_queries_for_few_and_many_rows(
    client, cast, firm_a, clerk_a, records, who, django_assert_max_num_queries
):
    client.force_login(cast[who])
    for url in (reverse(CHANGELIST), reverse("admin:index")):
        client.get(url)  # warm the caches (content types)
    for _ in range(6):
        submitted_record(firm_a, clerk_a)
    with django_assert_max_num_queries(QUEUE_QUERIES):
        assert client.get(reverse(CHANGELIST)).status_code == 200
    with django_assert_max_num_queries(WORKBENCH_QUERIES):
        assert client.get(reverse("admin:index")).status_code == 200
