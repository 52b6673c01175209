"""A ZIP of CSV files, one per sheet (the records export's CSV), read by the file layer's one reader (issue 13 item 1):
the records export's GBK ZIP goes back in through the admin's import job and gives identical records; a ZIP with a
member that is no sheet, a bomb, a path or a member over the size limit is refused in Chinese and writes nothing."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from projects.models import (
    Censor,
    CensorStaff,
    Contract,
    FinishCheck,
    Project,
    ProjectCorp,
    Record,
    RecordPerson,
    Tender,
    UnitProject,
)
from tests.review.builders import valid_record
from tests.transfer.test_records_import import delete_all, snapshot
from transfer import record_rows as rr
from transfer.files import FileRefused, read_bytes
from transfer.models import ImportJob, JobStatus
from transfer.tasks import run_import

pytestmark = pytest.mark.django_db

MODELS = (Record, Project, UnitProject, Tender, Contract, Censor, CensorStaff, FinishCheck, ProjectCorp, RecordPerson)


@pytest.fixture(autouse=True)
def _setup(settings, tmp_path, firm_a):
    settings.MEDIA_ROOT = str(tmp_path)
    firm_a.region_id = "450100"  # provincial staff import for the enterprises registered in their province
    firm_a.save(update_fields=["region"])


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def gbk_export(records) -> bytes:
    out = io.BytesIO()
    rr.write_csv_zip(rr.export_queryset(records), out, encoding="gbk")
    return out.getvalue()


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def zip_of(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return out.getvalue()


def admin_import(client, user, data: bytes, name: str = "业绩.zip", mode: str = "all") -> ImportJob:
    """The admin's 导入任务 start page, then the job's task as the worker runs it."""
    client.force_login(user)
    start = reverse("admin:transfer_importjob_start", args=["records"])
    answer = client.post(start, {"file": SimpleUploadedFile(name, data), "mode": mode})
    assert answer.status_code == 302, answer.content.decode()[:800]
    job = ImportJob.objects.latest("pk")
    run_import(job.pk)
    job.refresh_from_db()
    return job


@pytest.fixture
def exported(firm_a):
    first = valid_record(firm_a, units=2, corps=2, persons=2, staff=2)
    Tender.objects.filter(record=first).update(tender_prj_name="邕江大桥（镕铸段）设计")
    valid_record(firm_a)
    return gbk_export(Record.objects.all())


def test_the_records_exports_gbk_zip_imports_through_the_admin_job_and_round_trips(client, exported, provincial_staff):
    assert "镕铸段".encode("gbk") in members(exported)["业绩.csv"]  # GBK bytes, not UTF-8
    before = snapshot()
    delete_all()
    job = admin_import(client, provincial_staff, exported)
    assert job.status == JobStatus.DONE and job.errors == 0, (job.message, job.problems)
    assert job.source == "csvzip:gb18030"
    assert snapshot() == before
    again = admin_import(client, provincial_staff, exported)
    assert (again.written, again.errors) == (0, 0) and again.unchanged == job.written
    assert snapshot() == before


def test_a_zip_of_csv_reads_each_member_alone_header_only_sheets_included(exported):
    files = members(exported)
    files["单位人员.csv"] = files["单位人员.csv"].split(b"\r\n", 1)[0] + b"\r\n"  # the header only
    files["参建单位.csv"] = b"\xef\xbb\xbf" + files["参建单位.csv"].decode("gbk").encode("utf-8")  # UTF-8, BOM
    book = read_bytes(zip_of(files), sheets=rr.sheets(), name="x.zip")
    assert book.source == "csvzip:gb18030,utf-8"
    assert book.tables["单位人员"].rows == [] and len(book.tables["参建单位"].rows) == 4
    assert len(book.tables["业绩"].rows) == 2


def test_member_names_written_in_gbk_by_windows_are_read(exported):
    """Windows' “send to compressed folder” writes names in the code page (GBK), without the UTF-8 flag."""
    files = members(exported)
    data = zip_of({"AAAA.csv": files["业绩.csv"]})
    data = data.replace(b"AAAA.csv", "业绩.csv".encode("gbk"))  # the local header and the directory
    assert not zipfile.ZipFile(io.BytesIO(data)).infolist()[0].flag_bits & 0x800
    assert len(read_bytes(data, sheets=rr.sheets(), name="x.zip").tables["业绩"].rows) == 2


