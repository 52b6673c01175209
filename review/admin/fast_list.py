"""The rows of an admin changelist rendered as Django's `result_list` renders them, byte for byte, at a fraction of
its cost (issue 11 item 9: the review queue with 100,000 pending records at least as fast as a stock changelist).

Django's `items_for_result` resolves every column again for every row (the field lookup, the empty value, the link
test, the change URL through `reverse`, the action checkbox through the form widget's template) and the template
then renders every cell as a node. Here each column is resolved once per page into a small function, the change
URL is reversed once and completed per row, the checkbox is the widget's markup written out, and each row is
joined into one string, so the template renders one node per row. Columns of a kind not handled here (an editable
list, a `__` lookup, a model method) go through Django's own code for that cell, so the output never differs:
tests/review/test_queue_page.py compares it with Django's for every column of the queue.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.contrib.admin import helpers
from django.contrib.admin.options import ModelAdmin
from django.contrib.admin.templatetags.admin_list import (
    ResultList,
    _coerce_field_name,
    items_for_result,
    result_headers,
    result_hidden_fields,
)
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import (
    FieldIsAForeignKeyColumnName,
    _get_non_gfk_field,
    display_for_field,
    display_for_value,
    quote,
)
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import models
from django.urls import NoReverseMatch
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from accounts.admin_scope import ScopedRelatedFieldListFilter
from accounts.scoping import visible_to

_PK = "~pk~"  # stands for the row's primary key in the change URL reversed once per page
Cell = Callable[[models.Model], str]


class _Stand:
    """An object with only a primary key: what `ChangeList.url_for_result` reads."""

    def __init__(self, attname: str, value: str) -> None:
        setattr(self, attname, value)


def _row_class(classes: list[str]) -> SafeString:
    return mark_safe(' class="{}"'.format(" ".join(classes)))


def _checkbox_cell(cl) -> Cell:
    """ModelAdmin.action_checkbox's markup (CheckboxInput with class action-select and an aria-label), as its
    widget template writes it."""
    label = _("Select this object for an action - {}")
    name = helpers.ACTION_CHECKBOX_NAME

    def cell(result):
        return format_html(
            '<td class="action-checkbox"><input type="checkbox" name="{}" value="{}" class="action-select" '
            'aria-label="{}"></td>',
            name,
            str(result.pk),
            format_html(label, str(result)),
        )

    return cell


def _linker(cl, link: bool, tag: str) -> Callable[[models.Model, str, SafeString], str]:
    """Wraps a cell's content in its <td>/<th> (and the change link for a link column), as items_for_result."""
    if not link:
        return lambda result, classes, text: format_html("<td{}>{}</td>", classes, text)
    pk_attname = cl.lookup_opts.pk.attname
    try:
        template = cl.url_for_result(_Stand(pk_attname, _PK))
    except NoReverseMatch:
        return lambda result, classes, text: format_html("<{}{}>{}</{}>", tag, classes, text, tag)
    template = add_preserved_filters({"preserved_filters": cl.preserved_filters, "opts": cl.opts}, template)
    value_attr = str(cl.to_field) if cl.to_field else pk_attname
    popup = cl.is_popup

    def wrap(result, classes, text):
        url = template.replace(_PK, str(quote(getattr(result, pk_attname))), 1)
        opener = format_html(' data-popup-opener="{}"', result.serializable_value(value_attr)) if popup else ""
        return format_html("<{}{}>{}</{}>", tag, classes, format_html('<a href="{}"{}>{}</a>', url, opener, text), tag)

    return wrap


