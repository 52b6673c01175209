"""Every page works on a phone (390 px) and nothing is cut off on a laptop (1366 px) — issue 11 item 8.

In Debian's Chromium through Playwright against pytest-django's live_server, as an enterprise clerk, a county reviewer
and provincial staff (and anonymous for the login and error pages), each page is opened at 390 × 844 and 1366 × 768:

- the page is never wider than the window (`document.documentElement.scrollWidth <= innerWidth`) and no element
  reaches past the window's right edge unless it sits in a box of its own that scrolls (a wide table in its wrapper);
- the header's 退出登录 is on one line (the issue found it wrapped one character per line at 390 px);
- no text overlaps the page's title or the site's name;
- axe-core (tests/portal/vendor/axe.min.js) finds no serious or critical violation at either width;
- at 1366 px every column of the review queue is in view (审核截止时间 and 剩余工作日 were cut off), at 390 px the
  decision panel of a record's page is within the screen.

With RESPONSIVE_SCREENSHOTS=<dir> set, every page is photographed at both widths.
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

from tests.factories import PASSWORD  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = dt.datetime(2017, 12, 4, 10, tzinfo=SHANGHAI)  # inside Guangxi's campaign (桂建设〔2017〕29号)
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}
WIDTHS = (PHONE, LAPTOP)
SHOTS = os.environ.get("RESPONSIVE_SCREENSHOTS")
LONG_REASON = (
    "中标工程合同扫描件不清晰，合同金额无法核对；竣工验收备案表缺少建设单位盖章，"
    "请重新上传清晰完整的扫描件后再提交审核。"
)

# What the page looks like, measured in the browser: a function, not a string (the site's CSP forbids eval).
MEASURE = """(selectors) => {
  const vw = window.innerWidth;
  const shown = (el) => {
    for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
      const s = getComputedStyle(e);
      if (s.display === 'none' || s.visibility === 'hidden' || s.opacity === '0') return false;
      const r = e.getBoundingClientRect();
      if (r.width <= 1 && r.height <= 1) return false;  // .sr-only / .visually-hidden
      if (s.position === 'absolute' && s.clip && s.clip !== 'auto') return false;
    }
    return true;
  };
  const scrollsInItsBox = (el) => {
    for (let e = el.parentElement; e && e !== document.body; e = e.parentElement) {
      const ox = getComputedStyle(e).overflowX;
      if ((ox === 'auto' || ox === 'scroll') && e.getBoundingClientRect().right <= vw + 1) return true;
    }
    return false;
  };
  const describe = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '');

  // elements past the right edge that do not scroll inside a box of their own
  const outside = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.right <= vw + 1 || !shown(el) || scrollsInItsBox(el)) continue;
    if (!outside.some((o) => o.el.contains(el))) outside.push({el, right: Math.round(r.right)});
  }

  // the rectangles of the text of the page, one per line of each text node
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.textContent.trim() || !node.parentElement || !shown(node.parentElement)) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    // the glyphs' em box: a CJK font's content area is taller than its line, so lines set solid would "touch"
    const half = parseFloat(getComputedStyle(node.parentElement).fontSize) / 2;
    for (const r of range.getClientRects()) {
      if (r.width === 0 || r.height === 0) continue;
      const mid = (r.top + r.bottom) / 2;
      texts.push({node, r: {left: r.left, right: r.right, top: mid - half, bottom: mid + half}});
    }
  }
  const overlaps = [];
  for (const title of document.querySelectorAll(selectors.titles)) {
    if (!shown(title)) continue;
    const mine = texts.filter((t) => title.contains(t.node));
    for (const other of texts) {
      if (title.contains(other.node)) continue;
      for (const t of mine) {
        const x = Math.min(t.r.right, other.r.right) - Math.max(t.r.left, other.r.left);
        const y = Math.min(t.r.bottom, other.r.bottom) - Math.max(t.r.top, other.r.top);
        if (x > 2 && y > 2) {
          overlaps.push(describe(title) + ' ← "' + other.node.textContent.trim().slice(0, 30) + '" in '
            + describe(other.node.parentElement));
          break;
        }
      }
    }
  }

  // 退出登录: the number of lines its words take
  let logoutLines = null;
  const logout = document.querySelector(selectors.logout);
  if (logout) {
    const range = document.createRange();
    range.selectNodeContents(logout);
    logoutLines = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top))).size;
  }
  return {
    vw,
    scrollWidth: document.documentElement.scrollWidth,
    outside: outside.slice(0, 8).map((o) => describe(o.el) + ' right=' + o.right),
    overlaps: [...new Set(overlaps)].slice(0, 8),
    logoutLines,
  };
}"""

PORTAL = {"titles": "main h1, .brand-name", "logout": ".who button[type=submit]"}
ADMIN = {"titles": "#content h1, #site-name", "logout": "#logout-form button"}




@pytest.fixture
def site(seeded, live_server, settings, tmp_path):
    """The live server at a fixed moment of Guangxi's campaign (time ticks on from there)."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CACHES = {"default": {**settings.CACHES["default"], "KEY_PREFIX": f"yeji-responsive-{tmp_path.name}"}}
    with time_machine.travel(MONDAY, tick=True):
        yield live_server.url


