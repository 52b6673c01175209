"""`{{ options|option_tags }}`: the <option> elements of a select, written in Python (issue 11 item 9).

The record page holds thousands of options (every code table of every row, the region picker's lists); rendered
by a template loop each costs a dozen template nodes. The markup is the loop's, byte for byte:
`<option value="…"[ selected][ data-types="…"]>label</option>`, values and labels escaped as autoescape does
(tests/portal/test_record_speed.py compares it with the loop).
"""

from __future__ import annotations

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter(is_safe=True)
def option_tags(options) -> str:
    parts = []
    for o in options or ():
        types = getattr(o, "types", "")
        selected = " selected" if o.selected else ""
        data = f' data-types="{conditional_escape(types)}"' if types else ""
        value, label = conditional_escape(o.value), conditional_escape(o.label)
        parts.append(f'<option value="{value}"{selected}{data}>{label}</option>')
    return mark_safe("".join(parts))
