"""`manage.py seed_demo`: idempotent, every state reached through the real services (with their log rows), valid
codes, data inside each campaign's scope, working logins."""

from __future__ import annotations

from io import StringIO

import pghistory.models
import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from accounts import validators as v
from accounts.models import Authority, AuthorityLevel, Department, Enterprise, Region, RegionLevel, User
from portal import demo
from portal.selectors import latest_rejection_reason
from projects.campaigns import admission
from projects.models import (
    Attachment,
    BuilderLicence,
    Campaign,
    CampaignContact,
    Censor,
    CensorStaff,
    Contract,
    FinishCheck,
    FinishRecord,
    Project,
    ProjectCorp,
    Record,
    RecordPerson,
    RecordStatus,
    Tender,
    UnitProject,
)
from review.models import CreditEntry, RecordTransition, TransitionBy
from review.services import AUTO_APPROVED

pytestmark = pytest.mark.django_db

COUNTED = [
    Authority,
    Department,
    CampaignContact,
    Enterprise,
    User,
    Project,
    UnitProject,
    Record,
    Tender,
    Contract,
    Censor,
    CensorStaff,
    BuilderLicence,
    FinishCheck,
    FinishRecord,
    ProjectCorp,
    RecordPerson,
    Attachment,
    RecordTransition,
    CreditEntry,
]
DECIDED = (RecordStatus.APPROVED, RecordStatus.REJECTED, RecordStatus.FRAUD)
STAGES = ("tender", "contract", "censor", "licence", "finish_check", "finish_record")
GRADE_OF_LEVEL = {AuthorityLevel.PROVINCE: "A", AuthorityLevel.CITY: "B", AuthorityLevel.COUNTY: "C"}


def _counts() -> dict[str, int]:
    counts = {model.__name__: model.objects.count() for model in COUNTED}
    counts["history events"] = pghistory.models.Events.objects.count()
    return counts


