"""The public search's world: published records (C by a county bureau, B by a city bureau, A and D set on their
stages), and records that must never be found (a draft, a pending one, fraud, a D record's working copy)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

import pytest
import time_machine

from accounts.models import Enterprise
from projects.models import FinishCheck, Project, Record, RecordStatus
from review.services import approve_record, mark_fraud, submit_record
from tests.review.builders import valid_record
from tests.sync.test_push import approved

NIGHTLY = dt.datetime(2017, 12, 20, 10, tzinfo=dt.timezone(dt.timedelta(hours=8)))
STAGE_RELATIONS = ("tender", "contract", "censor", "licence", "finish_check", "finish_record")


@pytest.fixture(autouse=True)
def _own_cache(settings):
    """Throttle counters of the test's own (a fresh key prefix on the real Redis cache): every test starts at zero."""
    settings.CACHES = {"default": {**settings.CACHES["default"], "KEY_PREFIX": f"yeji-public-{uuid.uuid4().hex}"}}


def rename(record: Record, name: str, *, completed: dt.date | None = None) -> Record:
    Project.objects.filter(pk=record.project_id).update(prj_name=name)
    if completed is not None:
        FinishCheck.objects.filter(record=record).update(e_date=completed)
    return Record.objects.select_related("project", "enterprise").get(pk=record.pk)


def set_grade(record: Record, grade: str) -> None:
    """Every stage of the record (and its project) graded `grade`, as an approval by that level writes them."""
    for relation in STAGE_RELATIONS:
        model = Record._meta.get_field(relation).related_model
        model.objects.filter(record=record).update(data_level=grade)
    Project.objects.filter(pk=record.project_id).update(data_level=grade)


@dataclass
class World:
    bridge: Record  # 邕江大桥主桥工程, C, firm A, 450103, completed 2016
    school: Record  # 桂林市第三中学教学楼, B, firm B, Guilin (450300), completed 2015
    museum: Record  # 青秀山景区游客中心, A, firm A, 450103, completed 2014
    park: Record  # 青秀区南湖公园改造, D, firm B, 450103, completed 2016
    draft: Record  # 未公开的草稿工程, firm A
    pending: Record  # 待审核的青秀区工程, firm A
    fraud: Record  # 弄虚作假的青秀区工程, firm B
    working_copy: Record  # the park's working copy (J7), approved but never published
    firm_a: Enterprise
    firm_b: Enterprise

    @property
    def published(self) -> list[Record]:
        return [self.bridge, self.school, self.museum, self.park]

    @property
    def hidden(self) -> list[Record]:
        return [self.draft, self.pending, self.fraud, self.working_copy]


@pytest.fixture
def world(firm_a, firm_b, clerk_a, clerk_b, county_reviewer, city_reviewer_y) -> World:
    bridge = rename(approved(firm_a, clerk_a, county_reviewer), "邕江大桥主桥工程", completed=dt.date(2016, 6, 18))
    school_record = valid_record(firm_b, county="450305", completed=dt.date(2015, 5, 20))
    with time_machine.travel(NIGHTLY, tick=False):
        submit_record(record_id=school_record.pk, user=clerk_b)
        approve_record(record_id=school_record.pk, user=city_reviewer_y)
    school = rename(school_record, "桂林市第三中学教学楼")
    museum = rename(approved(firm_a, clerk_a, county_reviewer), "青秀山景区游客中心", completed=dt.date(2014, 3, 2))
    set_grade(museum, "A")
    park = rename(approved(firm_b, clerk_b, county_reviewer), "青秀区南湖公园改造", completed=dt.date(2016, 9, 9))
    set_grade(park, "D")

    draft = rename(valid_record(firm_a), "未公开的草稿工程")
    pending = valid_record(firm_a)
    with time_machine.travel(NIGHTLY, tick=False):
        submit_record(record_id=pending.pk, user=clerk_a)
    pending = rename(pending, "待审核的青秀区工程")
    fraud = approved(firm_b, clerk_b, county_reviewer)
    with time_machine.travel(NIGHTLY, tick=False):
        mark_fraud(record_id=fraud.pk, user=county_reviewer, facts="中标通知书系伪造。")
    fraud = rename(fraud, "弄虚作假的青秀区工程")
    copy = Record.objects.create(enterprise=firm_b, project=park.project, campaign=park.campaign, revision_of=park)
    Record.objects.filter(pk=copy.pk).update(status=RecordStatus.APPROVED)  # even approved, a copy is never published
    return World(bridge, school, museum, park, draft, pending, fraud, copy, firm_a, firm_b)
