"""manage.py send_daily_digest: the officials' daily digest (issue 5 item 8), as the Celery beat entry sends it at
07:30 Asia/Shanghai. Once per user and day; --force sends again, --date sends the digest of another day."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from review.notices import send_daily_digests


class Command(BaseCommand):
    help = "Mail reviewers and provincial staff the digest of what is due today and next working day."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--date", help="The day of the digest, YYYY-MM-DD (default: today in Asia/Shanghai).")
        parser.add_argument("--force", action="store_true", help="Send again to users who had it already.")

    def handle(self, *args, **options) -> None:
        today = None
        if options["date"]:
            try:
                today = dt.date.fromisoformat(options["date"])
            except ValueError as error:
                raise CommandError(_("Give the date as YYYY-MM-DD.")) from error
        count = send_daily_digests(today=today, force=options["force"])
        self.stdout.write(_("%(count)s daily digests sent.") % {"count": count})
