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


def test_a_code_tables_options_are_written_as_the_loop_writes_them():
    """portal.page.CodeOptions: the code table's <option>s written once per process and language, then the chosen
    value selected, a value no longer in the table shown as it is (as typed, selected), or not when carried over."""
    from django.utils import translation

    from portal.page import CodeOptions, CodeTable

    table = CodeTable(
        [("", "— 请选择 —", ""), ("01", "房屋建筑工程", ""), ("0101", "住宅<b>", "01 02"), ('"x', "&", "")]
    )
    with translation.override("zh-hans"):
        for value, keep in [("", True), ("0101", True), ('"x', True), ("99", True), ("99", False), ("", False)]:
            options = CodeOptions(table, value, keep_unknown=keep)
            fast = FAST.render({"options": options})
            assert fast == LOOP.render({"options": list(options)}), (value, keep)
            assert len(options) == len(list(options))
        chosen = CodeOptions(table, "0101")
        assert 'value="0101" selected data-types="01 02">住宅&lt;b&gt;' in FAST.render({"options": chosen})
        kept = CodeOptions(table, "99")
        assert FAST.render({"options": kept}).endswith('<option value="99" selected>99</option>')
        assert not FAST.render({"options": CodeOptions(table, "99", keep_unknown=False)}).count("selected")
