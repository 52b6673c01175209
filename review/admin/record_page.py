"""The review queue's record page as data: every section of the record, read-only, built from one description.

The sections and their parts are `grading.rules.SECTIONS` (the national tables in the notice's order, with their
mandatory fields); the fields of each part are the ones the enterprise fills in (`projects.services.
editable_fields`, the same list as the portal's forms and the API), labelled by their verbose names. Codes are
shown by their names, empty fields visibly empty, and each problem of the rule check next to its field and its
section. Nothing here queries the database: `RECORD_PAGE_RELATED` / `RECORD_PAGE_PREFETCH` load the record and all
its rows in a fixed number of queries, whatever the number of rows (issue 5 item 2).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Prefetch
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import pii
from grading import rules
from grading.checks import Problem
from projects.models import Attachment, AttachmentKind, ProjectCorp, Record
from projects.services import editable_fields

#: What the record page reads, loaded with the record (grading.checks.load_record reads the same, so the rule check
#: runs on this record without loading it again).
RECORD_PAGE_RELATED = (
    "project__county",
    "campaign",
    "track",
    "tender",
    "contract",
    "censor",
    "licence",
    "finish_check",
    "finish_record",
)
RECORD_PAGE_PREFETCH = (
    "project__units",
    Prefetch("corps", queryset=ProjectCorp.objects.select_related("unit")),
    "persons",
    "censor__staff",
    Prefetch("attachments", queryset=Attachment.objects.order_by("kind", "uploaded_at", "id")),
)

#: Previewed inline on the page (the portal accepts PDF, JPEG and PNG).
PREVIEW_TYPES = {"application/pdf": "pdf", "image/jpeg": "image", "image/png": "image"}


@dataclass
class Cell:
    label: str
    text: str  # "" when the field is empty
    required: bool = False
    problem: str = ""
    #: personal data (accounts.pii): the key its 显示 button posts ("" for any other field), and whether the
    #: official revealed it for this page (else `text` is masked)
    pii_key: str = ""
    revealed: bool = False

    @property
    def empty(self) -> bool:
        return self.text == ""

    @property
    def masked(self) -> bool:
        return bool(self.pii_key) and not self.revealed and not self.empty

    @property
    def anchor(self) -> str:
        return "pii-" + self.pii_key.replace(".", "-").replace(":", "-") if self.pii_key else ""


@dataclass
class Column:
    label: str
    required: bool


@dataclass
class PartBlock:
    key: str
    label: str
    many: bool
    cells: list[Cell] = field(default_factory=list)  # a one-to-one stage
    entered: bool = True  # False: the stage was never entered
    columns: list[Column] = field(default_factory=list)  # rows
    rows: list[list[Cell]] = field(default_factory=list)


@dataclass
class SectionBlock:
    key: str
    label: str
    parts: list[PartBlock]
    problems: list[Problem] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"section-{self.key}"

    @property
    def has_content(self) -> bool:
        """Shown open on the page: something was entered, or something is wrong (an empty section stays closed)."""
        return bool(self.problems) or any((p.rows if p.many else p.entered) for p in self.parts)


@dataclass
class AttachmentRow:
    kind: str
    name: str
    size: int
    uploaded_at: dt.datetime
    url: str  # "" when the permission-checked URL is not installed
    preview: str  # "pdf", "image" or ""


@dataclass
class RequiredKind:
    label: str
    present: bool


@dataclass
class AttachmentsBlock:
    label: str
    rows: list[AttachmentRow]
    required: list[RequiredKind]
    problems: list[Problem]


_FIELDS: dict[str, list[models.Field]] = {}


def part_fields(part: rules.Part) -> list[models.Field]:
    """The fields of a part the page shows: what the enterprise enters, without the fields review sets."""
    if part.key not in _FIELDS:
        _FIELDS[part.key] = [f for f in editable_fields(part.model) if f.name not in rules.SYSTEM_FIELDS]
    return _FIELDS[part.key]


#: Fields whose empty value has a meaning of its own (the enterprise's form offers it as a choice).
EMPTY_MEANS = {"unit": gettext_lazy("— whole project —")}  # a participating unit or person of the whole project


def display(f: models.Field, obj: models.Model) -> str:
    """The stored value as a reader sees it: the name of a code, 是/否, the related row's name; "" when empty."""
    value = getattr(obj, f.attname)
    if value is None and f.name in EMPTY_MEANS:
        return str(EMPTY_MEANS[f.name])
    if value is None or (isinstance(value, str) and not value.strip()):
        return ""
    if isinstance(f, models.ForeignKey):
        related = getattr(obj, f.name) if f.is_cached(obj) else None  # loaded with the record, never queried here
        return str(related) if related is not None else str(value)
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))  # a code outside the table: shown as stored
    if isinstance(value, Decimal):
        text = format(value, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _stage(record: Record, key: str) -> models.Model | None:
    if key == "project":
        return record.project
    try:
        return getattr(record, key)
    except ObjectDoesNotExist:
        return None


def _rows(record: Record, key: str) -> list[models.Model]:
    # the model's ordering: the order grading indexes rows by, so problem paths name the same rows
    if key == "units":
        return list(record.project.units.all())
    if key == "censor_staff":
        censor = _stage(record, "censor")
        return list(censor.staff.all()) if censor is not None else []
    return list(getattr(record, key).all())


def _part(record: Record, part: rules.Part, by_path: dict[str, str], revealed: frozenset[str]) -> PartBlock:
    fields = part_fields(part)
    block = PartBlock(part.key, str(part.label), part.many)
    personal = pii.pii_fields(part.model)

    def cell(f: models.Field, obj: models.Model | None, prefix: str) -> Cell:
        path = f"{prefix}.{f.name}"
        text = display(f, obj) if obj is not None else ""
        made = Cell(str(f.verbose_name), text, rules.is_required(path), by_path.get(path, ""))
        if f.name in personal and obj is not None and text:
            # ID and phone numbers masked unless the official revealed this one (logged by review.PiiReveal)
            made.pii_key = pii.reveal_key(part.model, obj.pk, f.name)
            made.revealed = made.pii_key in revealed
            if not made.revealed:
                made.text = pii.mask(personal[f.name], text)
        return made

    if not part.many:
        obj = _stage(record, part.key)
        block.entered = obj is not None
        block.cells = [cell(f, obj, part.key) for f in fields]
        return block
    block.columns = [Column(str(f.verbose_name), rules.is_required(f"{part.key}.{f.name}")) for f in fields]
    block.rows = [
        [cell(f, obj, f"{part.key}[{index}]") for f in fields] for index, obj in enumerate(_rows(record, part.key))
    ]
    return block


def record_sections(
    record: Record, problems: list[Problem], revealed: frozenset[str] = frozenset()
) -> list[SectionBlock]:
    """Every section of the record but the attachments, in the page's order, each with its problems; ID and phone
    numbers masked but those `revealed` (accounts.pii keys) for this page."""
    by_path: dict[str, str] = {}
    for problem in problems:
        if problem.path:
            by_path.setdefault(problem.path, problem.message)
    sections = []
    for section in rules.SECTIONS:
        if section.key == rules.ATTACHMENTS_SECTION:
            continue
        sections.append(
            SectionBlock(
                section.key,
                str(section.label),
                [_part(record, part, by_path, revealed) for part in section.parts],
                [p for p in problems if p.section == section.key],
            )
        )
    return sections


def attachment_url(attachment_id: int) -> str:
    """The portal's permission-checked URL of the file (config/access.py lets officials open it)."""
    try:
        return reverse("portal:attachment", args=[attachment_id])
    except NoReverseMatch:
        return ""


def record_attachments(record: Record, problems: list[Problem]) -> AttachmentsBlock:
    """The record's attachments with their links and previews, and which required kinds are present."""
    attachments = list(record.attachments.all())
    present = {a.kind for a in attachments}
    rows = [
        AttachmentRow(
            kind=str(AttachmentKind(a.kind).label) if a.kind in AttachmentKind.values else a.kind,
            name=a.original_name,
            size=a.size,
            uploaded_at=a.uploaded_at,
            url=attachment_url(a.pk),
            preview=PREVIEW_TYPES.get(a.content_type, ""),
        )
        for a in attachments
    ]
    required = [RequiredKind(str(AttachmentKind(kind).label), kind in present) for kind in rules.REQUIRED_ATTACHMENTS]
    section = rules.SECTION_BY_KEY[rules.ATTACHMENTS_SECTION]
    return AttachmentsBlock(
        str(section.label), rows, required, [p for p in problems if p.section == rules.ATTACHMENTS_SECTION]
    )
