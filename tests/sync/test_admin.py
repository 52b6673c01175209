"""The push in the admin: the dashboard per campaign, the items with their tries and the batches' calls, retry and
re-push behind a confirmation, the record page's push state; each scoped to the official's province."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from accounts.models import Role
from sync import services
from sync.models import PushItem, PushState
from tests.factories import official

from .test_push import D, approved, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def pushed(national, firm_a, clerk_a, county_reviewer):
    record = approved(firm_a, clerk_a, county_reviewer)
    with time_machine.travel(at(D(2017, 12, 28)), tick=True):
        services.drain()
    return PushItem.objects.get(record=record)


def test_the_dashboard_counts_each_campaign(client, provincial_staff, pushed):
    client.force_login(provincial_staff)
    with time_machine.travel(at(D(2017, 12, 28)), tick=False):
        page = client.get(reverse("admin:sync_pushitem_dashboard")).content.decode()
    assert "广西2017勘察设计历史业绩补录" in page
    assert '<td class="n-pushed">1</td>' in page
    assert "吉林" not in page  # another province's campaign


def test_an_item_shows_its_tries_the_batch_shows_its_calls(client, provincial_staff, pushed):
    client.force_login(provincial_staff)
    page = client.get(reverse("admin:sync_pushitem_change", args=[pushed.pk])).content.decode()
    assert "TBProjectInfo" in page and "projectDetail?prjnum=" + pushed.record.project.prj_num in page
    batch = pushed.attempts.get().batch
    page = client.get(reverse("admin:sync_pushbatch_change", args=[batch.pk])).content.decode()
    assert "SaveStData" in page and "ServiceResult" in page  # the request and the reply as they went


def test_retry_asks_for_a_confirmation_first(client, provincial_staff, pushed):
    PushItem.objects.filter(pk=pushed.pk).update(state=PushState.FAILED, last_error="timeout")
    client.force_login(provincial_staff)
    url = reverse("admin:sync_pushitem_changelist")
    data = {"action": "retry_selected", "_selected_action": [pushed.pk]}
    page = client.post(url, data).content.decode()
    assert 'id="confirm-push"' in page
    assert PushItem.objects.get(pk=pushed.pk).state == PushState.FAILED  # nothing done yet
    client.post(url, {**data, "confirmed": "yes"})
    item = PushItem.objects.get(pk=pushed.pk)
    assert item.state == PushState.PENDING and item.tries == 0


def test_another_provinces_staff_sees_no_item(client, pushed):
    jilin_staff = official("jl_staff", Role.PROVINCIAL, "220000")
    client.force_login(jilin_staff)
    assert client.get(reverse("admin:sync_pushitem_change", args=[pushed.pk])).status_code in (302, 404)
    page = client.get(reverse("admin:sync_pushitem_changelist")).content.decode()
    assert pushed.record.project.prj_num not in page


def test_the_records_admin_page_says_the_push_state_and_links_the_national_platform(client, county_reviewer, pushed):
    client.force_login(county_reviewer)
    page = client.get(reverse("admin:projects_record_change", args=[pushed.record_id])).content.decode()
    assert 'id="national-status"' in page and pushed.national_num in page
    assert "projectDetail?prjnum=" + pushed.record.project.prj_num in page
