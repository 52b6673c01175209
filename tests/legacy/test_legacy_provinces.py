"""J2: each province's old system numbered its records and reviewers alike, so the migration's key is (province, old
id): Guangxi's "1001" and Jilin's "1001" both migrate, a second run still changes nothing, and the rows migrated
before the key had a province got the one of their record's county or reviewer's authority."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps
from django.utils import timezone

from accounts.models import Role
from legacy.models import LegacyRecord, LegacyReviewer
from projects.models import Record
from tests.factories import EnterpriseFactory, RecordFactory, official
from tests.legacy.test_import_legacy import run, table_counts

pytestmark = pytest.mark.django_db


def _guangxi_migrated(old_record: str, old_reviewer: str) -> tuple[LegacyRecord, LegacyReviewer]:
    """What Guangxi's own migration left: its record and reviewer under the same old ids as Jilin's."""
    record = RecordFactory(enterprise=EnterpriseFactory(region_id="450100"), project__county_id="450103")
    now = timezone.now()
    gx_record = LegacyRecord.objects.create(
        province_id="450000",
        old_id=old_record,
        record=record,
        old_status="approved",
        file_name="gx.xlsx",
        imported_at=now,
    )
    gx_reviewer = LegacyReviewer.objects.create(
        province_id="450000",
        old_id=old_reviewer,
        user=official("gx_old", Role.REVIEWER, "450103"),
        file_name="gx.xlsx",
        imported_at=now,
    )
    return gx_record, gx_reviewer


def test_j2_guangxis_and_jilins_same_old_ids_both_migrate_and_a_second_run_changes_nothing(legacy_file):
    info = legacy_file(20)
    old_reviewer = next(iter(info.reviewers))
    gx_record, gx_reviewer = _guangxi_migrated(info.old_ids[0], old_reviewer)
    out = run(info.path)  # manage.py: the superuser's way, every row keyed on its own project's province
    assert f"新写入 {20 + len(info.reviewers)} 条" in out and "问题 0 个" in out, out
    jilin = LegacyRecord.objects.filter(province_id="220000")
    assert set(jilin.values_list("old_id", flat=True)) == set(info.old_ids)
    assert all(county.startswith("22") for county in jilin.values_list("record__project__county_id", flat=True))
    assert LegacyRecord.objects.get(province_id="450000", old_id=info.old_ids[0]) == gx_record
    jl_reviewer = LegacyReviewer.objects.get(province_id="220000", old_id=old_reviewer)
    assert jl_reviewer.user != gx_reviewer.user and jl_reviewer.user.authority.region_id.startswith("22")
    assert LegacyReviewer.objects.filter(province_id="220000").count() == len(info.reviewers)
    # the Jilin records name the Jilin reviewer, never Guangxi's official of the same old id
    assert not Record.objects.filter(transitions__actor=gx_reviewer.user).exists()
    assert Record.objects.filter(transitions__actor=jl_reviewer.user).exists()

    after_first = table_counts()
    out = run(info.path)
    assert "新写入 0 条" in out and f"未改变）{20 + len(info.reviewers)} 条" in out, out
    assert table_counts() == after_first


def test_j2_each_provincial_office_sees_its_own_provinces_old_ids_only(legacy_file):
    info = legacy_file(10)
    gx_record, gx_reviewer = _guangxi_migrated(info.old_ids[0], next(iter(info.reviewers)))
    run(info.path)
    jl = official("jl_staff", Role.PROVINCIAL, "220000")
    gx = official("gx_staff", Role.PROVINCIAL, "450000")
    assert set(LegacyRecord.visible_to(gx)) == {gx_record} and set(LegacyReviewer.visible_to(gx)) == {gx_reviewer}
    assert LegacyRecord.visible_to(jl).count() == 10 and gx_record not in LegacyRecord.visible_to(jl)
    assert LegacyReviewer.visible_to(jl).count() == len(info.reviewers)


def test_the_same_old_id_twice_in_one_file_is_refused_naming_both_rows(legacy_file, tmp_path):
    """One file is one province's old system: an id twice in a sheet is refused whole by the reader (the sheets' key
    columns), both rows named, nothing written."""
    from django.core.management import CommandError
    from openpyxl import load_workbook

    info = legacy_file(20)
    book = load_workbook(info.path)
    sheet = book["业绩"]
    headers = [c.value for c in sheet[1]]
    sheet.cell(row=4, column=headers.index("原系统业绩编号") + 1, value=info.old_ids[0])
    bad = tmp_path / "twice.xlsx"
    book.save(bad)
    before = table_counts()
    with pytest.raises(CommandError, match=f"第 4 行的原系统业绩编号与第 2 行相同（{info.old_ids[0]}）"):
        run(bad, "--valid-rows")
    assert table_counts() == before


def test_j2_the_data_migration_gives_rows_migrated_before_their_records_and_reviewers_province(legacy_file):
    migration = importlib.import_module("legacy.migrations.0002_old_id_unique_per_province")
    info = legacy_file(10)
    run(info.path)
    # as if the key had no province yet: any other value, which the migration must replace
    LegacyRecord.objects.update(province_id="450000")
    LegacyReviewer.objects.update(province_id="450000")
    migration.fill_provinces(django_apps, None)
    assert set(LegacyRecord.objects.values_list("province_id", flat=True)) == {"220000"}
    assert set(LegacyReviewer.objects.values_list("province_id", flat=True)) == {"220000"}
    for legacy in LegacyRecord.objects.select_related("record__project"):
        assert legacy.record.project.county_id[:2] == "22"