@pytest.fixture
def records(site, firm_a, clerk_a, county_reviewer):
    """Records of firm A in every state a page shows: a draft with rows, one waiting for review, one rejected with a
    long reason, one marked as fraud (a notice and a credit-file entry)."""
    from projects.models import Project
    from review.services import mark_fraud, reject_record, submit_record
    from tests.review.builders import valid_record

    county_reviewer.real_name = "韦审核"
    county_reviewer.save()
    made = {}
    for key, name in (
        ("draft", "邕江南岸滨江公共租赁住房（二期）配套市政道路及地下综合管廊工程"),
        ("submitted", "凤岭北片区小学教学综合楼"),
        ("rejected", "良庆区规划十二路道路工程"),
        ("fraud", "青秀区文化艺术中心"),
    ):
        record = valid_record(firm_a, units=2, corps=3)
        Project.objects.filter(pk=record.project_id).update(prj_name=name)
        made[key] = record
    for key in ("submitted", "rejected", "fraud"):
        submit_record(record_id=made[key].pk, user=clerk_a)
    reject_record(record_id=made["rejected"].pk, user=county_reviewer, reason=LONG_REASON)
    mark_fraud(record_id=made["fraud"].pk, user=county_reviewer, facts="中标通知书系伪造，经招标代理机构书面核实。")
    return made


@pytest.fixture
def open_page(browser):
    """A page factory at a given viewport; every page is watched for what the Content-Security-Policy blocked."""
    contexts = []
    blocked: list[str] = []

    def make(viewport):
        context = browser.new_context(viewport=viewport, locale="zh-CN", device_scale_factor=1)
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
        page.set_default_timeout(15_000)
        return page

    yield make
    for context in contexts:
        context.close()
    assert not blocked, blocked


def portal_login(page, base, username):
    page.goto(f"{base}/portal/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "/login/" not in page.url, page.inner_text("main")[:500]


def admin_login(page, base, username):
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("#login-form [type=submit]")
    page.wait_for_load_state()
    assert "/login/" not in page.url, page.inner_text("#content")[:500]




def check(page, name: str, selectors: dict, *, logged_in: bool = True) -> list[str]:
    """What is wrong with the page as it is now: overflow, a cut-off element, a wrapped 退出登录, an overlapped title,
    axe's serious violations. An empty list when the page fits."""
    width = page.viewport_size["width"]
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}-{width}.png"), full_page=True)
    m = page.evaluate(MEASURE, selectors)
    problems = []
    if m["scrollWidth"] > m["vw"]:
        problems.append(f"the page is {m['scrollWidth']} px wide in a {m['vw']} px window")
    if m["outside"]:
        problems.append(f"past the right edge: {m['outside']}")
    if m["overlaps"]:
        problems.append(f"text over the title: {m['overlaps']}")
    if logged_in and m["logoutLines"] != 1:
        problems.append(f"退出登录 takes {m['logoutLines']} lines")
    problems += serious_violations(page)
    return [f"{name} @{width}: {p}" for p in problems]


# --------------------------------------------------------------------------------------------------------------


def test_login_and_error_pages_fit_a_phone_and_a_laptop(site, open_page, clerk_a):
    found = []
    for viewport in WIDTHS:
        page = open_page(viewport)
        page.goto(f"{site}/portal/login/")
        found += check(page, "portal-login", PORTAL, logged_in=False)
        page.goto(f"{site}/admin/login/")
        found += check(page, "admin-login", ADMIN, logged_in=False)
        assert page.goto(f"{site}/no-such-page/").status == 404
        found += check(page, "error-404", PORTAL, logged_in=False)
    assert not found, "\n".join(found)


