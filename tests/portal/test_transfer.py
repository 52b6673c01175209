"""导出 and 批量导入 of 我的业绩 (issue 13): the firm's records to Excel and GBK CSV as the list's filters show them,
the records import for the firm's clerk (template, upload and mode, the job's page, its files), the clerk's own
enterprise only (G7: a submitted or decided record is never changed by an import), the jobs the clerk's own."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from projects.attachments import attachment_add
from projects.models import AttachmentKind, Project, Record, RecordStatus, Tender
from tests.portal.conftest import PDF_BYTES
from tests.review.builders import valid_record
from tests.transfer.test_records_import import delete_all, snapshot
from transfer import record_rows as rr
from transfer.files import read_bytes
from transfer.models import ImportJob, JobStatus
from transfer.tasks import run_import

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = dt.datetime(2017, 12, 4, 10, tzinfo=SHANGHAI)  # inside Guangxi's campaign: a clerk may start records (G4)
NEW_URLS = [
    ("portal:records_export", ["xlsx"]),
    ("portal:imports", []),
    ("portal:import_template", []),
    ("portal:import_job", [1]),
    ("portal:import_job_progress", [1]),
    ("portal:import_job_report", [1]),
    ("portal:import_job_errors", [1]),
]


@pytest.fixture(autouse=True)
def _in_the_campaign():
    with time_machine.travel(MONDAY, tick=False):
        yield


def export(client, fmt: str, **filters) -> bytes:
    answer = client.get(reverse("portal:records_export", args=[fmt]), filters)
    assert answer.status_code == 200, answer.content[:300]
    assert "attachment" in answer["Content-Disposition"]
    return answer.content


def portal_import(client, data: bytes, name: str, mode: str = "all") -> ImportJob:
    """批量导入's form, then the job's task as the worker runs it."""
    answer = client.post(reverse("portal:imports"), {"file": SimpleUploadedFile(name, data), "mode": mode})
    assert answer.status_code == 302, answer.content.decode()[:1500]
    job = ImportJob.objects.latest("pk")
    assert answer["Location"] == reverse("portal:import_job", args=[job.pk])
    run_import(job.pk)
    job.refresh_from_db()
    return job


def prj_nums(book) -> set[str]:
    main = rr.layout(rr.RECORDS)
    header = main.column(rr.KEY_PART, "prj_num").header
    return {cells[header] for _n, cells in book.tables[main.name].rows}


@pytest.fixture
def records_a(firm_a):
    first = valid_record(firm_a, units=2, corps=2, persons=2, staff=2)
    Tender.objects.filter(record=first).update(tender_prj_name="邕江大桥（镕铸段）设计")
    second = valid_record(firm_a)
    return first, second


# --- 导出 ---------------------------------------------------------------------------------------------------------


def test_the_list_offers_export_and_bulk_import_carrying_its_filters(client_a, records_a):
    body = client_a.get(reverse("portal:records"), {"status": "draft", "q": "中学"}).content.decode()
    assert f'href="{reverse("portal:records_export", args=["xlsx"])}?status=draft&amp;q=' in body
    assert f'href="{reverse("portal:records_export", args=["csv"])}?status=draft&amp;q=' in body
    assert reverse("portal:imports") in body and "批量导入" in body and "导出" in body


def test_export_is_what_the_filters_show_of_the_firms_own_records(client_a, records_a, firm_b):
    first, second = records_a
    Record.objects.filter(pk=second.pk).update(status=RecordStatus.SUBMITTED)
    other = valid_record(firm_b)
    Project.objects.filter(pk=first.project_id).update(prj_name="邕江大桥设计")
    everything = read_bytes(export(client_a, "xlsx"), sheets=rr.sheets(), name="x.xlsx")
    assert prj_nums(everything) == {first.project.prj_num, second.project.prj_num}  # not firm B's
    assert other.project.prj_num not in prj_nums(everything)
    drafts = read_bytes(export(client_a, "xlsx", status="draft"), sheets=rr.sheets(), name="x.xlsx")
    assert prj_nums(drafts) == {first.project.prj_num}
    named = read_bytes(export(client_a, "csv", q="邕江"), sheets=rr.sheets(), name="x.zip")
    assert prj_nums(named) == {first.project.prj_num}
    assert len(named.tables["单体"].rows) == 2 and len(named.tables["审图人员"].rows) == 2  # every part


def test_the_csv_export_is_a_zip_of_gbk_csv_files_one_per_sheet(client_a, records_a):
    with zipfile.ZipFile(io.BytesIO(export(client_a, "csv"))) as archive:
        names = set(archive.namelist())
        raw = archive.read("业绩.csv")
    assert names == {f"{lay.name}.csv" for lay in rr.layouts()}
    assert "镕铸段".encode("gbk") in raw and not raw.startswith(b"\xef\xbb\xbf")  # GBK, what old Excel reads


def test_a_character_gbk_cannot_hold_is_named_and_nothing_is_downloaded(client_a, records_a):
    Tender.objects.filter(record=records_a[0]).update(tender_prj_name="𠮷野家旗舰店设计")
    answer = client_a.get(reverse("portal:records_export", args=["csv"]), {"status": "draft"}, follow=True)
    body = answer.content.decode()
    assert answer.redirect_chain[-1][0] == reverse("portal:records") + "?status=draft"
    assert "𠮷" in body and "Excel" in body


def test_an_unknown_export_format_is_404(client_a):
    assert client_a.get(reverse("portal:records_export", args=["pdf"])).status_code == 404


# --- 批量导入: template, round trip, modes ----------------------------------------------------------------------


def test_the_import_page_offers_the_template_and_the_three_modes(client_a):
    body = client_a.get(reverse("portal:imports")).content.decode()
    for words in ("先检查（不写入）", "全部正确才导入", "只导入正确的行", reverse("portal:import_template")):
        assert words in body
    assert 'aria-current="page"' in body and "批量导入" in body  # the navigation's entry
    template = client_a.get(reverse("portal:import_template"))
    assert template.status_code == 200 and template["Content-Type"].startswith("application/vnd.openxml")
    workbook = load_workbook(io.BytesIO(template.content))
    assert [lay.name for lay in rr.layouts()] == workbook.sheetnames[: len(rr.layouts())]


@pytest.mark.parametrize(("fmt", "name"), [("xlsx", "我的业绩.xlsx"), ("csv", "我的业绩.zip")])
def test_clerk_a_exports_deletes_and_imports_back_identical_drafts(client_a, records_a, fmt, name):
    data = export(client_a, fmt)
    before = snapshot()
    delete_all()
    job = portal_import(client_a, data, name)
    assert job.status == JobStatus.DONE and job.errors == 0, (job.message, job.problems)
    assert snapshot() == before
    assert set(Record.objects.values_list("status", flat=True)) == {RecordStatus.DRAFT}
    page = client_a.get(reverse("portal:import_job", args=[job.pk])).content.decode()
    assert "写入行数" in page and reverse("portal:records") + "?status=draft" in page
    again = portal_import(client_a, data, name)
    assert (again.written, again.errors, again.unchanged) == (0, 0, job.written)


def test_imported_drafts_are_completed_saved_and_submitted_as_usual(client_a, clerk_a, records_a, county_reviewer):
    data = export(client_a, "xlsx", q="中学")
    delete_all()
    job = portal_import(client_a, data, "业绩.xlsx", mode="valid_rows")
    assert job.status == JobStatus.DONE and job.errors == 0, job.problems
    record = Record.objects.order_by("pk").first()
    assert record.status == RecordStatus.DRAFT and record.created_by == clerk_a
    page = client_a.get(reverse("portal:record", args=[record.pk]))
    assert page.status_code == 200 and "中标通知书" in page.content.decode()  # the attachments it still needs
    for kind in (AttachmentKind.BID_NOTICE, AttachmentKind.CONTRACT, AttachmentKind.COMPLETION):
        attachment_add(
            record_id=record.pk,
            user=clerk_a,
            kind=kind,
            uploaded_file=SimpleUploadedFile(f"{kind}.pdf", PDF_BYTES, content_type="application/pdf"),
        )
    answer = client_a.post(reverse("portal:record_submit", args=[record.pk]))
    assert answer.status_code == 302, answer.content.decode()[:300]
    record.refresh_from_db()
    assert record.status == RecordStatus.SUBMITTED


def test_check_mode_lists_problems_by_sheet_row_and_column_and_writes_nothing(client_a, records_a):
    data = export(client_a, "xlsx")
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook["业绩"]
    headers = [c.value for c in sheet[1]]
    sheet.cell(row=2, column=headers.index("招投标备案·中标金额（万元）") + 1, value="-5")
    out = io.BytesIO()
    workbook.save(out)
    before = snapshot()
    job = portal_import(client_a, out.getvalue(), "业绩.xlsx", mode="check")
    assert job.status == JobStatus.DONE and job.written == 0 and job.errors
    assert snapshot() == before
    body = client_a.get(reverse("portal:import_job", args=[job.pk])).content.decode()
    assert 'id="job-problems"' in body and "招投标备案·中标金额（万元）" in body and "-5" in body
    assert client_a.get(reverse("portal:import_job_report", args=[job.pk])).status_code == 200
    progress = client_a.get(reverse("portal:import_job_progress", args=[job.pk])).json()
    assert progress["finished"] and progress["percent"] == 100 and progress["errors"] == job.errors


def test_valid_rows_mode_gives_back_the_refused_rows_as_an_error_file(client_a, records_a):
    data = export(client_a, "xlsx")
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook["业绩"]
    headers = [c.value for c in sheet[1]]
    sheet.cell(row=2, column=headers.index("合同备案·合同签订日期") + 1, value="2015-02-30")
    out = io.BytesIO()
    workbook.save(out)
    delete_all()
    job = portal_import(client_a, out.getvalue(), "业绩.xlsx", mode="valid_rows")
    assert job.status == JobStatus.DONE and Record.objects.count() == 1
    errors = client_a.get(reverse("portal:import_job_errors", args=[job.pk]))
    assert errors.status_code == 200
    refused = load_workbook(io.BytesIO(b"".join(errors.streaming_content)))["业绩"]
    assert "错误原因" in [c.value for c in refused[1]]


# --- the clerk's own enterprise, G7 ---------------------------------------------------------------------------------


def test_clerk_bs_file_naming_firm_as_credit_code_is_refused_row_by_row(client, records_a, clerk_a, clerk_b, firm_a):
    client.force_login(clerk_a)
    data = export(client, "xlsx")
    before = snapshot()
    client.force_login(clerk_b)
    job = portal_import(client, data, "业绩.xlsx", mode="valid_rows")
    assert job.written == 0 and snapshot() == before
    rows = {(p["sheet"], p["row"], p["column"]) for p in job.problems if p["sheet"] == "业绩"}
    assert rows == {("业绩", 2, "企业统一社会信用代码"), ("业绩", 3, "企业统一社会信用代码")}
    assert all(firm_a.credit_code in p["message"] for p in job.problems if p["sheet"] == "业绩")


@pytest.mark.parametrize("status", [RecordStatus.SUBMITTED, RecordStatus.APPROVED, RecordStatus.REJECTED])
def test_g7_a_submitted_or_decided_record_is_never_changed_by_an_import(client_a, records_a, status):
    first, _second = records_a
    data = export(client_a, "xlsx")
    Record.objects.filter(pk=first.pk).update(status=status)
    Tender.objects.filter(record=first).update(tender_prj_name="审核时的名称")
    before = snapshot()
    job = portal_import(client_a, data, "业绩.xlsx", mode="valid_rows")
    assert snapshot() == before
    assert any("不能通过导入修改" in p["message"] for p in job.problems if p["row"] == 2), job.problems


# --- malformed files, other clerks, anonymous visitors ----------------------------------------------------------


def test_a_malformed_file_gets_its_message_and_writes_nothing(client_a, records_a):
    before = snapshot()
    job = portal_import(client_a, b"PK\x03\x04 not really a workbook", "业绩.xlsx")
    assert job.status == JobStatus.FAILED and "文件已损坏" in job.message
    body = client_a.get(reverse("portal:import_job", args=[job.pk])).content.decode()
    assert "文件已损坏" in body and "alert-error" in body
    assert snapshot() == before
    answer = client_a.post(
        reverse("portal:imports"), {"file": SimpleUploadedFile("业绩.pdf", b"%PDF-1.4"), "mode": "all"}
    )
    assert answer.status_code == 400 and "业绩.pdf" in answer.content.decode() and ImportJob.objects.count() == 1
    answer = client_a.post(reverse("portal:imports"), {"mode": "all"})
    assert answer.status_code == 400 and "请选择" in answer.content.decode()


def test_clerk_b_cannot_see_clerk_as_job(client, clerk_a, clerk_b, records_a):
    client.force_login(clerk_a)
    job = portal_import(client, export(client, "xlsx"), "业绩.xlsx", mode="check")
    client.force_login(clerk_b)
    for name in ("import_job", "import_job_progress", "import_job_report", "import_job_errors"):
        assert client.get(reverse(f"portal:{name}", args=[job.pk])).status_code == 404, name
    assert client.post(reverse("portal:import_job_requeue", args=[job.pk])).status_code == 404
    link = reverse("portal:import_job", args=[job.pk])
    assert link not in client.get(reverse("portal:imports")).content.decode()
    client.force_login(clerk_a)
    assert link in client.get(reverse("portal:imports")).content.decode()


def test_a_job_stuck_in_the_queue_can_be_queued_again(client_a, clerk_a, monkeypatch):
    from transfer import jobs

    queued = []
    monkeypatch.setattr(jobs, "queue_job", queued.append)  # the broker: the task itself is tested above
    job = ImportJob.objects.create(
        importer="records", upload="imports/x.xlsx", original_name="业绩.xlsx", created_by=clerk_a
    )
    page = client_a.get(reverse("portal:import_job", args=[job.pk])).content.decode()
    assert "import_job.js" in page and '<meta http-equiv="refresh"' in page and "重新排队" not in page
    ImportJob.objects.filter(pk=job.pk).update(created_at=MONDAY - dt.timedelta(minutes=5))
    assert "重新排队" in client_a.get(reverse("portal:import_job", args=[job.pk])).content.decode()
    client_a.post(reverse("portal:import_job_requeue", args=[job.pk]))
    assert queued == [job.pk]


def test_enterprises_import_is_still_refused_to_a_clerk(clerk_a):
    from accounts.errors import DomainError
    from transfer.jobs import start_import

    with pytest.raises(DomainError):
        start_import(user=clerk_a, key="enterprises", uploaded_file=SimpleUploadedFile("a.xlsx", b"x"), mode="all")


@pytest.mark.parametrize(("name", "args"), NEW_URLS)
def test_anonymous_visitors_are_sent_to_log_in(client, name, args):
    url = reverse(name, args=args)
    answer = client.get(url)
    assert answer.status_code == 302 and answer["Location"].startswith(reverse("portal:login")), answer
    assert "next=" in answer["Location"]


def test_officials_do_not_reach_the_portals_import(client, county_reviewer, provincial_staff):
    for official in (county_reviewer, provincial_staff):
        client.force_login(official)
        assert client.get(reverse("portal:imports")).status_code == 403
        assert client.get(reverse("portal:records_export", args=["xlsx"])).status_code == 403
