"""J3: the registry of declared projects (transfer/registry.py) loaded by COPY, twice without change, every bad row
told in Chinese; and the one J3 answer (projects.selectors.declared_matches) that submit and the imports ask."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from projects.models import DeclaredProject, DeclaredSource
from projects.selectors import declared_match, declared_matches
from transfer.book import Book, Mode, Table, importer
from transfer.registry import LICENCE, NAME, PRJ_NUM, SHEET, SOURCE

HEADERS = [SOURCE, PRJ_NUM, LICENCE, NAME]


def prj_num(n: int, region: str = "450103") -> str:
    day = dt.date(2015, 1, 1) + dt.timedelta(days=n // 9999)
    return f"{region}{day:%y%m%d}{n % 9999 + 1:04d}"


def licence(n: int, region: str = "450103") -> str:
    day = dt.date(2015, 1, 1) + dt.timedelta(days=n // 198)
    return f"{region}{day:%Y%m%d}{n % 99 + 1:02d}{(n // 99) % 2 + 1:02d}"


def book_of(rows, headers=HEADERS, name=SHEET) -> Book:
    table = Table(name, list(headers))
    for index, cells in enumerate(rows, start=2):
        table.rows.append((index, dict(zip(headers, cells, strict=True))))
    return Book({name: table}, source="test")


def generated(count: int) -> list[list[str | None]]:
    """Half from the 工改系统 with a project number, half from the 施工许可管理系统 with both numbers."""
    rows = []
    for n in range(count):
        if n % 2:
            rows.append(["施工许可管理系统", prj_num(n), licence(n), f"项目{n}"])
        else:
            rows.append(["工改系统", prj_num(n), None, f"项目{n}"])
    return rows


def run(book, user, mode=Mode.ALL):
    with translation.override("zh-hans"):
        return importer("registry").run(book, user=user, mode=mode)


def test_j3_registry_is_registered_with_its_template_columns():
    registry = importer("registry")
    assert [column.header for column in registry.sheets[0].columns] == HEADERS
    assert registry.sheets[0].columns[0].required


def test_j3_registry_import_twice_changes_nothing(provincial_staff):
    rows = generated(3000)
    first = run(book_of(rows), provincial_staff)
    assert (first.total, first.written, first.unchanged, first.problems) == (3000, 3000, 0, [])
    assert DeclaredProject.objects.count() == 3000
    before = list(DeclaredProject.objects.order_by("pk").values_list("pk", "source", "prj_num", "licence_cert_no"))
    again = run(book_of(rows), provincial_staff)
    assert (again.written, again.unchanged, again.problems) == (0, 3000, [])
    after = list(DeclaredProject.objects.order_by("pk").values_list("pk", "source", "prj_num", "licence_cert_no"))
    assert after == before
    permit = DeclaredProject.objects.get(prj_num=prj_num(1))
    assert (permit.source, permit.licence_cert_no, permit.prj_name) == (
        DeclaredSource.PERMIT_SYSTEM,
        licence(1),
        "项目1",
    )


def test_j3_registry_rows_repeated_in_a_file_are_one_row_and_a_blank_name_is_filled(provincial_staff):
    rows = [["工改系统", prj_num(1), None, None], ["gaige", prj_num(1), "", "南宁会展中心"]]
    report = run(book_of(rows), provincial_staff)
    assert (report.written, report.unchanged, report.problems) == (1, 1, [])
    assert DeclaredProject.objects.get().prj_name == "南宁会展中心"
    assert run(book_of(rows), provincial_staff).written == 0


def test_j3_registry_bad_rows_are_told_in_chinese_by_row_and_column(provincial_staff):
    rows = [
        ["工改系统", prj_num(1), None, "好的一行"],
        ["住建系统", prj_num(2), None, None],  # unknown source system
        ["工改系统", "45010315010100", None, None],  # 14 digits
        ["施工许可管理系统", None, "4501032015130101", None],  # 16 digits, not 18
        ["施工许可管理系统", None, "450103201513010101", None],  # month 13
        ["工改系统", None, None, "没有编号"],
        ["工改系统", prj_num(3, "220102"), None, None],  # Jilin: outside Guangxi's jurisdiction
        [None, prj_num(4), None, None],
    ]
    report = run(book_of(rows), provincial_staff)
    problems = {(p.row, p.column): p.message for p in report.problems}
    assert set(problems) == {
        (3, SOURCE),
        (4, PRJ_NUM),
        (5, LICENCE),
        (6, LICENCE),
        (7, PRJ_NUM),
        (8, PRJ_NUM),
        (9, SOURCE),
    }
    assert "住建系统" in problems[(3, SOURCE)] and "工改系统" in problems[(3, SOURCE)]
    assert "16位" in problems[(4, PRJ_NUM)]
    assert "18位" in problems[(5, LICENCE)]
    assert "日期" in problems[(6, LICENCE)]
    assert "至少" in problems[(7, PRJ_NUM)]
    assert "辖区" in problems[(8, PRJ_NUM)]
    assert report.written == 0 and not DeclaredProject.objects.exists()  # all or nothing

    valid = run(book_of(rows), provincial_staff, Mode.VALID_ROWS)
    assert valid.written == 1 and len(valid.problems) == 7
    assert list(DeclaredProject.objects.values_list("prj_name", flat=True)) == ["好的一行"]


def test_j3_registry_dry_run_writes_nothing(provincial_staff):
    report = run(book_of(generated(10)), provincial_staff, Mode.CHECK)
    assert report.problems == [] and report.total == 10
    assert not DeclaredProject.objects.exists()


def test_j3_registry_file_without_its_columns_is_refused(provincial_staff):
    report = run(book_of([["x", "y"]], headers=["名称", "备注"]), provincial_staff)
    assert report.file_refused
    assert {p.column for p in report.problems} == {SOURCE, PRJ_NUM}
    assert not DeclaredProject.objects.exists()


def test_j3_registry_reads_the_old_admin_imports_columns(provincial_staff):
    rows = [["permit", "", licence(5), "旧格式"]]
    report = run(
        book_of(rows, headers=["source", "prj_num", "licence_cert_no", "prj_name"], name="Sheet1"), provincial_staff
    )
    assert report.written == 1 and report.problems == []


def test_j3_registry_only_officials_who_may_add_import(county_reviewer, clerk_a):
    for user in (county_reviewer, clerk_a):
        report = run(book_of(generated(2)), user)
        assert report.file_refused
    assert not DeclaredProject.objects.exists()


# ------------------------------------------------------------------------------------------------------------
# The one J3 answer: for a record, and for a batch in one query
# ------------------------------------------------------------------------------------------------------------


def test_j3_declared_matches_answers_a_batch_in_one_query(provincial_staff):
    DeclaredProject.objects.create(source=DeclaredSource.REFORM_SYSTEM, prj_num=prj_num(1))
    DeclaredProject.objects.create(source=DeclaredSource.PERMIT_SYSTEM, licence_cert_no=licence(2))
    DeclaredProject.objects.create(source=DeclaredSource.PERMIT_SYSTEM, prj_num=prj_num(3), licence_cert_no=licence(3))
    DeclaredProject.objects.create(source=DeclaredSource.REFORM_SYSTEM, prj_num=prj_num(3))
    pairs = [(prj_num(n), licence(n)) for n in range(1, 200)] + [("", licence(2))]
    with CaptureQueriesContext(connection) as queries, translation.override("zh-hans"):
        answer = declared_matches(pairs)
        messages = {pair: match.message for pair, match in answer.items()}
    assert len(queries) == 1
    assert set(answer) == {pairs[0], pairs[1], pairs[2], ("", licence(2))}
    assert messages[pairs[0]] == f"项目编号{prj_num(1)}已在工改系统中申报，不能补录（J3）。"
    assert messages[pairs[1]] == f"施工许可证编号{licence(2)}已在施工许可管理系统中申报，不能补录（J3）。"
    # both numbers declared: the project number is named, and the 工改系统 before the 施工许可管理系统
    assert (answer[pairs[2]].field, answer[pairs[2]].source) == ("prj_num", DeclaredSource.REFORM_SYSTEM)
    assert declared_match(prj_num=prj_num(9)) is None
    assert declared_matches([("", "")]) == {}


@pytest.mark.slow
def test_j3_registry_loads_300000_rows(provincial_staff, capsys):
    """Figure for the report: 300,000 rows checked, COPYed and merged (run with -s to read it)."""
    import time

    rows = generated(300_000)
    book = book_of(rows)
    started = time.perf_counter()
    report = run(book, provincial_staff)
    first = time.perf_counter() - started
    started = time.perf_counter()
    again = run(book, provincial_staff)
    second = time.perf_counter() - started
    assert report.written == 300_000 and again.written == 0 and not again.problems
    with capsys.disabled():
        print(f"\nregistry: 300,000 rows in {first:.1f} s ({300_000 / first:,.0f} rows/s); again {second:.1f} s")


def test_j3_submit_is_refused_for_a_project_the_imported_registry_names(
    firm_a, clerk_a, county_reviewer, provincial_staff
):
    import time_machine

    from review.services import SubmitRefused, submit_record
    from tests.review.builders import valid_record

    record = valid_record(firm_a)
    number = record.project.prj_num
    run(book_of([["工改系统", number, None, record.project.prj_name]]), provincial_staff)
    with time_machine.travel(dt.datetime(2017, 12, 1, 10, tzinfo=dt.UTC), tick=False):
        with translation.override("zh-hans"), pytest.raises(SubmitRefused) as info:
            submit_record(record_id=record.pk, user=clerk_a)
    assert [(p.rule, p.path, p.message) for p in info.value.problems] == [
        ("J3", "project.prj_num", f"项目编号{number}已在工改系统中申报，不能补录（J3）。")
    ]


def test_j3_registry_gbk_csv_through_the_file_layer(provincial_staff):
    """A GB18030 CSV of the 施工许可管理系统's export, read by transfer.files, loads like the workbook would."""
    from transfer.files import read_bytes

    lines = [
        "来源系统,项目编号,施工许可证编号,项目名称",
        f"施工许可管理系统,,{licence(7)},南宁市民中心",
        f"工改系统,{prj_num(8)},,",
    ]
    text = "\r\n".join(lines) + "\r\n"
    registry = importer("registry")
    book = read_bytes(text.encode("gb18030"), sheets=registry.sheets, name="permits.csv")
    report = run(book, provincial_staff)
    assert (report.written, report.problems) == (2, [])
    assert DeclaredProject.objects.get(licence_cert_no=licence(7)).prj_name == "南宁市民中心"
