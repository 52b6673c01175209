"""The decision page shows people's ID and phone numbers masked, reveals one on request and logs it (issue 11
item 3), and tells the record's history in words: who by real name and department, field labels, names instead of
ids, no internal fields (issue 11 item 4)."""

from __future__ import annotations

import datetime as dt
import re

import pghistory
import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts import pii
from accounts.models import Role
from projects.admin.history import HIDDEN_FIELDS, history_rows
from projects.models import ProjectCorp, Record, RecordPerson, Tender
from projects.services import record_save
from review.models import PiiReveal, RecordTransition, TransitionBy
from review.services import RevealRefused, reveal_pii, submit_record
from tests.factories import UserFactory, make_id_card

from .builders import valid_record
from .decisions import SUBMITTED_AT, submitted_record

pytestmark = pytest.mark.django_db

REVEAL_URL = "/admin/review/piireveal/reveal/"


def change_url(record) -> str:
    return reverse("admin:review_reviewqueueitem_change", args=[record.pk])


def _body(response) -> str:
    return response.content.decode()


# ------------------------------------------------------------------------------------------------------------
# Masking: one function per kind, in accounts.pii
# ------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("450103198005171234", "4501**********1234"),
        ("45010319800517123X", "4501**********123X"),
        ("E12345678", "E1*****78"),
        ("", ""),
        (None, ""),
    ],
)
def test_an_id_number_keeps_its_first_and_last_four(value, masked):
    assert pii.mask_id_number(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("13812345678", "138****5678"),
        ("+8613812345678", "+86138****5678"),
        ("0771-2368335", "0771-***8335"),
        ("010-12345678", "010-****5678"),
        ("07712368335", "0771***8335"),
        ("", ""),
    ],
)
def test_a_phone_number_is_masked_in_the_middle(value, masked):
    assert pii.mask_phone(value) == masked


def test_the_personal_data_fields_are_listed_in_one_place():
    assert pii.pii_kind(RecordPerson, "id_card") == pii.ID_NUMBER
    assert pii.pii_kind("projects.ProjectCorp", "person_phone") == pii.PHONE
    assert pii.pii_kind(Tender, "constructor_id_card") == pii.ID_NUMBER
    assert pii.pii_kind(RecordPerson, "name") is None
    assert pii.mask_field(RecordPerson, "name", "张三") == "张三"
    assert pii.parse_reveal_key("projects.recordperson:7:id_card") == ("projects.recordperson", 7, "id_card")
    assert pii.parse_reveal_key("projects.recordperson:7:name") is None  # not personal data: nothing to reveal
    assert pii.parse_reveal_key("projects.recordperson:x:id_card") is None


# ------------------------------------------------------------------------------------------------------------
# The decision page: masked by default, one value revealed on request, logged
# ------------------------------------------------------------------------------------------------------------


@pytest.fixture
def record(cast, firm_a, clerk_a):
    record = submitted_record(firm_a, clerk_a)
    Tender.objects.filter(record=record).update(constructor_name="王经理", constructor_id_card=make_id_card(555))
    return record


def _numbers(record) -> list[str]:
    person = RecordPerson.objects.filter(record=record).first()
    corp = ProjectCorp.objects.filter(record=record).first()
    tender = Tender.objects.get(record=record)
    return [person.id_card, person.phone, corp.person_id_card, corp.person_phone, tender.constructor_id_card]


def test_ids_and_phones_are_masked_on_the_decision_page(client, cast, record):
    client.force_login(cast["county_reviewer"])
    response = client.get(change_url(record))
    assert response.status_code == 200
    body = _body(response)
    for number in _numbers(record):
        assert number not in body  # not in the page's bytes, not in the history either
    person = RecordPerson.objects.filter(record=record).first()
    assert pii.mask_id_number(person.id_card) in body
    assert pii.mask_phone(person.phone) in body
    key = pii.reveal_key(RecordPerson, person.pk, "id_card")
    assert f'value="{key}"' in body and 'form="pii-reveal-form"' in body  # its 显示 button
    assert 'id="pii-reveal-form"' in body and f'action="{REVEAL_URL}"' in body
    assert PiiReveal.objects.count() == 0


