"""The records file's layout (transfer/record_rows.py): titles from the fields' labels, red stars from grading,
codes as Chinese names read from code or name, and a record's rows read back into the values they came from."""

from __future__ import annotations

import pytest

from projects import codes
from projects.models import Project, Tender
from tests.review.builders import valid_record
from transfer import record_rows as rr
from transfer.book import Book, Table

pytestmark = pytest.mark.django_db


def book_of(sheets: dict[str, list[list[str | None]]]) -> Book:
    """A Book as the file layer reads one: titles on row 1, data from row 2, text cells."""
    tables = {}
    for name, rows in sheets.items():
        headers = [str(h) for h in rows[0]]
        tables[name] = Table(
            name, headers, [(i + 2, dict(zip(headers, row, strict=True))) for i, row in enumerate(rows[1:])]
        )
    return Book(tables, "test")


def test_titles_are_the_fields_labels_with_the_stage_and_red_stars_from_grading():
    main = rr.layout(rr.RECORDS)
    assert main.name == "业绩"
    assert [lay.name for lay in rr.layouts()] == ["业绩", "单体", "参建单位", "单位人员", "审图人员"]
    money = main.column("tender", "tender_money")
    assert money.header == "招投标备案·中标金额（万元）"
    assert money.column.required  # an M field of TBTenderInfo
    assert "万元" in money.column.hint
    assert main.column("project", "prj_name").header == "项目名称"
    assert not main.column("project", "prj_code").column.required
    assert main.sheet.keys == ("企业统一社会信用代码", "项目编号")


def test_codes_are_written_as_names_and_read_from_code_or_name():
    field = Tender._meta.get_field("tender_method")
    assert rr.format_value(field, "001") == "公开招标"
    assert rr.parse_value(field, "公开招标", "tender.tender_method") == "001"
    assert rr.parse_value(field, "001", "tender.tender_method") == "001"
    assert rr.parse_value(field, "Open tender", "tender.tender_method") == "001"
    with pytest.raises(rr.CellError) as caught:
        rr.parse_value(field, "拍卖", "tender.tender_method")
    assert "拍卖" in caught.value.message and "公开招标" in caught.value.message


def test_dates_and_amounts_are_read_as_the_portal_reads_them():
    project = Project._meta
    assert str(rr.parse_value(project.get_field("prj_approval_date"), "2015年3月8日", "project.prj_approval_date")) == (
        "2015-03-08"
    )
    assert rr.parse_value(project.get_field("all_invest"), "6,800万元", "project.all_invest") == 6800
    with pytest.raises(rr.CellError) as caught:
        rr.parse_value(project.get_field("prj_approval_date"), "2015-02-30", "project.prj_approval_date")
    assert "2015-02-30" in caught.value.message and "立项批复时间" in caught.value.message


def test_a_count_is_kept_only_within_its_columns_range_as_the_portals_save_keeps_it():
    from projects.models import BuilderLicence, UnitProject

    floors = UnitProject._meta.get_field("floor_count")  # PositiveSmallIntegerField: 0..32767
    assert rr.parse_value(floors, "32767", "units[0].floor_count") == 32767
    for text in ("32768", "-1"):
        with pytest.raises(rr.CellError):
            rr.parse_value(floors, text, "units[0].floor_count")
    days = BuilderLicence._meta.get_field("bargain_days")  # PositiveIntegerField: 0..2147483647
    assert rr.parse_value(days, "40000", "licence.bargain_days") == 40000
    with pytest.raises(rr.CellError):
        rr.parse_value(days, "2147483648", "licence.bargain_days")


def test_a_records_rows_read_back_into_its_values(firm_a):
    record = valid_record(firm_a, units=2, corps=2, persons=2, staff=1)
    corp = record.corps.first()
    corp.unit = record.project.units.last()
    corp.save()
    rows = rr.sheet_rows(rr.export_queryset(type(record).objects.filter(pk=record.pk)))
    parsed = rr.parse_book(book_of(rows))
    assert parsed.problems == []
    (rec,) = parsed.records
    assert rec.problems == []
    assert rec.key == (firm_a.credit_code, record.project.prj_num)
    assert rec.county == "450103"
    assert rec.stages["tender"]["tender_method"] == codes.TenderMethod.OPEN
    assert rec.stages["tender"]["tender_money"] == record.tender.tender_money
    assert rec.stages["censor"]["one_censor_is_pass"] is True
    assert [u.seq for u in rec.rows["units"]] == [1, 2]
    assert [c.unit_seq for c in rec.rows["corps"]] == [2, None]
    assert rec.rows["persons"][1].values["id_card"] == record.persons.all()[1].id_card
    assert len(rec.rows["censor_staff"]) == 1


def test_a_part_row_without_its_record_and_an_unknown_unit_are_problems(firm_a):
    record = valid_record(firm_a)
    rows = rr.sheet_rows(rr.export_queryset(type(record).objects.filter(pk=record.pk)))
    corps = rr.layout("corps")
    unit_at = list(corps.sheet.headers).index(corps.column("corps", "unit").header)
    rows["参建单位"][1][unit_at] = "7"
    stray = list(rows["单位人员"][1])
    stray[1] = "4501031711019999"
    rows["单位人员"].append(stray)
    parsed = rr.parse_book(book_of(rows))
    assert [(p.sheet, p.row) for p in parsed.problems] == [("单位人员", 3)]
    assert "4501031711019999" in parsed.problems[0].message
    (rec,) = parsed.records
    assert [(p.sheet, p.row, p.column) for p in rec.problems] == [("参建单位", 2, "单体工程")]