def _column(cl, index: int, name, link: bool, tag: str) -> Cell | None:
    """The cell of one column, or None when the column is of a kind left to Django."""
    model_admin = cl.model_admin
    empty = model_admin.get_empty_value_display()
    base_class = f"field-{_coerce_field_name(name, index)}"
    wrap = _linker(cl, link, tag)
    try:
        field = _get_non_gfk_field(cl.lookup_opts, name)
    except (FieldDoesNotExist, FieldIsAForeignKeyColumnName):
        field = None
    if field is None:
        if not isinstance(name, str) or callable(name) or name == "__str__" or not hasattr(model_admin, name):
            return None
        method = getattr(model_admin, name)
        if name == "action_checkbox" and getattr(type(model_admin), name, None) is ModelAdmin.action_checkbox:
            if link:
                return None
            return _checkbox_cell(cl)
        method_empty = getattr(method, "empty_value_display", empty)
        boolean = getattr(method, "boolean", False)
        classes = ["action-checkbox"] if name == "action_checkbox" else [base_class]
        plain, nowrap = _row_class(classes), _row_class([*classes, "nowrap"])

        def method_cell(result):
            try:
                value = method(result)
            except ObjectDoesNotExist:
                return wrap(result, _row_class([base_class]), empty)
            if isinstance(value, str) and value.strip() == "":
                value = ""
            text = display_for_value(value, method_empty, boolean)
            return wrap(result, nowrap if isinstance(value, datetime.date | datetime.time) else plain, text)

        return method_cell
    if field.auto_created:
        return None
    attname = field.name
    classes = [base_class]
    if isinstance(field, models.DateField | models.TimeField | models.ForeignKey):
        classes.append("nowrap")
    row_class = _row_class(classes)
    if isinstance(field.remote_field, models.ManyToOneRel):

        def related_cell(result):
            try:
                value = getattr(result, attname)
            except ObjectDoesNotExist:
                return wrap(result, _row_class([base_class]), empty)
            return wrap(result, row_class, empty if value is None else value)

        return related_cell
    choices = None
    if getattr(field, "flatchoices", None):
        try:
            choices = dict(field.flatchoices)
        except TypeError:
            return None

    def field_cell(result):
        value = getattr(result, attname)
        if isinstance(value, str) and value.strip() == "":
            value = ""
        if choices is not None:
            text = choices.get(value, empty)
        else:
            text = display_for_field(value, field, empty, avoid_link=link)
        return wrap(result, row_class, text)

    return field_cell


def _plan(cl) -> list[Cell] | None:
    """One function per column; None when any column is left to Django (then the whole row is)."""
    cells, first = [], True
    for index, name in enumerate(cl.list_display):
        if cl.list_display_links is None:
            link = False
        elif first and not cl.list_display_links:
            link = True
        else:
            link = name in cl.list_display_links
        tag = "th" if link and first else "td"
        if link:
            first = False
        cell = _column(cl, index, name, link, tag)
        if cell is None:
            return None
        cells.append(cell)
    return cells


def fast_results(cl) -> list[ResultList]:
    """The rows of the page, each one joined string (identical to Django's cells, concatenated)."""
    if cl.formset:  # an editable list: Django's own rows, with their forms
        pairs = zip(cl.result_list, cl.formset.forms, strict=True)
        return [ResultList(form, items_for_result(cl, res, form)) for res, form in pairs]
    cells = _plan(cl)
    if cells is None:
        return [ResultList(None, items_for_result(cl, res, None)) for res in cl.result_list]
    return [ResultList(None, [mark_safe("".join([cell(res) for cell in cells]))]) for res in cl.result_list]


def fast_result_list(cl) -> dict:
    """The context of admin/change_list_results.html, as Django's `result_list` makes it."""
    headers = list(result_headers(cl))
    return {
        "cl": cl,
        "result_hidden_fields": list(result_hidden_fields(cl)),
        "result_headers": headers,
        "num_sorted_fields": sum(1 for h in headers if h["sortable"] and h["sorted"]),
        "results": fast_results(cl),
    }


class CampaignListFilter(ScopedRelatedFieldListFilter):
    """The queue's campaign filter: the campaigns the official may see (Campaign.visible_to: those of the province,
    a handful), as the track filter lists the tracks. The scoped filter's "only those some listed row refers to" is
    a semi-join over the whole queue — 100,000 rows for provincial staff, the slowest query of the page."""

    def field_choices(self, field, request, model_admin):
        ordering = self.field_admin_ordering(field, request, model_admin) or field.related_model._meta.ordering
        qs = visible_to(field.related_model, request.user)
        if ordering:
            qs = qs.order_by(*ordering)
        return [(obj.pk, str(obj)) for obj in qs]
