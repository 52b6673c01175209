"""J2: `manage.py import_legacy` brings the old system's export in — approved records graded A/B/C by the reviewing
department's level and in no queue, pending ones due anew (J1, G5), rejected ones back with the old reason,
reviewers as officials — and a second run, or a malformed file, writes nothing."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.core.management import CommandError, call_command

from accounts.models import AuthorityLevel, Role, User
from grading.grades import LEVEL_OF_AUTHORITY
from legacy.models import LegacyRecord, LegacyReviewer
from projects.models import Record, RecordStatus
from review.models import RecordTransition, TransitionBy
from review.selectors import queue_for, workbench_counts
from review.services import STAGE_MODELS
from tests.factories import UserFactory, official

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
#: a Tuesday before the National Day holiday of 2025 (1–8 October off, Saturday 11 October a make-up working day)
IMPORT_AT = dt.datetime(2025, 9, 30, 10, 0, tzinfo=SHANGHAI)


def run(path, *args) -> str:
    out = StringIO()
    with time_machine.travel(IMPORT_AT, tick=False):
        call_command("import_legacy", str(path), *args, stdout=out)
    return out.getvalue()


def table_counts() -> dict[str, int]:
    """Rows of every table of ours (history events included) and of the accounts' group memberships."""
    counts = {
        model._meta.label: model._default_manager.count()
        for label in ("accounts", "projects", "review", "sync", "legacy")
        for model in apps.get_app_config(label).get_models()
        if not model._meta.proxy
    }
    counts["groups"] = User.groups.through.objects.count()
    return counts


def test_j2_approved_records_are_graded_by_the_reviewing_departments_level_and_in_no_queue(legacy_file):
    info = legacy_file(300)
    out = run(info.path)
    assert "导入完成" in out and "问题 0 个" in out, out

    migrated = {lr.old_id: lr for lr in LegacyRecord.objects.select_related("record")}
    assert set(migrated) == set(info.old_ids)
    approved = [old for old, status in info.status_of.items() if status == "approved"]
    assert len(approved) == 210
    reviewers = {lr.old_id: lr.user for lr in LegacyReviewer.objects.select_related("user__department")}
    grades_seen = set()
    for old_id in approved:
        record = migrated[old_id].record
        assert record.status == RecordStatus.APPROVED
        expected = LEVEL_OF_AUTHORITY[info.level_of[old_id]]  # A provincial, B city, C county
        reviewer = reviewers[info.reviewer_of[old_id]]
        for stage in [record.project, *(model.objects.get(record=record) for model in STAGE_MODELS.values())]:
            assert stage.data_level == expected, (old_id, type(stage).__name__)
            assert stage.check_person_name == reviewer.real_name  # J9: the old reviewer's real name
            assert stage.check_depart_name.endswith(reviewer.department.name)
            assert stage.data_source == 3  # 历史业绩补录: the stages are years older than the submission
        grades_seen.add(expected)
    assert grades_seen == {"A", "B", "C"}

    # logged as migrated, by the old reviewer, with their department and authority (J9); no notice, no mail
    approved_ids = Record.objects.filter(legacy__old_id__in=approved).values("pk")
    rows = RecordTransition.objects.filter(record__in=approved_ids)
    assert rows.count() == 210
    assert set(rows.values_list("by", "to_status", "mail_status")) == {(TransitionBy.MIGRATION, "approved", "")}
    row = rows.select_related("actor__authority", "actor__department").first()
    assert row.actor.role == Role.REVIEWER and row.actor_name == row.actor.real_name
    assert (row.actor_authority, row.actor_department) == (row.actor.authority.name, row.actor.department.name)

    # never in a review queue, nor counted on any workbench
    staff = official("jl_staff", Role.PROVINCIAL, "220000")
    superuser = UserFactory(username="root", is_superuser=True)
    for user in [staff, superuser, *reviewers.values()]:
        assert not queue_for(user).filter(pk__in=approved_ids).exists()
    with time_machine.travel(IMPORT_AT, tick=False):
        assert workbench_counts(staff).pending == 60  # the pending ones only