def refused(data: bytes) -> str:
    with pytest.raises(FileRefused) as caught:
        read_bytes(data, sheets=rr.sheets(), name="x.zip")
    return caught.value.message


def test_a_member_that_is_no_sheet_is_refused_naming_it(client, exported, provincial_staff):
    files = members(exported)
    files["说明.txt"] = "请勿修改".encode("gbk")
    bad = zip_of(files)
    before = counts()
    job = admin_import(client, provincial_staff, bad)
    assert job.status == JobStatus.FAILED and "“说明.txt”" in job.message and "业绩.csv" in job.message, job.message
    assert counts() == before
    del files["说明.txt"]
    files["业绩(1).csv"] = files.pop("业绩.csv")
    assert "“业绩(1).csv”" in refused(zip_of(files))
    files["业绩.csv"] = files.pop("业绩(1).csv")
    files["业绩.CSV"] = files["业绩.csv"]
    assert "“业绩.CSV”" in refused(zip_of(files))  # the same sheet twice
    del files["业绩.csv"], files["业绩.CSV"]
    assert "没有“业绩.csv”" in refused(zip_of(files))


def test_a_bomb_member_is_refused_without_being_unpacked(client, exported, provincial_staff):
    files = members(exported)
    files["单体.csv"] = files["单体.csv"] + b" " * (3 * 1024 * 1024)  # 3 MB of spaces pack into a few KB
    bomb = zip_of(files)
    assert len(bomb) < 100_000
    before = counts()
    job = admin_import(client, provincial_staff, bomb)
    assert job.status == JobStatus.FAILED and "解压" in job.message, job.message
    assert counts() == before


@pytest.mark.parametrize("name", ["../业绩.csv", "导出/业绩.csv", "/tmp/业绩.csv", "..\\业绩.csv", "C:业绩.csv"])
def test_a_member_with_a_path_is_refused(client, exported, provincial_staff, name):
    files = members(exported)
    files[name] = files.pop("业绩.csv")
    data = zip_of(files)
    before = counts()
    job = admin_import(client, provincial_staff, data)
    assert job.status == JobStatus.FAILED and "路径" in job.message, job.message
    assert counts() == before


def test_a_member_over_the_size_limit_and_too_many_rows_are_refused(exported, settings):
    files = members(exported)
    settings.IMPORT_MAX_ROWS = 1
    assert "超过 1 行" in refused(zip_of(files))
    settings.IMPORT_MAX_ROWS = 1000
    settings.IMPORT_MAX_BYTES = len(files["业绩.csv"]) - 1
    message = refused(zip_of(files))
    assert "“业绩.csv”" in message and "MB" in message
    settings.IMPORT_MAX_BYTES = 20 * 1024 * 1024
    settings.IMPORT_MAX_UNCOMPRESSED_BYTES = sum(len(v) for v in files.values()) - 1
    assert "解压" in refused(zip_of(files))


def test_too_many_members_and_a_member_in_neither_encoding_are_refused(exported):
    files = members(exported)
    many = {**files, **{f"x{i}.csv": b"a" for i in range(100)}}
    assert "105 个文件" in refused(zip_of(many))
    files["单体.csv"] = files["单体.csv"].split(b"\r\n", 1)[0] + b"\r\n\x81\x20\xff,\xff\r\n"
    message = refused(zip_of(files))
    assert "“单体.csv”" in message and "编码" in message


def test_a_zip_without_csv_or_workbook_is_still_a_broken_file():
    data = zip_of({"word/document.xml": b"<w/>"})
    assert "文件已损坏" in refused(data)
