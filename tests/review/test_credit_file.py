"""The credit file (诚信档案, G10): a reviewer of the responsible authority or provincial staff rejects a record for
fraud (弄虚作假) with the facts; the record is locked for good, the transition is logged and an entry lands in the
enterprise's credit file. Who may (P2, J9), from which states, the lock, the races; the admin's list and its
"mark as fraud" page; who reads which entries."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation

from accounts.errors import DomainError
from accounts.models import Role
from projects.models import Record, RecordStatus
from projects.services import record_save
from review.models import CreditEntry, RecordTransition, TransitionBy
from review.selectors import credit_entries_visible_to
from review.services import approve_record, mark_fraud, reject_record, submit_record
from tests.factories import UserFactory, official

from .builders import valid_record
from .decisions import SHANGHAI, fresh, submitted_record
from .test_decide import _run_at_once

pytestmark = pytest.mark.django_db

FOUND_AT = dt.datetime(2018, 3, 5, 15, 0, tzinfo=SHANGHAI)
FACTS = "中标通知书系伪造：招标代理机构出具书面说明，该项目未曾发出编号为ZB-001的中标通知书。"
GUILIN_COUNTY = "450303"  # 桂林市叠彩区: no county reviewer, so the Guilin city bureau reviews it (P2)
ADD = "admin:review_creditentry_add"
CHANGELIST = "admin:review_creditentry_changelist"


@pytest.fixture
def record(firm_a, clerk_a, county_reviewer):
    """A record of firm A submitted to the Qingxiu county bureau (青秀区), which has a reviewer."""
    return submitted_record(firm_a, clerk_a)


def refused(action=mark_fraud, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as info:
        action(**kwargs)
    return info.value


def entries(record) -> list[CreditEntry]:
    return list(CreditEntry.objects.filter(record=record))


# ------------------------------------------------------------------------------------------------------------
# What marking a record as fraud writes
# ------------------------------------------------------------------------------------------------------------


def test_g10_a_fraud_rejects_and_locks_the_record_and_lands_in_the_credit_file(record, firm_a, county_reviewer):
    with time_machine.travel(FOUND_AT, tick=False):
        entry = mark_fraud(record_id=record.pk, user=county_reviewer, facts=f"  {FACTS}\n")
    record = fresh(record)
    assert record.status == RecordStatus.FRAUD
    assert not record.is_editable_by_enterprise
    assert record.decided_at == FOUND_AT
    assert record.version == 3  # created 1, submitted 2, fraud 3

    row = RecordTransition.objects.filter(record=record).first()  # newest first
    assert (row.from_status, row.to_status, row.at, row.by, row.reason) == (
        RecordStatus.SUBMITTED,
        RecordStatus.FRAUD,
        FOUND_AT,
        TransitionBy.PERSON,
        FACTS,
    )
    assert (row.actor, row.actor_name, row.actor_department) == (
        county_reviewer,
        county_reviewer.real_name,
        "建筑市场监管科",
    )

    assert entries(record) == [entry]
    entry = CreditEntry.objects.get(pk=entry.pk)
    assert (entry.enterprise, entry.record, entry.transition, entry.facts, entry.at) == (
        firm_a,
        record,
        row,
        FACTS,
        FOUND_AT,
    )
    assert (entry.recorded_by, entry.recorder_name, entry.recorder_department) == (
        county_reviewer,
        county_reviewer.real_name,
        "建筑市场监管科",
    )
    assert (entry.recorder_authority, entry.recorder_level) == (county_reviewer.authority.name, "county")


def test_g10_fraud_found_after_approval_is_recorded_too(record, county_reviewer, provincial_staff):
    approve_record(record_id=record.pk, user=county_reviewer)
    entry = mark_fraud(record_id=record.pk, user=provincial_staff, facts=FACTS)
    assert fresh(record).status == RecordStatus.FRAUD
    assert entry.transition.from_status == RecordStatus.APPROVED
    assert (entry.recorder_level, entry.recorder_authority) == ("province", provincial_staff.authority.name)


def test_g10_the_responsible_reviewer_may_mark_its_own_approved_record(record, county_reviewer):
    approve_record(record_id=record.pk, user=county_reviewer)
    mark_fraud(record_id=record.pk, user=county_reviewer, facts=FACTS)
    assert fresh(record).status == RecordStatus.FRAUD


def test_g10_a_rejected_record_can_be_marked(record, county_reviewer):
    reject_record(record_id=record.pk, user=county_reviewer, reason="材料不全")
    entry = mark_fraud(record_id=record.pk, user=county_reviewer, facts=FACTS)
    assert entry.transition.from_status == RecordStatus.REJECTED
    assert fresh(record).status == RecordStatus.FRAUD


def test_g10_a_direct_review_record_is_marked_by_provincial_staff_only(record, county_reviewer, provincial_staff):
    Record.objects.filter(pk=record.pk).update(
        status=RecordStatus.DIRECT_REVIEW, responsible_authority=provincial_staff.authority
    )
    assert refused(record_id=record.pk, user=county_reviewer, facts=FACTS).code == "not_your_jurisdiction"
    mark_fraud(record_id=record.pk, user=provincial_staff, facts=FACTS)
    assert fresh(record).status == RecordStatus.FRAUD


# ------------------------------------------------------------------------------------------------------------
# Who may (P2): the jurisdiction matrix over the cast
# ------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "may"),
    [
        ("county_reviewer", True),  # the responsible authority (青秀区)
        ("provincial_staff", True),  # the provincial office of Guangxi
        ("city_reviewer_x", False),  # the city above: not the responsible authority (P2)
        ("city_reviewer_y", False),  # another city (桂林)
        ("clerk_a", False),  # the enterprise itself
        ("clerk_b", False),
        ("superuser", False),  # the platform administrator decides nothing
    ],
)
@pytest.mark.parametrize("state", [RecordStatus.SUBMITTED, RecordStatus.APPROVED])
def test_g10_jurisdiction_matrix(cast, firm_a, clerk_a, who, may, state):
    record = submitted_record(firm_a, clerk_a)
    if state == RecordStatus.APPROVED:
        approve_record(record_id=record.pk, user=cast["county_reviewer"])
    user = cast[who]
    if may:
        mark_fraud(record_id=record.pk, user=user, facts=FACTS)
        assert fresh(record).status == RecordStatus.FRAUD
        assert len(entries(record)) == 1
    else:
        assert refused(record_id=record.pk, user=user, facts=FACTS).code == "not_your_jurisdiction"
        assert fresh(record).status == state
        assert entries(record) == []


def test_g10_provincial_staff_of_another_province_may_not(record):
    jilin_staff = official("jl_staff", Role.PROVINCIAL, "220000")
    assert refused(record_id=record.pk, user=jilin_staff, facts=FACTS).code == "not_your_jurisdiction"


# ------------------------------------------------------------------------------------------------------------
# J9, the facts, the states
# ------------------------------------------------------------------------------------------------------------


def test_g10_j9_a_reviewer_without_real_name_cannot_mark_fraud(record, county_reviewer):
    county_reviewer.real_name = " "
    county_reviewer.save()
    with translation.override("en"):
        error = refused(record_id=record.pk, user=county_reviewer, facts=FACTS)
    assert error.code == "real_name_required"
    assert "real name" in str(error)
    assert fresh(record).status == RecordStatus.SUBMITTED


def test_g10_j9_provincial_staff_without_department_cannot_mark_fraud(record, provincial_staff):
    anonymous = UserFactory(username="gx_no_dept", role=Role.PROVINCIAL, authority=provincial_staff.authority)
    with translation.override("en"):
        error = refused(record_id=record.pk, user=anonymous, facts=FACTS)
    assert error.code == "real_name_required"
    assert "department" in str(error)
    assert entries(record) == []


@pytest.mark.parametrize("facts", ["", "  \n ", None])
def test_g10_the_facts_are_required(record, county_reviewer, facts):
    with translation.override("en"):
        error = refused(record_id=record.pk, user=county_reviewer, facts=facts)
    assert (error.code, error.field) == ("facts_required", "facts")
    assert "facts" in str(error)
    assert fresh(record).status == RecordStatus.SUBMITTED
    assert entries(record) == []


def test_g10_a_draft_is_refused(firm_a, provincial_staff):
    draft = valid_record(firm_a)
    with translation.override("en"):
        error = refused(record_id=draft.pk, user=provincial_staff, facts=FACTS)
    assert error.code == "not_submitted"
    assert "draft" in str(error)
    assert fresh(draft).status == RecordStatus.DRAFT


def test_g10_a_record_is_marked_only_once(record, county_reviewer, provincial_staff):
    mark_fraud(record_id=record.pk, user=county_reviewer, facts=FACTS)
    with translation.override("en"):
        error = refused(record_id=record.pk, user=provincial_staff, facts="再次认定")
    assert error.code == "already_fraud"
    assert "already" in str(error)
    assert len(entries(record)) == 1
    assert RecordTransition.objects.filter(record=record, to_status=RecordStatus.FRAUD).count() == 1


def test_g10_an_unknown_record_is_not_found(county_reviewer):
    assert refused(record_id=987654321, user=county_reviewer, facts=FACTS).code == "not_found"


def test_g10_the_record_is_locked_for_good(record, clerk_a, county_reviewer, provincial_staff):
    mark_fraud(record_id=record.pk, user=county_reviewer, facts=FACTS)
    record = fresh(record)
    with translation.override("en"):
        saving = refused(record_save, record_id=record.pk, user=clerk_a, data={}, expected_version=record.version)
        submitting = refused(submit_record, record_id=record.pk, user=clerk_a)
    assert (saving.code, submitting.code) == ("locked", "locked")
    assert "fraud" in str(submitting)
    assert refused(approve_record, record_id=record.pk, user=provincial_staff).code == "already_decided"
    assert refused(reject_record, record_id=record.pk, user=county_reviewer, reason="x").code == "already_decided"
    assert fresh(record).status == RecordStatus.FRAUD


# ------------------------------------------------------------------------------------------------------------
# Races: the row lock lets one fraud through
# ------------------------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_g10_two_officials_marking_at_once_record_one_entry(seeded, firm_a, clerk_a, county_reviewer, provincial_staff):
    record = submitted_record(firm_a, clerk_a)
    outcomes = _run_at_once(
        lambda: mark_fraud(record_id=record.pk, user=county_reviewer, facts=FACTS) and "fraud",
        lambda: mark_fraud(record_id=record.pk, user=provincial_staff, facts=FACTS) and "fraud",
    )
    assert sorted(outcomes) == ["already_fraud", "fraud"]
    assert len(entries(record)) == 1
    assert RecordTransition.objects.filter(record=record, to_status=RecordStatus.FRAUD).count() == 1


@pytest.mark.django_db(transaction=True)
def test_g10_fraud_and_approval_at_once_end_in_fraud(seeded, firm_a, clerk_a, county_reviewer, provincial_staff):
    record = submitted_record(firm_a, clerk_a)
    outcomes = _run_at_once(
        lambda: mark_fraud(record_id=record.pk, user=provincial_staff, facts=FACTS) and "fraud",
        lambda: approve_record(record_id=record.pk, user=county_reviewer) and "approved",
    )
    # The approval came first (and the fraud was found in the approved record) or was refused after the fraud.
    assert outcomes in (["fraud", "approved"], ["fraud", "already_decided"])
    assert fresh(record).status == RecordStatus.FRAUD
    assert len(entries(record)) == 1
    approvals = RecordTransition.objects.filter(record=record, to_status=RecordStatus.APPROVED).count()
    assert approvals == (1 if outcomes[1] == "approved" else 0)
    assert entries(record)[0].transition.from_status == (
        RecordStatus.APPROVED if outcomes[1] == "approved" else RecordStatus.SUBMITTED
    )


# ------------------------------------------------------------------------------------------------------------
# Who reads which entries (credit_entries_visible_to)
# ------------------------------------------------------------------------------------------------------------


@pytest.fixture
def two_entries(cast, firm_a, firm_b, clerk_a, clerk_b):
    """Firm A's Nanning (青秀区) record marked by the county bureau; firm B's Guilin record marked by the Guilin city
    bureau."""
    nanning = submitted_record(firm_a, clerk_a)
    guilin = submitted_record(firm_b, clerk_b, county=GUILIN_COUNTY)
    assert guilin.responsible_authority == cast["city_reviewer_y"].authority
    return {
        "nanning": mark_fraud(record_id=nanning.pk, user=cast["county_reviewer"], facts="南宁：伪造合同"),
        "guilin": mark_fraud(record_id=guilin.pk, user=cast["city_reviewer_y"], facts="桂林：伪造竣工验收"),
    }


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("county_reviewer", ["nanning"]),
        ("city_reviewer_x", ["nanning"]),  # its subordinate county bureau's record
        ("city_reviewer_y", ["guilin"]),
        ("provincial_staff", ["guilin", "nanning"]),
        ("superuser", ["guilin", "nanning"]),
        ("clerk_a", ["nanning"]),
        ("clerk_b", ["guilin"]),
    ],
)
def test_g10_who_reads_which_entries(cast, two_entries, who, sees):
    visible = set(credit_entries_visible_to(cast[who]).values_list("pk", flat=True))
    assert visible == {two_entries[name].pk for name in sees}


def test_g10_nobody_else_reads_the_credit_file(two_entries):
    from django.contrib.auth.models import AnonymousUser

    jilin_staff = official("jl_staff", Role.PROVINCIAL, "220000")
    no_role = UserFactory(username="nobody")
    for user in (AnonymousUser(), jilin_staff, no_role):
        assert not credit_entries_visible_to(user).exists()


# ------------------------------------------------------------------------------------------------------------
# The admin: the read-only list, the entry, and the "mark as fraud" page (the add page)
# ------------------------------------------------------------------------------------------------------------


def add_url(record) -> str:
    return reverse(ADD) + f"?record={record.pk}"


def test_g10_the_mark_as_fraud_page_shows_the_record(client, record, county_reviewer):
    client.force_login(county_reviewer)
    response = client.get(add_url(record))
    assert response.status_code == 200
    body = response.content.decode()
    assert record.project.prj_name in body and record.enterprise.name in body
    assert str(RecordStatus.SUBMITTED.label) in body
    assert 'name="facts"' in body and 'name="confirm"' in body
    assert reverse("admin:projects_record_change", args=[record.pk]) in body


def test_g10_posting_the_facts_records_the_fraud_and_opens_the_entry(client, record, county_reviewer):
    client.force_login(county_reviewer)
    response = client.post(add_url(record), {"facts": FACTS, "confirm": "on"})
    entry = CreditEntry.objects.get(record=record)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:review_creditentry_change", args=[entry.pk])
    assert entry.facts == FACTS and entry.recorded_by == county_reviewer
    assert fresh(record).status == RecordStatus.FRAUD
    assert [record.project.prj_name in str(m) for m in get_messages(response.wsgi_request)] == [True]
    page = client.get(response["Location"])
    assert page.status_code == 200
    body = page.content.decode()
    assert FACTS in body
    assert reverse("admin:projects_record_change", args=[record.pk]) in body  # read-only link to the record
    assert 'name="_save"' not in body  # read-only: no save button


def test_g10_without_confirmation_nothing_is_recorded_and_the_facts_stay(client, record, county_reviewer):
    client.force_login(county_reviewer)
    response = client.post(add_url(record), {"facts": FACTS})
    assert response.status_code == 400
    assert FACTS in response.content.decode()
    assert entries(record) == [] and fresh(record).status == RecordStatus.SUBMITTED


def test_g10_a_refusal_of_the_service_shows_on_the_form(client, record, city_reviewer_x):
    client.force_login(city_reviewer_x)  # sees the county's record, but is not its responsible authority
    with translation.override("en"):
        response = client.post(add_url(record), {"facts": FACTS, "confirm": "on"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    body = response.content.decode()
    assert FACTS in body
    assert "errornote" in body
    assert entries(record) == []


def test_g10_empty_facts_are_refused_on_the_form(client, record, county_reviewer):
    client.force_login(county_reviewer)
    response = client.post(add_url(record), {"facts": "  ", "confirm": "on"})
    assert response.status_code == 400
    assert 'class="form-row errors"' in response.content.decode()
    assert entries(record) == []


def test_g10_a_record_outside_the_region_is_not_shown(client, record, city_reviewer_y):
    client.force_login(city_reviewer_y)
    response = client.get(add_url(record))
    assert response.status_code == 404
    assert record.project.prj_name not in response.content.decode()
    assert client.post(add_url(record), {"facts": FACTS, "confirm": "on"}).status_code == 404
    assert entries(record) == []


def test_g10_the_page_of_a_record_already_marked_links_its_entry(client, record, county_reviewer):
    entry = mark_fraud(record_id=record.pk, user=county_reviewer, facts=FACTS)
    client.force_login(county_reviewer)
    body = client.get(add_url(record)).content.decode()
    assert 'id="fraud-already"' in body and 'name="facts"' not in body
    assert reverse("admin:review_creditentry_change", args=[entry.pk]) in body


def test_g10_the_add_page_without_a_record_finds_one_by_project_number(client, record, county_reviewer):
    approve_record(record_id=record.pk, user=county_reviewer)  # fraud is often found after approval
    client.force_login(county_reviewer)
    body = client.get(reverse(ADD)).content.decode()
    assert 'id="fraud-search"' in body
    body = client.get(reverse(ADD), {"q": record.project.prj_num}).content.decode()
    assert f"?record={record.pk}" in body


def test_g10_enterprises_and_roles_without_the_permission_cannot_open_the_page(client, record, clerk_a):
    client.force_login(clerk_a)
    assert client.get(add_url(record)).status_code == 403


def test_g10_the_roles_read_and_add_entries_but_never_change_or_delete_them(county_reviewer, provincial_staff):
    for user in (county_reviewer, provincial_staff):
        assert user.has_perm("review.view_creditentry") and user.has_perm("review.add_creditentry")
        assert not user.has_perm("review.change_creditentry") and not user.has_perm("review.delete_creditentry")


def test_g10_the_admin_list_is_scoped_and_its_queries_bounded(
    client, cast, two_entries, firm_a, clerk_a, django_assert_max_num_queries
):
    client.force_login(cast["city_reviewer_y"])
    body = client.get(reverse(CHANGELIST)).content.decode()
    assert "桂林：伪造竣工验收" in body and "南宁：伪造合同" not in body

    client.force_login(cast["provincial_staff"])
    with django_assert_max_num_queries(14) as few:
        assert client.get(reverse(CHANGELIST)).status_code == 200
    for _ in range(4):
        more = submitted_record(firm_a, clerk_a)
        mark_fraud(record_id=more.pk, user=cast["provincial_staff"], facts="又一起")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse(CHANGELIST))
    assert response.content.decode().count("又一起") == 4
    searched = client.get(reverse(CHANGELIST), {"q": "桂林", "recorder_level__exact": "city"})
    assert searched.status_code == 200
    assert "桂林：伪造竣工验收" in searched.content.decode()


def test_g10_the_entry_page_is_read_only_and_cannot_be_deleted(client, two_entries, cast):
    entry = two_entries["nanning"]
    client.force_login(cast["provincial_staff"])
    change = reverse("admin:review_creditentry_change", args=[entry.pk])
    assert client.get(change).status_code == 200
    assert client.post(change, {"facts": "改写"}).status_code == 403
    delete = reverse("admin:review_creditentry_delete", args=[entry.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert CreditEntry.objects.get(pk=entry.pk).facts == "南宁：伪造合同"
    client.force_login(cast["city_reviewer_y"])  # not its region
    assert client.get(change).status_code in (302, 404)
