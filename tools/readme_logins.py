"""Write the demo-login table of README.md from portal.demo.DEMO_LOGINS (run after changing the demo users).

.venv/bin/python tools/readme_logins.py
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def table() -> str:
    from portal.demo import DEMO_LOGINS, DEMO_PASSWORD

    rows = ["| 角色 role | 用户名 username | 密码 password | 所属 organisation |", "| --- | --- | --- | --- |"]
    for login in DEMO_LOGINS:
        note = f"（{login.note}）" if login.note else ""
        rows.append(f"| {login.role} | `{login.username}` | `{DEMO_PASSWORD}` | {login.organisation}{note} |")
    return "\n".join(rows)


def render(readme: str) -> str:
    block = f"<!-- demo-logins -->\n{table()}\n<!-- /demo-logins -->"
    return re.sub(r"<!-- demo-logins -->.*?<!-- /demo-logins -->", block, readme, flags=re.S)


if __name__ == "__main__":
    import django

    django.setup()
    path = ROOT / "README.md"
    path.write_text(render(path.read_text(encoding="utf-8")), encoding="utf-8")
