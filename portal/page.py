"""The record page as data: sections (grading.rules.SECTIONS), their fields with labels, widgets, red stars and values.

The page, the POST it sends and `projects.services.record_save` share one shape of data:
{"project": {...}, "tender": {...}, …, "units": [{"id": "12", ...}, ...], "corps": [...], ...}, values as typed
strings. Form names are the paths grading uses ("tender.tender_money", "corps[0].corp_code"), input ids are those
paths made safe for HTML ("f-tender-tender_money", "f-corps-0-corp_code"), so a submit problem links to its input.

Values shown come, in this order, from: the user's own POST (a refused save is shown back as posted), the values
kept as typed in `record.draft_inputs` (shown with a warning), the database.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.utils.html import conditional_escape
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.models import Region
from grading import rules
from grading.checks import Problem, place_of
from projects import carry, codes
from projects.models import Record, UnitProject
from projects.selectors import PROJECT_IDENTITY_FIELDS, SHARED_PARTS, SharedAccess
from projects.services import editable_fields, shared_part_note

from . import selectors

ROW_PARTS = ("units", "corps", "persons", "censor_staff")
STAGE_PARTS = ("project", "tender", "contract", "censor", "licence", "finish_check", "finish_record")
_STAGE_RE = re.compile(rf"^({'|'.join(STAGE_PARTS)})\.(\w+)$")
_ROW_RE = re.compile(rf"^({'|'.join(ROW_PARTS)})\[(\d+)\]\.(\w+)$")
_LONG_TEXT = 300  # CharFields longer than this are text areas


def field_id(path: str) -> str:
    """The HTML id of the input for a grading path: "corps[0].corp_code" -> "f-corps-0-corp_code"."""
    return "f-" + re.sub(r"[\[\].]+", "-", path).strip("-")


def to_text(field: models.Field, value) -> str:
    """A stored value as the string an input shows (and posts back)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, Decimal):
        text = format(value, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


# --------------------------------------------------------------------------------------------------------------
# Field specifications (per model, computed once)
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Spec:
    field: models.Field
    widget: str  # text, textarea, select, bool, date, number, region, unit

    @property
    def name(self) -> str:
        return self.field.name


def _widget(f: models.Field) -> str:
    if isinstance(f, models.ForeignKey):
        return "region" if f.related_model is Region else "unit" if f.related_model is UnitProject else "text"
    if isinstance(f, models.BooleanField):
        return "bool"
    if f.choices:
        return "select"
    if isinstance(f, models.DateField):
        return "date"
    if isinstance(f, models.DecimalField | models.IntegerField):
        return "number"
    if isinstance(f, models.TextField) or (f.max_length or 0) > _LONG_TEXT:
        return "textarea"
    return "text"


_SPECS: dict[str, list[Spec]] = {}


def specs(part: rules.Part) -> list[Spec]:
    if part.key not in _SPECS:
        _SPECS[part.key] = [
            Spec(f, _widget(f)) for f in editable_fields(part.model) if f.name not in rules.SYSTEM_FIELDS
        ]
    return _SPECS[part.key]


def _defaults(part: rules.Part) -> dict[str, str]:
    return {s.name: to_text(s.field, s.field.get_default()) for s in specs(part)}


# Which 项目分类 each 工程用途 belongs to (rendered as data-types on the options; the page filters the list).
_FUNCTION_TYPES: dict[str, list[str]] = {}
for _type in codes.ProjectType.values:
    for _code in codes.functions_for_type(_type):
        _FUNCTION_TYPES.setdefault(_code, []).append(_type)


# --------------------------------------------------------------------------------------------------------------
# Values: from the database (with draft_inputs) or from a POST
# --------------------------------------------------------------------------------------------------------------


def _obj_values(obj, part: rules.Part) -> dict[str, str]:
    return {s.name: to_text(s.field, getattr(obj, s.field.attname)) for s in specs(part)}


def _stage(record: Record, key: str):
    if key == "project":
        return record.project
    try:
        return getattr(record, key)
    except ObjectDoesNotExist:
        return None


def _rows(record: Record, key: str) -> list:
    # the model's ordering: the order grading indexes rows by (and problem paths name them by)
    if key == "units":
        return list(record.project.units.all())
    if key == "censor_staff":
        censor = _stage(record, "censor")
        return list(censor.staff.all()) if censor is not None else []
    return list(getattr(record, key).all())


def values_from_record(record: Record) -> tuple[dict, set[str]]:
    """The page's values from the database, with the values kept as typed on top; and the kept paths."""
    values: dict = {}
    for part in rules.PARTS:
        if part.many:
            values[part.key] = [{"id": str(obj.pk), **_obj_values(obj, part)} for obj in _rows(record, part.key)]
        else:
            obj = _stage(record, part.key)
            values[part.key] = _obj_values(obj, part) if obj is not None else {}
    kept = set()
    for path, raw in (record.draft_inputs or {}).items():
        head, index, name = rules.split_path(path)
        target = values.get(head)
        if isinstance(target, list):
            target = target[index] if index is not None and index < len(target) else None
        if isinstance(target, dict):
            target[name] = "" if raw is None else str(raw)
            kept.add(path)
    return values, kept


def _blank_row(part: rules.Part, row: dict) -> bool:
    defaults = _defaults(part)
    return all((value or "").strip() in ("", defaults.get(name, "")) for name, value in row.items() if name != "id")


def parse_post(post) -> tuple[dict, int | None]:
    """The record_save data and the page's version from the record page's POST.

    Rows are ordered by their index in the form (the page never renumbers); a new row left blank is dropped; a new
    unit is referred to by its position ("#0", "#1") the way record_save expects it.
    """
    data: dict = {}
    rows: dict[str, dict[int, dict]] = {part: {} for part in post.getlist("rows") if part in ROW_PARTS}
    for key in post:
        if m := _STAGE_RE.match(key):
            data.setdefault(m[1], {})[m[2]] = post.get(key, "")
        elif m := _ROW_RE.match(key):
            rows.setdefault(m[1], {}).setdefault(int(m[2]), {})[m[3]] = post.get(key, "")
    unit_refs: dict[str, str] = {}
    for key in sorted(rows, key=lambda k: k != "units"):  # units first: corps refer to them
        part = rules.PART_BY_KEY[key]
        kept = []
        for index in sorted(rows[key]):
            row = rows[key][index]
            if not row.get("id") and _blank_row(part, row):
                continue
            if key == "units":
                unit_refs[f"#{index}"] = f"#{len(kept)}"
            kept.append(row)
        data[key] = kept
    for row in data.get("corps", []):
        if (row.get("unit") or "").startswith("#"):
            row["unit"] = unit_refs.get(row["unit"], "")
    try:
        version = int(post.get("version", ""))
    except ValueError:
        version = None
    return data, version


# --------------------------------------------------------------------------------------------------------------
# The page's view model
# --------------------------------------------------------------------------------------------------------------


@dataclass
class Option:
    value: str
    label: str
    selected: bool = False
    types: str = ""  # 工程用途: the 项目分类 codes it belongs to


@dataclass
class RegionLevelSelect:
    id: str
    label: str
    options: list[Option]
    hidden: bool = False


@dataclass
class FieldView:
    name: str
    id: str
    label: str
    widget: str
    value: str
    required: bool
    kept: bool = False
    kept_message: str = ""  # a value kept as typed: what the field expects (grading.rules.input_hint)
    help_text: str = ""
    options: Sequence[Option] = field(default_factory=list)  # a code table's: CodeOptions
    regions: list[RegionLevelSelect] = field(default_factory=list)
    problem: str = ""
    carried: str = ""  # the stage a value not yet saved was carried from (projects.carry): "招投标备案"

    @property
    def display(self) -> str:
        """The value as a reader sees it: the name of a code, 是/否, or the text."""
        if self.widget in ("select", "bool", "unit"):
            for option in self.options:
                if option.value == self.value and option.value != "":
                    return option.label
            return self.value
        if self.widget == "region":
            chosen = [o.label for level in self.regions for o in level.options if o.selected]
            return " ".join(chosen) or self.value
        return self.value


@dataclass
class RowView:
    index: str  # "0", "1", … or "__i__" in the template of a new row
    id: str
    fields: list[FieldView]
    number: str  # shown: 1, 2, …


@dataclass
class PartView:
    key: str
    label: str
    many: bool
    readonly: bool
    fields: list[FieldView] = field(default_factory=list)
    rows: list[RowView] = field(default_factory=list)
    template: RowView | None = None
    next_index: int = 0
    note: str = ""


@dataclass
class ProblemView:
    message: str
    href: str
    rule: str


@dataclass
class SectionView:
    key: str
    label: str
    parts: list[PartView]
    filled: int = 0
    required: int = 0
    problems: list[ProblemView] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"s-{self.key}"

    @property
    def percent(self) -> int:
        return 100 if not self.required else round(100 * self.filled / self.required)

    @property
    def complete(self) -> bool:
        return self.filled >= self.required


class RegionPicker:
    """The lists of the region picker for one value, read once per page."""

    def __init__(self) -> None:
        self._provinces: list[Region] | None = None

    def provinces(self) -> list[Region]:
        if self._provinces is None:
            self._provinces = selectors.region_children("")
        return self._provinces

    def selects(self, fid: str, code: str, chain: list[Region] | None = None) -> list[RegionLevelSelect]:
        chain = chain if chain is not None else (selectors.region_chain(code) if code else [])
        chosen = [r.code for r in chain]
        levels = [self.provinces()]
        for parent in chain[:-1] if chain and chain[-1].level == 3 else chain:
            levels.append(selectors.region_children(parent.code))
        while len(levels) < 3:
            levels.append([])
        labels = (_("Province"), _("City"), _("County"))
        result = []
        for depth, (label, regions) in enumerate(zip(labels, levels, strict=True)):
            options = [Option("", _("— choose —"))] + [
                Option(r.code, region_label(r), r.code in chosen) for r in regions
            ]
            # a county directly under a province (省直管县) leaves the third list empty
            hidden = depth == 2 and len(chain) == 2 and chain[-1].level == 3
            result.append(RegionLevelSelect(f"{fid}-l{depth + 1}", str(label), options, hidden))
        return result


def kept_message(path: str) -> str:
    """What a field holding a value kept as typed says under it: not saved, and the format its field expects."""
    expected = rules.input_hint(path)
    if not expected:
        return _("Shown exactly as you typed it: it could not be saved in this field yet. Please correct it.")
    return _("Not saved: %(expected)s. It is shown as you typed it; correct it and save again.") % {
        "expected": expected
    }


def not_saved(record: Record, data: dict) -> list[str]:
    """What a save just kept as typed instead of saving (record_save's `draft_inputs` for the paths it was sent),
    each as the field's place and the value: 基本信息“总投资（万元）”“abc”. For the honest 已保存 message."""
    kept = record.draft_inputs or {}
    sent = []
    for key, value in data.items():
        if isinstance(value, dict):
            sent += [f"{key}.{name}" for name in value]
        elif isinstance(value, list):
            sent += [f"{key}[{i}].{name}" for i, row in enumerate(value) if isinstance(row, dict) for name in row]
    return [
        _("%(place)s “%(value)s”") % {"place": place_of(path), "value": kept[path]} for path in sent if path in kept
    ]


def region_label(region: Region) -> str:
    if region.valid_until is not None:
        return _("%(name)s (until %(year)s)") % {"name": region.name, "year": region.valid_until}
    return region.name


class CodeTable:
    """The options of one code table's select (a field's choices, 是/否), in one language, with each <option>'s
    markup written once (issue 11 item 9: a full record's page holds ~300 such selects, thousands of options)."""

    def __init__(self, rows: list[tuple[str, str, str]]) -> None:
        self.rows = rows  # (value, label, 项目分类 codes)
        self.plain: list[str] = []
        self.chosen: list[str] = []
        self.at: dict[str, list[int]] = {}
        for i, (value, label, types) in enumerate(rows):
            head = f'<option value="{conditional_escape(value)}"'
            tail = (
                f' data-types="{conditional_escape(types)}"' if types else ""
            ) + f">{conditional_escape(label)}</option>"
            self.plain.append(head + tail)
            self.chosen.append(head + " selected" + tail)
            self.at.setdefault(value, []).append(i)


_TABLES: dict[tuple, CodeTable] = {}


def _table(spec: Spec) -> CodeTable:
    """The field's code table in the current language: its labels are lazy translations, cast once per process and
    language, not for each select of each page."""
    f = spec.field
    key = (f.model._meta.label, f.name, spec.widget, get_language())
    table = _TABLES.get(key)
    if table is None:
        if spec.widget == "bool":
            rows = [("", _("— not filled —"), "")] if f.null else []
            rows += [("1", _("Yes"), ""), ("0", _("No"), "")]
        else:
            function = f.name == "prj_function"
            rows = [("", _("— choose —"), "")] + [
                (str(code), str(label), " ".join(_FUNCTION_TYPES.get(code, [])) if function else "")
                for code, label in f.flatchoices
            ]
        table = _TABLES[key] = CodeTable(rows)
    return table


class CodeOptions(Sequence):
    """A select's options from a code table with one value chosen: the options with that value selected, and, for a
    value no longer in the table, one more option showing it as it is (`keep_unknown`). Reads as a list of Option;
    `option_html` is the markup of portal_fast.option_tags for that list, without building it."""

    def __init__(self, table: CodeTable, value: str, *, keep_unknown: bool = True) -> None:
        self.table, self.value = table, value
        self.unknown = bool(value) and keep_unknown and value not in table.at
        self._list: list[Option] | None = None

    def _options(self) -> list[Option]:
        if self._list is None:
            self._list = [Option(v, label, v == self.value, types) for v, label, types in self.table.rows]
            if self.unknown:
                self._list.append(Option(self.value, self.value, True))
        return self._list

    def __getitem__(self, index):
        return self._options()[index]

    def __len__(self) -> int:
        return len(self.table.rows) + self.unknown

    def __iter__(self):
        return iter(self._options())

    def option_html(self) -> str | None:
        if self._list is not None:  # read as a list, and perhaps changed since: written from the list
            return None
        table = self.table
        parts = list(table.plain)
        for i in table.at.get(self.value, ()):
            parts[i] = table.chosen[i]
        if self.unknown:
            value = conditional_escape(self.value)
            parts.append(f'<option value="{value}" selected>{value}</option>')
        return "".join(parts)


def _options(spec: Spec, value: str) -> CodeOptions:
    return CodeOptions(_table(spec), value)


def _unit_options(units: list[dict], value: str) -> list[Option]:
    opts = [Option("", _("— whole project —"))]
    for i, unit in enumerate(units):
        ref = unit.get("id") or f"#{i}"
        label = unit.get("sub_prj_name") or _("Unit project %(n)s") % {"n": i + 1}
        opts.append(Option(ref, label, ref == value))
    return opts


class PageBuilder:
    def __init__(self, record: Record, values: dict, kept: set[str], *, editable: bool, shared: SharedAccess) -> None:
        self.record = record
        self.values = values
        self.kept = kept
        self.editable = editable
        self.shared = shared
        self.regions = RegionPicker()
        self.suggestions: dict[str, carry.Suggestion] = {}

    def field(self, spec: Spec, path: str, value: str, *, required_path: str = "") -> FieldView:
        f = spec.field
        view = FieldView(
            name=path,
            id=field_id(path),
            label=str(f.verbose_name),
            widget=spec.widget,
            value=value,
            required=rules.is_required(required_path or path),
            kept=path in self.kept,
            help_text=str(f.help_text or ""),
        )
        if view.kept:
            view.kept_message = kept_message(path)
        if spec.widget in ("select", "bool"):
            view.options = _options(spec, value)
        elif spec.widget == "unit":
            view.options = _unit_options(self.values.get("units", []), value)
        elif spec.widget == "region":
            chain = None
            county = self.record.project.county
            if value == county.code:
                chain = []
                region = county
                while region is not None:  # loaded with the record (county__parent__parent)
                    chain.insert(0, region)
                    region = region.parent
            view.regions = self.regions.selects(view.id, value, chain)
        return view

    def carry(self, view: FieldView, suggestion: carry.Suggestion) -> None:
        """Prefill an input of a stage not yet entered with what an earlier stage says (saved only by 修改保存)."""
        view.value = suggestion.value
        view.carried = str(rules.PART_BY_KEY[suggestion.source_part].label)
        if isinstance(view.options, CodeOptions):
            view.options = CodeOptions(view.options.table, suggestion.value, keep_unknown=False)
        elif view.options:
            for option in view.options:
                option.selected = option.value == suggestion.value

    def part(self, part: rules.Part) -> PartView:
        shared = part.key in SHARED_PARTS
        readonly = not self.editable or (shared and not self.shared.editable)
        view = PartView(part.key, str(part.label), part.many, readonly)
        if shared and self.editable and not self.shared.editable:
            view.note = shared_part_note(self.shared)
        if not part.many:
            values = self.values.get(part.key) or {}
            defaults = _defaults(part)
            shown = specs(part)
            if shared and not self.shared.visible:  # another firm's entries: only what identifies the project
                shown = [s for s in shown if s.name in PROJECT_IDENTITY_FIELDS]
            view.fields = [self.field(s, f"{part.key}.{s.name}", values.get(s.name, defaults[s.name])) for s in shown]
            if not readonly:
                for f in view.fields:
                    if (suggestion := self.suggestions.get(f.name)) is not None:
                        self.carry(f, suggestion)
            return view
        defaults = _defaults(part)
        for i, row in enumerate(self.values.get(part.key) or []):
            fields = [
                self.field(s, f"{part.key}[{i}].{s.name}", row.get(s.name, defaults[s.name])) for s in specs(part)
            ]
            view.rows.append(RowView(str(i), row.get("id", ""), fields, str(i + 1)))
        view.next_index = len(view.rows)
        if not readonly:  # the template of a new row; portal.js replaces __i__ with the next free index
            fields = [
                self.field(s, f"{part.key}[__i__].{s.name}", defaults[s.name], required_path=f"{part.key}.{s.name}")
                for s in specs(part)
            ]
            view.template = RowView("__i__", "", fields, "")
        return view

    def build(self, completeness: dict[str, tuple[int, int]], problems: list[Problem]) -> list[SectionView]:
        sections = []
        for section in rules.SECTIONS:
            parts = [self.part(p) for p in section.parts]
            filled, required = completeness.get(section.key, (0, 0))
            sections.append(SectionView(section.key, str(section.label), parts, filled, required))
        by_key = {s.key: s for s in sections}
        fields = {
            f.id: f for s in sections for p in s.parts for f in [*p.fields, *(x for r in p.rows for x in r.fields)]
        }
        for problem in problems:
            fid = field_id(problem.path) if problem.path else ""
            if fid in fields:
                href = f"#{fid}"
                fields[fid].problem = fields[fid].problem or problem.message
            elif problem.path.startswith(f"{rules.ATTACHMENTS_SECTION}."):
                href = f"#{fid}"
            elif problem.section:
                href = f"#s-{problem.section}"
            else:
                href = "#problems"
            target = by_key.get(problem.section)
            view = ProblemView(problem.message, href, problem.rule)
            if target is not None:
                target.problems.append(view)
        return sections


def build_sections(
    record: Record,
    *,
    posted: dict | None = None,
    editable: bool,
    shared: SharedAccess,
    completeness: dict[str, tuple[int, int]],
    problems: list[Problem] = (),
) -> list[SectionView]:
    values, kept = values_from_record(record)
    if posted is not None:
        for key, value in posted.items():  # the user's own input wins over the database, section by section
            if key in SHARED_PARTS and not (editable and shared.editable):
                continue  # a part the page shows read-only is shown as stored
            values[key] = value
        kept = {p for p in kept if rules.split_path(p)[0] not in posted}
    if not shared.visible:
        values, kept = mask_shared(values, kept)
    builder = PageBuilder(record, values, kept, editable=editable, shared=shared)
    if editable:  # stages not yet entered are prefilled from the stages before them (not for a posted stage)
        offered = carry.suggestions(values).items()
        builder.suggestions = {p: s for p, s in offered if posted is None or p.split(".")[0] not in posted}
    return builder.build(completeness, list(problems))


def mask_shared(values: dict, kept: set[str]) -> tuple[dict, set[str]]:
    """The page's values without another firm's entries in the shared part (ADR 0008): the project's identity only."""
    values = dict(values)
    values["project"] = {k: v for k, v in (values.get("project") or {}).items() if k in PROJECT_IDENTITY_FIELDS}
    values["units"] = []
    return values, {p for p in kept if rules.split_path(p)[0] not in SHARED_PARTS}


def mask_shared_problems(problems: list[Problem], shared: SharedAccess) -> list[Problem]:
    """Problems of a shared part the claim may not see, as one item that says who enters it (no values leak)."""
    if shared.visible:
        return list(problems)
    own = [p for p in problems if not p.path or rules.split_path(p.path)[0] not in SHARED_PARTS]
    if len(own) == len(problems):
        return own
    note = Problem("project", "", shared_part_note(shared), "shared")
    return [note, *own]


def problems_without_section(problems: list[Problem]) -> list[ProblemView]:
    """Problems of the whole record (G2–G4 of the campaign): shown at the top, linked to nothing."""
    return [ProblemView(p.message, "#problems", p.rule) for p in problems if not p.section]
