"""Import jobs end to end (issue 13 items 1 and 5): a real XLSX and a real GBK CSV of enterprises through the Celery
task, the three modes, every malformed file refused in Chinese with the database unchanged, the progress counters,
export → import round trips, and the admin pages."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from accounts.errors import DomainError
from accounts.models import Authority, Department, Enterprise, EnterpriseStatus, Role
from projects.models import CampaignContact
from tests.factories import authority_for, make_uscc, official
from transfer import book as book_module
from transfer.book import Report
from transfer.jobs import start_import
from transfer.models import ImportJob, JobStatus
from transfer.organisations import authority_importer, enterprise_importer
from transfer.tasks import run_import
from transfer.workbooks import export_workbook, template_workbook

HEADER = ["统一社会信用代码*", "企业名称*", "企业类型*", "注册地区代码*", "状态", "地址", "联系人", "联系电话"]


def rows(n: int, start: int = 1) -> list[list]:
    return [
        [
            make_uscc(5000 + i),
            f"南宁第{i}建筑设计院有限公司",
            "设计、施工",
            "450103",
            "存续",
            "南宁市青秀区",
            "张三",
            "0771-2368335",
        ]
        for i in range(start, start + n)
    ]


def xlsx(sheets: dict[str, list[list]]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, data in sheets.items():
        ws = workbook.create_sheet(title)
        for row in data:
            ws.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(data: bytes, name: str = "企业.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in (Enterprise, Authority, Department, CampaignContact)} | {
        "events": _events()
    }


def _events() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM accounts_enterpriseevent")
        return cursor.fetchone()[0]


def run(user, data: bytes, name: str = "企业.xlsx", mode: str = "all", key: str = "enterprises") -> ImportJob:
    job = start_import(user=user, key=key, uploaded_file=upload(data, name), mode=mode)
    assert run_import(job.pk) in (JobStatus.DONE, JobStatus.FAILED)
    job.refresh_from_db()
    return job


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def staff(provincial_staff):
    return provincial_staff


# --- enterprises: a real XLSX, a real GBK CSV, round trips ----------------------------------------------------------


def test_a_real_xlsx_of_enterprises_imports_and_twice_changes_nothing(staff):
    data = xlsx({"企业": [HEADER, *rows(3)]})
    job = run(staff, data)
    assert job.status == JobStatus.DONE, job.message
    assert (job.total, job.done, job.written, job.unchanged, job.errors) == (3, 3, 3, 0, 0)
    firm = Enterprise.objects.get(credit_code=make_uscc(5001))
    assert (firm.name, firm.kinds, firm.region_id, firm.status) == (
        "南宁第1建筑设计院有限公司",
        ["design", "construction"],
        "450103",
        EnterpriseStatus.ACTIVE,
    )
    assert firm.contact_phone == "0771-2368335"
    before = counts()
    again = run(staff, data)
    assert (again.written, again.unchanged) == (0, 3)
    assert counts() == before  # not even a history event


def test_export_then_import_round_trips_enterprises(staff):
    run(staff, xlsx({"企业": [HEADER, *rows(4)]}))
    firm = Enterprise.objects.get(credit_code=make_uscc(5002))
    Enterprise.objects.filter(pk=firm.pk).update(status=EnterpriseStatus.DEREGISTERED, kinds=["supervision"])
    snapshot = list(Enterprise.objects.order_by("credit_code").values())
    exported = export_workbook(enterprise_importer, staff)
    sheet = load_workbook(io.BytesIO(exported)).active
    assert sheet["A1"].value == "统一社会信用代码*" and sheet["A2"].number_format == "@"
    job = run(staff, exported, name="导出.xlsx")
    assert (job.written, job.unchanged, job.errors) == (0, 4, 0), job.problems
    assert list(Enterprise.objects.order_by("credit_code").values()) == snapshot


def test_a_gbk_csv_of_enterprises_round_trips(staff):
    lines = [",".join(HEADER)] + [",".join(row) for row in rows(2)]
    data = ("\r\n".join(lines) + "\r\n").encode("gbk")
    job = run(staff, data, name="企业.csv")
    assert job.status == JobStatus.DONE and job.source == "csv:gb18030" and job.written == 2, job.message
    assert Enterprise.objects.get(credit_code=make_uscc(5001)).name == "南宁第1建筑设计院有限公司"
    assert Enterprise.objects.get(credit_code=make_uscc(5001)).address == "南宁市青秀区"
    assert run(staff, data, name="企业.csv").unchanged == 2


# --- the three modes ----------------------------------------------------------------------------------------------


def _two_good_one_bad() -> bytes:
    good = rows(2)
    bad = rows(1, start=9)[0]
    bad[0] = bad[0][:17] + ("0" if bad[0][17] != "0" else "1")  # a wrong check character
    bad[3] = "999999"
    return xlsx({"企业": [HEADER, good[0], bad, good[1]]})


def test_check_mode_reports_every_problem_and_writes_nothing(staff):
    before = counts()
    job = run(staff, _two_good_one_bad(), mode="check")
    assert job.status == JobStatus.DONE
    assert counts() == before
    assert job.errors == 2 and {p["row"] for p in job.problems} == {3}
    assert {p["column"] for p in job.problems} == {"统一社会信用代码", "注册地区代码"}
    assert "校验" in job.problems[0]["message"] or "校验码" in " ".join(p["message"] for p in job.problems)
    assert "未写入" in job.message or "只检查" in job.message
    report = load_workbook(io.BytesIO(job.report.open("rb").read()))
    assert report.sheetnames == ["问题清单"]
    assert [c.value for c in report["问题清单"][1]] == ["工作表", "行号", "列", "问题"]
    assert report["问题清单"]["B2"].value == 3


def test_all_mode_writes_nothing_when_a_row_is_wrong(staff):
    before = counts()
    job = run(staff, _two_good_one_bad(), mode="all")
    assert job.status == JobStatus.DONE and job.written == 0 and job.errors == 2
    assert counts() == before
    assert "未写入任何数据" in job.message


def test_valid_rows_mode_writes_the_good_rows_and_returns_the_bad_ones(staff):
    job = run(staff, _two_good_one_bad(), mode="valid_rows")
    assert (job.written, job.refused_rows) == (2, 1)
    assert Enterprise.objects.filter(credit_code__in=[make_uscc(5001), make_uscc(5002)]).count() == 2
    errors = load_workbook(io.BytesIO(job.error_file.open("rb").read()))["企业"]
    header = [c.value for c in errors[1]]
    assert header[-1] == "错误原因" and header[0] == "统一社会信用代码*"
    assert errors.max_row == 2 and errors["D2"].value == "999999"
    assert "注册地区代码" in errors.cell(row=2, column=len(header)).value
    # corrected, the error file imports (its 错误原因 column is ignored)
    wb = load_workbook(io.BytesIO(job.error_file.open("rb").read()))
    ws = wb["企业"]
    ws["A2"].value = make_uscc(5009)
    ws["D2"].value = "450103"
    buffer = io.BytesIO()
    wb.save(buffer)
    fixed = run(staff, buffer.getvalue(), name="错误数据.xlsx")
    assert (fixed.status, fixed.written, fixed.errors) == (JobStatus.DONE, 1, 0), fixed.problems


# --- malformed files: refused in Chinese, the database unchanged ---------------------------------------------------


def _bomb() -> bytes:
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(xlsx({"企业": [HEADER, *rows(1)]})))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                content = content.replace(b"</worksheet>", b"<!--" + b"0" * (300 * 1024 * 1024) + b"--></worksheet>")
            archive.writestr(item.filename, content)
    return buffer.getvalue()


MALFORMED = {
    "broken zip": (b"PK\x03\x04 broken", "企业.xlsx", "文件已损坏或不是有效的 Excel 文件"),
    "xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "企业.xls", "另存为"),
    "wrong columns": (lambda: xlsx({"企业": [["名称", "代码"], ["甲", "1"]]}), "企业.xlsx", "缺少必填列"),
    "unknown column": (lambda: xlsx({"企业": [[*HEADER, "备注"], [*rows(1)[0], "x"]]}), "企业.xlsx", "无法识别的列"),
    "duplicate rows": (lambda: xlsx({"企业": [HEADER, *rows(1), *rows(1)]}), "企业.xlsx", "重复"),
    "duplicate keys": (
        lambda: xlsx({"企业": [HEADER, rows(1)[0], [rows(1)[0][0], "另一家公司", "设计", "450103"]]}),
        "企业.xlsx",
        "只能出现一次",
    ),
    "empty": (lambda: xlsx({"企业": [HEADER]}), "企业.xlsx", "没有数据行"),
    "garbled csv": (
        lambda: "统一社会信用代码,企业名称\r\n1,甲\r\n".encode().decode("latin-1").encode(),
        "企业.csv",
        "无法识别文件编码",
    ),
    "undecodable csv": (
        lambda: "统一社会信用代码,企业名称\r\n".encode("gbk") + b"\x81\x20\xff",
        "企业.csv",
        "无法识别文件编码",
    ),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_a_malformed_file_is_refused_in_chinese_and_writes_nothing(staff, case):
    data, name, words = MALFORMED[case]
    data = data() if callable(data) else data
    before = counts()
    job = run(staff, data, name=name)
    assert job.status == JobStatus.FAILED
    assert words in job.message, job.message
    assert counts() == before
    assert job.report  # the refusal's problems, downloadable


@pytest.mark.slow
def test_an_xlsx_bomb_is_refused_and_writes_nothing(staff):
    data = _bomb()
    assert len(data) < 2 * 1024 * 1024
    before = counts()
    job = run(staff, data)
    assert job.status == JobStatus.FAILED and "解压" in job.message
    assert counts() == before


def test_bad_codes_are_named_by_row_and_column_and_nothing_is_written(staff):
    data = xlsx({"企业": [HEADER, ["91450100MA5K00000X", "甲", "造价", "450103", "歇业", "", "", "12345"]]})
    before = counts()
    job = run(staff, data)
    assert counts() == before
    columns = {p["column"] for p in job.problems}
    assert columns == {"统一社会信用代码", "企业类型", "状态", "联系电话"}
    assert all(p["row"] == 2 and p["sheet"] == "企业" for p in job.problems)


def test_a_file_over_the_size_limit_is_refused_before_it_is_stored(staff, settings):
    settings.IMPORT_MAX_BYTES = 1024
    before = ImportJob.objects.count()
    with pytest.raises(DomainError, match="MB"):
        start_import(user=staff, key="enterprises", uploaded_file=upload(b"x" * 4096), mode="all")
    assert ImportJob.objects.count() == before


def test_an_enterprise_of_another_province_is_neither_created_nor_changed(staff):
    jilin_firm = Enterprise.objects.create(
        name="吉林设计院", credit_code=make_uscc(7001, "220100"), kinds=["design"], region_id="220102"
    )
    data = xlsx(
        {
            "企业": [
                HEADER,
                [jilin_firm.credit_code, "改名", "设计", "450103"],
                [make_uscc(7002), "新", "设计", "220102"],
            ]
        }
    )
    job = run(staff, data, mode="valid_rows")
    assert job.written == 0 and job.refused_rows == 2
    jilin_firm.refresh_from_db()
    assert jilin_firm.name == "吉林设计院"
    assert "其他省份" in job.problems[0]["message"] or "本省" in job.problems[1]["message"]


def test_an_unexpected_error_fails_the_job_with_nothing_written(staff, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("disk on fire")

    data = xlsx({"企业": [HEADER, *rows(2)]})
    monkeypatch.setattr(Enterprise.objects, "create", explode)  # the write phase dies after the first checks
    before = counts()
    job = run(staff, data)
    assert job.status == JobStatus.FAILED and "意外错误" in job.message and "disk" not in job.message
    assert counts() == before


def test_a_finished_job_is_not_run_again(staff):
    job = run(staff, xlsx({"企业": [HEADER, *rows(1)]}))
    finished = job.finished_at
    Enterprise.objects.all().delete()
    assert run_import(job.pk) == JobStatus.DONE
    job.refresh_from_db()
    assert job.finished_at == finished and not Enterprise.objects.exists()


def test_enterprise_clerks_and_reviewers_may_not_import(clerk_a, county_reviewer):
    for user in (clerk_a, county_reviewer):
        with pytest.raises(DomainError):
            start_import(user=user, key="enterprises", uploaded_file=upload(b"x"), mode="all")


# --- progress -----------------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_progress_is_stored_while_the_importer_runs(seeded, provincial_staff, settings, tmp_path, monkeypatch):
    """The counters are written through a connection of their own, so the job's page sees them while the importer
    still works (here: read back between two rows, from the importer itself)."""
    seen = []

    class Probe:
        key = "probe"
        label = "probe"
        sheets = enterprise_importer.sheets

        def run(self, book, *, user, mode, progress):
            total = book.rows()
            for done in range(1, total + 1):
                progress(done, total, done // 100)
                if done in (250, 450):
                    job = ImportJob.objects.get(importer="probe")
                    seen.append((job.done, job.total, job.errors, job.time_left() is not None))
            return Report(total=total)

    monkeypatch.setitem(book_module._importers, "probe", Probe())
    data = xlsx({"企业": [HEADER, *rows(500)]})
    job = start_import(user=provincial_staff, key="probe", uploaded_file=upload(data), mode="check")
    assert run_import(job.pk) == JobStatus.DONE
    assert seen[0][1] == 500 and 200 <= seen[0][0] <= 250 and seen[0][3]
    assert 400 <= seen[1][0] <= 450 and seen[1][2] >= 4
    job.refresh_from_db()
    assert (job.done, job.total) == (500, 500)


# --- authorities and contact persons ------------------------------------------------------------------------------

A_HEADER = ["单位名称*", "行政区划代码*", "级别", "上级单位", "地址", "办公电话", "处室/科室"]
C_HEADER = ["单位名称*", "姓名*", "科室*", "职务", "办公电话", "手机", "补录工作"]


def test_authorities_and_contacts_import_in_the_layout_of_annex_3_and_round_trip(staff):
    province = authority_for("450000")
    data = xlsx(
        {
            "主管部门": [
                A_HEADER,
                [
                    "桂林市住房和城乡建设局",
                    "450300",
                    "市级",
                    province.name,
                    "桂林市临桂区",
                    "0773-2826000",
                    "建筑市场科、质安站",
                ],
                ["桂林市秀峰区住房和城乡建设局", "450302", "", "", "", "", "建管股"],
            ],
            "联系人": [
                C_HEADER,
                ["桂林市住房和城乡建设局", "李四", "建筑市场科", "科长", "0773-2826001", "13907730001", ""],
            ],
        }
    )
    job = run(staff, data, name="主管部门.xlsx", key="authorities")
    assert job.status == JobStatus.DONE and job.errors == 0, job.problems
    guilin = Authority.objects.get(region_id="450300")
    assert guilin.parent == province and guilin.level == "city"
    assert Authority.objects.get(region_id="450302").parent == guilin
    assert set(guilin.departments.values_list("name", flat=True)) == {"建筑市场科", "质安站"}
    contact = CampaignContact.objects.get(authority=guilin)
    assert (contact.name, contact.mobile, contact.campaign.notice_number) == (
        "李四",
        "13907730001",
        "桂建设〔2017〕29号",
    )
    before = counts()
    exported = export_workbook(authority_importer, staff)
    assert load_workbook(io.BytesIO(exported)).sheetnames == ["主管部门", "联系人"]
    again = run(staff, exported, name="导出.xlsx", key="authorities")
    assert again.errors == 0 and again.written == 0, again.problems
    assert counts() == before


def test_authorities_outside_the_province_and_bad_phones_are_refused(staff):
    data = xlsx(
        {
            "主管部门": [A_HEADER, ["长春市住房和城乡建设局", "220100", "", "", "", "", ""]],
            "联系人": [C_HEADER, ["不存在的局", "王五", "科", "", "2368335", "1390773", ""]],
        }
    )
    before = counts()
    job = run(staff, data, name="a.xlsx", key="authorities")
    assert counts() == before
    where = {(p["sheet"], p["column"]) for p in job.problems}
    assert where == {("主管部门", "行政区划代码"), ("联系人", "单位名称"), ("联系人", "办公电话"), ("联系人", "手机")}


# --- templates and the admin pages --------------------------------------------------------------------------------


def test_the_template_marks_red_star_columns_and_formats_codes_as_text():
    workbook = load_workbook(io.BytesIO(template_workbook(authority_importer)))
    assert workbook.sheetnames == ["主管部门", "联系人", "填写说明"]
    sheet = workbook["主管部门"]
    assert sheet["A1"].value == "单位名称*" and sheet["A1"].font.color.rgb == "FFC00000"
    assert sheet["C1"].value == "级别" and sheet.freeze_panes == "A2"
    assert sheet["B1"].comment is not None and "行政区划" in sheet["B1"].comment.text
    assert sheet["B2"].number_format == "@"
    assert [c.value for c in workbook["联系人"][1]][:6] == ["单位名称*", "姓名*", "科室*", "职务", "办公电话", "手机"]


def test_the_admin_pages_walk_from_start_to_the_report(client, staff):
    client.force_login(staff)
    listing = client.get(reverse("admin:transfer_importjob_changelist"))
    assert listing.status_code == 200
    page = listing.content.decode()
    start = reverse("admin:transfer_importjob_start", args=["enterprises"])
    assert start in page and reverse("admin:transfer_importjob_template", args=["enterprises"]) in page
    assert client.get(start).status_code == 200
    template = client.get(reverse("admin:transfer_importjob_template", args=["enterprises"]))
    assert template.status_code == 200 and template["Content-Type"].startswith("application/vnd.openxml")
    answer = client.post(start, {"file": upload(_two_good_one_bad()), "mode": "check"})
    job = ImportJob.objects.get()
    assert answer.status_code == 302 and answer["Location"] == reverse("admin:transfer_importjob_change", args=[job.pk])
    queued = client.get(answer["Location"])
    assert queued.status_code == 200 and "排队中" in queued.content.decode()
    assert '<meta http-equiv="refresh"' in queued.content.decode() and "import_job.js" in queued.content.decode()
    run_import(job.pk)
    done = client.get(answer["Location"]).content.decode()
    assert "问题清单" in done and "注册地区代码" in done and "refresh" not in done
    progress = client.get(reverse("admin:transfer_importjob_progress", args=[job.pk])).json()
    assert progress["finished"] and progress["errors"] == 2 and progress["percent"] == 100
    report = client.get(reverse("admin:transfer_importjob_report", args=[job.pk]))
    assert report.status_code == 200
    assert client.get(reverse("admin:transfer_importjob_export", args=["enterprises"])).status_code == 200


def test_the_start_page_says_why_a_file_is_refused(client, staff, settings):
    settings.IMPORT_MAX_BYTES = 100
    client.force_login(staff)
    start = reverse("admin:transfer_importjob_start", args=["enterprises"])
    answer = client.post(start, {"file": upload(b"x" * 500, "a.xlsx"), "mode": "all"})
    assert answer.status_code == 200 and "MB" in answer.content.decode()
    answer = client.post(start, {"file": upload(b"x,y", "a.pdf"), "mode": "all"})
    assert "a.pdf" in answer.content.decode() and not ImportJob.objects.exists()


def test_a_reviewer_of_another_province_cannot_see_a_job(client, staff):
    job = run(staff, xlsx({"企业": [HEADER, *rows(1)]}))
    jilin = official("jl_reviewer", Role.REVIEWER, "220100")
    jilin_staff = official("jl_staff", Role.PROVINCIAL, "220000")
    for user in (jilin, jilin_staff):
        client.force_login(user)
        for name in ("change", "progress", "report"):
            assert client.get(reverse(f"admin:transfer_importjob_{name}", args=[job.pk])).status_code == 404
    client.force_login(jilin)
    assert client.get(reverse("admin:transfer_importjob_changelist")).status_code == 403
    assert client.get(reverse("admin:transfer_importjob_start", args=["enterprises"])).status_code == 403


def test_one_user_cannot_fill_the_queue_with_imports(staff, settings):
    """IMPORT_MAX_OPEN_JOBS of a user's jobs may wait or run at once; the next is refused in Chinese until one ends;
    a job stuck for longer than the window (its worker gone) no longer counts."""
    import datetime as dt

    from django.utils import timezone

    settings.IMPORT_MAX_OPEN_JOBS = 2
    data = xlsx({"企业": [HEADER, *rows(1)]})
    first = start_import(user=staff, key="enterprises", uploaded_file=upload(data), mode="check")
    start_import(user=staff, key="enterprises", uploaded_file=upload(data), mode="check")
    with pytest.raises(DomainError) as refused:
        start_import(user=staff, key="enterprises", uploaded_file=upload(data), mode="check")
    assert "2 个导入任务" in str(refused.value) and ImportJob.objects.count() == 2
    run_import(first.pk)
    start_import(user=staff, key="enterprises", uploaded_file=upload(data), mode="check")
    ImportJob.objects.update(created_at=timezone.now() - dt.timedelta(hours=7))
    start_import(user=staff, key="enterprises", uploaded_file=upload(data), mode="check")
    assert ImportJob.objects.count() == 4
