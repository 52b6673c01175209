"""Done-when of issue 10: 200 eligible records through 20 % injected faults of every kind (errors, timeouts, replies
lost after the rows were stored, duplicate acknowledgements, malformed replies) reach the mock exactly once each,
nothing else is pushed, and the mock's own rejections are shown with their reasons (here: a 项目编号 another
province registered already, which our rules cannot see)."""

from __future__ import annotations

from collections import Counter

import pytest
import time_machine

from grading.eligibility import push_eligibility
from projects.models import Record
from sync import services
from sync.models import PushCall, PushItem, PushState
from sync.selectors import national_status
from tests.factories import EnterpriseFactory, UserFactory

from .test_national_mock import PROJECT, save
from .test_push import D, approved, at

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

#: 20 % of the calls fail, one of each kind in every 25 calls, in turn
PATTERN = ["ok"] * 4 + ["error"] + ["ok"] * 4 + ["timeout"] + ["ok"] * 4 + ["lost_reply"]
PATTERN += ["ok"] * 4 + ["duplicate_ack"] + ["ok"] * 4 + ["malformed"]


def drain_until_done(rounds: int = 80) -> None:
    for _ in range(rounds):
        services.drain(batch_size=25)
        if services.next_due() is None:
            return
    raise AssertionError("the outbox did not empty")


def test_200_records_reach_the_mock_exactly_once_through_faults(national, firm_a, clerk_a, county_reviewer, settings):
    settings.NATIONAL_PUSH_MAX_TRIES = 20
    eligible = [approved(firm_a, clerk_a, county_reviewer) for _ in range(200)]
    # not eligible: a grade-B firm's record entered after the national cutoff (G3), provincial only
    firm_b = EnterpriseFactory(kinds=["design"], qualifications=["DSN-BLD-IND-B"])
    clerk_b = UserFactory(role="enterprise", enterprise=firm_b)
    late = approved(firm_b, clerk_b, county_reviewer, day=D(2018, 1, 2))
    # what our rules cannot see and the national platform does: another province registered this 项目编号 already
    gap = approved(firm_a, clerk_a, county_reviewer)
    status, _reply = save(
        national,
        "TBProjectInfo",
        [{"rowGuid": "their-1:v1", **PROJECT, "prjNum": gap.project.prj_num}],
        user="other-province",
        password="other-secret",
    )
    assert status == 200
    assert PushItem.objects.count() == 201  # the late record has none: it never reached the outbox

    national.faults(pattern=PATTERN, timeout_seconds=4)
    with time_machine.travel(at(D(2017, 12, 28)), tick=True):
        drain_until_done()
    national.faults()

    states = Counter(PushItem.objects.values_list("state", flat=True))
    assert states == {PushState.PUSHED: 200, PushState.REJECTED: 1}, states
    ours = [r for r in national.rows("TBProjectInfo") if r["account"] == "yeji"]
    assert sorted(r["prj_num"] for r in ours) == sorted(r.project.prj_num for r in eligible)  # once, nothing else
    assert all(row["writes"] == 1 for row in national.rows()), "a row was stored twice"
    assert {r["account"] for r in national.rows() if r["prj_num"] == gap.project.prj_num} == {"other-province"}
    # every fault kind happened, and the calls that failed were tried again
    errors = " ".join(PushCall.objects.exclude(error="").values_list("error", flat=True))
    for words in ("HTTP 500", "timeout", "not XML"):
        assert words in errors, words
    faults = {c["fault"] for c in national.calls()}
    assert {"lost_reply", "duplicate_ack", "malformed"} <= faults
    # the national numbers came back onto our stage records
    for record in Record.objects.filter(pk__in=[r.pk for r in eligible[:20]]).select_related("licence", "project"):
        assert record.licence.national_num.startswith(record.project.prj_num + "-SX-")
        assert record.project.national_num == record.project.prj_num
    # the mock's own rejection, with its reason, where staff and the clerk look
    item = PushItem.objects.get(record=gap)
    assert any("已由其他记录登记" in r["message"] for r in item.reasons), item.reasons
    status = national_status(Record.objects.get(pk=gap.pk))
    assert status.state == "rejected" and "已由其他记录登记" in status.text
    late_answer = push_eligibility(Record.objects.get(pk=late.pk), on=D(2018, 1, 2))
    assert late_answer.rules == ["G3", "G3"]  # entered after the cutoff, and the cutoff has passed
    assert "不能同步到全国平台" in late_answer.message
