"""`manage.py seed_demo`: load or refresh the demo data (idempotent; `make run` calls it every time)."""

from __future__ import annotations

import unicodedata

from django.core.management.base import BaseCommand

from portal.demo import DEMO_LOGINS, DEMO_PASSWORD, build_demo


def _pad(text: str, width: int) -> str:
    """Left-align `text` in `width` terminal columns (a Chinese character takes two)."""
    used = sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)
    return text + " " * max(width - used, 0)


class Command(BaseCommand):
    help = (
        "Create or refresh the demo authorities, logins, enterprises and records (idempotent, one transaction). "
        f"Every demo login uses the password {DEMO_PASSWORD}."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--reset", action="store_true", help="Put demo records back to their seeded state (default: keep them)."
        )

    def handle(self, *args, **options) -> None:
        counts = build_demo(reset=options["reset"])
        if options["verbosity"] < 1:
            return
        width = max(len(login.username) for login in DEMO_LOGINS) + 2
        for login in DEMO_LOGINS:
            note = f"  [{login.note}]" if login.note else ""
            self.stdout.write(
                f"  {_pad(login.role, 16)}{_pad(login.username, width)}{DEMO_PASSWORD}  {login.organisation}{note}"
            )
        states = ", ".join(
            f"{state} {counts[f'status:{state}']}"
            for state in ("draft", "submitted", "direct_review", "approved", "rejected", "fraud")
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"seed_demo: {counts['authorities']} authorities, {counts['users']} logins, "
                f"{counts['enterprises']} enterprises, {counts['projects']} projects, {counts['records']} records "
                f"({states}); {counts['written']} rows written."
            )
        )
