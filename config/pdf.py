"""The platform's PDF toolkit (issue 12: the printable record, the qualification list's export), on reportlab.

    doc = PdfDocument(_("Qualification list"), subject="…")
    doc.heading(_("Records"))
    doc.paragraph("一段很长的中文说明……")          # escaped and wrapped, Chinese included
    doc.key_values([(_("Name"), name), (_("Grade"), "A")], columns=2)
    doc.table([_("Stage"), _("Grade")], rows)
    doc.add(qr_code("https://…/public/verify/abc/"))
    pdf_bytes = doc.build()

Every page carries the platform's header (the document's title, the platform's name) and footer (page x / y, the time
it was printed in Asia/Shanghai); `watermark=` writes a line across every page (e.g. "未审核 — 仅供核对").

**Chinese text.** reportlab cannot embed the OpenType/CFF Noto CJK fonts Debian installs (fonts-noto-cjk). It embeds
(a subset of) a TrueType CJK font when one is installed — `FONT_FILES`, the Dockerfile installs fonts-wqy-zenhei —
and otherwise falls back on the CID font STSong-Light, which needs no file (the reader's Adobe-GB1 font draws it).
Either way the text is extractable (pypdf reads it back; tests/test_pdf.py). All text of the toolkit is in that font.
"""

from __future__ import annotations

import datetime
import io
import os
from collections.abc import Iterable, Sequence
from functools import lru_cache
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as pdf_canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

SHANGHAI = ZoneInfo("Asia/Shanghai")

#: TrueType CJK fonts reportlab can embed, first found wins: (path, index in a .ttc collection).
FONT_FILES: tuple[tuple[str, int], ...] = (
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),  # Debian fonts-wqy-zenhei (the Dockerfile installs it)
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),  # Debian fonts-wqy-microhei
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0),  # Debian fonts-droid-fallback
)
EMBEDDED_FONT = "CJK"
CID_FONT = "STSong-Light"

PAGE_SIZE = A4
MARGIN = 18 * mm
TEXT_COLOR = colors.HexColor("#1f2933")
RULE_COLOR = colors.HexColor("#9aa5b1")
SHADE = colors.HexColor("#eef2f6")


@lru_cache(maxsize=1)
def cjk_font() -> str:
    """The name of the registered font that writes Chinese: an embedded TrueType font when one is installed, else
    the CID font STSong-Light. Registered once per process."""
    return register_cjk_font(FONT_FILES)


def register_cjk_font(candidates: Iterable[tuple[str, int]]) -> str:
    """Register the first candidate file that exists (as EMBEDDED_FONT), or STSong-Light; return the font's name."""
    for path, index in candidates:
        if os.path.exists(path):
            try:
                pdfmetrics.registerFont(TTFont(EMBEDDED_FONT, path, subfontIndex=index))
            except Exception:  # a file reportlab cannot read (e.g. CFF outlines): try the next one
                continue
            return EMBEDDED_FONT
    pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
    return CID_FONT


def styles(font: str | None = None) -> dict[str, ParagraphStyle]:
    """The toolkit's paragraph styles, all in the CJK font and wrapping Chinese text anywhere (wordWrap CJK)."""
    font = font or cjk_font()
    base = ParagraphStyle("body", fontName=font, fontSize=9.5, leading=13.5, textColor=TEXT_COLOR, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", parent=base, fontSize=16, leading=22, alignment=TA_CENTER, spaceAfter=4 * mm),
        "h1": ParagraphStyle("h1", parent=base, fontSize=12.5, leading=17, spaceBefore=4 * mm, spaceAfter=2 * mm),
        "h2": ParagraphStyle("h2", parent=base, fontSize=10.5, leading=15, spaceBefore=3 * mm, spaceAfter=1.5 * mm),
        "body": base,
        "cell": ParagraphStyle("cell", parent=base, fontSize=8.5, leading=11.5),
        "label": ParagraphStyle("label", parent=base, fontSize=8.5, leading=11.5, textColor=colors.HexColor("#52606d")),
        "small": ParagraphStyle("small", parent=base, fontSize=7.5, leading=10),
    }


def text(value) -> str:
    """A value as paragraph markup: None → "", everything escaped (a firm's name may hold '<' or '&')."""
    return escape("" if value is None else str(value)).replace("\n", "<br/>")


def printed_at(now: datetime.datetime | None = None) -> str:
    """The time of printing as the footer writes it, in Asia/Shanghai: 2026-12-07 14:05."""
    return timezone.localtime(now or timezone.now(), SHANGHAI).strftime("%Y-%m-%d %H:%M")


