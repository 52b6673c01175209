"""补录工作进度 in Debian's Chromium (issue 11 items 5 and 8): provincial staff's progress page fits a phone (390 px)
and a laptop (1366 px) — the wide tables scroll in their own box — and axe-core finds nothing serious or critical.

With OVERSIGHT_SCREENSHOTS=<dir> set, the page is photographed at both widths.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from devtools.browser import CHROMIUM, available, serious_violations

if not available():
    pytest.skip(f"Debian's Chromium is not installed at {CHROMIUM}", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")

import time_machine  # noqa: E402

from tests.factories import PASSWORD, authority_for  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2017, 12, 8, 10, tzinfo=SHANGHAI)
SHOTS = os.environ.get("OVERSIGHT_SCREENSHOTS")




@pytest.fixture
def site(seeded, live_server, settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with time_machine.travel(NOW, tick=True):
        yield live_server.url


def test_the_progress_page_fits_a_phone_and_a_laptop_and_axe_is_clean(site, browser, firm_a, provincial_staff):
    from projects.models import Campaign, Record, RecordStatus
    from tests.review.builders import valid_record

    for county, status, deadline in (
        ("450103", RecordStatus.SUBMITTED, NOW - dt.timedelta(days=2)),
        ("450302", RecordStatus.SUBMITTED, NOW + dt.timedelta(days=2)),
        ("450305", RecordStatus.APPROVED, NOW - dt.timedelta(days=5)),
    ):
        record = valid_record(firm_a, county=county)
        Record.objects.filter(pk=record.pk).update(
            status=status,
            submitted_at=deadline - dt.timedelta(days=3),
            review_deadline=deadline,
            decided_at=deadline - dt.timedelta(days=1) if status == RecordStatus.APPROVED else None,
            responsible_authority=authority_for(county[:4] + "00"),
        )
    guangxi = Campaign.objects.get(notice_number="桂建设〔2017〕29号")
    problems = []
    for viewport in ({"width": 390, "height": 844}, {"width": 1366, "height": 768}):
        context = browser.new_context(viewport=viewport, locale="zh-CN")
        page = context.new_page()
        page.goto(f"{site}/admin/login/")
        page.fill("#id_username", provincial_staff.username)
        page.fill("#id_password", PASSWORD)
        page.click("#login-form [type=submit]")
        page.wait_for_load_state()
        page.goto(f"{site}/admin/review/progress/{guangxi.pk}/")
        assert "补录工作进度" in page.inner_text("#content")
        assert page.inner_text("#progress-total th") == "合计"
        if SHOTS:
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(SHOTS) / f"progress-{viewport['width']}.png"), full_page=True)
        width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        if width[0] > width[1]:
            problems.append(f"@{viewport['width']}: the page is {width[0]} px wide")
        problems += [f"@{viewport['width']}: {found}" for found in serious_violations(page)]
        context.close()
    assert not problems, problems