def test_j1_pending_records_are_submitted_with_a_fresh_deadline_of_three_working_days(legacy_file):
    info = legacy_file(40)
    run(info.path)
    pending = Record.objects.filter(legacy__old_status="pending").select_related("responsible_authority")
    assert pending.count() == info.by_status["pending"] == 8
    # 30 September 2025 + 3 working days: 9 and 10 October, then Saturday 11 October (a make-up working day)
    due = dt.datetime(2025, 10, 11, 23, 59, 59, tzinfo=SHANGHAI)
    for record in pending:
        assert record.status == RecordStatus.SUBMITTED
        assert record.submitted_at == IMPORT_AT
        assert record.review_deadline == due
        assert record.reaches_national and record.track is not None
        # P2 with the migrated reviewers: the county bureau when one of them is there
        assert (
            queue_for(record.responsible_authority.users.filter(role=Role.REVIEWER).first())
            .filter(pk=record.pk)
            .exists()
        )
    log = RecordTransition.objects.get(record=pending.first())
    assert (log.by, log.from_status, log.to_status, log.receipt_no) == (
        TransitionBy.MIGRATION,
        "draft",
        "submitted",
        "",
    )
    assert "原系统待审核" in log.reason


def test_rejected_records_return_to_the_enterprise_with_the_old_reason(legacy_file):
    info = legacy_file(30)
    run(info.path)
    rejected = Record.objects.filter(legacy__old_status="rejected")
    assert rejected.count() == info.by_status["rejected"] == 3
    for record in rejected:
        assert record.status == RecordStatus.REJECTED and record.is_editable_by_enterprise
        log = RecordTransition.objects.get(record=record)
        assert log.by == TransitionBy.MIGRATION and log.reason.startswith(("中标", "竣工", "项目负责人"))
        assert log.actor is not None and log.actor_name == log.actor.real_name


def test_reviewers_become_officials_without_a_password_and_are_never_doubled(legacy_file):
    info = legacy_file(30)
    first = next(iter(info.reviewers.values()))
    # the same official already has this account on the platform: linked, not created twice
    existing = official(first["账号"], Role.REVIEWER, first["行政区划代码"])
    run(info.path)
    assert User.objects.filter(username=first["账号"]).count() == 1
    migrated = LegacyReviewer.objects.select_related("user__authority", "user__department")
    assert migrated.count() == len(info.reviewers)
    assert migrated.get(old_id=first["原系统人员编号"]).user == existing
    for lr in migrated.exclude(user=existing):
        row = info.reviewers[lr.old_id]
        user = lr.user
        assert (user.role, user.real_name, user.department.name) == (Role.REVIEWER, row["姓名"], row["科室"])
        assert user.authority.region_id == row["行政区划代码"] and user.is_staff and user.is_active
        assert not user.has_usable_password()
        assert user.groups.filter(name="主管部门审核员").exists()
        assert (
            user.authority.level
            == {"省级": AuthorityLevel.PROVINCE, "市级": AuthorityLevel.CITY, "县级": "county"}[row["级别"]]
        )


def test_an_account_name_taken_by_somebody_else_is_refused_and_nothing_is_written(legacy_file):
    info = legacy_file(20)
    first = next(iter(info.reviewers.values()))
    UserFactory(username=first["账号"])  # an enterprise's or anybody's account, not this official's
    before = table_counts()
    with pytest.raises(CommandError):
        out = StringIO()
        with time_machine.travel(IMPORT_AT, tick=False):
            call_command("import_legacy", str(info.path), stdout=out)
    assert "已被他人使用" in out.getvalue()
    assert table_counts() == before


def test_j2_importing_the_same_file_twice_changes_nothing(legacy_file):
    info = legacy_file(60)
    run(info.path)
    after_first = table_counts()
    assert after_first["legacy.LegacyRecord"] == 60
    out = run(info.path)
    assert "新写入 0 条" in out and f"未改变）{60 + len(info.reviewers)} 条" in out, out
    assert table_counts() == after_first


