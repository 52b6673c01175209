"""manage.py check_calendar: the nightly calendar check (issue 5 item 3), as the Celery beat entry runs it."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from review.services import check_calendar


class Command(BaseCommand):
    help = "Raise an admin alert for each coming year whose working-day calendar is unknown; resolve known ones."

    def handle(self, *args, **options) -> None:
        missing = check_calendar()
        if missing:
            # Translators: the separator between the years of a list, e.g. "2027, 2028" (Chinese: "、").
            years = _(", ").join(str(year) for year in missing)
            self.stderr.write(
                _("Unknown working-day calendar: %(years)s. An alert is shown in the admin.") % {"years": years}
            )
        else:
            self.stdout.write(_("The working-day calendar of this year and the next is known."))
