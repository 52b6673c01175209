"""The records import and export (transfer/records.py, transfer/record_rows.py): real XLSX and GBK CSV files
round-trip, a dry run lists problems by sheet, row and column with the rule set of submit, "valid rows" writes the
good ones and hands back the rest, a submitted record cannot change by an import (G7), and staff import only for
their province."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest

from accounts.models import Role
from projects.models import (
    Censor,
    CensorStaff,
    DeclaredProject,
    DeclaredSource,
    Project,
    ProjectCorp,
    Record,
    RecordPerson,
    RecordStatus,
    Tender,
    UnitProject,
)
from tests.factories import EnterpriseFactory, official
from tests.review.builders import valid_record
from transfer import record_rows as rr
from transfer.book import Mode
from transfer.files import read_bytes
from transfer.records import records_importer

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _firm_a_registered_in_guangxi(firm_a):
    """Provincial staff import for the enterprises registered in their province (Enterprise.scope)."""
    firm_a.region_id = "450100"
    firm_a.save(update_fields=["region"])


_SKIP = {"id", "record_id", "project_id", "censor_id", "unit_id", "created_at", "updated_at"}


def _fields(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields if f.attname not in _SKIP}


def snapshot() -> dict:
    """Every field of every record's project, stages and parts, keyed by (credit code, 项目编号)."""
    out = {}
    for record in Record.objects.select_related("enterprise", "project", "campaign").order_by("pk"):
        units = list(UnitProject.objects.filter(project=record.project).order_by("pk"))
        seq = {u.pk: i for i, u in enumerate(units)}
        stages = {}
        for part in rr.ONE_TO_ONE:
            stage = getattr(record, part, None)
            stages[part] = _fields(stage) if stage is not None else None
        censor = Censor.objects.filter(record=record).first()
        out[(record.enterprise.credit_code, record.project.prj_num)] = {
            "status": record.status,
            "campaign": record.campaign.name,
            "project": _fields(record.project),
            "units": [_fields(u) for u in units],
            "stages": stages,
            "corps": [(_fields(c), seq.get(c.unit_id)) for c in ProjectCorp.objects.filter(record=record)],
            "persons": [_fields(p) for p in RecordPerson.objects.filter(record=record)],
            "staff": [_fields(s) for s in CensorStaff.objects.filter(censor=censor)] if censor else [],
        }
    return out


def xlsx_book(records):
    out = io.BytesIO()
    rr.write_xlsx(rr.export_queryset(records), out)
    return read_bytes(out.getvalue(), sheets=rr.sheets(), name="业绩.xlsx")


def delete_all() -> None:
    for record in Record.objects.all():
        record.delete()
    Project.objects.all().delete()


@pytest.fixture
def two_records(firm_a):
    first = valid_record(firm_a, units=2, corps=2, persons=2, staff=2)
    corp = first.corps.last()
    corp.unit = first.project.units.last()
    corp.save()
    # a character GBK holds but a naive reader garbles, and a name with a full-width bracket
    Tender.objects.filter(record=first).update(tender_prj_name="邕江大桥（镕铸段）设计", tender_money=Decimal("170.5"))
    second = valid_record(firm_a)
    return first, second


def test_xlsx_round_trip_export_delete_import_gives_identical_records(two_records, provincial_staff):
    before = snapshot()
    book = xlsx_book(Record.visible_to(provincial_staff))
    delete_all()
    report = records_importer.run(book, user=provincial_staff, mode=Mode.ALL)
    assert report.problems == []
    assert report.written == book.rows()
    assert snapshot() == before


def test_gbk_csv_round_trip_keeps_every_chinese_character(two_records, provincial_staff):
    before = snapshot()
    out = io.BytesIO()
    rr.write_csv_zip(rr.export_queryset(Record.visible_to(provincial_staff)), out, encoding="gbk")
    data = out.getvalue()
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        raw = archive.read("业绩.csv")
    assert "镕铸段".encode("gbk") in raw  # really GBK bytes, not UTF-8
    book = rr.book_from_csv_zip(data)
    assert "gb18030" in book.source
    delete_all()
    report = records_importer.run(book, user=provincial_staff, mode=Mode.ALL)
    assert report.problems == []
    assert snapshot() == before


