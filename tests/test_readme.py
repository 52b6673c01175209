"""The README's promises hold: the two commands, and the demo logins that seed_demo creates."""

from __future__ import annotations

from pathlib import Path

from tools.readme_logins import render

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_shows_the_two_commands():
    text = README.read_text(encoding="utf-8")
    assert "make run" in text and "make test" in text


def test_demo_login_table_is_current():
    text = README.read_text(encoding="utf-8")
    assert render(text) == text, "run: .venv/bin/python tools/readme_logins.py"
