"""What a clerk may type into a date or a number field, and how it is read (issue 11 item 7).

The record page and the API send values as typed; `projects.services.record_save` reads them through here, so both
accept the same forms:

* dates: 2015-03-08, 2015-3-8, 2015/3/8, 2015.3.8, 2015年3月8日, 20150308 (full-width digits too);
* numbers: 1200, 1,200, 1，200, １２００, surrounding spaces, and a trailing unit that is the field's own unit
  ("6800万元" for an amount in 万元, "120㎡" for an area in 平方米). A unit of another kind ("6800元") is not read.

What cannot be read raises `NotReadable`; the save keeps it as typed and the page tells the clerk the field's
expected format (`grading.rules.input_hint`). A field's unit is part of its definition: the unit named in brackets at
the end of its verbose name ("total investment (10k yuan)" → 万元), read once per field.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from enum import Enum
from functools import cache

from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _


class NotReadable(ValueError):
    """A typed value that is not a date or a number in any accepted form."""


class Unit(Enum):
    """The units of the record's number fields: the label the clerk reads, what may follow a number, an example."""

    WAN_YUAN = ("10k yuan", _("10,000 yuan"), ("万元", "万"), "6800")
    SQUARE_METRES = ("m²", _("square metres"), ("平方米", "㎡", "m²", "m2", "平米"), "12500")
    METRES = ("m", _("metres"), ("米", "m"), "320.5")
    DAYS = ("days", _("days"), ("天", "日", "日历天"), "365")
    PERCENT = ("%", _("percent"), ("%", "％"), "35")

    def __init__(self, suffix: str, label, written: tuple[str, ...], example: str) -> None:
        self.suffix = suffix  # as the English verbose name writes it: "(10k yuan)"
        self.label = label
        self.written = written  # longest first where one ends another ("平方米" before "米")
        self.example = example


_UNIT_BY_SUFFIX = {unit.suffix: unit for unit in Unit}
_BRACKETED_RE = re.compile(r"^(?P<name>.*?)\s*[（(](?P<inner>[^（）()]+)[）)]\s*$")


@cache
def _unit_of(model_label: str, name: str) -> Unit | None:
    from django.apps import apps

    field = apps.get_model(model_label)._meta.get_field(name)
    with translation.override("en"):  # the definition's own words, whatever the active language
        match = _BRACKETED_RE.match(str(field.verbose_name))
    return _UNIT_BY_SUFFIX.get(match["inner"].strip()) if match else None


def unit_of(field: models.Field) -> Unit | None:
    """The unit of a number field, from its definition; None for a field without one (a count of floors)."""
    if not isinstance(field, models.DecimalField | models.IntegerField) or field.model is None:
        return None
    return _unit_of(field.model._meta.label, field.name)


def bare_label(label: str) -> str:
    """A field's label without its bracketed unit: "总投资（万元）" -> "总投资"."""
    match = _BRACKETED_RE.match(label)
    return match["name"] if match and match["name"] else label


# --------------------------------------------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------------------------------------------

_DATE_RES = (
    re.compile(r"(?P<y>\d{4})\s*[-/.]\s*(?P<m>\d{1,2})\s*[-/.]\s*(?P<d>\d{1,2})"),
    re.compile(r"(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]?"),
    re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})"),
)


def _tidy(text: str) -> str:
    """Full-width to half-width (NFKC: "２０１５" -> "2015", "，" -> ","), no surrounding spaces."""
    return unicodedata.normalize("NFKC", text).strip()


def read_date(text: str) -> dt.date:
    """The date of a typed value in any accepted form; NotReadable otherwise (also for 2015-02-30)."""
    tidy = _tidy(text)
    for pattern in _DATE_RES:
        match = pattern.fullmatch(tidy)
        if match:
            try:
                return dt.date(int(match["y"]), int(match["m"]), int(match["d"]))
            except ValueError as exc:
                raise NotReadable(text) from exc
    raise NotReadable(text)


# --------------------------------------------------------------------------------------------------------------
# Numbers
# --------------------------------------------------------------------------------------------------------------

_GROUPED_RE = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_PLAIN_RE = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")


def read_number(text: str, unit: Unit | None = None) -> Decimal:
    """The number of a typed value: thousands separators (1,200 and 1，200), full-width digits, spaces around, and
    the field's own unit after it are accepted; NotReadable otherwise."""
    tidy = _tidy(text)
    if unit is not None:
        lowered = tidy.lower()
        for written in unit.written:
            if lowered.endswith(written.lower()) and len(tidy) > len(written):
                tidy = tidy[: -len(written)].rstrip()
                break
    tidy = tidy.replace(" ", "")
    if _GROUPED_RE.fullmatch(tidy):
        tidy = tidy.replace(",", "")
    elif not _PLAIN_RE.fullmatch(tidy):
        raise NotReadable(text)
    try:
        return Decimal(tidy)
    except InvalidOperation as exc:  # pragma: no cover - the patterns above only let numbers through
        raise NotReadable(text) from exc


def read(field: models.Field, raw):
    """A typed value of a date or number field as the text Django's `to_python` reads ("2015-03-08", "1200"); any
    other field or value is returned as it is. NotReadable when a date or number field's text cannot be read."""
    if not isinstance(raw, str) or raw.strip() == "":
        return raw
    if isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField):
        return read_date(raw).isoformat()
    if isinstance(field, models.DecimalField | models.IntegerField) and not isinstance(field, models.ForeignKey):
        number = read_number(raw, unit_of(field))
        return format(number, "f")
    return raw
