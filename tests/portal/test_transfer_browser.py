"""批量导入 and 导出 in a browser (issue 13, issue 11 item 8): 我的业绩 with its export buttons, the import page and a
job's page with its problems fit a phone (390 px) and a laptop (1366 px) — no overflow, nothing past the right edge,
no serious axe violation, nothing the CSP blocks — and the job's page shows its progress through import_job.js."""

from __future__ import annotations

import pytest

from tests.test_responsive import LAPTOP, PHONE, PORTAL, check, open_page, portal_login, site  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_the_import_pages_fit_a_phone_and_a_laptop(site, open_page, clerk_a, firm_a):  # noqa: F811
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.review.builders import valid_record
    from transfer.jobs import start_import
    from transfer.models import ImportJob
    from transfer.tasks import run_import

    valid_record(firm_a, units=2)
    queued = ImportJob.objects.create(
        importer="records", upload="imports/x.xlsx", original_name="排队中的业绩文件.xlsx", created_by=clerk_a
    )
    data = "企业统一社会信用代码,项目编号\r\n91450100MA5K00000X,4501031309220001\r\n".encode("gbk")
    job = start_import(
        user=clerk_a,
        key="records",
        uploaded_file=SimpleUploadedFile("邕江南岸滨江公共租赁住房配套市政道路业绩.csv", data),
        mode="check",
    )
    run_import(job.pk)
    job.refresh_from_db()
    assert job.problems, job.message
    found = []
    for viewport in (PHONE, LAPTOP):
        page = open_page(viewport)
        portal_login(page, site, "clerk_a")
        found += check(page, "portal-list-export", PORTAL)
        assert page.locator("#export-xlsx").is_visible() and page.locator("#export-csv").is_visible()
        page.goto(f"{site}/portal/imports/")
        found += check(page, "portal-imports", PORTAL)
        page.goto(f"{site}/portal/imports/{job.pk}/")
        assert page.locator("#job-problems").is_visible()
        found += check(page, "portal-import-job-done", PORTAL)
        page.goto(f"{site}/portal/imports/{queued.pk}/")
        page.wait_for_timeout(1500)  # import_job.js has polled the progress JSON once
        assert page.locator("#job-status").inner_text() == "排队中"
        found += check(page, "portal-import-job-queued", PORTAL)
    assert not found, "\n".join(found)
