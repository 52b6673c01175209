"""J2 in the admin: the old system's file on transfer's import page (a job, as any import), the migration's keys
as read-only lists of the province's staff, and another province's staff refused."""

from __future__ import annotations

from io import BytesIO

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import Role
from legacy.models import LegacyRecord, LegacyReviewer
from projects.models import Record
from tests.factories import official
from tests.legacy.test_import_legacy import IMPORT_AT
from transfer.jobs import start_import
from transfer.models import ImportJob, JobStatus
from transfer.tasks import run_import

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def jl_staff(db):
    return official("jl_staff", Role.PROVINCIAL, "220000")


def test_the_import_page_offers_the_old_systems_file_with_its_template(client, jl_staff):
    client.force_login(jl_staff)
    page = client.get(reverse("admin:transfer_importjob_changelist")).content.decode()
    assert "原系统数据迁移" in page
    assert reverse("admin:transfer_importjob_start", args=["legacy"]) in page
    template = client.get(reverse("admin:transfer_importjob_template", args=["legacy"]))
    assert template.status_code == 200
    book = load_workbook(BytesIO(template.content))
    assert book.sheetnames[:6] == ["业绩", "单体", "参建单位", "单位人员", "审图人员", "审核人员"]
    first = [c.value for c in book["业绩"][1]]
    assert first[:2] == ["原系统业绩编号*", "原系统状态*"]


def test_j2_a_job_of_the_provincial_office_migrates_the_file_and_lists_it(client, jl_staff, legacy_file):
    info = legacy_file(20)
    upload = SimpleUploadedFile("原系统导出.xlsx", info.path.read_bytes())
    with time_machine.travel(IMPORT_AT, tick=True):
        job = start_import(user=jl_staff, key="legacy", uploaded_file=upload, mode="all")
        assert run_import(job.pk) == JobStatus.DONE
    job.refresh_from_db()
    assert LegacyRecord.objects.count() == Record.objects.count() == 20
    assert LegacyReviewer.objects.count() == len(info.reviewers)
    client.force_login(jl_staff)
    listing = client.get(reverse("admin:legacy_legacyrecord_changelist"))
    assert listing.status_code == 200
    assert set(listing.context["cl"].queryset.values_list("old_id", flat=True)) == set(info.old_ids)
    assert client.get(reverse("admin:legacy_legacyreviewer_changelist")).status_code == 200
    legacy = LegacyRecord.objects.first()
    assert client.get(reverse("admin:legacy_legacyrecord_change", args=[legacy.pk])).status_code == 200
    assert client.post(reverse("admin:legacy_legacyrecord_delete", args=[legacy.pk])).status_code == 403


def test_another_provinces_staff_cannot_migrate_or_read_jilins_old_system(client, legacy_file):
    gx_staff = official("gx_staff", Role.PROVINCIAL, "450000")
    info = legacy_file(10)
    upload = SimpleUploadedFile("原系统导出.xlsx", info.path.read_bytes())
    with time_machine.travel(IMPORT_AT, tick=True):
        job = start_import(user=gx_staff, key="legacy", uploaded_file=upload, mode="valid_rows")
        run_import(job.pk)
    job = ImportJob.objects.get(pk=job.pk)
    assert not LegacyRecord.objects.exists() and not Record.objects.exists()
    assert "只能由本省住房城乡建设厅迁移" in str(job.problems) + job.message
    reviewer = official("cc_reviewer", Role.REVIEWER, "220100")
    client.force_login(reviewer)
    assert client.get(reverse("admin:legacy_legacyrecord_changelist")).status_code == 403
