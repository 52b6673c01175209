"""The whole job on the live demo campaign, in Debian's Chromium at 1366 px and at 390 px (issue 11 "Done when").

    python -m devtools.demo_walk http://127.0.0.1:8000 --screenshots docs/screenshots

against a fresh `make run` (in a second terminal, with the same DATABASE_URL / REDIS_URL, or none for the embedded
servers): a clerk (qy_sheji) opens the demo draft 演示·青秀山景区游客服务中心, uploads what it lacks, checks their
answers and submits it (receipt); the county reviewer (qx_shenhe) finds it on the 审核工作台, rejects it with a reason
at 1366 px; the clerk reads the reason and submits again; the reviewer approves it at 390 px; provincial staff
(gx_sheng) look at the campaign's progress; the push (`manage.py push_to_national`, run by the `push` callable) sends
it to the mock national platform and the record says so. Every page is checked with axe-core (no serious or critical
violation) and for page-wide horizontal overflow; with --screenshots each page is photographed at both widths.

tests/test_demo_walk.py runs the same walk against pytest's live server on the seeded demo data.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from devtools.browser import launch, serious_violations

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "yeji-demo-2026"
DRAFT = "演示·青秀山景区游客服务中心"
CLERK, REVIEWER, STAFF = "qy_sheji", "qx_shenhe", "gx_sheng"
WIDE, PHONE = 1366, 390

#: A one-page PDF (the portal checks the type by its first bytes).
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


@dataclass
class Findings:
    """What the walk saw that it should not have: axe's serious and critical violations, overflowing pages, and what
    the Content-Security-Policy blocked."""

    axe: dict[str, list[str]] = field(default_factory=dict)
    overflow: dict[str, int] = field(default_factory=dict)
    blocked: list[str] = field(default_factory=list)
    shots: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.axe or self.overflow or self.blocked)

    def summary(self) -> str:
        lines = [f"axe {name}: {found}" for name, found in self.axe.items()]
        lines += [f"overflow {name}: {width}px" for name, width in self.overflow.items()]
        lines += [f"CSP blocked: {text}" for text in self.blocked]
        return "\n".join(lines) or "nothing found"


class Walker:
    def __init__(self, browser, base: str, *, shots: Path | None, findings: Findings) -> None:
        self.browser, self.base, self.shots, self.findings = browser, base.rstrip("/"), shots, findings
        self._contexts = []

    def page(self, width: int):
        context = self.browser.new_context(
            viewport={"width": width, "height": 900 if width > 500 else 844},
            locale="zh-CN",
            device_scale_factor=1,
        )
        self._contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.on(
            "console",
            lambda m: self.findings.blocked.append(m.text) if "Content Security Policy" in m.text else None,
        )
        page.width = width
        return page

    def close(self) -> None:
        for context in self._contexts:
            context.close()

    def look(self, page, name: str, *, full: bool = True) -> None:
        """axe, overflow and (when asked) a screenshot of what the page shows now."""
        key = f"{name}-{page.width}"
        page.wait_for_load_state()
        serious = serious_violations(page)
        if serious:
            self.findings.axe[key] = serious
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > page.width + 1:
            self.findings.overflow[key] = width
        if self.shots is not None:
            self.shots.mkdir(parents=True, exist_ok=True)
            path = self.shots / f"{key}.png"
            page.screenshot(path=str(path), full_page=full)
            self.findings.shots.append(path.name)

    # --- sign-in ------------------------------------------------------------------------------------------------

    def portal_login(self, page, username: str) -> None:
        page.goto(f"{self.base}/portal/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(re.compile(r"/portal/"))

    def admin_login(self, page, username: str) -> None:
        page.goto(f"{self.base}/admin/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.click("[type=submit]")
        page.wait_for_url(re.compile(r"/admin/$"))

    # --- the clerk ----------------------------------------------------------------------------------------------

    def open_record(self, page, name: str) -> int:
        page.goto(f"{self.base}/portal/?q={name}")
        page.click(f"a:has-text('{name}') >> nth=0")
        page.wait_for_url(re.compile(r"/portal/records/\d+/$"))
        return int(re.search(r"/records/(\d+)/", page.url).group(1))

    def upload(self, page, kind: str) -> None:
        path = Path(tempfile.mkdtemp()) / f"{kind}.pdf"
        path.write_bytes(PDF)
        page.select_option("#id_kind", kind)
        page.set_input_files("#id_file", str(path))
        page.click("#upload-button")
        page.wait_for_load_state()

    def check_and_submit(self, page, record_id: int, label: str) -> str:
        """核对信息, then 提交审核; returns the receipt's number."""
        page.goto(f"{self.base}/portal/records/{record_id}/")
        page.click("#submit-button")
        page.wait_for_load_state()
        self.look(page, f"portal-check-{label}")
        page.click("#confirm-submit-button")
        page.wait_for_load_state()
        self.look(page, f"portal-receipt-{label}")
        return page.inner_text("#receipt-no").strip()

    # --- the reviewer -------------------------------------------------------------------------------------------

    def open_in_queue(self, page, name: str) -> None:
        page.goto(f"{self.base}/admin/review/reviewqueueitem/?q={name}")
        page.click(f"#result_list a:has-text('{name}') >> nth=0")
        page.wait_for_url(re.compile(r"/change/"))


def walk(browser, base: str, *, push: Callable[[], None], shots: Path | None = None) -> Findings:
    findings = Findings()
    w = Walker(browser, base, shots=shots, findings=findings)
    try:
        _walk(w, push)
    finally:
        w.close()
    return findings


