"""/public/verify/<code>/ (issue 12 item 5): anyone, without a login, learns whether a printed record is the record's
current published content — or an earlier version, a record no longer published, or a code no record carries."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfReader

from projects.models import Record, Tender
from review import corrections
from review.printing import Verdict, printable, verification_code, verify
from review.services import mark_fraud
from tests.sync.test_push import approved

pytestmark = pytest.mark.django_db
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def code_of(record: Record) -> str:
    return verification_code(printable(Record.objects.all(), record.pk))


def verify_url(code: str) -> str:
    return reverse("public:verify", args=[code])


def page(client, code: str, status: int = 200) -> str:
    response = client.get(verify_url(code))
    assert response.status_code == status, response.content[:300]
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    return response.content.decode()


def verdict_of(html: str) -> str:
    return re.search(r'data-verdict="([a-z_]+)"', html).group(1)


@pytest.fixture
def published(firm_a, clerk_a, county_reviewer) -> Record:
    return approved(firm_a, clerk_a, county_reviewer)


def test_the_printed_code_of_a_published_record_is_current(client, clerk_a, published):
    client.force_login(clerk_a)
    pdf = client.get(reverse("portal:record_print", args=[published.pk])).content
    text = "".join("".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    code = code_of(published)
    assert code in text  # the code printed is the code checked
    client.logout()  # anyone, no login
    html = page(client, code)
    assert verdict_of(html) == Verdict.CURRENT
    assert "本打印件与该业绩当前公示的内容一致" in html
    assert published.project.prj_name in html
    assert f'href="/public/records/{published.pk}/" class="btn" id="public-link"' in html


def test_a_code_typed_from_paper_is_read_as_printed(client, published):
    code = code_of(published)
    assert verdict_of(page(client, code.lower())) == Verdict.CURRENT
    assert verify(f" {code[:5]} {code[5:]} ").verdict == Verdict.CURRENT


def test_the_copy_of_an_earlier_version_is_outdated(client, firm_a, clerk_a, city_reviewer_x, provincial_staff):
    """A B record corrected through the province (J7): the copy printed before says it is not the current one."""
    record = approved(firm_a, clerk_a, city_reviewer_x)
    old = code_of(record)
    with time_machine.travel(dt.datetime(2017, 12, 22, 10, tzinfo=SHANGHAI), tick=False):
        request = corrections.file_correction(
            record_id=record.pk,
            user=clerk_a,
            changes=[{"part": "tender", "field": "tender_money", "value": "7123.5"}],
            reason="中标通知书金额录入有误",
            files=[SimpleUploadedFile("说明.pdf", b"%PDF-1.4 evidence", content_type="application/pdf")],
        )
        corrections.accept_correction(request_id=request.pk, user=provincial_staff)
    assert Record.objects.get(pk=record.pk).edition == 2
    html = page(client, old)
    assert verdict_of(html) == Verdict.OUTDATED
    assert "旧版本" in html
    assert '<dd id="printed-edition">1</dd>' in html and '<dd id="current-edition">2</dd>' in html
    assert 'id="public-link"' in html  # where the current content is
    new = code_of(record)
    assert new != old and verdict_of(page(client, new)) == Verdict.CURRENT


def test_content_changed_under_the_same_version_outdates_the_copy(client, published):
    code = code_of(published)
    Tender.objects.filter(record=published).update(tender_money=1)
    assert verdict_of(page(client, code)) == Verdict.OUTDATED


def test_pushing_the_record_does_not_outdate_its_copies(client, published):
    code = code_of(published)
    Tender.objects.filter(record=published).update(national_num="4501031309220001-ZB-001")  # what the push writes
    assert verdict_of(page(client, code)) == Verdict.CURRENT


def test_a_record_no_longer_published_says_so_without_a_link(client, published, provincial_staff):
    code = code_of(published)
    mark_fraud(record_id=published.pk, user=provincial_staff, facts="伪造竣工验收证明")
    html = page(client, code)
    assert verdict_of(html) == Verdict.NOT_PUBLISHED
    assert "已不再公示" in html and 'id="public-link"' not in html


@pytest.mark.parametrize(
    "mangle",
    [
        lambda code: code[:-1] + ("A" if code[-1] != "A" else "B"),  # the content's digest forged: not current
        lambda code: code[:-7] + ("A" if code[-7] != "A" else "B") + code[-6:],  # the version's signature forged
        lambda code: code.replace("-1-", "-2-", 1),  # an edition not printed yet
        lambda code: "999999-1-" + code.rsplit("-", 1)[1],  # no such record
        lambda code: "not-a-code",
        lambda code: "1-1-" + "A" * 12,
    ],
    ids=["content", "version", "edition", "record", "format", "guess"],
)
def test_a_code_this_platform_did_not_print_is_unknown(client, published, mangle):
    code = code_of(published)
    forged = mangle(code)
    expected = Verdict.OUTDATED if forged[:-6] == code[:-6] else Verdict.UNKNOWN
    html = page(client, forged, status=200 if expected != Verdict.UNKNOWN else 404)
    assert verdict_of(html) == expected
    if expected == Verdict.UNKNOWN:
        assert "核验码无效" in html
        assert published.project.prj_name not in html  # nothing told about a record before its code is ours


def test_an_unpublished_record_has_no_valid_code(client, firm_a, clerk_a):
    from tests.review.builders import valid_record

    draft = valid_record(firm_a)
    code = code_of(draft)  # what a code would be, had it been printed: the record is not published
    html = page(client, code)
    assert verdict_of(html) == Verdict.NOT_PUBLISHED and 'id="public-link"' not in html


@pytest.mark.parametrize(
    "code",
    ["%00", "..%2F..%2Fetc%2Fpasswd", "<script>alert(1)</script>", "码" * 300, "1-1-" + "Z" * 5000, "' OR 1=1 --"],
)
def test_bad_input_is_an_unknown_code_never_an_error(client, code):
    response = client.get(f"/public/verify/{code}/")
    assert response.status_code in (400, 404)
    assert b"<script>alert" not in response.content


def test_it_is_read_only(client, published):
    url = verify_url(code_of(published))
    assert client.post(url).status_code == 405
    assert client.head(url).status_code == 200
