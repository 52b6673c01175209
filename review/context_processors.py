"""Template context of review/: the open calendar alerts, for the admin's index page (issue 5 item 3)."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from .selectors import open_calendar_alerts


def calendar_alerts(request) -> dict:
    """`calendar_alerts`: the open alerts, queried only when a template reads them, and only for officials."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_staff:
        return {}
    return {"calendar_alerts": SimpleLazyObject(open_calendar_alerts)}
