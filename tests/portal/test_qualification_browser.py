"""资质申报业绩 in a real browser (Debian's Chromium), as the clerk would use it on a phone and a laptop: create a
list from the menu, pick a record as enterprise performance, see the verdict beside it, export — every page fits the
window, CSP blocks nothing, axe finds nothing serious (the checks of tests/test_responsive.py)."""

from __future__ import annotations

import pytest

from tests.test_responsive import (  # noqa: F401  (fixtures and checks of the responsive walk)
    LAPTOP,
    PHONE,
    PORTAL,
    check,
    open_page,
    portal_login,
    site,
)

from .qualification_support import published

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_a_clerk_picks_records_for_an_application_on_a_phone_and_a_laptop(site, open_page, clerk_a, firm_a):  # noqa: F811
    good = published(firm_a, "A")
    b_permit = published(firm_a, "A", licence="B")
    found = []
    for number, viewport in enumerate((PHONE, LAPTOP)):
        page = open_page(viewport)
        portal_login(page, site, "clerk_a")
        page.click("nav.mainnav >> text=资质申报业绩")
        page.wait_for_load_state()
        found += check(page, "qualification-index", PORTAL)
        page.fill("#id_name", f"施工总承包一级申报{number}")
        page.select_option("#id_qualification", label="施工总承包一级")
        page.click("#application-new button[type=submit]")
        page.wait_for_load_state()
        assert "已新建" in page.inner_text(".messages")
        for record in (good, b_permit):
            page.click(f"#candidate-{record.pk} form:has(input[name=use][value=enterprise]) button")
            page.wait_for_load_state()
        picks = page.inner_text("#picks")
        assert "施工许可的数据等级为B：施工总承包一级的企业业绩须为A级。" in picks
        assert page.locator("#picks tr.pick-ok").count() == 1 and page.locator("#picks tr.pick-bad").count() == 1
        found += check(page, "qualification-list", PORTAL)
        with page.expect_download() as download:
            page.click("#export-xlsx")
        assert download.value.suggested_filename.endswith(".xlsx")
    assert not found, "\n".join(found)