def _walk(w: Walker, push: Callable[[], None]) -> None:
    # 1. The clerk at 1366 px: the campaign's terms, 新增报建, the draft, uploads, check, submit, receipt.
    clerk = w.page(WIDE)
    w.portal_login(clerk, CLERK)
    w.look(clerk, "portal-list")
    clerk.goto(f"{w.base}/portal/records/new/")
    w.look(clerk, "portal-new")
    record_id = w.open_record(clerk, DRAFT)
    w.look(clerk, "portal-record", full=False)
    for kind in ("contract", "completion"):
        w.upload(clerk, kind)
    w.look(clerk, "portal-record-uploaded", full=False)
    first_receipt = w.check_and_submit(clerk, record_id, "first")
    assert first_receipt, "the receipt has no number"

    # 2. The county reviewer at 1366 px: the workbench, the queue, the decision page; rejects with a reason.
    reviewer = w.page(WIDE)
    w.admin_login(reviewer, REVIEWER)
    w.look(reviewer, "admin-workbench")
    reviewer.goto(f"{w.base}/admin/review/reviewqueueitem/")
    w.look(reviewer, "admin-queue")
    reviewer.check("#action-toggle")  # bulk approval asks first, listing the records
    reviewer.select_option("select[name=action]", "approve_selected")
    reviewer.click("button[name=index]")
    reviewer.wait_for_load_state()
    w.look(reviewer, "admin-confirm-bulk-approve")
    reviewer.go_back()
    w.open_in_queue(reviewer, DRAFT)
    w.look(reviewer, "admin-decision", full=False)
    reviewer.click(".pii-reveal >> nth=0")  # one ID number shown, and the reveal logged
    reviewer.wait_for_load_state()
    assert reviewer.locator(".pii-revealed").count() == 1
    w.look(reviewer, "admin-decision-full")  # every section, the history in words and the review log
    reviewer.click("#mark-fraud")
    reviewer.wait_for_load_state()
    w.look(reviewer, "admin-confirm-fraud")  # the consequences named; not confirmed here
    w.open_in_queue(reviewer, DRAFT)
    reviewer.fill("#id_reason", "竣工验收证明扫描件不清晰，请重新上传清晰的扫描件。")
    reviewer.click("#reject-button")
    reviewer.wait_for_load_state()
    w.look(reviewer, "admin-rejected")

    # 3. The clerk reads the reason at 390 px and submits again.
    phone = w.page(PHONE)
    w.portal_login(phone, CLERK)
    w.look(phone, "portal-list")
    phone.goto(f"{w.base}/portal/records/{record_id}/")
    assert "竣工验收证明扫描件不清晰" in phone.inner_text("#rejection-reason")
    w.look(phone, "portal-record-rejected", full=False)
    phone.click("#s-direct-review summary")  # 申请直接审核 (G6) is offered to a rejected record too; not sent here
    phone.locator("#s-direct-review").scroll_into_view_if_needed()
    w.look(phone, "portal-direct-review", full=False)
    second_receipt = w.check_and_submit(phone, record_id, "again")
    assert second_receipt and second_receipt != first_receipt

    # 4. The reviewer approves at 390 px, confirming.
    reviewer_phone = w.page(PHONE)
    w.admin_login(reviewer_phone, REVIEWER)
    w.look(reviewer_phone, "admin-workbench")
    w.open_in_queue(reviewer_phone, DRAFT)
    w.look(reviewer_phone, "admin-decision", full=False)
    reviewer_phone.click("#approve-button")
    reviewer_phone.wait_for_load_state()
    w.look(reviewer_phone, "admin-confirm-approve")
    reviewer_phone.click("#confirm-approve")
    reviewer_phone.wait_for_load_state()

    # 5. Provincial staff: their workbench and the campaigns' progress by city and county, at both widths.
    for width in (WIDE, PHONE):
        staff = w.page(width)
        w.admin_login(staff, STAFF)
        w.look(staff, "admin-staff-home")
        staff.goto(f"{w.base}/admin/review/progress/")
        w.look(staff, "admin-progress")
        staff.click("#progress-campaigns a:has-text('演示') >> nth=0")
        staff.wait_for_load_state()
        w.look(staff, "admin-progress-campaign")

    # The clerk's other pages: the notices and the credit file.
    for name, path in (("portal-notices", "/portal/notices/"), ("portal-credit-file", "/portal/credit/")):
        for page in (clerk, phone):
            page.goto(f"{w.base}{path}")
            w.look(page, name)

    # 6. The push, then the clerk sees the record approved, by whom, and on the national platform.
    push()
    for page in (clerk, phone):
        page.goto(f"{w.base}/portal/records/{record_id}/")
        assert page.inner_text("#record-status").strip() == "审核通过", page.inner_text("#record-status")
        assert page.get_attribute("#national-status", "data-state") == "pushed"
        w.look(page, "portal-record-approved", full=False)


def main(argv: list[str] | None = None) -> int:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base", nargs="?", default="http://127.0.0.1:8000")
    parser.add_argument("--screenshots", type=Path, default=None)
    args = parser.parse_args(argv)

    def push() -> None:
        subprocess.run([sys.executable, "manage.py", "push_to_national"], cwd=ROOT, check=True)

    with sync_playwright() as p:
        browser = launch(p)
        try:
            findings = walk(browser, args.base, push=push, shots=args.screenshots)
        finally:
            browser.close()
    print(findings.summary())
    if findings.shots:
        print(f"{len(findings.shots)} screenshots in {args.screenshots}")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
