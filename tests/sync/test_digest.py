"""The daily digest's "at risk before the national cutoff" (provincial staff), and the hourly push in the last
three working days before a cutoff."""

from __future__ import annotations

import pytest

from projects.models import Campaign
from review.digest import digest_for
from sync import services
from sync.models import PushItem, PushState
from sync.selectors import at_risk

from .test_push import D, approved

pytestmark = pytest.mark.django_db


def test_eligible_records_not_yet_accepted_and_records_the_platform_will_not_take(
    firm_a, clerk_a, county_reviewer, provincial_staff
):
    waiting = approved(firm_a, clerk_a, county_reviewer)
    refused = approved(firm_a, clerk_a, county_reviewer)
    PushItem.objects.filter(record=refused).update(
        state=PushState.REJECTED, reasons=[{"table": "TBProjectInfo", "row": "x", "accepted": False, "message": "超长"}]
    )
    digest = digest_for(provincial_staff, D(2017, 12, 27))  # the cutoff (12-31) is 3 working days ahead
    (section,) = digest.sections
    assert section.id == "digest-push-at-risk"
    (line,) = section.lines
    assert "广西2017勘察设计历史业绩补录" in line and "2017-12-31" in line
    # both approved records are not yet accepted, and the national platform rejected one of them
    assert at_risk(waiting.campaign, on=D(2017, 12, 27), user=provincial_staff) == (2, 1)
    assert digest.worth_mailing
    far = digest_for(provincial_staff, D(2017, 12, 1))  # a month before the cutoff: nothing at risk yet
    assert far.sections == []
    assert digest_for(county_reviewer, D(2017, 12, 27)).sections == []  # the reviewers' digest is about their queue


def test_the_hourly_push_runs_only_in_the_last_three_working_days_before_a_cutoff(guangxi):
    assert services.campaigns_near_cutoff(D(2017, 12, 26)) == []
    assert [c.pk for c in services.campaigns_near_cutoff(D(2017, 12, 27))] == [guangxi.pk]
    assert [c.pk for c in services.campaigns_near_cutoff(D(2017, 12, 29))] == [guangxi.pk]
    assert services.campaigns_near_cutoff(D(2018, 1, 2)) == []
    Campaign.objects.filter(pk=guangxi.pk).update(is_active=False)
    assert services.campaigns_near_cutoff(D(2017, 12, 29)) == []
