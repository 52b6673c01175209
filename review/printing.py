"""打印 (issue 12 item 5): a record as a PDF whose paper copy anyone can check.

The PDF holds the record's sections (the review page's read-only description, `review.admin.record_page`), the grade
of each stage with its reviewing department and reviewer (信息审核部门 / 信息审核人, J9), the decision (who, when:
`review.selectors.latest_decision`) — ID and phone numbers masked (accounts.pii) — and, for a published record
(`Record.objects.published()`, 公示), a verification code with its QR code. The QR opens `/public/verify/<code>/`
(public/verify.py), which tells whether the paper is the record's current published content.

**The verification code** `<record id>-<edition>-<12 characters>`, e.g. `1234-2-7KQ3MXA9P2TD`: the record, its
published version (Record.edition, P4) and two keyed digests (HMAC-SHA256 with SECRET_KEY, base32) — the first 6
characters sign the record id and edition (so only a code this platform printed is recognised, whichever version it
is of), the last 6 sign the printed content too (`content_digest`). The code is current when the record is
published, its edition is the record's and its content still is the record's content; an older edition, or the same
edition whose content has since changed, is an outdated copy; a record no longer published (fraud, G10) has no valid
copy. A record that is not published prints marked "未审核 — 仅供核对" and with no code.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from config.pdf import PdfDocument, mm, qr_code
from grading import rules
from grading.eligibility import record_grade
from projects import codes
from projects.models import Record

from .admin.record_page import RECORD_PAGE_PREFETCH, RECORD_PAGE_RELATED, SectionBlock, part_fields, record_sections
from .admin.record_page import _rows as page_rows  # a part's rows in the page's order
from .models import RecordTransition
from .selectors import decision_sentence, latest_decision

#: The stages that carry a grade (StageFields), in the notice's order: the record's relation names.
GRADED_STAGES = ("project", "censor", "tender", "contract", "licence", "finish_check", "finish_record")
#: More columns than this and a part's rows print as blocks of label / value, not as a table.
TABLE_COLUMNS = 6


# ------------------------------------------------------------------------------------------------------------------
# Loading
# ------------------------------------------------------------------------------------------------------------------


def printable(records: QuerySet[Record], pk: int) -> Record:
    """The record `pk` of `records` (a scoped queryset: Record.visible_to(user)) with everything the PDF prints, in a
    fixed number of queries; 404 when it is not among them."""
    record = get_object_or_404(
        records.select_related("enterprise", *RECORD_PAGE_RELATED).prefetch_related(*RECORD_PAGE_PREFETCH), pk=pk
    )
    record._grading_loaded = True
    return record


# ------------------------------------------------------------------------------------------------------------------
# The verification code
# ------------------------------------------------------------------------------------------------------------------

CODE_RE = re.compile(r"^(?P<pk>[1-9][0-9]{0,11})-(?P<edition>[1-9][0-9]{0,5})-(?P<mac>[A-Z2-7]{12})$")


def _stage(record: Record, key: str):
    if key == "project":
        return record.project
    try:
        return getattr(record, key)
    except ObjectDoesNotExist:
        return None


def _raw(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return str(value)


def content_digest(record: Record, decision: RecordTransition | None = None) -> str:
    """SHA-256 of what the PDF prints, from stored values (the same in every language): every field of every part
    the page shows, each stage's grade, reviewing department, reviewer and data source, the enterprise, the decision.
    Push-only values (national numbers) and times of saving are left out: pushing a record does not outdate its
    printed copies."""
    decision = decision if decision is not None else latest_decision(record)
    content: dict = {"enterprise": record.enterprise_id, "project": record.project_id}
    for part in rules.PARTS:
        fields = part_fields(part)
        if part.many:
            content[part.key] = [[_raw(getattr(row, f.attname)) for f in fields] for row in page_rows(record, part.key)]
        else:
            obj = _stage(record, part.key)
            content[part.key] = None if obj is None else [_raw(getattr(obj, f.attname)) for f in fields]
    for key in GRADED_STAGES:
        obj = _stage(record, key)
        if obj is not None:
            content[f"grade:{key}"] = [
                obj.data_level,
                obj.check_depart_name,
                obj.check_person_name,
                _raw(obj.data_source),
            ]
    if decision is not None:
        content["decision"] = [decision.pk, decision.to_status, _raw(decision.at), decision.actor_name, decision.by]
    text = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _mac(message: str) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), f"record-print:{message}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode()[:6]


def verification_code(record: Record, digest: str | None = None) -> str:
    """The code printed on a published record's copy: `<id>-<edition>-<6 of the version><6 of the content>`."""
    digest = digest or content_digest(record)
    edition = f"{record.pk}-{record.edition}"
    return f"{edition}-{_mac(edition)}{_mac(f'{edition}:{digest}')}"


