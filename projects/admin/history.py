"""The last history events of an object, in words (issue 11 item 4), from django-pghistory's event tables.

`pghistory.models.Events` aggregates every event table into one queryset; `.references(obj)` takes the events
of the object itself and of every tracked row that points at it (a record's stages, persons and attachments;
a project's units and records). Each event carries `pgh_diff` ({column: [old, new]}) and `pgh_context` (the
`user` and `url` the HistoryMiddleware stored for the request that made the change, or the `actor` a job names).

Shown as an official reads it: who by real name and department (or which system job), each field by its label,
each value as the page shows it (the authority's name, the track's name, the status's name, masked ID and phone
numbers), never an id or an internal field (`HIDDEN_FIELDS`). Names of related rows are loaded with one query per
model for the whole table (`_Names`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from decimal import Decimal, InvalidOperation
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import is_aware, localtime
from django.utils.translation import gettext_lazy as _
from pghistory import config as pghistory_config
from pghistory.models import Events

from accounts import pii

HISTORY_LIMIT = 20
VALUE_MAX_CHARS = 60

EVENT_LABELS = {
    "insert": _("created"),
    "update": _("changed"),
    "delete": _("deleted"),
}

#: Fields never shown in the history: bookkeeping, not what anybody entered or decided. Primary keys, parent links,
#: auto timestamps and files are left out for every model too (`_hidden`).
HIDDEN_FIELDS: dict[str, frozenset[str]] = {
    "*": frozenset({"id", "version", "updated_at", "created_at", "national_num", "draft_inputs"}),
    "accounts.user": frozenset({"password", "last_login", "auth_epoch"}),
    "projects.record": frozenset({"reaches_national"}),  # set with the track on submission; the track says it
    "projects.attachment": frozenset({"sha256", "file", "content_type", "size"}),
    # a part names its record / drawing review / project in the table column already
    "projects.tender": frozenset({"record"}),
    "projects.contract": frozenset({"record"}),
    "projects.censor": frozenset({"record"}),
    "projects.builderlicence": frozenset({"record"}),
    "projects.finishcheck": frozenset({"record"}),
    "projects.finishrecord": frozenset({"record"}),
    "projects.projectcorp": frozenset({"record"}),
    "projects.recordperson": frozenset({"record"}),
    "projects.censorstaff": frozenset({"censor"}),
    "projects.unitproject": frozenset({"project"}),
}

#: What the related rows' names read, loaded with them (their __str__ reads these).
NAME_RELATED: dict[str, tuple[str, ...]] = {
    "projects.track": ("campaign",),
    "projects.record": ("enterprise", "project"),
    "accounts.user": ("authority", "department", "enterprise"),
    "accounts.department": ("authority",),
}

#: Who changed something when no person did: the `actor` a job puts in pghistory's context.
SYSTEM_ACTORS = {
    "nightly auto-approval": _("System (overdue, approved automatically)"),
    "seed_demo": _("System (demo data)"),
}
SYSTEM = _("System")


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


def person_text(name: str, *, authority: str = "", department: str = "", enterprise: str = "") -> str:
    """A person as the history names them: 张三（南宁市青秀区住房和城乡建设局 建筑市场监管科）, or their enterprise."""
    where = " ".join(part for part in (authority, department) if part) or enterprise
    return f"{name}（{where}）" if where else name


def user_text(user) -> str:
    """An account by its real name and organisation (the login name only when no real name was entered)."""
    name = user.real_name or user.get_full_name() or user.username
    authority = user.authority.name if user.authority_id else ""
    department = user.department.name if user.department_id else ""
    enterprise = user.enterprise.name if user.enterprise_id else ""
    return person_text(name, authority=authority, department=department, enterprise=enterprise)


def _model(model_label: str) -> type[models.Model] | None:
    try:
        return apps.get_model(model_label)
    except LookupError:
        return None


def _columns(model_label: str) -> dict[str, models.Field]:
    model = _model(model_label)
    return {field.column: field for field in model._meta.concrete_fields} if model is not None else {}


def _hidden(model_label: str, field: models.Field | None) -> bool:
    if field is None:
        return True  # a column the model no longer has: nobody can say what it meant
    label = model_label.lower()
    if field.name in HIDDEN_FIELDS["*"] or field.name in HIDDEN_FIELDS.get(label, ()):
        return True
    if field.primary_key or getattr(field.remote_field, "parent_link", False):
        return True
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return True
    return isinstance(field, models.FileField)  # the stored name of a file is never shown


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= VALUE_MAX_CHARS else text[: VALUE_MAX_CHARS - 1] + "…"


class _Names:
    """The names of the rows the shown events point at, one query per related model for the whole table."""

    def __init__(self) -> None:
        self.wanted: dict[type[models.Model], set] = defaultdict(set)
        self.loaded: dict[type[models.Model], dict[str, str]] = {}

    def want(self, model: type[models.Model], pk) -> None:
        if pk not in (None, ""):
            self.wanted[model].add(pk)

    def load(self) -> None:
        User = get_user_model()
        for model, pks in self.wanted.items():
            related = NAME_RELATED.get(model._meta.label_lower, ())
            rows = model._default_manager.filter(pk__in=pks).select_related(*related)
            text = user_text if model is User else str
            self.loaded[model] = {str(row.pk): text(row) for row in rows}

    def name(self, model: type[models.Model], pk) -> str:
        return self.loaded.get(model, {}).get(str(pk), str(_("(deleted)")))


def _plain(field: models.Field, value: Any) -> str:
    """A stored (JSON) value as the page shows it."""
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if field.choices:
        return _short(str(dict(field.flatchoices).get(value, value)))
    if isinstance(field, models.DateTimeField) and isinstance(value, str):
        moment = parse_datetime(value)
        if moment is not None:
            return localtime(moment).strftime("%Y-%m-%d %H:%M") if is_aware(moment) else f"{moment:%Y-%m-%d %H:%M}"
    if isinstance(field, models.DateField) and isinstance(value, str):
        day = parse_date(value)
        return day.isoformat() if isinstance(day, dt.date) else value
    if isinstance(field, models.DecimalField):
        try:
            text = format(Decimal(str(value)), "f")
        except InvalidOperation:
            return _short(value)
        return text.rstrip("0").rstrip(".") if "." in text else text
    return _short(value)


def _value(model_label: str, field: models.Field, value: Any, names: _Names) -> str:
    if value is None or value == "":
        return "—"
    if field.is_relation and field.related_model is not None:
        return _short(names.name(field.related_model, value))
    kind = pii.pii_kind(model_label, field.name)
    if kind is not None:
        return pii.mask(kind, value)  # the history never reveals; the record's page does, logged
    return _plain(field, value)


def _changes(event: Events) -> list[tuple[models.Field, Any, Any]]:
    """The shown fields an event changed, with their stored old and new values."""
    if not event.pgh_diff:
        return []
    columns = _columns(event.pgh_obj_model)
    changes = []
    for column, (old, new) in event.pgh_diff.items():
        field = columns.get(column)
        if not _hidden(event.pgh_obj_model, field):
            changes.append((field, old, new))
    changes.sort(key=lambda change: change[0].creation_counter)  # the model's order, as its pages show it
    return changes


def _context(event: Events) -> dict:
    return event.pgh_context if isinstance(event.pgh_context, dict) else {}


def shown_events(obj: models.Model, *, limit: int = HISTORY_LIMIT) -> list[Events]:
    """The last `limit` events worth showing: a change that touched only hidden fields (a save that only raised
    the version) says nothing to a reader."""
    events = Events.objects.references(obj).order_by("-pgh_created_at", "-pgh_id")[: limit * 3]
    return [e for e in events if e.pgh_label != "update" or _changes(e)][:limit]


def _who(event: Events, users: dict[str, str]) -> str:
    context = _context(event)
    user = context.get("user")
    if user not in (None, ""):
        return users.get(str(user), str(_("(deleted account)")))
    actor = context.get("actor")
    if actor:
        return str(SYSTEM_ACTORS.get(actor, SYSTEM))
    return str(SYSTEM)


def history_rows(obj: models.Model, *, limit: int = HISTORY_LIMIT) -> list[dict]:
    """The history as rows of words: time, table, event, who, and the changes as (label, old, new)."""
    events = shown_events(obj, limit=limit)
    names = _Names()
    User = get_user_model()
    for event in events:
        user = _context(event).get("user")
        if user not in (None, ""):
            names.want(User, user)
        for field, old, new in _changes(event):
            if field.is_relation and field.related_model is not None:
                names.want(field.related_model, old)
                names.want(field.related_model, new)
    names.load()
    users = names.loaded.get(User, {})
    rows = []
    for event in events:
        model = _model(event.pgh_obj_model)
        rows.append(
            {
                "at": localtime(event.pgh_created_at) if event.pgh_created_at else None,
                "table": str(model._meta.verbose_name) if model is not None else event.pgh_obj_model,
                "event": str(EVENT_LABELS.get(event.pgh_label, event.pgh_label)),
                "who": _who(event, users),
                "changes": [
                    (
                        str(field.verbose_name),
                        _value(event.pgh_obj_model, field, old, names),
                        _value(event.pgh_obj_model, field, new, names),
                    )
                    for field, old, new in _changes(event)
                ],
            }
        )
    return rows


def history_table(obj: models.Model) -> SafeString:
    """An HTML table of the last events of `obj` and its parts, in words, with a link to all of them."""
    if obj is None or obj.pk is None:
        return SafeString("—")
    rows = history_rows(obj)
    link_url = events_admin_url(obj)
    link = format_html('<p><a href="{}">{}</a></p>', link_url, _("All history events")) if link_url else ""
    if not rows:
        return format_html("<p>{}</p>{}", _("No history events yet."), link)
    body = format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        (
            (
                row["at"].strftime("%Y-%m-%d %H:%M:%S") if row["at"] else "",
                row["table"],
                row["event"],
                row["who"],
                format_html_join(mark_safe("<br>"), "{}: {} → {}", row["changes"]),
            )
            for row in rows
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
        body,
        link,
    )
