"""The enterprise's decision notices in its portal (issue 5 item 8): its own only, newest first, unread ones marked
and counted in the navigation's badge; opening a record's page reads its notices; "mark all as read"."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from accounts.errors import DomainError
from projects.models import RecordStatus
from review.models import RecordTransition, TransitionBy
from review.notices import mark_notices_read
from review.services import AUTO_APPROVED, approve_record, auto_approve_overdue, reject_record
from tests.review.decisions import NIGHT_AFTER, SHANGHAI, submitted_record

pytestmark = pytest.mark.django_db

NOTICES = "/portal/notices/"
REASON_A = "合同金额与中标金额不一致。"
REASON_B = "竣工验收备案编号有误。"


@pytest.fixture
def decided(firm_a, clerk_a, firm_b, clerk_b, county_reviewer):
    """Firm A: one record approved, one rejected, one approved by the nightly job; firm B: one rejected."""
    later = dt.datetime(2017, 12, 5, 10, 0, tzinfo=SHANGHAI)  # due on 2017-12-08: not overdue on the night after
    overdue = submitted_record(firm_a, clerk_a)
    approved = submitted_record(firm_a, clerk_a, at=later)
    rejected = submitted_record(firm_a, clerk_a, at=later)
    other = submitted_record(firm_b, clerk_b, at=later)
    assert auto_approve_overdue(now=NIGHT_AFTER) == 1
    approve_record(record_id=approved.pk, user=county_reviewer)
    reject_record(record_id=rejected.pk, user=county_reviewer, reason=REASON_A)
    reject_record(record_id=other.pk, user=county_reviewer, reason=REASON_B)
    return {"approved": approved, "rejected": rejected, "overdue": overdue, "other": other}


def badge(body: str) -> int:
    found = re.search(r'id="unread-notices"[^>]*>(\d+)<', body)
    return int(found.group(1)) if found else 0


def test_the_enterprise_reads_its_own_notices_only(client, clerk_a, decided):
    client.force_login(clerk_a)
    response = client.get(NOTICES)
    assert response.status_code == 200
    body = response.content.decode()
    for key in ("approved", "rejected", "overdue"):
        record = decided[key]
        assert f'href="/portal/records/{record.pk}/"' in body
        assert record.project.prj_num in body
    assert REASON_A in body and REASON_B not in body
    assert decided["other"].project.prj_num not in body
    assert AUTO_APPROVED in body  # P1: the nightly approval names no person
    assert body.count('class="notice-unread"') == 3
    assert re.search(r'<a href="/portal/notices/" aria-current="page">', body)


def test_newest_first(client, clerk_a, decided):
    client.force_login(clerk_a)
    body = client.get(NOTICES).content.decode()
    rows = re.findall(r'<tr id="notice-(\d+)"', body)
    expected = RecordTransition.objects.filter(record__enterprise=decided["approved"].enterprise).filter(
        to_status__in=[RecordStatus.APPROVED, RecordStatus.REJECTED]
    )
    assert [int(pk) for pk in rows] == list(expected.order_by("-at", "-id").values_list("pk", flat=True))


def test_the_badge_counts_the_unread_notices_and_opening_a_record_reads_its_own(client, clerk_a, clerk_b, decided):
    client.force_login(clerk_a)
    assert badge(client.get("/portal/").content.decode()) == 3
    body = client.get(f"/portal/records/{decided['rejected'].pk}/").content.decode()
    assert badge(body) == 2  # read where it is shown
    assert RecordTransition.objects.get(record=decided["rejected"], to_status=RecordStatus.REJECTED).read_at
    client.force_login(clerk_b)
    assert badge(client.get("/portal/").content.decode()) == 1


def test_mark_all_as_read(client, clerk_a, clerk_b, decided):
    client.force_login(clerk_a)
    response = client.post(NOTICES)
    assert response.status_code == 302 and response["Location"] == NOTICES
    body = client.get(NOTICES).content.decode()
    assert badge(body) == 0 and 'id="unread-notices"' not in body
    assert body.count('class="notice-unread"') == 0 and body.count('class="notice-read"') == 3
    client.force_login(clerk_b)  # another enterprise's notices stay unread
    assert badge(client.get(NOTICES).content.decode()) == 1


def test_a_first_reading_is_kept(clerk_a, decided):
    first = mark_notices_read(user=clerk_a, record_id=decided["approved"].pk)
    assert first == 1
    row = RecordTransition.objects.get(record=decided["approved"], to_status=RecordStatus.APPROVED)
    assert mark_notices_read(user=clerk_a, all=True) == 2
    row_again = RecordTransition.objects.get(pk=row.pk)
    assert row_again.read_at == row.read_at


def test_ids_of_another_enterprise_are_not_touched(clerk_a, decided):
    theirs = RecordTransition.objects.get(record=decided["other"], to_status=RecordStatus.REJECTED)
    assert mark_notices_read(user=clerk_a, ids=[theirs.pk]) == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_only_clerks_read_notices(client, county_reviewer, provincial_staff, decided):
    with pytest.raises(DomainError):
        mark_notices_read(user=county_reviewer, all=True)
    for user in (county_reviewer, provincial_staff):
        client.force_login(user)
        assert client.get(NOTICES).status_code == 403
        assert client.post(NOTICES).status_code == 403


def test_no_notice_yet(client, clerk_a):
    client.force_login(clerk_a)
    body = client.get(NOTICES).content.decode()
    assert 'id="notices-empty"' in body
    assert 'id="unread-notices"' not in body


@pytest.mark.parametrize("n", [3, 45])
def test_the_notices_page_runs_a_bounded_number_of_queries(client, clerk_a, decided, n, django_assert_max_num_queries):
    record = decided["approved"]
    RecordTransition.objects.bulk_create(
        RecordTransition(
            record=record,
            from_status=RecordStatus.SUBMITTED,
            to_status=RecordStatus.APPROVED,
            at=timezone.now() - dt.timedelta(minutes=i),
            by=TransitionBy.PERSON,
            actor_authority="南宁市青秀区住房和城乡建设局",
        )
        for i in range(n)
    )
    client.force_login(clerk_a)
    with django_assert_max_num_queries(8):
        response = client.get(NOTICES, {"page": 2 if n > 20 else 1})
    assert response.status_code == 200
