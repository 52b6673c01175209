"""The review queue's record page (issue 5 items 2 and 4): every section of the record read-only from one data
description, the attachments with their permission-checked links and previews, problems next to their sections, a
bounded number of queries whatever the record's size; the decision buttons only for the deciding official, with the
J9 reason or the P2 sentence otherwise; the link that marks the record as fraud (G10)."""

from __future__ import annotations

import hashlib

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from grading import rules
from projects import codes
from projects.models import Attachment, AttachmentKind, Project, Tender
from review.admin import queue as queue_admin
from review.admin.record_page import part_fields
from review.services import DirectReviewReason, request_direct_review

from .builders import PDF, valid_record
from .decisions import SUBMITTED_AT, submitted_record

pytestmark = pytest.mark.django_db

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002"
    "00015de2c2fd0000000049454e44ae426082"
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def record(cast, firm_a, clerk_a):
    """A submitted record of the Qingxiu county bureau (450103), with real files behind its attachments."""
    record = submitted_record(firm_a, clerk_a)
    for attachment in record.attachments.all():
        attachment.file.save(f"{attachment.kind}.pdf", ContentFile(PDF), save=True)
    Attachment.objects.create(
        record=record,
        kind=AttachmentKind.OTHER,
        file=ContentFile(PNG, name="photo.png"),
        original_name="现场照片.png",
        content_type="image/png",
        size=len(PNG),
        sha256=hashlib.sha256(PNG).hexdigest(),
    )
    return record


def change_url(record) -> str:
    return reverse("admin:review_reviewqueueitem_change", args=[record.pk])


def open_page(client, user, record):
    client.force_login(user)
    response = client.get(change_url(record))
    assert response.status_code == 200
    return response


def cell(response, part_key: str, field_name: str, row: int | None = None):
    """The page's cell of one field, by the part and field names of grading.rules."""
    part = rules.PART_BY_KEY[part_key]
    index = [f.name for f in part_fields(part)].index(field_name)
    for section in response.context["record_sections"]:
        for block in section.parts:
            if block.key == part_key:
                return block.rows[row][index] if row is not None else block.cells[index]
    raise AssertionError(part_key)


# ------------------------------------------------------------------------------------------------------------
# Every section, read-only, from one description
# ------------------------------------------------------------------------------------------------------------


def test_the_page_shows_every_section_of_the_record_with_its_labels(client, cast, record):
    response = open_page(client, cast["county_reviewer"], record)
    body = response.content.decode()
    keys = [s.key for s in response.context["record_sections"]]
    assert keys == [s.key for s in rules.SECTIONS if s.key != rules.ATTACHMENTS_SECTION]
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        for section in rules.SECTIONS:
            assert f'id="section-{section.key}"' in body
            assert str(section.label) in body
            for part in section.parts:
                for field in part_fields(part):
                    assert str(field.verbose_name) in body, (part.key, field.name)
        tender = Tender.objects.get(record=record)
        assert cell(response, "tender", "tender_money").text == "170"
        assert cell(response, "tender", "tender_method").text == str(codes.TenderMethod.OPEN.label)  # a name
        assert cell(response, "tender", "tender_result_date").text == tender.tender_result_date.isoformat()
        assert cell(response, "project", "county").text.startswith("青秀区")
        assert cell(response, "censor", "one_censor_is_pass").text == str(translation.gettext("Yes"))
        assert cell(response, "persons", "role", row=0).text == str(codes.PersonRole.PROJECT_LEADER.label)
        assert cell(response, "tender", "tender_money").required  # a red star of the standard
    assert 'name="tender_money"' not in body  # read-only: no inputs


def test_empty_fields_are_visibly_empty(client, cast, record):
    Tender.objects.filter(record=record).update(constructor_name="")
    response = open_page(client, cast["county_reviewer"], record)
    assert cell(response, "tender", "constructor_name").empty
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        assert str(translation.gettext("not filled")) in response.content.decode()


