"""打印 (issue 12 item 5): a record as a PDF with its stages, grades, reviewing authorities and decision, ID and
phone numbers masked, and — published records only — a verification code and a QR code that opens its check page.
The clerk prints from the portal (its own records), officials from the admin (Record.visible_to)."""

from __future__ import annotations

import io
import re

import pytest
from django.conf import settings
from django.urls import reverse
from pypdf import PdfReader

from accounts import pii
from grading import rules
from projects.models import CensorStaff, ProjectCorp, Record, RecordPerson, Tender
from review import printing
from review.models import RecordTransition
from tests.sync.test_push import approved

pytestmark = pytest.mark.django_db

CODE = re.compile(r"[0-9]+-[0-9]+-[A-Z2-7]{12}")  # a verification code (review.printing)


def pdf_text(response) -> str:
    """The PDF's text without whitespace: wrapped lines and table cells read as one string."""
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(response.content))
    return "".join("".join(page.extract_text() for page in reader.pages).split())


def print_url(record: Record) -> str:
    return reverse("portal:record_print", args=[record.pk])


def admin_print_url(record: Record) -> str:
    return reverse("admin:review_record_print", args=[record.pk])


@pytest.fixture
def published(firm_a, clerk_a, county_reviewer) -> Record:
    """Firm A's record, approved by the 青秀区 bureau (grade C on every stage)."""
    return approved(firm_a, clerk_a, county_reviewer)


def personal_values(record: Record) -> dict[str, list[str]]:
    """The record's ID and phone numbers as stored, by kind (accounts.pii)."""
    values: dict[str, list[str]] = {pii.ID_NUMBER: [], pii.PHONE: []}
    rows = [
        *Tender.objects.filter(record=record),
        *CensorStaff.objects.filter(censor__record=record),
        *ProjectCorp.objects.filter(record=record),
        *RecordPerson.objects.filter(record=record),
    ]
    for row in rows:
        for name, kind in pii.pii_fields(row).items():
            if getattr(row, name):
                values[kind].append(getattr(row, name))
    return values


def test_a_published_record_prints_stages_grades_authorities_and_decision(client, clerk_a, published):
    client.force_login(clerk_a)
    text = pdf_text(client.get(print_url(published)))
    record = Record.objects.select_related("project", "tender", "finish_check").get(pk=published.pk)
    assert record.project.prj_name in text and record.project.prj_num in text
    for key in printing.GRADED_STAGES:  # every stage by its name, graded C by the county bureau
        assert str(rules.PART_BY_KEY[key].label) in text
    assert "各阶段数据等级与审核部门" in text
    department = record.tender.check_depart_name
    assert department and "青秀区住房和城乡建设局" in department
    assert text.count(department.replace(" ", "")) >= len(printing.GRADED_STAGES)
    assert record.tender.check_person_name in text
    assert f"C{department}" in text  # the grade next to its reviewing department, in the stages' table
    decision = RecordTransition.objects.get(record=record, to_status="approved")
    assert decision.actor_name in text and "2017-12-2010:00" in text  # who decided, and when (Beijing time)
    assert "审核通过" in text
    assert record.tender.tender_corp_name.replace(" ", "") in text  # a section's values
    assert "未审核" not in text


def test_no_id_or_phone_number_is_printed_unmasked(client, clerk_a, published):
    client.force_login(clerk_a)
    text = pdf_text(client.get(print_url(published)))
    values = personal_values(published)
    assert values[pii.ID_NUMBER], "the record has people with ID numbers"
    for number in values[pii.ID_NUMBER]:
        assert number not in text
        assert pii.mask_id_number(number) in text
    for phone in values[pii.PHONE]:
        assert phone not in text
        assert pii.mask_phone(phone).replace(" ", "") in text


def test_the_verification_code_is_printed_and_the_qr_code_opens_its_page(client, clerk_a, published, monkeypatch):
    codes, real = [], printing.qr_code

    def spy(value, size):
        codes.append(real(value, size))
        return codes[-1]

    monkeypatch.setattr(printing, "qr_code", spy)
    client.force_login(clerk_a)
    text = pdf_text(client.get(print_url(published)))
    code = printing.verification_code(printing.printable(Record.objects.all(), published.pk))
    assert f"核验码{code}" in text
    url = f"{settings.SITE_URL}/public/verify/{code}/"
    assert url in text
    assert [qr.value for qr in codes] == [url]
    assert printing.verify(code).verdict == printing.Verdict.CURRENT


def test_an_unpublished_record_prints_marked_not_reviewed_without_a_code(client, clerk_a, valid_a, monkeypatch):
    monkeypatch.setattr(printing, "qr_code", lambda *a, **k: pytest.fail("no QR code on an unpublished record"))
    client.force_login(clerk_a)
    response = client.get(print_url(valid_a))
    text = pdf_text(response)
    assert "未审核—仅供核对" in text
    assert not CODE.search(text) and "/public/verify/" not in text and "无核验码" in text
    assert valid_a.project.prj_name in text
    reader = PdfReader(io.BytesIO(response.content))
    assert all("未审核" in page.extract_text() for page in reader.pages)  # marked on every page


def test_another_firms_record_is_not_found(client, clerk_b, published):
    client.force_login(clerk_b)
    assert client.get(print_url(published)).status_code == 404
    assert client.get(reverse("portal:record_print", args=[10**9])).status_code == 404


def test_bad_input_never_errs(client, clerk_a, published):
    client.force_login(clerk_a)
    assert client.post(print_url(published)).status_code == 405  # read-only
    assert client.get(f"/portal/records/{published.pk}x/print/").status_code == 404
    assert client.get("/portal/records/-1/print/").status_code == 404
    assert client.get(f"/portal/records/{2**70}/print/").status_code == 404


def test_the_record_page_links_the_print(client, clerk_a, published, valid_a):
    client.force_login(clerk_a)
    page = client.get(reverse("portal:record", args=[published.pk])).content.decode()
    assert f'href="{print_url(published)}" id="print-link"' in page
    assert "打印（PDF）" in page
    page = client.get(reverse("portal:record", args=[valid_a.pk])).content.decode()
    assert f'href="{print_url(valid_a)}" id="print-link"' in page
    assert "打印核对（PDF）" in page


def test_officials_print_the_records_they_may_see(client, published, county_reviewer, city_reviewer_y):
    client.force_login(county_reviewer)
    text = pdf_text(client.get(admin_print_url(published)))
    assert "核验码" in text and published.project.prj_name in text
    page = client.get(reverse("admin:projects_record_change", args=[published.pk])).content.decode()
    assert 'id="record-print"' in page and admin_print_url(published) in page
    client.force_login(city_reviewer_y)  # 桂林市: not the project's city
    assert client.get(admin_print_url(published)).status_code == 404


def test_a_clerk_cannot_open_the_admins_print(client, clerk_a, published):
    client.force_login(clerk_a)
    assert client.get(admin_print_url(published)).status_code in (302, 403)


def test_printing_reads_a_fixed_number_of_queries(client, clerk_a, published, django_assert_max_num_queries):
    client.force_login(clerk_a)
    with django_assert_max_num_queries(25):
        assert client.get(print_url(published)).status_code == 200
