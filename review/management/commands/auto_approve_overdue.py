"""manage.py auto_approve_overdue: the nightly auto-approval (G5, P1), as the Celery beat entry runs it."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from review.services import auto_approve_overdue


class Command(BaseCommand):
    help = "Approve every submitted record whose review deadline has passed (逾期视为审核通过)."

    def handle(self, *args, **options) -> None:
        count = auto_approve_overdue()
        self.stdout.write(_("%(count)s overdue records approved.") % {"count": count})