def test_a_character_gbk_cannot_hold_is_refused_in_gbk_and_kept_in_gb18030(firm_a, provincial_staff):
    record = valid_record(firm_a)
    Tender.objects.filter(record=record).update(tender_prj_name="𠮷野家旗舰店设计")
    with pytest.raises(rr.ExportEncodingError) as caught:
        rr.write_csv_zip(rr.export_queryset(Record.objects.all()), io.BytesIO(), encoding="gbk")
    assert "𠮷" in str(caught.value) and "GB18030" in str(caught.value)
    out = io.BytesIO()
    rr.write_csv_zip(rr.export_queryset(Record.objects.all()), out, encoding="gb18030")
    book = rr.book_from_csv_zip(out.getvalue())
    main = rr.layout(rr.RECORDS)
    cells = book.tables[main.name].rows[0][1]
    assert cells[main.column("tender", "tender_prj_name").header] == "𠮷野家旗舰店设计"


def test_importing_the_same_file_twice_changes_nothing(two_records, provincial_staff):
    book = xlsx_book(Record.objects.all())
    versions = dict(Record.objects.values_list("pk", "version"))
    report = records_importer.run(book, user=provincial_staff, mode=Mode.ALL)
    assert report.problems == [] and report.written == 0 and report.unchanged == book.rows()
    assert dict(Record.objects.values_list("pk", "version")) == versions


def test_a_changed_cell_updates_the_draft(two_records, provincial_staff):
    first, _second = two_records
    book = xlsx_book(Record.objects.filter(pk=first.pk))
    main = rr.layout(rr.RECORDS)
    book.tables[main.name].rows[0][1][main.column("tender", "tender_money").header] = "180万元"
    report = records_importer.run(book, user=provincial_staff, mode=Mode.ALL)
    assert report.problems == []
    first.refresh_from_db()
    assert first.tender.tender_money == Decimal("180") and first.version == 2


def _broken_book(firm, staff):
    """Four records, each broken one way: a red-star field left empty, a bad date, an unknown code, J3."""
    records = [valid_record(firm) for _ in range(4)]
    DeclaredProject.objects.create(source=DeclaredSource.REFORM_SYSTEM, prj_num=records[3].project.prj_num)
    book = xlsx_book(Record.objects.filter(pk__in=[r.pk for r in records]))
    delete_all()
    main = rr.layout(rr.RECORDS)
    rows = book.tables[main.name].rows
    rows[0][1][main.column("tender", "tender_money").header] = None
    rows[1][1][main.column("contract", "contract_date").header] = "2015-02-30"
    rows[2][1][main.column("tender", "tender_method").header] = "拍卖"
    return book, records


def test_j8_j3_dry_run_lists_every_problem_by_sheet_row_and_column_and_writes_nothing(firm_a, provincial_staff):
    book, records = _broken_book(firm_a, provincial_staff)
    report = records_importer.run(book, user=provincial_staff, mode=Mode.CHECK)
    found = {(p.sheet, p.row, p.column) for p in report.problems}
    assert ("业绩", 2, "招投标备案·中标金额（万元）") in found  # M: a red-star field left empty
    assert ("业绩", 3, "合同备案·合同签订日期") in found  # not a date
    assert ("业绩", 4, "招投标备案·招标方式") in found  # not a code of the standard
    assert ("业绩", 5, "项目编号") in found  # J3
    messages = {(p.row, p.column): p.message for p in report.problems}
    assert (
        "必填" in messages[(2, "招投标备案·中标金额（万元）")] or "填写" in messages[(2, "招投标备案·中标金额（万元）")]
    )
    assert "2015-02-30" in messages[(3, "合同备案·合同签订日期")]
    assert "拍卖" in messages[(4, "招投标备案·招标方式")]
    assert records[3].project.prj_num in messages[(5, "项目编号")] and "工改系统" in messages[(5, "项目编号")]
    assert Record.objects.count() == 0 and Project.objects.count() == 0


def test_all_mode_writes_nothing_when_one_row_has_a_problem(firm_a, provincial_staff):
    book, _records = _broken_book(firm_a, provincial_staff)
    good = valid_record(firm_a)
    good_book = xlsx_book(Record.objects.filter(pk=good.pk))
    delete_all()
    main = rr.layout(rr.RECORDS)
    for name, table in good_book.tables.items():
        book.tables[name].rows += [(row + 100, cells) for row, cells in table.rows]
    report = records_importer.run(book, user=provincial_staff, mode=Mode.ALL)
    assert report.written == 0 and report.problems
    assert Record.objects.count() == 0 and Project.objects.count() == 0
    report = records_importer.run(book, user=provincial_staff, mode=Mode.VALID_ROWS)
    assert Record.objects.count() == 1  # the good one
    refused = report.bad_rows(main.name)
    assert refused == {2, 3, 4, 5}
    # the refused records' rows on the other sheets go back too, with the reason
    assert report.bad_rows("单体") and all(p.message for p in report.problems)