def test_reveal_shows_that_one_number_once_and_logs_it(client, cast, record):
    reviewer = cast["county_reviewer"]
    client.force_login(reviewer)
    person = RecordPerson.objects.filter(record=record).first()
    key = pii.reveal_key(RecordPerson, person.pk, "id_card")
    answer = client.post(REVEAL_URL, {"record": record.pk, "key": key, "next": change_url(record)})
    assert answer.status_code == 302
    assert answer["Location"].startswith(change_url(record)) and "#pii-projects-recordperson-" in answer["Location"]
    body = _body(client.get(change_url(record)))
    assert person.id_card in body  # revealed
    assert person.phone not in body  # only that one value
    log = PiiReveal.objects.get()
    assert (log.user, log.record_id, log.model, log.row_id, log.field) == (
        reviewer,
        record.pk,
        "projects.recordperson",
        person.pk,
        "id_card",
    )
    assert log.user_name == reviewer.real_name and log.user_department == reviewer.department.name
    assert log.row_label == person.name and log.ip == "127.0.0.1"
    assert person.id_card not in _body(client.get(change_url(record)))  # masked again on the next page


def test_a_reveal_outside_the_officials_jurisdiction_is_refused(client, cast, record):
    client.force_login(cast["city_reviewer_y"])  # 桂林: the record is in 南宁市青秀区
    person = RecordPerson.objects.filter(record=record).first()
    key = pii.reveal_key(RecordPerson, person.pk, "id_card")
    assert client.post(REVEAL_URL, {"record": record.pk, "key": key}).status_code == 404
    assert PiiReveal.objects.count() == 0
    with pytest.raises(RevealRefused):
        reveal_pii(user=cast["city_reviewer_y"], record_id=record.pk, key=key)


def test_a_reveal_of_another_records_row_or_of_a_plain_field_is_refused(client, cast, record, firm_b):
    other = valid_record(firm_b)
    stranger = RecordPerson.objects.filter(record=other).first()
    client.force_login(cast["county_reviewer"])
    for key in (
        pii.reveal_key(RecordPerson, stranger.pk, "id_card"),  # a row of another record, named with this one
        pii.reveal_key(RecordPerson, RecordPerson.objects.filter(record=record).first().pk, "name"),
        "accounts.user:1:phone",  # not a part of the record
    ):
        assert client.post(REVEAL_URL, {"record": record.pk, "key": key}).status_code == 404, key
    assert PiiReveal.objects.count() == 0


def test_an_enterprise_clerk_cannot_reveal_through_the_admin(cast, record):
    key = pii.reveal_key(RecordPerson, RecordPerson.objects.filter(record=record).first().pk, "id_card")
    with pytest.raises(RevealRefused):
        reveal_pii(user=cast["clerk_a"], record_id=record.pk, key=key)


def test_reveal_needs_the_csrf_token_and_a_post(cast, record):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast["county_reviewer"])
    key = pii.reveal_key(RecordPerson, RecordPerson.objects.filter(record=record).first().pk, "id_card")
    assert client.post(REVEAL_URL, {"record": record.pk, "key": key}).status_code == 403
    assert client.get(REVEAL_URL, {"record": record.pk, "key": key}).status_code == 405
    assert PiiReveal.objects.count() == 0
    page = client.get(change_url(record))
    token = re.search(r'id="pii-reveal-form".*?name="csrfmiddlewaretoken" value="([^"]+)"', _body(page), re.S)
    answer = client.post(REVEAL_URL, {"record": record.pk, "key": key, "csrfmiddlewaretoken": token.group(1)})
    assert answer.status_code == 302
    assert PiiReveal.objects.count() == 1


def test_a_foreign_next_address_is_not_followed(client, cast, record):
    client.force_login(cast["county_reviewer"])
    key = pii.reveal_key(RecordPerson, RecordPerson.objects.filter(record=record).first().pk, "phone")
    answer = client.post(REVEAL_URL, {"record": record.pk, "key": key, "next": "https://evil.example/"})
    assert answer["Location"].startswith(change_url(record))


def test_the_reveal_log_is_seen_by_the_provinces_staff_and_by_the_official_who_revealed(cast, record):
    key = pii.reveal_key(RecordPerson, RecordPerson.objects.filter(record=record).first().pk, "id_card")
    reveal_pii(user=cast["county_reviewer"], record_id=record.pk, key=key)
    assert PiiReveal.visible_to(cast["provincial_staff"]).count() == 1
    assert PiiReveal.visible_to(cast["county_reviewer"]).count() == 1
    assert PiiReveal.visible_to(cast["city_reviewer_x"]).count() == 0  # saw the record, did not reveal
    assert PiiReveal.visible_to(cast["clerk_a"]).count() == 0
    jilin_staff = UserFactory(username="jl_staff_pii", role=Role.PROVINCIAL, authority=_authority("220000"))
    assert PiiReveal.visible_to(jilin_staff).count() == 0


