"""Versions of a record (P4): a snapshot of its whole content, a diff in words, version 1 written lazily, the one
path that writes a decided record (projects.revisions)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from accounts.errors import DomainError
from projects import revisions, versions
from projects.models import ProjectCorp, Record, RecordVersion, VersionKind
from tests.review.builders import valid_record
from tests.sync.test_push import approved

pytestmark = pytest.mark.django_db


def author(name="张三") -> revisions.Author:
    return revisions.Author(
        None, name, "广西壮族自治区住房和城乡建设厅建筑管理处", dt.datetime(2017, 12, 27, 2, tzinfo=dt.UTC)
    )


def test_a_snapshot_holds_every_part_of_the_record(firm_a):
    record = valid_record(firm_a)
    snap = versions.snapshot(record)
    assert snap["project"]["prj_num"] == record.project.prj_num
    assert snap["tender"]["tender_money"] is not None and "national_num" not in snap["tender"]
    assert len(snap["corps"]) == 2 and snap["corps"][0]["id"] == ProjectCorp.objects.filter(record=record).first().pk
    assert snap["persons"][0]["id_card"] and snap["censor_staff"][0]["user_name"] == "审图员0"
    assert {a["kind"] for a in snap["attachments"]} == {"bid_notice", "contract", "completion"}
    assert "file" not in snap["attachments"][0]


def test_the_diff_names_part_row_and_field_in_words_and_codes_by_their_names(firm_a):
    record = valid_record(firm_a)
    old = versions.snapshot(record)
    new = {**old, "tender": {**old["tender"], "tender_money": "7000.0000", "tender_method": "002"}}
    corps = [dict(c) for c in old["corps"]]
    corps[1]["person_name"] = "李四"
    new["corps"] = corps
    changes = versions.diff(old, new)
    by_field = {c["field"]: c for c in changes}
    assert by_field["tender_money"]["part_label"] == "招投标信息"
    assert by_field["tender_money"]["label"] == "中标金额（万元）"
    assert by_field["tender_money"]["new_text"] == "7000.0000"
    assert by_field["tender_method"]["new_text"] == "邀请招标"
    assert by_field["person_name"]["row_label"] == "第2行" and by_field["person_name"]["new"] == "李四"
    assert versions.diff(old, old) == []


def test_personal_data_is_masked_in_a_versions_changes(firm_a):
    record = valid_record(firm_a)
    old = versions.snapshot(record)
    persons = [dict(p) for p in old["persons"]]
    before = persons[0]["id_card"]
    persons[0]["id_card"] = "110101199003078515"
    rows = versions.change_rows(versions.diff(old, {**old, "persons": persons}))
    assert rows[0].new == "1101**********8515" and before not in rows[0].old


def test_a_correction_writes_version_1_then_2_and_only_the_changed_stage_is_stamped(firm_a, clerk_a, county_reviewer):
    record = approved(firm_a, clerk_a, county_reviewer)
    first = author("王五")
    stamped = []

    def stamp(key, stage):
        stamped.append(key)
        stage.data_level = "A"

    version = revisions.apply_changes(
        record_id=record.pk,
        proposed=[{"part": "tender", "field": "tender_money", "value": "6,900万元"}],
        reason="合同变更",
        author=author(),
        first=first,
        stamp=stamp,
    )
    record = Record.objects.get(pk=record.pk)
    assert record.edition == 2 and version.number == 2 and version.kind == VersionKind.CORRECTION
    assert record.tender.tender_money == Decimal("6900") and record.tender.data_level == "A"
    assert record.contract.data_level == "C"  # not changed, not re-graded
    assert stamped == ["tender"]
    v1 = RecordVersion.objects.get(record=record, number=1)
    assert v1.kind == VersionKind.APPROVAL and v1.author_name == "王五"
    assert Decimal(v1.snapshot["tender"]["tender_money"]) != Decimal("6900")
    assert {c["field"] for c in version.changes} == {"tender_money", "data_level"}


def test_proposed_values_are_read_as_the_portal_reads_them_and_checked(firm_a, clerk_a, county_reviewer):
    record = approved(firm_a, clerk_a, county_reviewer)
    corp = ProjectCorp.objects.filter(record=record).first()
    bad = [
        ([{"part": "tender", "field": "tender_money", "value": "很多"}], "不是"),
        ([{"part": "tender", "field": "tender_money", "value": "-5"}], ""),
        ([{"part": "tender", "field": "national_num", "value": "x"}], ""),
        ([{"part": "project", "field": "county", "value": "450102"}], ""),
        ([{"part": "corps", "row": 999999, "field": "corp_name", "value": "x"}], ""),
        ([{"part": "corps", "row": corp.pk, "field": "corp_code", "value": "91450100MA5KXXXXX1"}], ""),
        ([{"part": "nothing", "field": "x", "value": "x"}], ""),
        ([], ""),
        ([{"part": "tender", "field": "tender_num", "value": record.tender.tender_num}], "相同"),
    ]
    for proposed, words in bad:
        with pytest.raises(DomainError) as exc:
            revisions.parse_changes(record, proposed)
        assert words in str(exc.value.message), proposed
    assert RecordVersion.objects.filter(record=record).count() == 0


def test_no_path_but_revisions_writes_a_decided_record(firm_a, clerk_a, county_reviewer):
    from projects.services import record_save

    record = approved(firm_a, clerk_a, county_reviewer)
    with pytest.raises(DomainError) as exc:
        record_save(
            record_id=record.pk, user=clerk_a, data={"tender": {"tender_money": "1"}}, expected_version=record.version
        )
    assert exc.value.code == "locked"
    draft = valid_record(firm_a)
    with pytest.raises(DomainError) as exc:
        revisions.apply_changes(
            record_id=draft.pk,
            proposed=[{"part": "tender", "field": "tender_money", "value": "1"}],
            reason="x",
            author=author(),
            first=None,
        )
    assert exc.value.code == "not_published"
