"""Rejection vs resubmission (issue 5, Done-when): a reviewer rejects a submitted record while its clerk presses
提交审核 again from a stale page. Both take the record's row lock, so they run one after the other:

* the submission first: the record is still `submitted`, so it is refused as `locked` and the rejection then
  stands (submit → reject);
* the rejection first: a rejected record is the enterprise's to resubmit (G5), so the submission then succeeds as
  a new submission to the same authority (submit → reject → submit).

Either way each change has exactly one log row, the log is a chain (every row starts where the previous one ended)
ending in the record's status, and there is never more than one decision.
"""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
import time_machine
from django.db import connection, transaction

from accounts.errors import DomainError
from projects.models import RecordStatus
from review.models import RecordTransition
from review.services import reject_record, submit_record

from .decisions import SHANGHAI, fresh, submitted_record

#: Monday 2017-12-04, inside the Guangxi campaign: the resubmission is admitted.
RACE_AT = dt.datetime(2017, 12, 4, 9, 30, tzinfo=SHANGHAI)
RUNS = 6
REASON = "合同金额不一致"


def _run_at_once(*actions) -> list:
    """Run the actions in threads released together; each closes its own connection."""
    barrier = threading.Barrier(len(actions))
    outcomes: list = [None] * len(actions)

    def run(i, action):
        try:
            barrier.wait()
            outcomes[i] = action()
        except DomainError as exc:
            outcomes[i] = exc.code
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


def assert_consistent_log(record) -> list[str]:
    """The log rows of `record`, oldest first, chain from draft to the record's status; return their targets."""
    rows = list(RecordTransition.objects.filter(record=record).order_by("at", "pk"))
    current = RecordStatus.DRAFT
    for row in rows:
        assert row.from_status == current, [(r.from_status, r.to_status) for r in rows]
        current = row.to_status
    assert fresh(record).status == current
    return [row.to_status for row in rows]


@pytest.mark.django_db(transaction=True)
def test_rejection_and_resubmission_at_once_leave_one_decision(seeded, firm_a, clerk_a, county_reviewer):
    seen = set()
    for _ in range(RUNS):
        record = submitted_record(firm_a, clerk_a)
        with time_machine.travel(RACE_AT, tick=False):
            outcomes = _run_at_once(
                lambda pk=record.pk: reject_record(record_id=pk, user=county_reviewer, reason=REASON) and "rejected",
                lambda pk=record.pk: submit_record(record_id=pk, user=clerk_a) and "submitted",
            )
        targets = assert_consistent_log(record)
        assert targets.count(RecordStatus.REJECTED) == 1  # never two decisions
        assert RecordStatus.APPROVED not in targets
        if outcomes == ["rejected", "locked"]:  # the resubmission came first and was refused
            assert targets == [RecordStatus.SUBMITTED, RecordStatus.REJECTED]
        else:  # the rejection came first; the resubmission is a new submission after it
            assert outcomes == ["rejected", "submitted"]
            assert targets == [RecordStatus.SUBMITTED, RecordStatus.REJECTED, RecordStatus.SUBMITTED]
            assert fresh(record).responsible_authority == county_reviewer.authority
        seen.add(tuple(outcomes))
    assert seen <= {("rejected", "locked"), ("rejected", "submitted")}


def _wait_until_blocked_on_a_lock(result: list, timeout: float = 30) -> None:
    """Poll PostgreSQL until another session waits for a row lock (synchronisation, not a clock)."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                return
            assert not result, result
            time.sleep(0.05)
    raise AssertionError("the resubmission never waited for the reviewer's lock")


@pytest.mark.django_db(transaction=True)
def test_a_resubmission_waits_for_the_rejection_and_then_succeeds(seeded, firm_a, clerk_a, county_reviewer):
    """The order 'rejection first' forced: the clerk's submit waits on the row the reviewer holds, then sees it
    rejected and submits it anew."""
    record = submitted_record(firm_a, clerk_a)
    result: list = []

    def resubmit():
        try:
            result.append(submit_record(record_id=record.pk, user=clerk_a).status)
        except DomainError as exc:
            result.append(exc.code)
        finally:
            connection.close()

    with time_machine.travel(RACE_AT, tick=False):
        with transaction.atomic():
            reject_record(record_id=record.pk, user=county_reviewer, reason=REASON)
            thread = threading.Thread(target=resubmit)
            thread.start()
            _wait_until_blocked_on_a_lock(result)
        thread.join(timeout=60)
    assert result == [RecordStatus.SUBMITTED]
    assert assert_consistent_log(record) == [RecordStatus.SUBMITTED, RecordStatus.REJECTED, RecordStatus.SUBMITTED]


@pytest.mark.django_db(transaction=True)
def test_a_resubmission_of_a_record_still_submitted_is_refused_and_the_rejection_stands(
    seeded, firm_a, clerk_a, county_reviewer
):
    """The order 'resubmission first' forced: refused as locked, changing nothing; the rejection then applies."""
    record = submitted_record(firm_a, clerk_a)
    with time_machine.travel(RACE_AT, tick=False):
        with pytest.raises(DomainError) as info:
            submit_record(record_id=record.pk, user=clerk_a)
        assert info.value.code == "locked"
        reject_record(record_id=record.pk, user=county_reviewer, reason=REASON)
    assert assert_consistent_log(record) == [RecordStatus.SUBMITTED, RecordStatus.REJECTED]