def test_problems_of_the_rule_check_stand_next_to_their_section_and_field(client, cast, record):
    Project.objects.filter(pk=record.project_id).update(all_invest=None)
    response = open_page(client, cast["county_reviewer"], record)
    project = next(s for s in response.context["record_sections"] if s.key == "project")
    assert [p.path for p in project.problems] == ["project.all_invest"]
    assert cell(response, "project", "all_invest").problem == project.problems[0].message
    assert project.problems[0].message in response.content.decode()
    assert all(not s.problems for s in response.context["record_sections"] if s.key != "project")
    assert "field-check_report" in response.content.decode()  # the whole report stays


# ------------------------------------------------------------------------------------------------------------
# Attachments
# ------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["county_reviewer", "city_reviewer_x", "provincial_staff"])
def test_attachments_are_listed_and_open_through_the_permission_checked_url(client, cast, record, who):
    response = open_page(client, cast[who], record)
    body = response.content.decode()
    attachments = list(record.attachments.order_by("kind", "uploaded_at", "id"))
    rows = response.context["record_attachments"].rows
    assert [row.name for row in rows] == [a.original_name for a in attachments]
    for attachment in attachments:
        url = reverse("portal:attachment", args=[attachment.pk])
        assert f'href="{url}"' in body
        served = client.get(url)
        assert served.status_code == 200, who  # a city reviewer reading a county's record opens it too
        assert b"".join(served.streaming_content) == attachment.file.open("rb").read()
    pdf = next(a for a in attachments if a.content_type == "application/pdf")
    png = next(a for a in attachments if a.content_type == "image/png")
    assert f'<iframe src="{reverse("portal:attachment", args=[pdf.pk])}?inline=1"' in body
    assert f'<img src="{reverse("portal:attachment", args=[png.pk])}?inline=1"' in body
    assert all(kind.present for kind in response.context["record_attachments"].required)


def test_another_citys_reviewer_reaches_neither_the_page_nor_the_files(client, cast, record):
    client.force_login(cast["city_reviewer_y"])
    assert client.get(change_url(record)).status_code == 404  # outside the reviewer's scope: not even its existence
    attachment = record.attachments.first()
    assert client.get(reverse("portal:attachment", args=[attachment.pk])).status_code == 404


# ------------------------------------------------------------------------------------------------------------
# A bounded number of queries, whatever the record's size
# ------------------------------------------------------------------------------------------------------------

#: The page's queries (17 today): session and user, the record with its stages, one per set of rows, the region
#: check, the history and one per kind of name it shows (the people, the authorities, the tracks), the review log,
#: the user's authority, the record's latest push item (its push state, sync/); the same for a record of any size.
MAX_QUERIES = 18


def test_the_page_runs_the_same_bounded_number_of_queries_for_a_small_and_a_large_record(
    client, cast, firm_a, clerk_a, django_assert_max_num_queries
):
    small = submitted_record(firm_a, clerk_a)
    large = submitted_record(firm_a, clerk_a, units=30, corps=40, persons=30, staff=20)
    client.force_login(cast["county_reviewer"])
    client.get(change_url(small))  # warm the caches (content types, the session)
    counts = []
    for record in (small, large):
        with django_assert_max_num_queries(MAX_QUERIES) as captured:
            response = client.get(change_url(record))
        assert response.status_code == 200
        counts.append(len(captured))
    # no query per row: the large record costs no more than the small one (the history may cost less: its last 20
    # events may name fewer kinds of rows, one query per kind)
    assert counts[1] <= counts[0]
    sections = {s.key: s for s in response.context["record_sections"]}
    assert len(sections["units"].parts[0].rows) == 30
    assert len(sections["corps"].parts[0].rows) == 40
    assert len(sections["censor"].parts[1].rows) == 20


# ------------------------------------------------------------------------------------------------------------
# Who sees the buttons: the deciding official with a complete real-name registration (P2, J9)
# ------------------------------------------------------------------------------------------------------------


def test_j9_a_reviewer_without_department_sees_why_instead_of_the_buttons(client, cast, record):
    reviewer = cast["county_reviewer"]
    reviewer.department = None
    reviewer.save()
    response = open_page(client, reviewer, record)
    body = response.content.decode()
    assert reverse("admin:review_reviewqueueitem_approve", args=[record.pk]) not in body
    assert 'name="reject"' not in body
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        missing = str(translation.gettext("department"))
    reason = response.context["decision_blocked"]
    assert missing in reason and "J9" in reason  # the service's own words: what is missing, whom to ask
    assert reason in body.replace("&quot;", '"')
    assert 'id="mark-fraud"' not in body


