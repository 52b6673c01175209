"""The public search in a real browser (issue 12 done-when): Debian's Chromium through Playwright against the live
server, nobody logged in — a piece of a project's name, a credit code, a region picked province → city, a grade; the
project's page with its stages' grades; at 390 px nothing overflows, at 1366 px neither; axe finds nothing serious; the
Content-Security-Policy blocks nothing."""

from __future__ import annotations

import pytest

from devtools.browser import CHROMIUM, available

if not available():
    pytest.skip(f"Debian's Chromium is not installed at {CHROMIUM}", allow_module_level=True)
pytest.importorskip("playwright.sync_api")

from tests.public.conftest import world  # noqa: F401  (the published records)
from tests.test_responsive import LAPTOP, PHONE, check, open_page  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
PUBLIC = {"titles": "main h1, .brand-name", "logout": "#no-logout-here"}


@pytest.fixture
def site(seeded, world, live_server, settings):  # noqa: F811
    settings.PUBLIC_RATES = {"html": None, "api": None}
    return live_server.url


def results(page) -> set[str]:
    return set(page.eval_on_selector_all("tr.result", "rows => rows.map(r => r.dataset.prjNum)"))


def search(page):
    page.click("#q-submit")
    page.wait_for_load_state()


def test_a_visitor_searches_by_name_credit_code_region_and_grade(site, world, open_page):  # noqa: F811
    page = open_page(LAPTOP)
    page.goto(f"{site}/public/")
    assert "工程项目公示查询" in page.inner_text("main h1")
    assert results(page) == {r.project.prj_num for r in world.published}

    page.fill("#q-name", "青秀")
    search(page)
    assert results(page) == {world.museum.project.prj_num, world.park.project.prj_num}
    assert "共找到 2 个项目" in page.inner_text("#result-count")

    page.fill("#q-name", "")
    page.fill("#q-enterprise", world.firm_b.credit_code)
    search(page)
    assert results(page) == {world.school.project.prj_num, world.park.project.prj_num}

    page.fill("#q-enterprise", "")
    page.select_option("#region-l1", "450000")
    page.wait_for_selector("#region-l2 option[value='450300']", state="attached")
    page.select_option("#region-l2", "450300")  # 桂林市, fetched from /public/regions/450000/
    search(page)
    assert results(page) == {world.school.project.prj_num}
    assert page.input_value("#region-l2") == "450300"  # the picker keeps the choice

    page.select_option("#region-l1", "")
    page.select_option("#q-grade", "D")
    search(page)
    assert results(page) == {world.park.project.prj_num}
    assert page.inner_text("tr.result .grade") == "D"

    page.click("tr.result a.record-link")
    page.wait_for_load_state()
    assert page.inner_text("main h1") == "青秀区南湖公园改造"
    grades = page.eval_on_selector_all("[data-stage-grade]", "els => els.map(e => e.textContent)")
    assert grades == ["D"] * 6
    assert not check(page, "public-project", PUBLIC, logged_in=False)


def test_the_public_pages_fit_a_phone_and_a_laptop(site, world, open_page):  # noqa: F811
    problems = []
    for viewport in (PHONE, LAPTOP):
        page = open_page(viewport)
        for name, path in (
            ("public-search", "/public/?name=青秀"),
            ("public-empty", "/public/?name=没有这个项目"),
            ("public-refused", "/public/?year=abc"),
            ("public-project", f"/public/projects/{world.school.project.prj_num}/"),
        ):
            page.goto(site + path)
            problems += check(page, name, PUBLIC, logged_in=False)
    assert not problems, "\n".join(problems)
