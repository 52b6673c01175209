"""`{{ options|option_tags }}`: the <option> elements of a select, written in Python (issue 11 item 9).

The record page holds thousands of options (every code table of every row, the region picker's lists); rendered
by a template loop each costs a dozen template nodes. The markup is the loop's, byte for byte:
`<option value="…"[ selected][ data-types="…"]>label</option>`, values and labels escaped as autoescape does
(tests/portal/test_record_speed.py compares it with the loop).
"""

from __future__ import annotations

from django import template
from django.core.exceptions import ObjectDoesNotExist
from django.template.defaultfilters import date as date_filter
from django.template.loader import get_template
from django.urls import reverse
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext as _

register = template.Library()


@register.filter(is_safe=True)
def option_tags(options) -> str:
    fast = getattr(options, "option_html", None)  # a code table's options (portal.page.CodeOptions): written once
    if fast is not None and (html := fast()) is not None:
        return mark_safe(html)
    parts = []
    for o in options or ():
        types = getattr(o, "types", "")
        selected = " selected" if o.selected else ""
        data = f' data-types="{conditional_escape(types)}"' if types else ""
        value, label = conditional_escape(o.value), conditional_escape(o.label)
        parts.append(f'<option value="{value}"{selected}{data}>{label}</option>')
    return mark_safe("".join(parts))


# --- one field of the record page ----------------------------------------------------------------------------

_BOX = {"textarea": " wide", "region": " span-2"}
_INPUT_KIND = {
    "date": ' placeholder="{}" inputmode="numeric" class="w-date"',
    "number": ' inputmode="decimal" class="w-number"',
}
_SELECTS = ("select", "bool", "unit")


@register.simple_tag
def field_tag(f, readonly: bool) -> str:
    """One field of the record page (portal.page.FieldView), written in Python (issue 11 item 9): a full record shows
    some 380 of them, and the template this replaces spent most of the page's time in their {% if %}s.

    Editable: the label (with its red star and 必填 for screen readers), the input, select, textarea or region picker
    named by the field's path, with aria-required / aria-invalid; read-only: the label and the value as a reader sees
    it. Then the carried-over note, the kept-as-typed message, the problem and the help text, each with the ids and
    classes portal.js and the tests look for (tests/portal/test_field_markup.py pins them)."""
    fid, name = conditional_escape(f.id), conditional_escape(f.name)
    box = "field" + _BOX.get(f.widget, "")
    if f.problem:
        box += " has-problem"
    if f.kept:
        box += " is-kept"
    if f.carried:
        box += " is-carried"
    star = '<span class="req" aria-hidden="true">*</span>' if f.required else ""
    label = conditional_escape(f.label)
    if readonly:
        display = f.display
        parts = [
            f'<div class="{box}" id="{fid}">',
            f'<span class="label">{star}{label}</span>',
            f'<div class="value{"" if display else " empty"}">{conditional_escape(display) if display else "—"}</div>',
        ]
    else:
        flags = (' aria-required="true"' if f.required else "") + (' aria-invalid="true"' if f.problem else "")
        if f.required:
            star += f'<span class="sr-only">{conditional_escape(_("(required)"))}</span>'
        target = f"{fid}-l1" if f.widget == "region" else fid
        parts = [f'<div class="{box}">', f'<label for="{target}">{star}{label}</label>']
        if f.widget in _SELECTS:
            extra = ' class="unit-ref"' if f.widget == "unit" else ""
            if f.name == "project.prj_function":
                extra += ' data-follows="f-project-prj_type"'
            parts.append(f'<select id="{fid}" name="{name}"{flags}{extra}>{option_tags(f.options)}</select>')
        elif f.widget == "region":
            parts.append(
                get_template("portal/_region_picker.html").render(
                    {"name": f.name, "value": f.value, "fid": f.id, "levels": f.regions, "label": f.label}
                )
            )
        elif f.widget == "textarea":
            parts.append(f'<textarea id="{fid}" name="{name}" rows="2"{flags}>{conditional_escape(f.value)}</textarea>')
        else:
            kind = _INPUT_KIND.get(f.widget, "")
            if f.widget == "date":
                kind = kind.format(conditional_escape(_("YYYY-MM-DD")))
            parts.append(
                f'<input type="text" id="{fid}" name="{name}" value="{conditional_escape(f.value)}"{kind}{flags}>'
            )
    if f.carried:
        carried = _("Carried over from %(part)s; you can change it.") % {"part": conditional_escape(f.carried)}
        parts.append(f'<p class="carried" id="{fid}-carried">{carried}</p>')
    if f.kept:
        parts.append(f'<p class="kept" id="{fid}-kept">{conditional_escape(f.kept_message)}</p>')
    if f.problem:
        parts.append(f'<p class="error">{conditional_escape(f.problem)}</p>')
    if f.help_text and not readonly:
        parts.append(f'<p class="help">{conditional_escape(f.help_text)}</p>')
    parts.append("</div>")
    return mark_safe("\n".join(parts))