def test_j9_a_reviewer_without_real_name_sees_it_named(client, cast, record):
    reviewer = cast["county_reviewer"]
    reviewer.real_name = " "
    reviewer.save()
    response = open_page(client, reviewer, record)
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        missing = str(translation.gettext("real name"))
    assert missing in response.context["decision_blocked"]
    assert "approve_url" not in response.context


def test_p2_a_city_reviewer_reads_a_countys_record_with_the_sentence_who_decides(client, cast, record):
    response = open_page(client, cast["city_reviewer_x"], record)
    body = response.content.decode()
    assert reverse("admin:review_reviewqueueitem_approve", args=[record.pk]) not in body
    note = response.context["decision_note"]
    assert record.responsible_authority.name in note
    assert 'id="decision-note"' in body
    assert 'id="mark-fraud"' not in body


def test_the_deciding_reviewer_sees_the_buttons_and_the_fraud_link(client, cast, record):
    response = open_page(client, cast["county_reviewer"], record)
    body = response.content.decode()
    assert reverse("admin:review_reviewqueueitem_approve", args=[record.pk]) in body
    assert "decision_note" not in response.context and "decision_blocked" not in response.context
    fraud_url = reverse("admin:review_creditentry_add") + f"?record={record.pk}"
    assert response.context["fraud_url"] == fraud_url
    assert f'href="{fraud_url}"' in body.replace("&amp;", "&")


def test_g6_provincial_staff_see_the_buttons_of_a_direct_review(client, cast, firm_a, clerk_a):
    record = valid_record(firm_a)
    Attachment.objects.create(
        record=record,
        kind=AttachmentKind.DIRECT_REVIEW,
        file="attachments/dr/application.pdf",
        original_name="直接审核申请书.pdf",
        content_type="application/pdf",
        size=len(PDF),
        sha256=hashlib.sha256(PDF).hexdigest(),
    )
    with time_machine.travel(SUBMITTED_AT, tick=False):
        request_direct_review(
            record_id=record.pk, user=clerk_a, reason_code=DirectReviewReason.OTHER, reason="建设单位已合并"
        )
    response = open_page(client, cast["provincial_staff"], record)
    body = response.content.decode()
    assert reverse("admin:review_reviewqueueitem_approve", args=[record.pk]) in body
    assert reverse("admin:review_reviewqueueitem_reject", args=[record.pk]) in body
    assert response.context["fraud_url"].endswith(f"?record={record.pk}")


def test_g10_no_fraud_link_while_the_credit_page_is_not_installed(client, cast, record, monkeypatch):
    real_reverse = queue_admin.reverse

    def reverse_without_credit(name, *args, **kwargs):
        if name == "admin:review_creditentry_add":
            raise NoReverseMatch(name)
        return real_reverse(name, *args, **kwargs)

    monkeypatch.setattr(queue_admin, "reverse", reverse_without_credit)
    response = open_page(client, cast["county_reviewer"], record)
    assert not response.context["fraud_url"]
    assert 'id="mark-fraud"' not in response.content.decode()
    assert reverse("admin:review_reviewqueueitem_approve", args=[record.pk]) in response.content.decode()


def test_j9_provincial_staff_without_department_get_the_link_to_their_account(client, cast, record):
    staff = cast["provincial_staff"]
    staff.department = None
    staff.save()
    response = open_page(client, staff, record)
    assert "approve_url" not in response.context
    account_url = reverse("admin:accounts_user_change", args=[staff.pk])
    assert response.context["fix_account_url"] == account_url
    assert f'href="{account_url}"' in response.content.decode()


def test_a_unit_of_the_whole_project_reads_so_not_as_empty(client, county_reviewer, record):
    """A participating unit entered for the whole project (no unit project) is shown as the enterprise chose it."""
    record.corps.update(unit=None)
    response = open_page(client, county_reviewer, record)
    assert cell(response, "corps", "unit", row=0).text == "— 整个项目 —"  # the page speaks Chinese by default
    assert not cell(response, "corps", "unit", row=0).empty