def verify_url(code: str) -> str:
    """The absolute address the QR code opens (settings.SITE_URL: the platform's public address)."""
    return settings.SITE_URL + reverse("public:verify", args=[code])


def public_record_url(pk: int) -> str:
    """The record's public page, /public/records/<pk>/ (public/ builds it)."""
    try:
        return reverse("public:record", args=[pk])
    except NoReverseMatch:  # the public record page is not installed (yet): its address all the same
        return f"/public/records/{pk}/"


class Verdict:
    CURRENT = "current"  # the record's current published content
    OUTDATED = "outdated"  # a version of it, no longer the current one
    NOT_PUBLISHED = "not_published"  # printed from the record, which is no longer published (e.g. fraud, G10)
    UNKNOWN = "unknown"  # no code this platform printed


@dataclass(frozen=True)
class Verification:
    verdict: str
    record: Record | None = None  # the record, once the code is known to be ours
    edition: int | None = None  # the version the paper was printed from

    @property
    def public_url(self) -> str:
        """The record's public page (public/), for a record that is published now; "" otherwise."""
        if self.record is None or not self.record.is_published:
            return ""
        return public_record_url(self.record.pk)


def normalise_code(code: str) -> str:
    """A code as typed or read from paper: spaces dropped, upper case, O→0 is not guessed."""
    return re.sub(r"\s+", "", str(code or "")).upper()


def verify(code: str) -> Verification:
    """What a printed copy's code says now (see the module's text)."""
    match = CODE_RE.match(normalise_code(code))
    if match is None:
        return Verification(Verdict.UNKNOWN)
    pk, edition, mac = int(match["pk"]), int(match["edition"]), match["mac"]
    version = f"{pk}-{edition}"
    if not hmac.compare_digest(mac[:6], _mac(version)):
        return Verification(Verdict.UNKNOWN)
    record = Record.objects.claims().filter(pk=pk).first()
    if record is None or edition > record.edition:
        return Verification(Verdict.UNKNOWN)
    if not record.is_published:  # e.g. found fraudulent since (G10): no copy of it is valid
        return Verification(Verdict.NOT_PUBLISHED, record, edition)
    if edition < record.edition:
        return Verification(Verdict.OUTDATED, record, edition)
    record = printable(Record.objects.claims(), pk)
    if not hmac.compare_digest(mac[6:], _mac(f"{version}:{content_digest(record)}")):
        return Verification(Verdict.OUTDATED, record, edition)  # same version, content changed since
    return Verification(Verdict.CURRENT, record, edition)


# ------------------------------------------------------------------------------------------------------------------
# The PDF
# ------------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StageGrade:
    key: str
    name: str
    entered: bool
    grade: str
    department: str
    person: str
    source: str


def stage_grades(record: Record) -> list[StageGrade]:
    """Each graded stage: its grade (A/B/C/D), 信息审核部门, 信息审核人 and 数据来源; "" where not set yet."""
    grades = []
    for key in GRADED_STAGES:
        obj = _stage(record, key)
        name = str(rules.PART_BY_KEY[key].label)
        if obj is None:
            grades.append(StageGrade(key, name, False, "", "", "", ""))
            continue
        source = str(codes.DataSource(obj.data_source).label) if obj.data_source in codes.DataSource.values else ""
        grades.append(StageGrade(key, name, True, obj.data_level, obj.check_depart_name, obj.check_person_name, source))
    return grades


DASH = "—"