# --- the rows of 我的业绩 -------------------------------------------------------------------------------------


def _day(value, fmt: str) -> str:
    """A date or time as the `date` filter writes it (in the current time zone)."""
    return date_filter(template_localtime(value), fmt) if value else ""


@register.simple_tag(takes_context=True)
def record_rows(context, rows) -> str:
    """The <tr> of each (record, working days left) row of 我的业绩 (portal.views.record_list), written in Python
    (issue 11 item 9): the project with its campaign and completion date, 删除草稿 for a draft never submitted, the
    number, the status with the rejection reason / fraud facts / direct-review reason, the authority, the deadline
    with the working days left (portal/_days_left.html), the grade and the last change, each cell with the
    data-label the narrow layout shows (tests/portal/test_list_markup.py pins it against the former template)."""
    user = context.get("user")
    deregistered = bool(getattr(getattr(user, "enterprise", None), "is_deregistered", False))
    labels = {
        key: conditional_escape(_(text))
        for key, text in (
            ("num", "Project number"),
            ("status", "Status"),
            ("authority", "Responsible authority"),
            ("deadline", "Review deadline"),
            ("grade", "Grade"),
            ("changed", "Last change"),
        )
    }
    completed, delete = conditional_escape(_("completed")), conditional_escape(_("Delete the draft"))
    reasons = {
        "rejected": conditional_escape(_("Reason:")),
        "fraud": conditional_escape(_("Facts:")),
        "direct_review": conditional_escape(_("Reason given:")),
    }
    days_left = get_template("portal/_days_left.html")
    out = []
    for record, deadline in rows:
        project, status = record.project, record.status
        try:
            finished = record.finish_check.e_date
        except ObjectDoesNotExist:
            finished = None
        sub = conditional_escape(record.campaign.name)
        if finished:
            sub += f" · {completed} {_day(finished, 'Y-m-d')}"
        name = [
            f'<a href="{reverse("portal:record", args=[record.pk])}" class="record-link">'
            f"{conditional_escape(project.prj_name)}</a>",
            f'<span class="sub">{sub}</span>',
        ]
        if status == "draft" and not record.submitted_at and not deregistered:
            name.append(
                f'<a href="{reverse("portal:record_delete", args=[record.pk])}" class="btn-link danger delete-draft">'
                f"{delete}</a>"
            )
        state = [
            f'<span class="badge status-{conditional_escape(status)}">'
            f"{conditional_escape(record.get_status_display())}</span>"
        ]
        reason = getattr(record, "rejection_reason", "") if status in ("rejected", "fraud") else ""
        if status == "direct_review":
            reason = getattr(record, "direct_review_reason", "") or "—"
        if reason:
            state.append(f'<span class="reason"><strong>{reasons[status]}</strong> {conditional_escape(reason)}</span>')
        authority = getattr(record.responsible_authority, "name", "") or "—"
        if deadline:
            due = f'<span class="nowrap">{_day(deadline.deadline, "Y-m-d")}</span>\n' + days_left.render(
                {"deadline": deadline}
            )
        else:
            due = "—"
        level = conditional_escape(project.data_level or "")
        grade = f'<span class="grade grade-{level}">{level}</span>' if level else "—"
        name_html, state_html = "\n".join(name), "\n".join(state)
        out.append(
            "<tr>\n"
            f'<td class="col-name">\n{name_html}\n</td>\n'
            f'<td class="mono" data-label="{labels["num"]}">{conditional_escape(project.prj_num)}</td>\n'
            f'<td data-label="{labels["status"]}">\n{state_html}\n</td>\n'
            f'<td data-label="{labels["authority"]}">{conditional_escape(authority)}</td>\n'
            f'<td data-label="{labels["deadline"]}">\n{due}\n</td>\n'
            f'<td data-label="{labels["grade"]}">{grade}</td>\n'
            f'<td class="nowrap" data-label="{labels["changed"]}">{_day(record.updated_at, "Y-m-d H:i")}</td>\n'
            "</tr>"
        )
    return mark_safe("\n".join(out))