@pytest.fixture(scope="module")
def _seeded_once(django_db_setup, django_db_blocker, tmp_path_factory):
    """Seed once for the module, inside a transaction rolled back at its end (each test runs in a savepoint); the
    demo's attachments are written to a temporary MEDIA_ROOT."""
    out = StringIO()
    fast_hasher = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        MEDIA_ROOT=str(tmp_path_factory.mktemp("demo-media")),
    )
    with django_db_blocker.unblock(), fast_hasher, transaction.atomic():
        call_command("seed_demo", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def seeded(_seeded_once, db):
    return _seeded_once


def _records():
    return Record.objects.select_related(
        "project__county", "campaign", "enterprise", "responsible_authority", *STAGES
    ).prefetch_related("corps", "persons", "censor__staff")


def test_second_run_changes_nothing(seeded):
    before = _counts()
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert _counts() == before  # no duplicates, and not one row rewritten (no new history event)
    assert "0 rows written" in out.getvalue()
    assert before["Record"] == 42  # 32 of the two historical campaigns, 10 of the live demo campaign


def test_a_rerun_keeps_what_people_changed_and_reset_restores_it(seeded):
    record = Record.objects.filter(status="draft").select_related("project").first()
    original = record.project.prj_name
    type(record.project).objects.filter(pk=record.project_id).update(prj_name="演示中改过的名称")
    call_command("seed_demo", stdout=StringIO())
    record.project.refresh_from_db()
    assert record.project.prj_name == "演示中改过的名称"
    before = _counts()
    call_command("seed_demo", "--reset", stdout=StringIO())
    record.project.refresh_from_db()
    assert record.project.prj_name == original
    after = _counts()
    for model in (Record, RecordTransition, CreditEntry, Attachment):  # the workflow played again, nothing doubled
        assert after[model.__name__] == before[model.__name__]
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "0 rows written" in out.getvalue()


def test_output_is_one_line_per_login_plus_a_summary(seeded):
    lines = seeded.strip().splitlines()
    assert len(lines) == len(demo.DEMO_LOGINS) + 1
    assert all(demo.DEMO_PASSWORD in line for line in lines[:-1])
    assert lines[-1].startswith("seed_demo: ")


def test_every_state_is_present(seeded):
    assert set(Record.objects.values_list("status", flat=True)) == set(RecordStatus.values)


def test_two_enterprises_share_a_project(seeded):
    shared = [p for p in Project.objects.all() if p.records.count() > 1]
    assert shared
    assert all(len({r.enterprise_id for r in p.records.all()}) == p.records.count() for p in shared)


def test_credit_codes_are_valid(seeded):
    for enterprise in Enterprise.objects.all():
        v.validate_uscc(enterprise.credit_code)
    codes = [
        *Tender.objects.values_list("tender_corp_code", flat=True),
        *Contract.objects.values_list("contractor_corp_code", flat=True),
        *Censor.objects.values_list("censor_corp_code", "survey_corp_code", "design_corp_code"),
        *ProjectCorp.objects.values_list("corp_code", flat=True),
        *RecordPerson.objects.values_list("corp_code", flat=True),
        *CensorStaff.objects.values_list("corp_code", flat=True),
    ]
    for code in codes:
        for one in code if isinstance(code, tuple) else (code,):
            v.validate_uscc(one)
    for code in Project.objects.values_list("build_corp_code", flat=True):
        v.validate_build_corp_code(code)


def test_person_id_numbers_are_valid(seeded):
    numbers = [
        *ProjectCorp.objects.values_list("person_id_card", flat=True),
        *RecordPerson.objects.values_list("id_card", flat=True),
        *CensorStaff.objects.values_list("id_card", flat=True),
        *Tender.objects.values_list("constructor_id_card", flat=True),
    ]
    assert numbers
    for number in numbers:
        v.validate_id_card(number)


def test_numbers_are_valid_and_the_permit_number_carries_the_issue_date(seeded):
    for project in Project.objects.all():
        v.validate_prj_num(project.prj_num)
        assert project.prj_num.startswith(project.county_id)
    for licence in BuilderLicence.objects.all():
        assert v.licence_cert_issue_date(licence.licence_cert_no) == licence.release_date


def test_every_record_lies_in_its_campaigns_province_and_scope(seeded):
    for record in _records():
        county = record.project.county
        assert county.level == RegionLevel.COUNTY
        assert county.province_code == record.campaign.province_id
        assert county.is_valid_in(record.campaign.notice_date.year)
        assert record.finish_check.e_date < record.campaign.scope_completed_before
        assert record.finish_record.e_date < record.campaign.scope_completed_before


def test_stage_dates_are_in_order(seeded):
    for record in _records():
        steps = [
            ("approval", record.project.prj_approval_date),
            ("tender", record.tender.tender_result_date),
            ("contract", record.contract.contract_date),
            ("permit", record.licence.release_date),
            ("start", record.finish_check.b_date),
            ("completion", record.finish_check.e_date),
            ("filing", record.finish_record.e_date),
        ]
        assert all(day is not None for _label, day in steps), record
        assert v.check_date_order(steps) == [], record
        if record.submitted_at:
            assert record.finish_record.e_date < record.submitted_at.date()


def test_submitted_records_were_admissible_and_are_graded_by_their_reviewer(seeded):
    for record in _records().exclude(status=RecordStatus.DRAFT):
        answer = admission(
            enterprise=record.enterprise,
            campaign=record.campaign,
            on=record.submitted_at.date(),
            county=record.project.county,
            completed_on=record.finish_check.e_date,
        )
        assert answer.allowed, (record, answer.messages)
        assert record.track_id == answer.track.pk
        assert record.responsible_authority is not None
        if record.decided_at:
            assert record.submitted_at < record.decided_at
            overdue = record.transitions.filter(by=TransitionBy.NIGHTLY_JOB).exists()
            if overdue:
                assert record.decided_at > record.review_deadline
            else:
                assert record.decided_at <= record.review_deadline
        for stage in STAGES:
            obj = getattr(record, stage)
            if record.status == RecordStatus.APPROVED:
                assert obj.data_level == GRADE_OF_LEVEL[record.responsible_authority.level]
                assert obj.check_depart_name.startswith(record.responsible_authority.name)
                assert obj.check_person_name and obj.data_source in (2, 3)
            else:
                assert obj.data_level == "" and obj.check_person_name == ""


def test_every_decided_record_has_its_log_row_from_the_services(seeded):
    for record in Record.objects.exclude(status=RecordStatus.DRAFT):
        log = list(record.transitions.order_by("at", "id"))
        assert log and log[0].to_status in (RecordStatus.SUBMITTED, RecordStatus.DIRECT_REVIEW), record
        assert log[-1].to_status == record.status, record
        if record.status in DECIDED:
            assert log[-1].at == record.decided_at
    by_night = RecordTransition.objects.filter(by=TransitionBy.NIGHTLY_JOB)
    assert by_night.count() == 1  # one record approved because nobody decided in time (P1)
    assert by_night.get().reason == AUTO_APPROVED and by_night.get().actor is None


def test_the_history_names_the_clerk_and_the_deciding_official_not_the_nightly_job(seeded):
    """Issue 11 item 4: each demo action runs under its own actor, so the reviewer reads who did what."""
    from projects.admin.history import history_rows

    decided = (
        Record.objects.filter(status=RecordStatus.APPROVED, transitions__by=TransitionBy.PERSON)
        .select_related("enterprise")
        .first()
    )
    decider = decided.transitions.filter(to_status=RecordStatus.APPROVED).get().actor
    who = {row["who"] for row in history_rows(decided, limit=200)}
    assert any(decider.real_name in w for w in who), who
    assert any(decided.enterprise.name in w for w in who), who  # the clerk, named with the enterprise
    assert not any("逾期" in w for w in who), who


def test_rejected_records_show_their_reason_in_the_portal(seeded):
    rejected = Record.objects.filter(status=RecordStatus.REJECTED)
    assert rejected.count() >= 3
    for record in rejected:
        assert latest_rejection_reason(record)
        assert record.transitions.filter(to_status=RecordStatus.REJECTED).get().actor.department is not None


def test_g10_one_record_is_marked_as_fraud_in_the_credit_file(seeded):
    record = Record.objects.get(status=RecordStatus.FRAUD, campaign__notice_number="桂建设〔2017〕29号")
    entry = CreditEntry.objects.get(record=record)
    assert entry.enterprise_id == record.enterprise_id
    assert entry.facts == latest_rejection_reason(record)
    assert entry.recorder_authority == record.responsible_authority.name


def test_non_draft_records_carry_their_documents(seeded):
    for record in Record.objects.exclude(status=RecordStatus.DRAFT):
        kinds = set(record.attachments.values_list("kind", flat=True))
        assert {"bid_notice", "contract", "completion"} <= kinds, record
        assert ("direct_review" in kinds) == record.transitions.filter(to_status="direct_review").exists()
    assert set(Attachment.objects.values_list("content_type", flat=True)) == {"application/pdf"}  # sniffed on upload


def test_participating_units_and_persons_are_filled(seeded):
    for record in _records():
        assert {c.corp_role for c in record.corps.all()} == {"1", "2", "3", "4"}
        assert record.persons.exists()
        assert record.censor.staff.count() == 2
        assert record.project.units.exists()


def test_authorities_cover_every_city_and_every_city_names_a_contact(seeded):
    for province in ("450000", "220000"):
        campaign = Campaign.objects.get(
            province_id=province, notice_number__in=["桂建设〔2017〕29号", "吉建办〔2020〕108号"]
        )
        cities = Region.objects.filter(parent_id=province, level=RegionLevel.CITY, valid_until__isnull=True)
        assert cities.count() == {"450000": 14, "220000": 9}[province]
        for city in cities:
            authority = Authority.objects.get(region=city)
            assert authority.parent.region_id == province
            assert authority.departments.exists()
            assert CampaignContact.objects.filter(campaign=campaign, authority=authority).exists()
    for county in ("450103", "450312", "220104"):
        authority = Authority.objects.get(region_id=county)
        assert authority.level == AuthorityLevel.COUNTY
        assert authority.parent.region_id == county[:4] + "00"


def test_rows_pass_model_validation(seeded):
    for model in (Authority, Enterprise, CampaignContact, Project, User):
        for obj in model.objects.all():
            obj.full_clean()


def test_every_demo_login_authenticates_with_the_demo_password(seeded):
    for login in demo.DEMO_LOGINS:
        user = authenticate(username=login.username, password=demo.DEMO_PASSWORD)
        assert user is not None, login.username
    reviewers_without_department = User.objects.filter(role="reviewer", department__isnull=True)
    assert [u.username for u in reviewers_without_department] == ["lz_shenhe"]  # J9, on purpose
    assert User.objects.get(username="admin").is_superuser
    assert User.objects.get(username="qy_zhuxiao").enterprise.is_deregistered


def test_the_live_demo_campaign_is_open_today_and_its_approved_national_records_wait_for_the_push(seeded):
    """Issue 10 item 0: a demo campaign whose dates follow today; records in every state; its approved national-track
    records are eligible (the historical campaigns' are not: Guangxi's national cutoff passed in 2017)."""
    from django.utils import timezone

    from grading.eligibility import push_eligibility
    from portal.demo import DEMO_NOTICE
    from projects.campaigns import admission_for_record

    today = timezone.localdate()
    demo = Campaign.objects.get(notice_number=DEMO_NOTICE)
    assert "演示" in demo.name
    assert demo.notice_date < today < demo.national_cutoff and (demo.national_cutoff - today).days >= 14
    assert {t.reaches_national for t in demo.tracks.all()} == {True, False}  # a national and a provincial track
    states = set(Record.objects.filter(campaign=demo).values_list("status", flat=True))
    assert states == {s.value for s in RecordStatus}
    draft = Record.objects.filter(campaign=demo, status=RecordStatus.DRAFT).first()
    assert admission_for_record(draft, today).allowed  # a newcomer can submit it today
    approved = Record.objects.filter(campaign=demo, status=RecordStatus.APPROVED)
    eligible = [r for r in approved if push_eligibility(r, on=today).eligible]
    assert len(eligible) == 3 and all(r.reaches_national for r in eligible)  # D01 (two claims) and D02
    guangxi = Record.objects.filter(campaign__notice_number="桂建设〔2017〕29号", status=RecordStatus.APPROVED)
    assert guangxi and not any(push_eligibility(r, on=today).eligible for r in guangxi)