def test_clerk_pages_fit_a_phone_and_a_laptop(site, open_page, clerk_a, records):
    found = []
    for viewport in WIDTHS:
        page = open_page(viewport)
        portal_login(page, site, "clerk_a")
        found += check(page, "portal-list", PORTAL)
        if viewport is PHONE:  # the list is cards: each row is as wide as the screen, its values under their names
            rows = page.locator("table.records tbody tr")
            assert rows.count() == 4
            assert rows.first.locator("td[data-label]").count() == 6
            if rows.first.evaluate("tr => getComputedStyle(tr).display") != "block":
                found.append("portal-list @390: the rows are not cards")
        for name, path in (
            ("portal-new", "/portal/records/new/"),
            ("portal-notices", "/portal/notices/"),
            ("portal-credit-file", "/portal/credit/"),
            ("portal-record-draft", f"/portal/records/{records['draft'].pk}/"),
            ("portal-record-rejected", f"/portal/records/{records['rejected'].pk}/"),
            ("portal-record-submitted", f"/portal/records/{records['submitted'].pk}/"),
        ):
            page.goto(f"{site}{path}")
            found += check(page, name, PORTAL)
        # the record form on a phone: labels above full-width inputs, the section tabs at hand
        page.goto(f"{site}/portal/records/{records['draft'].pk}/")
        if viewport is PHONE:
            label = page.locator("label[for='f-project-address']").bounding_box()
            field = page.locator("#f-project-address").bounding_box()
            if label["y"] + label["height"] > field["y"] + 1 or field["width"] < viewport["width"] - 80:
                found.append(f"portal-record @390: the label is not above a full-width input: {label}, {field}")
            page.locator("#s-tender").scroll_into_view_if_needed()
            index = page.locator(".section-index").bounding_box()
            if not -1 <= index["y"] <= 1:  # kept at the top of the screen while the form scrolls
                found.append(f"portal-record @390: the section index is not at hand: {index}")
        assert page.goto(f"{site}/portal/records/999999/").status == 404
        found += check(page, "portal-404", PORTAL, logged_in=False)
    assert not found, "\n".join(found)


@pytest.mark.parametrize("who", ["county_reviewer", "provincial_staff"])
def test_official_pages_fit_a_phone_and_a_laptop(site, open_page, records, county_reviewer, provincial_staff, who):
    official = {"county_reviewer": county_reviewer, "provincial_staff": provincial_staff}[who]
    record = records["submitted"]
    found = []
    for viewport in WIDTHS:
        page = open_page(viewport)
        admin_login(page, site, official.username)
        assert page.locator("#workbench").count() == 1
        found += check(page, f"{who}-workbench", ADMIN)

        page.goto(f"{site}/admin/review/reviewqueueitem/")
        found += check(page, f"{who}-queue", ADMIN)
        if viewport is LAPTOP:  # every column of the queue in view, none behind a scroll bar
            cut = page.evaluate(
                """() => { const box = document.querySelector('#changelist .results').getBoundingClientRect();
                  return [...document.querySelectorAll('#result_list thead th')]
                    .filter((th) => th.getBoundingClientRect().right > Math.min(box.right, window.innerWidth) + 1)
                    .map((th) => th.innerText.trim()); }"""
            )
            assert cut == [], f"{who}: columns cut off at 1366 px: {cut}"

        page.goto(f"{site}/admin/review/reviewqueueitem/{record.pk}/change/")
        found += check(page, f"{who}-decision", ADMIN)
        panel = page.locator("#review-decision")
        panel.scroll_into_view_if_needed()
        box = panel.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"] + 1, box
        if who == "county_reviewer":
            page.click("#approve-button")  # the confirmation page (nothing is decided until it is confirmed)
            page.wait_for_load_state()
            assert page.locator("#confirm-approve").count() == 1
            found += check(page, f"{who}-confirm-approve", ADMIN)
        page.goto(f"{site}/admin/projects/record/")
        found += check(page, f"{who}-records", ADMIN)
    assert not found, "\n".join(found)
