"""config/pdf.py, the PDF toolkit: Chinese text that pypdf reads back (embedded TrueType font or the CID font),
the header and footer on every page (title, page x / y, printed-at time in Asia/Shanghai), long Chinese text wrapped,
markup escaped, the QR code's value."""

from __future__ import annotations

import datetime
import io
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from config import pdf

LONG = "南宁市青秀区住房和城乡建设局审核通过的历史业绩补录工程项目" * 12


def pdf_pages(data: bytes) -> list[str]:
    assert data.startswith(b"%PDF-")
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def flat(data: bytes) -> str:
    """The document's text without line breaks (wrapped Chinese text reads as one string again)."""
    return "".join("".join(pdf_pages(data)).split())


def sample(font: str | None = None, **kwargs) -> bytes:
    doc = pdf.PdfDocument("业绩核对单", font=font, **kwargs)
    doc.title_block("工程项目业绩", "项目编号 4501032017112000011")
    doc.heading("基本信息")
    doc.paragraph(LONG)
    doc.key_values([("项目名称", "青秀区<第一>小学 & 教学楼"), ("数据等级", "A"), ("审核部门", LONG)], columns=2)
    doc.table(["阶段", "等级", "审核部门"], [["施工许可", "B", "南宁市住房和城乡建设局"]] * 60, widths=[2, 1, 4])
    doc.add(pdf.qr_code("https://example.org/public/verify/ABCD1234/"))
    return doc.build()


@pytest.mark.parametrize("embedded", [True, False], ids=["truetype", "cid"])
def test_chinese_text_is_extractable(embedded):
    font = pdf.cjk_font() if embedded else pdf.register_cjk_font([])
    if embedded and font != pdf.EMBEDDED_FONT:
        pytest.skip("no TrueType CJK font installed (fonts-wqy-zenhei)")
    assert font == (pdf.EMBEDDED_FONT if embedded else pdf.CID_FONT)
    text = flat(sample(font=font))
    assert "基本信息" in text
    assert LONG in text  # wrapped over several lines, nothing lost
    assert "青秀区<第一>小学&教学楼" in text  # escaped, not read as markup
    assert "南宁市住房和城乡建设局" in text


def test_every_page_has_the_header_and_the_footer():
    now = datetime.datetime(2026, 12, 7, 2, 5, tzinfo=datetime.UTC)  # 10:05 in Shanghai
    pages = pdf_pages(sample(now=now))
    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        line = "".join(page.split())
        assert "业绩核对单" in line
        assert "业绩补录平台" in line
        assert f"第{number}页，共{len(pages)}页" in line
        assert "2026-12-0710:05" in line


def test_the_time_printed_is_beijing_time():
    assert pdf.printed_at(datetime.datetime(2026, 12, 31, 17, 30, tzinfo=datetime.UTC)) == "2027-01-01 01:30"
    assert pdf.printed_at(datetime.datetime(2026, 6, 1, 8, 0, tzinfo=ZoneInfo("Asia/Shanghai"))) == "2026-06-01 08:00"


def test_a_watermark_is_written_on_every_page():
    pages = pdf_pages(sample(watermark="未审核 — 仅供核对"))
    assert all("未审核" in page for page in pages)
    assert all("未审核" not in page for page in pdf_pages(sample()))


def test_the_qr_code_keeps_its_value_and_draws():
    code = pdf.qr_code("https://example.org/public/verify/ABCD1234/", size=30 * pdf.mm)
    assert code.value == "https://example.org/public/verify/ABCD1234/"
    assert (code.width, code.height) == (30 * pdf.mm, 30 * pdf.mm)
    doc = pdf.PdfDocument("QR")
    doc.add(code)
    assert doc.build().startswith(b"%PDF-")


def test_an_empty_document_still_builds():
    assert len(pdf_pages(pdf.PdfDocument("空白").build())) == 1