def _authority(code):
    from tests.factories import authority_for

    return authority_for(code)


def test_the_reveal_log_is_read_only_in_the_admin_for_provincial_staff(client, cast, record):
    key = pii.reveal_key(RecordPerson, RecordPerson.objects.filter(record=record).first().pk, "id_card")
    reveal_pii(user=cast["county_reviewer"], record_id=record.pk, key=key)
    client.force_login(cast["provincial_staff"])
    listing = client.get(reverse("admin:review_piireveal_changelist"))
    assert listing.status_code == 200
    assert cast["county_reviewer"].real_name in _body(listing)
    log = PiiReveal.objects.get()
    assert client.get(reverse("admin:review_piireveal_change", args=[log.pk])).status_code == 200
    assert client.post(reverse("admin:review_piireveal_delete", args=[log.pk]), {"post": "yes"}).status_code == 403
    client.force_login(cast["county_reviewer"])
    assert client.get(reverse("admin:review_piireveal_changelist")).status_code == 403


def test_the_records_admin_page_masks_the_people_too(client, cast, record):
    client.force_login(cast["county_reviewer"])
    response = client.get(reverse("admin:projects_record_change", args=[record.pk]))
    assert response.status_code == 200
    body = _body(response)
    for number in _numbers(record):
        assert number not in body
    person = RecordPerson.objects.filter(record=record).first()
    assert pii.mask_id_number(person.id_card) in body
    for name in ("recordperson", "projectcorp"):
        page = client.get(reverse(f"admin:projects_{name}_changelist"))
        assert page.status_code == 200
        row = (RecordPerson if name == "recordperson" else ProjectCorp).objects.filter(record=record).first()
        detail = _body(client.get(reverse(f"admin:projects_{name}_change", args=[row.pk])))
        for number in _numbers(record):
            assert number not in detail, name


# ------------------------------------------------------------------------------------------------------------
# History in words (issue 11 item 4)
# ------------------------------------------------------------------------------------------------------------


@pytest.fixture
def named_clerk(clerk_a):
    clerk_a.real_name = "李填报"
    clerk_a.save()
    return clerk_a


@pytest.fixture
def decided(cast, firm_a, named_clerk):
    """A record changed through the service by a named clerk, submitted by them, approved by the county reviewer
    through the admin (HistoryMiddleware names the user of each request)."""
    record = valid_record(firm_a)
    with time_machine.travel(SUBMITTED_AT, tick=False):
        with pghistory.context(user=named_clerk.pk, url="/portal/records/1/"):
            record_save(
                record_id=record.pk,
                user=named_clerk,
                expected_version=record.version,
                data={"tender": {"tender_money": "180"}},
            )
        with pghistory.context(user=named_clerk.pk, url="/portal/records/1/submit/"):
            submit_record(record_id=record.pk, user=named_clerk)
    return record


@pytest.fixture
def next_day():
    with time_machine.travel(SUBMITTED_AT + dt.timedelta(days=1), tick=False):
        yield


def _lines(rows) -> list[str]:
    return [f"{label}: {old} → {new}" for row in rows for label, old, new in row["changes"]]


def test_history_names_people_fields_and_values_never_ids(client, cast, decided, next_day):
    reviewer = cast["county_reviewer"]
    client.force_login(reviewer)
    page = client.get(change_url(decided))
    assert page.status_code == 200
    answer = client.post(reverse("admin:review_reviewqueueitem_approve", args=[decided.pk]), {"confirmed": "yes"})
    assert answer.status_code == 302
    record = Record.objects.select_related("responsible_authority", "track").get(pk=decided.pk)
    assert record.status == "approved"
    with translation.override("zh-hans"):
        rows = history_rows(record)
        lines = _lines(rows)
        whos = {row["who"] for row in rows}
        assert "李填报（甲级建筑设计院有限公司）" in whos
        assert f"{reviewer.real_name}（{reviewer.authority.name} 建筑市场监管科）" in whos
        assert f"负责审核的主管部门: — → {record.responsible_authority.name}" in lines
        assert f"补录通道: — → {record.track}" in lines
        assert "状态: 暂存 → 待审核" in lines and "状态: 待审核 → 审核通过" in lines
        assert "中标金额（万元）: 170 → 180" in lines
        text = "\n".join(lines)
        for internal in ("版本号", "version", "更新时间", "created_at", "draft_inputs"):
            assert internal not in text
        related = {str(f.verbose_name) for f in Record._meta.concrete_fields if f.is_relation}
        for line in lines:
            label, values = line.split(": ", 1)
            if label in related:  # a foreign key: named, never its id
                assert not any(re.fullmatch(r"\d+", value) for value in values.split(" → ")), line
        assert "—" not in whos


