"""J8: the national standard measures text in bytes of GBK; the mock found a 130-character 项目名称 (260 bytes
against 250) that our rules let through. Now the submit check says it first."""

from __future__ import annotations

import pytest

from grading.checks import check_record
from projects.models import Project, UnitProject
from tests.review.builders import valid_record

pytestmark = pytest.mark.django_db


def problems_at(record, path):
    return [p for p in check_record(record) if p.path == path]


def test_a_name_within_our_characters_but_over_the_standards_bytes_is_a_problem(firm_a):
    record = valid_record(firm_a)
    assert check_record(record) == []
    Project.objects.filter(pk=record.project_id).update(prj_name="桂" * 125)  # 250 bytes: the limit
    assert problems_at(record, "project.prj_name") == []
    Project.objects.filter(pk=record.project_id).update(prj_name="桂" * 126)
    (problem,) = problems_at(record, "project.prj_name")
    assert "252" in problem.message and "250" in problem.message


def test_a_character_gbk_cannot_write_is_a_problem(firm_a):
    record = valid_record(firm_a)
    Project.objects.filter(pk=record.project_id).update(address="南宁市青秀区😀路1号")
    (problem,) = problems_at(record, "project.address")
    assert "😀" in problem.message


def test_a_units_remark_is_held_to_the_standards_400_bytes(firm_a):
    record = valid_record(firm_a)
    UnitProject.objects.filter(project=record.project).update(memo="备" * 201)
    (problem,) = problems_at(record, "units[0].memo")
    assert "402" in problem.message and "400" in problem.message
