"""Working days left before a review deadline, counted with the one working-day service (review.workdays)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from accounts.errors import DomainError
from review import workdays


@dataclass(frozen=True)
class DeadlineView:
    deadline: dt.datetime
    days_left: int | None  # working days after today up to the deadline day; None when the calendar is unknown
    overdue: bool

    @property
    def due_today(self) -> bool:
        return not self.overdue and self.days_left == 0


class WorkdayCounter:
    """Counts working days for many deadlines; each day is asked of review.workdays once (bounded queries)."""

    def __init__(self, now: dt.datetime | None = None) -> None:
        self.now = now or timezone.now()
        self.today = self.now.astimezone(workdays.SHANGHAI).date()
        self._days: dict[dt.date, bool] = {}

    def _is_workday(self, day: dt.date) -> bool:
        if day not in self._days:
            self._days[day] = workdays.is_workday(day)
        return self._days[day]

    def view(self, deadline: dt.datetime | None) -> DeadlineView | None:
        if deadline is None:
            return None
        if deadline < self.now:
            return DeadlineView(deadline, 0, True)
        last = deadline.astimezone(workdays.SHANGHAI).date()
        try:
            left = sum(
                1 for n in range(1, (last - self.today).days + 1) if self._is_workday(self.today + dt.timedelta(n))
            )
        except DomainError:  # a year nobody has entered the calendar of
            left = None
        return DeadlineView(deadline, left, False)