def test_the_nightly_job_is_named_as_the_system(cast, firm_a, clerk_a):
    record = submitted_record(firm_a, clerk_a)
    with pghistory.context(actor="nightly auto-approval"):
        Record.objects.filter(pk=record.pk).update(status="approved")
    with translation.override("zh-hans"):
        rows = [row for row in history_rows(record) if ("状态", "待审核", "审核通过") in row["changes"]]
        assert [row["who"] for row in rows] == [translation.gettext("System (overdue, approved automatically)")]


def test_the_review_log_names_the_person_and_department_or_the_system(client, cast, decided, next_day):
    reviewer = cast["county_reviewer"]
    client.force_login(reviewer)
    client.post(reverse("admin:review_reviewqueueitem_reject", args=[decided.pk]), {"reason": "合同金额与中标金额不符"})
    from review.admin.history import review_log

    with translation.override("zh-hans"):
        log = review_log(decided)
        assert [row.who for row in log] == [
            "李填报（甲级建筑设计院有限公司）",
            f"{reviewer.real_name}（{reviewer.authority.name} 建筑市场监管科）",
        ]
        assert log[1].reason == "合同金额与中标金额不符" and log[1].to_status == "审核不通过"
        RecordTransition.objects.filter(record=decided).update(by=TransitionBy.NIGHTLY_JOB, actor_name="")
        assert review_log(decided)[0].who == translation.gettext("System (overdue, approved automatically)")


def test_the_decision_page_shows_the_review_log_and_the_history_in_words(client, cast, decided):
    client.force_login(cast["county_reviewer"])
    body = _body(client.get(change_url(decided)))
    assert 'id="review-log"' in body
    assert "李填报（甲级建筑设计院有限公司）" in body
    record = Record.objects.select_related("responsible_authority").get(pk=decided.pk)
    assert f"{record.responsible_authority.name}" in body
    assert f"负责审核的主管部门: — → {record.responsible_authority_id}<" not in body


def test_the_history_resolves_names_with_one_query_per_kind(cast, firm_a, named_clerk, django_assert_max_num_queries):
    """No N+1: 20 events naming users, authorities and tracks cost the events, then one query per kind."""
    records = []
    for county in ("450103", "450102", "450105"):
        record = valid_record(firm_a, county=county)
        with pghistory.context(user=named_clerk.pk), time_machine.travel(SUBMITTED_AT, tick=False):
            submit_record(record_id=record.pk, user=named_clerk)
        records.append(Record.objects.get(pk=record.pk))
    others = [UserFactory(username=f"pii_u{i}", real_name=f"用户{i}") for i in range(5)]
    record = records[0]
    for i, user in enumerate(others):
        with pghistory.context(user=user.pk):
            Record.objects.filter(pk=record.pk).update(responsible_authority=records[i % 3].responsible_authority)
            Tender.objects.filter(record=record).update(tender_money=200 + i)
    with django_assert_max_num_queries(4):  # the events, the users (with their organisations), authorities, tracks
        rows = history_rows(record)
    assert len(rows) >= 10
    assert {f"用户{i}" for i in range(5)} <= {row["who"] for row in rows}


def test_the_exclusion_list_is_one_place():
    assert {"version", "id", "updated_at", "national_num"} <= HIDDEN_FIELDS["*"]
    assert "auth_epoch" in HIDDEN_FIELDS["accounts.user"] and "sha256" in HIDDEN_FIELDS["projects.attachment"]


def test_history_masks_personal_data(cast, record):
    person = RecordPerson.objects.filter(record=record).first()
    old = person.id_card
    with pghistory.context(user=cast["clerk_a"].pk):
        RecordPerson.objects.filter(pk=person.pk).update(id_card=make_id_card(999), phone="13900001111")
    text = "\n".join(_lines(history_rows(record)))
    assert old not in text and make_id_card(999) not in text and "13900001111" not in text
    assert f"{pii.mask_id_number(old)} → {pii.mask_id_number(make_id_card(999))}" in text
    assert "139****1111" in text