class QrCode(Drawing):
    """A QR code as a flowable, `size` wide and high; `value` is what it encodes (tests read it back from here)."""

    def __init__(self, value: str, size: float = 32 * mm):
        widget = QrCodeWidget(value, barLevel="M")
        x0, y0, x1, y1 = widget.getBounds()
        super().__init__(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
        self.add(widget)

    @property
    def value(self) -> str:
        return self.contents[0].value


def qr_code(value: str, size: float = 32 * mm) -> QrCode:
    return QrCode(value, size)


class _NumberedCanvas(pdf_canvas.Canvas):
    """Keeps every page until the end so that the footer can say "page x / y"."""

    def __init__(self, *args, decorate=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []
        self._decorate = decorate

    def showPage(self):  # reportlab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            if self._decorate is not None:
                self._decorate(self, self._pageNumber, total)
            super().showPage()
        super().save()


class PdfDocument:
    """An A4 document with the platform's header and footer; add content with the helpers, then `build()`."""

    def __init__(
        self,
        title: str,
        *,
        subject: str = "",
        watermark: str = "",
        now: datetime.datetime | None = None,
        page_size=PAGE_SIZE,
        font: str | None = None,
    ):
        self.title = str(title)
        self.subject = str(subject)
        self.watermark = str(watermark)
        self.printed_at = printed_at(now)
        self.page_size = page_size
        self.font = font or cjk_font()
        self.styles = styles(self.font)
        self.story: list[Flowable] = []

    @property
    def width(self) -> float:
        """The width of the text frame."""
        return self.page_size[0] - 2 * MARGIN

    # ---- content -------------------------------------------------------------------------------------------------
    def add(self, *flowables: Flowable) -> PdfDocument:
        self.story.extend(flowables)
        return self

    def title_block(self, heading: str, subtitle: str = "") -> PdfDocument:
        self.add(Paragraph(text(heading), self.styles["title"]))
        if subtitle:
            centred = ParagraphStyle("subtitle", parent=self.styles["body"], alignment=TA_CENTER)
            self.add(Paragraph(text(subtitle), centred))
            self.add(Spacer(1, 3 * mm))
        return self

    def heading(self, value: str, level: int = 1) -> PdfDocument:
        return self.add(Paragraph(text(value), self.styles["h1" if level <= 1 else "h2"]))

    def paragraph(self, value: str, style: str = "body") -> PdfDocument:
        return self.add(Paragraph(text(value), self.styles[style]))

    def spacer(self, height: float = 3 * mm) -> PdfDocument:
        return self.add(Spacer(1, height))

    def key_values(self, pairs: Sequence[tuple[str, object]], columns: int = 2) -> PdfDocument:
        """Label/value pairs in a grid of `columns` pairs per row; long values wrap inside their cell."""
        pairs = list(pairs)
        if not pairs:
            return self
        label_w = 30 * mm if columns > 1 else 38 * mm
        value_w = (self.width - columns * label_w) / columns
        cell, label = self.styles["cell"], self.styles["label"]
        rows = []
        for start in range(0, len(pairs), columns):
            row: list = []
            for name, value in pairs[start : start + columns]:
                row += [Paragraph(text(name), label), Paragraph(text(value), cell)]
            row += [""] * (2 * columns - len(row))
            rows.append(row)
        table = Table(rows, colWidths=[label_w, value_w] * columns, hAlign="LEFT")
        commands = [
            ("GRID", (0, 0), (-1, -1), 0.4, RULE_COLOR),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ]
        commands += [("BACKGROUND", (2 * i, 0), (2 * i, -1), SHADE) for i in range(columns)]
        table.setStyle(TableStyle(commands))
        return self.add(table)

    def table(
        self, header: Sequence[str], rows: Iterable[Sequence[object]], widths: Sequence[float] | None = None
    ) -> PdfDocument:
        """A data table: a shaded header row repeated on every page, each cell a wrapping paragraph. `widths` are
        relative (they are scaled to the frame); equal columns when left out."""
        header = list(header)
        weights = list(widths) if widths else [1] * len(header)
        col_widths = [self.width * w / sum(weights) for w in weights]
        cell = self.styles["cell"]
        data = [[Paragraph(text(h), self.styles["label"]) for h in header]]
        data += [[Paragraph(text(v), cell) for v in row] for row in rows]
        table = Table(data, colWidths=col_widths, repeatRows=1, hAlign="LEFT")
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.4, RULE_COLOR),
                    ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("TOPPADDING", (0, 0), (-1, -1), 2),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
                ]
            )
        )
        return self.add(table)

    # ---- output --------------------------------------------------------------------------------------------------
    def _decorate(self, canvas, page: int, pages: int) -> None:
        width, height = self.page_size
        canvas.saveState()
        canvas.setFillColor(TEXT_COLOR)
        canvas.setStrokeColor(RULE_COLOR)
        canvas.setFont(self.font, 8)
        canvas.drawString(MARGIN, height - 11 * mm, self.title)
        canvas.drawRightString(width - MARGIN, height - 11 * mm, _("Performance Backfill Platform"))
        canvas.line(MARGIN, height - 12.5 * mm, width - MARGIN, height - 12.5 * mm)
        canvas.line(MARGIN, 12.5 * mm, width - MARGIN, 12.5 * mm)
        canvas.drawString(MARGIN, 8.5 * mm, _("Printed at %(time)s (Beijing time)") % {"time": self.printed_at})
        canvas.drawRightString(
            width - MARGIN, 8.5 * mm, _("Page %(page)s of %(pages)s") % {"page": page, "pages": pages}
        )
        if self.watermark:
            canvas.setFillColor(colors.Color(0.75, 0.1, 0.1, alpha=0.18))
            canvas.setFont(self.font, 30)
            canvas.translate(width / 2, height / 2)
            canvas.rotate(35)
            canvas.drawCentredString(0, 0, self.watermark)
        canvas.restoreState()

    def build(self) -> bytes:
        """The PDF's bytes."""
        buffer = io.BytesIO()
        doc = SimpleDocTemplate(
            buffer,
            pagesize=self.page_size,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN,
            bottomMargin=MARGIN,
            title=self.title,
            subject=self.subject,
            author=_("Performance Backfill Platform"),
            creator=_("Performance Backfill Platform"),
        )
        decorate = self._decorate

        def make_canvas(*args, **kwargs):
            return _NumberedCanvas(*args, decorate=decorate, **kwargs)

        doc.build(self.story or [Spacer(1, 1)], canvasmaker=make_canvas)
        return buffer.getvalue()
