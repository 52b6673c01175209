"""The last history events of an object, from django-pghistory's trigger-written event tables.

`pghistory.models.Events` aggregates every event table into one queryset; `.references(obj)` takes the events
of the object itself and of every tracked row that points at it (a record's stages, persons and attachments;
a project's units and records). Each event carries `pgh_diff` ({column: [old, new]}) and `pgh_context` (the
`user` and `url` the HistoryMiddleware stored for the request that made the change).
"""

from __future__ import annotations

import json
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils.dateparse import parse_datetime
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import is_aware, localtime
from django.utils.translation import gettext_lazy as _
from pghistory import config as pghistory_config
from pghistory.models import Events

HISTORY_LIMIT = 20
VALUE_MAX_CHARS = 60

EVENT_LABELS = {
    "insert": _("created"),
    "update": _("changed"),
    "delete": _("deleted"),
}


def recent_events(obj: models.Model, *, limit: int = HISTORY_LIMIT) -> list[Events]:
    """The newest `limit` events of `obj` and of the tracked rows that reference it (one query)."""
    return list(Events.objects.references(obj).order_by("-pgh_created_at", "-pgh_id")[:limit])


def events_admin_url(obj: models.Model) -> str | None:
    """pghistory's events changelist filtered to the events that reference `obj`."""
    events_model = pghistory_config.admin_queryset().model
    try:
        url = reverse(f"admin:{events_model._meta.app_label}_{events_model._meta.model_name}_changelist")
    except NoReverseMatch:
        return None
    return f"{url}?{urlencode({'method': 'references', 'obj': f'{obj._meta.label}:{obj.pk}'})}"


def _columns(model_label: str) -> dict[str, models.Field]:
    try:
        model = apps.get_model(model_label)
    except LookupError:
        return {}
    return {field.column: field for field in model._meta.concrete_fields}


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= VALUE_MAX_CHARS else text[: VALUE_MAX_CHARS - 1] + "…"


def _value(field: models.Field | None, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if field is not None and field.choices:
        return _short(str(dict(field.flatchoices).get(value, value)))
    if isinstance(field, models.DateTimeField) and isinstance(value, str):
        moment = parse_datetime(value)
        if moment is not None:
            return localtime(moment).strftime("%Y-%m-%d %H:%M:%S") if is_aware(moment) else str(moment)
    return _short(value)


def _diff_lines(event: Events) -> SafeString:
    if not event.pgh_diff:
        return SafeString("")
    columns = _columns(event.pgh_obj_model)
    rows = []
    for column, (old, new) in sorted(event.pgh_diff.items()):
        field = columns.get(column)
        if getattr(field, "auto_now", False):
            continue  # "updated at" changes with every save
        if isinstance(field, models.FileField):
            continue  # the stored name of an attachment is never shown (a permission-checking view serves it)
        label = field.verbose_name if field is not None else column
        rows.append((label, _value(field, old), _value(field, new)))
    return format_html_join(mark_safe("<br>"), "{}: {} → {}", rows)


def _user_names(events: list[Events]) -> dict[str, str]:
    ids = {
        str(event.pgh_context["user"])
        for event in events
        if isinstance(event.pgh_context, dict) and event.pgh_context.get("user")
    }
    if not ids:
        return {}
    users = get_user_model().objects.filter(pk__in=ids)
    return {str(user.pk): str(user) for user in users}


def _model_name(model_label: str) -> str:
    try:
        return str(apps.get_model(model_label)._meta.verbose_name)
    except LookupError:
        return model_label


def history_table(obj: models.Model) -> SafeString:
    """An HTML table of the last events of `obj` and its parts, with a link to all of them."""
    if obj is None or obj.pk is None:
        return SafeString("—")
    events = recent_events(obj)
    names = _user_names(events)
    link_url = events_admin_url(obj)
    link = format_html('<p><a href="{}">{}</a></p>', link_url, _("All history events")) if link_url else ""
    if not events:
        return format_html("<p>{}</p>{}", _("No history events yet."), link)
    rows = format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        (
            (
                localtime(event.pgh_created_at).strftime("%Y-%m-%d %H:%M:%S") if event.pgh_created_at else "",
                _model_name(event.pgh_obj_model),
                EVENT_LABELS.get(event.pgh_label, event.pgh_label),
                names.get(str((event.pgh_context or {}).get("user")), "—")
                if isinstance(event.pgh_context, dict)
                else "—",
                _diff_lines(event),
            )
            for event in events
        ),
    )
    return format_html(
        '<table class="history-events"><thead><tr>'
        "<th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th>"
        "</tr></thead><tbody>{}</tbody></table>{}",
        _("time"),
        _("table"),
        _("event"),
        _("user"),
        _("changes"),
        rows,
        link,
    )
