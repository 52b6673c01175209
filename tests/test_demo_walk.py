"""Issue 11 "Done when": the whole job on the live demo campaign in Debian's Chromium, at 1366 px and at 390 px, as a
clerk, a county reviewer and provincial staff — the walk of devtools/demo_walk.py (the same one a newcomer runs
against `make run`) against pytest's live server on freshly seeded demo data, pushed to the mock national platform
on a real port. axe-core finds nothing serious or critical on any page, no page is wider than the window, the CSP
blocks nothing. With DEMO_SCREENSHOTS=<dir> set, every page is photographed at both widths (docs/screenshots/)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from devtools import demo_walk
from devtools.browser import CHROMIUM, available

if not available():
    pytest.skip(f"Debian's Chromium is not installed at {CHROMIUM}", allow_module_level=True)
pytest.importorskip("playwright.sync_api")

from tests.sync.conftest import national  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def demo(seeded, settings, tmp_path):
    from django.core.management import call_command

    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", stdout=open(os.devnull, "w"))


def test_the_demo_campaign_end_to_end_at_1366_and_390_px(demo, national, live_server, browser):  # noqa: F811
    from django.core.management import call_command

    from projects.models import Record
    from sync.models import PushItem

    shots = os.environ.get("DEMO_SCREENSHOTS")
    findings = demo_walk.walk(
        browser,
        live_server.url,
        push=lambda: call_command("push_to_national", stdout=open(os.devnull, "w")),
        shots=Path(shots) if shots else None,
    )
    assert not findings, findings.summary()
    record = Record.objects.get(project__prj_name=demo_walk.DRAFT, enterprise__users__username=demo_walk.CLERK)
    assert record.status == "approved"
    assert record.transitions.filter(to_status="rejected").count() == 1  # rejected once, then approved
    assert PushItem.objects.filter(record=record, state="pushed").exists()
    assert national.detail(record.project.prj_num)  # read back from the mock national platform
