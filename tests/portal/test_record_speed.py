"""Issue 11 item 9: the record page's <option> lists written in Python (`option_tags`) are the template loop's
markup byte for byte: escaping, the selected option, 工程用途's data-types."""

from __future__ import annotations

from django.template import engines

from portal.page import Option

LOOP = engines["django"].from_string(
    '{% for o in options %}<option value="{{ o.value }}"{% if o.selected %} selected{% endif %}'
    '{% if o.types %} data-types="{{ o.types }}"{% endif %}>{{ o.label }}</option>{% endfor %}'
)
FAST = engines["django"].from_string("{% load portal_fast %}{{ options|option_tags }}")


def test_option_tags_are_the_loops_markup():
    options = [
        Option("", "— 请选择 —"),
        Option("01", "房屋建筑工程", True),
        Option("0101", "住宅", types="01 02"),
        Option('"><script>', "<b>&'\"", False, types='a"b'),
    ]
    assert FAST.render({"options": options}) == LOOP.render({"options": options})
    assert FAST.render({"options": []}) == ""