def test_a_malformed_file_writes_nothing_and_names_row_and_column(legacy_file, tmp_path):
    from openpyxl import load_workbook

    info = legacy_file(20)
    book = load_workbook(info.path)
    sheet = book["业绩"]
    headers = [c.value for c in sheet[1]]
    sheet.cell(row=3, column=headers.index("原系统状态") + 1, value="已作废")
    sheet.cell(row=5, column=headers.index("审核人编号") + 1, value="U99999")
    bad = tmp_path / "bad.xlsx"
    book.save(bad)
    before = table_counts()
    out = StringIO()
    with time_machine.travel(IMPORT_AT, tick=False), pytest.raises(CommandError):
        call_command("import_legacy", str(bad), stdout=out)
    text = out.getvalue()
    assert "工作表“业绩”第3行“原系统状态”列：“已作废”不是原系统的状态" in text
    assert "第5行“审核人编号”列：审核人员U99999既不在工作表“审核人员”中，也未曾迁移" in text
    assert "未写入任何数据" in text
    assert table_counts() == before
    # --check writes nothing either, even for a good file
    run(info.path, "--check")
    assert table_counts() == before


def test_valid_rows_writes_the_rows_without_problems_only(legacy_file, tmp_path):
    from openpyxl import load_workbook

    info = legacy_file(20)
    book = load_workbook(info.path)
    sheet = book["业绩"]
    headers = [c.value for c in sheet[1]]
    sheet.cell(row=2, column=headers.index("提交时间") + 1, value="去年")
    bad = tmp_path / "one-bad-row.xlsx"
    book.save(bad)
    out = run(bad, "--valid-rows")
    assert "第2行“提交时间”列" in out
    assert LegacyRecord.objects.count() == 19
    assert not LegacyRecord.objects.filter(old_id=info.old_ids[0]).exists()


def test_only_the_provincial_office_of_the_province_sees_the_migration(legacy_file):
    info = legacy_file(10)
    run(info.path)
    jl = official("jl_staff", Role.PROVINCIAL, "220000")
    gx = official("gx_staff", Role.PROVINCIAL, "450000")
    reviewer = LegacyReviewer.objects.first().user
    assert LegacyRecord.visible_to(jl).count() == 10
    assert LegacyReviewer.visible_to(jl).count() == len(info.reviewers)
    for user in (gx, reviewer):
        assert not LegacyRecord.visible_to(user).exists() and not LegacyReviewer.visible_to(user).exists()


def test_the_importer_is_registered_for_the_admins_import_page():
    from legacy.importer import LegacyImporter
    from transfer.book import importer

    found = importer("legacy")
    assert isinstance(found, LegacyImporter)
    assert [s.name for s in found.sheets] == ["业绩", "单体", "参建单位", "单位人员", "审图人员", "审核人员"]
    assert found.sheets[0].headers[0] == "原系统业绩编号"


def test_j2_a_later_export_with_more_records_brings_only_the_new_ones(legacy_file):
    first = legacy_file(20, name="first.xlsx")
    run(first.path)
    records = {lr.old_id: lr.record_id for lr in LegacyRecord.objects.all()}
    later = legacy_file(30, name="later.xlsx")  # the same 20 records and 10 more
    assert later.old_ids[:20] == first.old_ids
    out = run(later.path)
    assert f"未改变）{20 + len(first.reviewers)} 条" in out, out
    assert LegacyRecord.objects.count() == Record.objects.count() == 30
    assert {lr.old_id: lr.record_id for lr in LegacyRecord.objects.filter(old_id__in=first.old_ids)} == records


def test_j2_an_approval_joining_a_project_already_on_the_platform_grades_its_basic_information(legacy_file, jilin):
    from openpyxl import load_workbook

    from projects.models import Project
    from tests.factories import ProjectFactory, RecordFactory

    info = legacy_file(10)
    approved = next(old for old, status in info.status_of.items() if status == "approved")
    index = info.old_ids.index(approved)

    sheet = load_workbook(info.path)["业绩"]
    headers = [c.value for c in sheet[1]]
    prj_num = sheet.cell(row=index + 2, column=headers.index("项目编号") + 1).value
    county = sheet.cell(row=index + 2, column=headers.index("项目所在区县") + 1).value
    project = ProjectFactory(prj_num=prj_num, prj_name="另一企业已录入的项目", county_id=county)
    RecordFactory(project=project, campaign=jilin)  # another firm's draft of the same project
    run(info.path)
    project = Project.objects.get(pk=project.pk)
    assert project.prj_name == "另一企业已录入的项目"  # the platform's data stays
    assert project.data_level == LEVEL_OF_AUTHORITY[info.level_of[approved]]
    assert project.check_person_name and project.records.count() == 2