def test_g7_a_submitted_record_cannot_change_by_an_import(firm_a, provincial_staff):
    record = valid_record(firm_a)
    Record.objects.filter(pk=record.pk).update(status=RecordStatus.SUBMITTED)
    book = xlsx_book(Record.objects.filter(pk=record.pk))
    main = rr.layout(rr.RECORDS)
    book.tables[main.name].rows[0][1][main.column("tender", "tender_money").header] = "999"
    before = snapshot()
    report = records_importer.run(book, user=provincial_staff, mode=Mode.VALID_ROWS)
    assert report.written == 0
    assert any("不能通过导入修改" in p.message or "导入" in p.message for p in report.problems if p.row == 2)
    assert snapshot() == before


def test_provincial_staff_import_only_for_their_provinces_enterprises(provincial_staff, firm_a):
    jilin_firm = EnterpriseFactory(name="吉林某设计院有限公司", region_id="220104")
    record = valid_record(jilin_firm)
    book = xlsx_book(Record.objects.filter(pk=record.pk))
    delete_all()
    report = records_importer.run(book, user=provincial_staff, mode=Mode.ALL)
    assert next((p.sheet, p.row, p.column) for p in report.problems if p.sheet == "业绩") == (
        "业绩",
        2,
        "企业统一社会信用代码",
    )
    assert Record.objects.count() == 0
    reviewer = official("county_reader", Role.REVIEWER, "450103")
    report = records_importer.run(book, user=reviewer, mode=Mode.CHECK)
    assert report.file_refused


def test_the_admins_record_list_exports_the_selected_records_complete(client, two_records, provincial_staff):
    first, second = two_records
    client.force_login(provincial_staff)
    response = client.post(
        "/admin/projects/record/",
        {"action": "export_records_xlsx", "_selected_action": [first.pk, second.pk]},
    )
    assert response.status_code == 200, response.content[:500]
    book = read_bytes(response.content, sheets=rr.sheets(), name="records.xlsx")
    main = rr.layout(rr.RECORDS)
    assert {cells[main.column(rr.KEY_PART, "prj_num").header] for _n, cells in book.tables[main.name].rows} == {
        first.project.prj_num,
        second.project.prj_num,
    }
    assert len(book.tables["单体"].rows) == 3


def test_the_complete_export_with_whole_id_numbers_is_for_provincial_staff_not_bureau_reviewers(
    client, two_records, provincial_staff, county_reviewer
):
    """The complete export round-trips, so it carries ID and phone numbers whole: only who imports gets it; a bureau
    reviewer reads a number through the decision page's logged 显示 (review.PiiReveal)."""
    first, _second = two_records
    names = {"export_records_xlsx", "export_records_csv_utf_8", "export_records_csv_gbk", "export_records_csv_gb18030"}
    for user, offered in ((provincial_staff, True), (county_reviewer, False)):
        client.force_login(user)
        page = client.get("/admin/projects/record/")
        assert page.status_code == 200
        form = page.context["action_form"]  # None when no action is left for the user
        choices = {value for value, _label in form.fields["action"].choices} if form is not None else set()
        assert (names <= choices) is offered and (names & choices == set()) is not offered
    response = client.post("/admin/projects/record/", {"action": "export_records_xlsx", "_selected_action": [first.pk]})
    assert response["Content-Type"].startswith("text/html")  # the list again, no file


def _check_queries(book, user) -> tuple[int, list]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        report = records_importer.run(book, user=user, mode=Mode.CHECK)
    return len(ctx.captured_queries), report.problems


def test_j8_a_dry_run_makes_the_same_number_of_queries_for_three_records_as_for_six(firm_a, provincial_staff):
    """Per batch one query per table: the region rule of every record's check reads the county already loaded
    (it asked the database once per record)."""
    for _ in range(3):
        valid_record(firm_a)
    three, problems = _check_queries(xlsx_book(Record.objects.all()), provincial_staff)
    assert problems == []
    for _ in range(3):
        valid_record(firm_a)
    six, problems = _check_queries(xlsx_book(Record.objects.all()), provincial_staff)
    assert problems == []
    assert six == three


def test_j8_a_county_code_abolished_before_the_campaigns_year_is_named_on_its_column(firm_a, provincial_staff):
    """The region rule of submit (grading.checks) holds for an imported row: 蝶山区 450404 was abolished in 2013."""
    record = valid_record(firm_a)
    book = xlsx_book(Record.objects.filter(pk=record.pk))
    delete_all()
    main = rr.layout(rr.RECORDS)
    header = main.column("project", "county").header
    book.tables[main.name].rows[0][1][header] = "450404"
    report = records_importer.run(book, user=provincial_staff, mode=Mode.CHECK)
    assert any(p.row == 2 and p.column == header and "450404" in p.message for p in report.problems)
