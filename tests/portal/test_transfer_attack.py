"""An attacker's probes of the portal's 导出 and 批量导入 (issue 13): jobs of another clerk (of another firm or the
same firm), of staff, of a number that does not exist; forged modes, hostile file names and filters; downloads
whose name cannot inject a header. Each is a 404, a form error or a harmless value — never a 500."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Role
from tests.factories import UserFactory, official
from tests.portal.test_api_support import CHINESE
from tests.portal.test_transfer import export, portal_import, records_a  # noqa: F401  (fixture)
from tests.transfer.test_attack_probes import enterprise_csv, run_job
from transfer.models import ImportJob

pytestmark = pytest.mark.django_db

JOB_PAGES = ("import_job", "import_job_progress", "import_job_report", "import_job_errors")


@pytest.fixture(autouse=True)
def _in_the_campaign_and_media(settings, tmp_path):
    import datetime as dt
    from zoneinfo import ZoneInfo

    import time_machine

    settings.MEDIA_ROOT = str(tmp_path)
    with time_machine.travel(dt.datetime(2017, 12, 4, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        yield


@pytest.fixture
def job_a(client, clerk_a, records_a):  # noqa: F811
    client.force_login(clerk_a)
    return portal_import(client, export(client, "xlsx"), "业绩.xlsx", mode="check")


def _refused_everywhere(client, job_id: int) -> None:
    for name in JOB_PAGES:
        assert client.get(reverse(f"portal:{name}", args=[job_id])).status_code == 404, name
    assert client.post(reverse("portal:import_job_requeue", args=[job_id])).status_code == 404


def test_another_clerk_of_the_same_firm_does_not_see_the_job(client, firm_a, job_a):
    colleague = UserFactory(username="clerk_a2", role=Role.ENTERPRISE, enterprise=firm_a)
    client.force_login(colleague)
    _refused_everywhere(client, job_a.pk)


def test_a_staff_job_and_a_job_that_does_not_exist_are_404_on_the_portal(client, clerk_a, provincial_staff):
    staff_job = run_job(provincial_staff, enterprise_csv("南宁设计院有限公司"), mode="check")
    client.force_login(clerk_a)
    _refused_everywhere(client, staff_job.pk)
    _refused_everywhere(client, 999_999)


def test_a_clerks_job_is_seen_by_its_provinces_staff_in_the_admin_only(
    client, clerk_a, firm_a, provincial_staff, clerk_b
):
    firm_a.region_id = "450100"  # the job belongs to the province the enterprise is registered in
    firm_a.save(update_fields=["region"])
    client.force_login(clerk_a)
    job_a = portal_import(client, enterprise_csv("x"), "业绩.csv", mode="check")
    url = reverse("admin:transfer_importjob_change", args=[job_a.pk])
    client.force_login(provincial_staff)
    assert client.get(url).status_code == 200
    client.force_login(official("jl_staff", Role.PROVINCIAL, "220000"))
    assert client.get(url).status_code == 404
    client.force_login(clerk_b)
    assert client.get(url).status_code in (302, 403)


@pytest.mark.parametrize("mode", ["drop", "", "ALL", "check\x00"])
def test_a_forged_mode_is_a_form_error_and_no_job(client, clerk_a, mode):
    client.force_login(clerk_a)
    answer = client.post(
        reverse("portal:imports"), {"file": SimpleUploadedFile("业绩.xlsx", b"PK\x03\x04"), "mode": mode}
    )
    assert answer.status_code == 400
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize("name", ["../../x.xlsx", "..\\..\\x.xlsx", "名" * 300 + ".xlsx", 'a";\r\nX-Evil: 1.xlsx'])
def test_a_hostile_file_name_is_kept_harmless(client, clerk_a, records_a, name):  # noqa: F811
    client.force_login(clerk_a)
    data = export(client, "xlsx")
    answer = client.post(reverse("portal:imports"), {"file": SimpleUploadedFile(name, data), "mode": "check"})
    assert answer.status_code in (302, 400), answer.status_code
    job = ImportJob.objects.filter(created_by=clerk_a).first()
    if job is None:
        return
    assert "/" not in job.original_name and "\\" not in job.original_name and len(job.original_name) <= 255
    assert job.upload.name.startswith("imports/") and ".." not in job.upload.name


def test_a_report_download_cannot_inject_a_header(client, clerk_a, records_a):  # noqa: F811
    """A name the browser's form cannot send but a script's request can: it reaches the service as it is."""
    data = b"\xef\xbb\xbf" + "不是模板\n1\n".encode()
    job = run_job(clerk_a, data, name='a";\r\nX-Evil: 1.csv', mode="check", key="records")
    assert job.report
    client.force_login(clerk_a)
    response = client.get(reverse("portal:import_job_report", args=[job.pk]))
    assert response.status_code == 200
    assert "X-Evil" not in response.headers and "\n" not in response["Content-Disposition"]


@pytest.mark.parametrize(
    "query",
    [{"status": "x'; drop"}, {"year": "abc"}, {"year": "99999999999999999999"}, {"q": "\x00"}, {"q": "a" * 5000}],
)
def test_forged_export_filters_are_ignored_not_a_500(client, clerk_a, records_a, query):  # noqa: F811
    client.force_login(clerk_a)
    for fmt in ("xlsx", "csv"):
        answer = client.get(reverse("portal:records_export", args=[fmt]), query)
        assert answer.status_code in (200, 302, 400), (fmt, query, answer.status_code)  # 400: NUL in the URL


@pytest.mark.parametrize("fmt", ["xls", "..", "csv.zip", "XLSX"])
def test_an_unknown_export_format_is_404(client, clerk_a, fmt):
    client.force_login(clerk_a)
    assert client.get(f"/portal/records/export/{fmt}/").status_code == 404


def test_a_deregistered_enterprises_clerk_cannot_start_an_import(client, clerk_a, firm_a, records_a):  # noqa: F811
    client.force_login(clerk_a)
    data = export(client, "xlsx")
    firm_a.status = "deregistered"
    firm_a.save(update_fields=["status"])
    answer = client.post(reverse("portal:imports"), {"file": SimpleUploadedFile("业绩.xlsx", data), "mode": "all"})
    assert answer.status_code == 403
    assert not ImportJob.objects.exists()


# --- the bad-input corpus (tests/portal/test_bad_input.py's values) on every input of 导出 and 批量导入 ---

NUL = "A\u0000B"
BAD_IDS = ("99999999999999999999", str(2**63), "0", "-1", "1e400", "abc", "%00")


@pytest.mark.parametrize("job_id", BAD_IDS)
def test_every_job_url_takes_the_corpus_as_a_job_number_without_5xx(client, clerk_a, job_id):
    client.force_login(clerk_a)
    for name in ("", "progress/", "report/", "errors/"):
        answer = client.get(f"/portal/imports/{job_id}/{name}")
        assert answer.status_code == 404, (job_id, name, answer.status_code)
    assert client.post(f"/portal/imports/{job_id}/requeue/").status_code == 404


@pytest.mark.parametrize(
    "data",
    [
        {"mode": "check"},  # no file
        {"mode": "check", "file": "not a file"},  # the file sent as text
        {"mode": "check", "file": ""},
        {"mode": NUL, "file": ("业绩.xlsx", b"PK")},
        {"mode": "9" * 40, "file": ("业绩.xlsx", b"PK")},
        {"mode": "长" * 5000, "file": ("业绩.xlsx", b"PK")},
        {"mode": "check", "file": ("业绩.xlsx", b"")},  # an empty file
        {"mode": "check", "file": ("\u0000.xlsx", b"PK")},
        {"mode": "check", "file": ("业绩.exe", b"MZ")},
        {"mode": "check", "file": ("业绩", b"PK")},
    ],
)
def test_the_import_form_takes_the_corpus_with_a_chinese_message_and_no_job(client, clerk_a, data):
    client.force_login(clerk_a)
    sent = {key: SimpleUploadedFile(*value) if isinstance(value, tuple) else value for key, value in data.items()}
    answer = client.post(reverse("portal:imports"), sent)
    assert answer.status_code == 400, answer.status_code
    errors = answer.context["form"].errors
    assert errors and all(CHINESE.search(str(message)) for field in errors.values() for message in field), errors
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize(
    "query",
    [
        "status=%00",
        "year=%00",
        "year=-1",
        "year=1e400",
        f"year={2**63}",
        "q=" + "长" * 5000,
        "status=draft&status=submitted&year=2017&year=abc",
        "status[]=draft",
        "%00=%00",
    ],
)
def test_the_export_filters_take_the_corpus_without_5xx(client, clerk_a, records_a, query):  # noqa: F811
    client.force_login(clerk_a)
    for fmt in ("xlsx", "csv"):
        answer = client.get(f"/portal/records/export/{fmt}/?{query}")
        assert answer.status_code in (200, 302, 400), (fmt, query, answer.status_code)
