"""Debian's Chromium through Playwright, as every browser check of the project drives it (tests/*browser*,
tests/test_responsive.py, tests/test_demo_walk.py, devtools/demo_walk.py): never a downloaded browser."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
#: Headless, and without the background connections a closed network refuses.
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
#: axe-core 4.14.1 from `npm pack axe-core@4` (MPL 2.0, unmodified).
AXE = ROOT / "tests" / "portal" / "vendor" / "axe.min.js"


def available() -> bool:
    return Path(CHROMIUM).exists()


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)


def serious_violations(page) -> list[str]:
    """What axe-core finds serious or critical on the page as it is now, one line each."""
    page.evaluate(AXE.read_text(encoding="utf-8"))  # evaluated by the browser's protocol: the CSP refuses inline tags
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