def _sections(doc: PdfDocument, sections: list[SectionBlock]) -> None:
    for section in sections:
        doc.heading(section.label)
        for part in section.parts:
            if len(section.parts) > 1:
                doc.heading(part.label, level=2)
            if not part.many:
                if not part.entered:
                    doc.paragraph(_("Not entered."))
                    continue
                doc.key_values([(c.label, c.text or DASH) for c in part.cells], columns=2)
                continue
            if not part.rows:
                doc.paragraph(_("No rows."))
            elif len(part.columns) <= TABLE_COLUMNS:
                doc.table([c.label for c in part.columns], [[c.text or DASH for c in row] for row in part.rows])
            else:
                for index, row in enumerate(part.rows, start=1):
                    doc.paragraph(_("Row %(row)s") % {"row": index}, style="label")
                    doc.key_values([(c.label, c.text or DASH) for c in row], columns=2)
                    doc.spacer(2 * mm)


def _summary(record: Record, decision: RecordTransition | None, code: str) -> list[tuple[str, str]]:
    enterprise = record.enterprise
    pairs = [
        (_("Project name"), record.project.prj_name),
        (_("Project number"), record.project.prj_num or DASH),
        (_("Enterprise"), enterprise.name),
        (_("Unified social credit code"), enterprise.credit_code),
        (_("Campaign"), record.campaign.name),
        (_("Status"), record.get_status_display()),
        (_("Grade"), record_grade(record) or DASH),
        (_("Published version"), str(record.edition)),
        (_("Decision"), decision_sentence(record, decision) if decision is not None else DASH),
    ]
    if decision is not None and decision.reason:
        pairs.append((_("Reason"), decision.reason))
    if code:
        pairs.append((_("Verification code"), code))
    return pairs


def record_pdf(record: Record, *, now: dt.datetime | None = None) -> bytes:
    """The printable record: published, with its verification code and QR; otherwise marked "未审核 — 仅供核对"
    (not reviewed, for checking only) on every page, without a code. `record` as `printable` loads it."""
    published = record.is_published
    decision = latest_decision(record)
    code = verification_code(record, content_digest(record, decision)) if published else ""
    watermark = "" if published else _("Not reviewed — for checking only")
    doc = PdfDocument(
        _("Project performance record"),
        subject=f"{record.project.prj_name} ({record.project.prj_num})",
        watermark=watermark,
        now=now,
    )
    doc.title_block(_("Project performance record"), record.project.prj_name)
    if not published:
        doc.paragraph(
            _(
                "Not reviewed — for checking only. This record is not published (%(status)s): this copy carries no "
                "verification code and proves nothing."
            )
            % {"status": record.get_status_display()}
        )
        doc.spacer()
    doc.key_values(_summary(record, decision, code), columns=1)

    doc.heading(_("Grades and reviewing authorities"))
    doc.table(
        [_("Stage"), _("Grade"), _("Reviewing department"), _("Reviewer"), _("Data source")],
        [
            [g.name, g.grade or DASH, g.department or DASH, g.person or DASH, g.source or DASH]
            if g.entered
            else [g.name, _("Not entered."), "", "", ""]
            for g in stage_grades(record)
        ],
        widths=[2.2, 1, 3.6, 1.6, 1.8],
    )
    # every section, read-only, ID and phone numbers masked (nothing revealed on paper)
    _sections(doc, record_sections(record, [], revealed=frozenset()))

    if published:
        url = verify_url(code)
        doc.heading(_("Verification"))
        doc.paragraph(
            _(
                "Scan the QR code or open %(url)s to see whether this copy is the record's current published "
                "content. Verification code: %(code)s"
            )
            % {"url": url, "code": code}
        )
        doc.spacer()
        doc.add(qr_code(url, size=34 * mm))
    return doc.build()


def filename(record: Record) -> str:
    """The download's name: record-1234-v2.pdf (ASCII, whatever the project's name)."""
    return f"record-{record.pk}-v{record.edition}.pdf"


def pdf_response(record: Record) -> HttpResponse:
    """The record's PDF shown in the browser (its viewer prints it), saved as `filename`; never cached."""
    response = HttpResponse(record_pdf(record), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename(record)}"'
    response["Cache-Control"] = "private, no-store"
    return response
