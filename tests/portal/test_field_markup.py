"""Issue 11 item 9: the record page's fields are written in Python (portal_fast.field_tag) instead of the template
templates/portal/_field.html, which the page spent most of its time in. What a field says is unchanged: every field
of a full record, editable and read-only, with a problem, a value kept as typed, a carried-over value and a help
text, parsed with html.parser from the Python markup and from the template as it was
(tests/portal/reference/_field_before_issue11.html, kept here only as the reference) gives the same elements,
attributes (names, ids, values, classes, aria-required / aria-invalid, for=) and texts (labels, values, messages)."""

from __future__ import annotations

import copy
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.template import engines

from portal.templatetags.portal_fast import field_tag

pytestmark = pytest.mark.django_db

BEFORE = engines["django"].from_string((Path(__file__).parent / "reference" / "_field_before_issue11.html").read_text())


class Tokens(HTMLParser):
    """Start tags with their attributes (sorted), end tags and non-blank texts (whitespace collapsed)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[tuple] = []

    def handle_starttag(self, tag, attrs):
        self.out.append(("<", tag, tuple(sorted(attrs, key=lambda a: a[0]))))

    def handle_endtag(self, tag):
        self.out.append((">", tag))

    def handle_data(self, data):
        text = " ".join(data.split())
        if text:
            self.out.append(("text", text))


def tokens(html: str) -> list[tuple]:
    parser = Tokens()
    parser.feed(html)
    parser.close()
    return parser.out


def every_field(sections):
    for section in sections:
        for part in section.parts:
            rows = [*part.rows, *([part.template] if part.template else [])]
            yield from part.fields
            for row in rows:
                yield from row.fields


def variants(f):
    """The field as it is, and with each message the page may add to it."""
    yield f
    marked = copy.copy(f)
    marked.problem, marked.kept, marked.kept_message = "总投资须为数字，单位万元，例如 6800", True, "已保留 <原样>"
    marked.carried, marked.help_text = "招投标备案", "如 & 例"
    yield marked
    bare = copy.copy(f)
    bare.required, bare.value, bare.help_text = False, "", ""
    yield bare


def test_every_field_of_a_full_record_says_what_the_template_said(client_a, valid_a):
    response = client_a.get(f"/portal/records/{valid_a.pk}/")
    assert response.status_code == 200
    fields = list(every_field(response.context["sections"]))
    widgets = {f.widget for f in fields}
    assert {"text", "select", "bool", "unit", "region", "textarea", "date", "number"} <= widgets, widgets
    assert any(f.required for f in fields) and any(f.value for f in fields)
    compared = 0
    for f in fields:
        for v in variants(f):
            for readonly in (False, True):
                before = BEFORE.render({"f": v, "readonly": readonly})
                after = field_tag(v, readonly)
                assert tokens(after) == tokens(before), (v.name, v.widget, readonly)
                compared += 1
    assert compared >= 6 * 100


def test_the_page_shows_the_fields_inputs_and_messages(client_a, valid_a):
    """The page itself: every editable field's input named by its path, its label pointing at it."""
    body = client_a.get(f"/portal/records/{valid_a.pk}/").content.decode()
    assert 'name="project.prj_name"' in body and 'id="f-project-prj_name"' in body
    assert '<label for="f-project-prj_name">' in body
    assert 'aria-required="true"' in body
    assert "_field.html" not in body
