"""Provincial oversight (issue 11 item 5): 补录工作进度 per campaign, by city and county — entered, submitted, decided
in time (G5), decided late, approved by timeout (P1), overdue now, pending — with the bureaus that let records run
over, on a page and in an Excel file with the same numbers; for provincial staff of the campaign's province only.

The scenario: the Guangxi campaign (桂建设〔2017〕29号) with records of 南宁市 (青秀区, whose county bureau reviews, and
兴宁区, reviewed by the city bureau, P2) and of 桂林市 (秀峰区, reviewed by the city bureau), read on Friday 2017-12-08
10:00 — after the nightly run of Thursday 00:30, before Saturday's.
"""

from __future__ import annotations

import datetime as dt
import re
from io import BytesIO

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from accounts.models import Role
from projects.models import Campaign, CampaignContact, Record, RecordStatus
from review.digest import digest_for
from review.oversight import Counts, campaign_progress
from review.services import approve_record, auto_approve_overdue, reject_record, submit_record
from tests.factories import authority_for, official

from .builders import valid_record
from .decisions import SHANGHAI, D

pytestmark = pytest.mark.django_db

QINGXIU, XINGNING, XIUFENG = "450103", "450102", "450302"  # 南宁市青秀区, 南宁市兴宁区, 桂林市秀峰区
NANNING, GUILIN = "450100", "450300"

#: Friday 2017-12-01 10:00: due at the end of Wednesday 12-06.
SUBMIT_A = dt.datetime(2017, 12, 1, 10, tzinfo=SHANGHAI)
#: Monday 2017-12-04 10:00: due at the end of Thursday 12-07.
SUBMIT_B = dt.datetime(2017, 12, 4, 10, tzinfo=SHANGHAI)
#: Thursday 2017-12-07 10:00: due at the end of Tuesday 12-12.
SUBMIT_C = dt.datetime(2017, 12, 7, 10, tzinfo=SHANGHAI)
IN_TIME = dt.datetime(2017, 12, 5, 15, tzinfo=SHANGHAI)
#: Thursday 00:10: after the deadline of 12-06, before the nightly run takes the record.
LATE = dt.datetime(2017, 12, 7, 0, 10, tzinfo=SHANGHAI)
NIGHT = dt.datetime(2017, 12, 7, 0, 30, tzinfo=SHANGHAI)
NOW = dt.datetime(2017, 12, 8, 10, tzinfo=SHANGHAI)

PROGRESS = "/admin/review/progress/"


def submitted(firm, clerk, county: str, at: dt.datetime) -> Record:
    record = valid_record(firm, county=county)
    with time_machine.travel(at, tick=False):
        submit_record(record_id=record.pk, user=clerk)
    return record


def at(moment: dt.datetime, action, **kwargs) -> None:
    with time_machine.travel(moment, tick=False):
        action(**kwargs)


@pytest.fixture
def scenario(firm_a, clerk_a, county_reviewer, city_reviewer_x, city_reviewer_y, provincial_staff):
    records = {}
    # 青秀区 (its county bureau reviews): a draft, one approved and one rejected in time, one decided late, one
    # approved by the nightly job, one overdue now, one not yet due
    records["draft"] = valid_record(firm_a, county=QINGXIU)
    records["qx_approved"] = submitted(firm_a, clerk_a, QINGXIU, SUBMIT_A)
    records["qx_rejected"] = submitted(firm_a, clerk_a, QINGXIU, SUBMIT_A)
    records["qx_late"] = submitted(firm_a, clerk_a, QINGXIU, SUBMIT_A)
    records["qx_auto"] = submitted(firm_a, clerk_a, QINGXIU, SUBMIT_A)
    records["qx_overdue"] = submitted(firm_a, clerk_a, QINGXIU, SUBMIT_B)
    records["qx_pending"] = submitted(firm_a, clerk_a, QINGXIU, SUBMIT_C)
    # 兴宁区 (no county bureau: 南宁市 reviews): one overdue now
    records["xn_overdue"] = submitted(firm_a, clerk_a, XINGNING, SUBMIT_B)
    # 秀峰区 (桂林市 reviews): one approved in time, two approved by the nightly job, one not yet due
    records["xf_approved"] = submitted(firm_a, clerk_a, XIUFENG, SUBMIT_A)
    records["xf_auto1"] = submitted(firm_a, clerk_a, XIUFENG, SUBMIT_A)
    records["xf_auto2"] = submitted(firm_a, clerk_a, XIUFENG, SUBMIT_A)
    records["xf_pending"] = submitted(firm_a, clerk_a, XIUFENG, SUBMIT_C)

    at(IN_TIME, approve_record, record_id=records["qx_approved"].pk, user=county_reviewer)
    at(
        IN_TIME,
        reject_record,
        record_id=records["qx_rejected"].pk,
        user=county_reviewer,
        reason="合同金额与中标金额不符",
    )
    at(IN_TIME, approve_record, record_id=records["xf_approved"].pk, user=city_reviewer_y)
    at(LATE, approve_record, record_id=records["qx_late"].pk, user=county_reviewer)
    assert auto_approve_overdue(NIGHT) == 3
    return records


def progress_of(user, campaign):
    with time_machine.travel(NOW, tick=False):
        return campaign_progress(user, campaign.pk)


def by_code(progress) -> dict:
    rows = {}
    for city in progress.cities:
        rows[city.code] = city.counts
        for county in city.counties:
            rows[county.code] = county.counts
    return rows


def counts(entered, submitted, in_time, late, auto, overdue, pending) -> Counts:
    return Counts(entered, submitted, in_time, late, auto, overdue, pending)


EXPECTED = {
    QINGXIU: counts(7, 6, 2, 1, 1, 1, 1),
    XINGNING: counts(1, 1, 0, 0, 0, 1, 0),
    NANNING: counts(8, 7, 2, 1, 1, 2, 1),
    XIUFENG: counts(4, 4, 1, 0, 2, 0, 1),
    GUILIN: counts(4, 4, 1, 0, 2, 0, 1),
}
TOTAL = counts(12, 11, 3, 1, 3, 2, 2)


# ----------------------------------------------------------------------------------------------------------------
# The counts
# ----------------------------------------------------------------------------------------------------------------


def test_g5_p1_counts_per_county_city_and_total_are_exact(scenario, provincial_staff, guangxi):
    progress = progress_of(provincial_staff, guangxi)
    rows = by_code(progress)
    for code, expected in EXPECTED.items():
        assert rows[code] == expected, code
    assert progress.total == TOTAL
    # the five outcomes add up to the records submitted, on every line
    for line in [*rows.values(), progress.total]:
        assert line.in_time + line.late + line.auto_approved + line.overdue_now + line.not_yet_due == line.submitted
    # every city of the province is listed, a city with nothing entered says 0
    assert rows["450200"] == Counts()  # 柳州市
    assert [city.code for city in progress.cities] == sorted(city.code for city in progress.cities)
    assert [c.code for c in next(c for c in progress.cities if c.code == NANNING).counties] == [XINGNING, QINGXIU]


def test_g5_a_record_decided_after_its_deadline_is_not_within_the_window(scenario, provincial_staff, guangxi):
    late = Record.objects.get(pk=scenario["qx_late"].pk)
    assert late.status == RecordStatus.APPROVED and late.decided_at > late.review_deadline
    before = by_code(progress_of(provincial_staff, guangxi))[QINGXIU]
    assert (before.in_time, before.late) == (2, 1)
    # decided in the window instead: in time, not late
    Record.objects.filter(pk=late.pk).update(review_deadline=dt.datetime(2017, 12, 7, 23, 59, 59, tzinfo=SHANGHAI))
    after = by_code(progress_of(provincial_staff, guangxi))[QINGXIU]
    assert (after.in_time, after.late) == (3, 0)


def test_g10_fraud_found_after_an_approval_in_time_keeps_it_in_time(scenario, provincial_staff, guangxi):
    from review.services import mark_fraud

    at(NOW, mark_fraud, record_id=scenario["qx_approved"].pk, user=provincial_staff, facts="合同系伪造")
    assert by_code(progress_of(provincial_staff, guangxi))[QINGXIU] == EXPECTED[QINGXIU]


def test_p1_the_nightly_approval_counts_as_approved_by_timeout_and_names_its_bureau(
    scenario, provincial_staff, guangxi
):
    progress = progress_of(provincial_staff, guangxi)
    bureaus = [(b.name, b.auto_approved, b.overdue_now, b.total) for b in progress.bureaus]
    assert bureaus == [
        ("青秀区住房和城乡建设局", 1, 1, 2),  # as many as 桂林 but one overdue right now: first
        ("桂林市住房和城乡建设局", 2, 0, 2),
        ("南宁市住房和城乡建设局", 0, 1, 1),
    ]
    assert progress.bureaus[0].departments == "建筑市场监管科"


def test_the_bureau_names_its_campaign_contact(scenario, provincial_staff, guangxi):
    CampaignContact.objects.create(
        campaign=guangxi,
        authority=authority_for(GUILIN),
        name="李明",
        department="建筑市场科",
        title="科长",
        office_phone="0773-2825000",
    )
    guilin = next(b for b in progress_of(provincial_staff, guangxi).bureaus if b.name.startswith("桂林"))
    assert guilin.contact == "建筑市场科 李明 科长 0773-2825000"


def test_overdue_now_is_the_queue_s_and_the_digest_s(scenario, provincial_staff, guangxi):
    """The same records are 已逾期 in the progress page, the digest of this morning and the workbench."""
    from review.selectors import workbench_counts

    progress = progress_of(provincial_staff, guangxi)
    digest = digest_for(provincial_staff, NOW.date())
    ours = {b.name: b.overdue_now for b in progress.bureaus if b.overdue_now}
    assert ours == {o.name: o.count for o in digest.overdue_now}
    with time_machine.travel(NOW, tick=False):
        assert workbench_counts(provincial_staff).overdue == progress.total.overdue_now


def test_the_number_of_queries_does_not_grow_with_cities_and_records(scenario, provincial_staff, guangxi, firm_b):
    with CaptureQueriesContext(connection) as before:
        progress_of(provincial_staff, guangxi)
    # more records in more counties of more cities, in every state
    for county in ("450202", "450305", "450403", "450502", "450603"):
        for status in (RecordStatus.SUBMITTED, RecordStatus.APPROVED, RecordStatus.DRAFT):
            record = valid_record(firm_b, county=county)
            Record.objects.filter(pk=record.pk).update(
                status=status,
                submitted_at=None if status == RecordStatus.DRAFT else SUBMIT_A,
                review_deadline=None if status == RecordStatus.DRAFT else NIGHT,
                responsible_authority=authority_for(county[:4] + "00"),
            )
    with CaptureQueriesContext(connection) as after:
        progress = progress_of(provincial_staff, guangxi)
    assert progress.total.entered == TOTAL.entered + 15
    assert len(after) == len(before) <= 6


def test_the_page_runs_a_bounded_number_of_queries(scenario, provincial_staff, guangxi, django_assert_max_num_queries):
    client = Client()
    client.force_login(provincial_staff)
    with time_machine.travel(NOW, tick=False), django_assert_max_num_queries(20):
        assert client.get(f"{PROGRESS}{guangxi.pk}/").status_code == 200


# ----------------------------------------------------------------------------------------------------------------
# The page and the export
# ----------------------------------------------------------------------------------------------------------------


def get(user, url):
    client = Client()
    client.force_login(user)
    with time_machine.travel(NOW, tick=False):
        return client.get(url)


def test_the_page_is_in_chinese_with_the_numbers(scenario, provincial_staff, guangxi):
    response = get(provincial_staff, f"{PROGRESS}{guangxi.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    for words in ("补录工作进度", "已录入", "已提交审核", "按期审结", "逾期视为通过", "已逾期未审", "合计", "青秀区"):
        assert words in html, words
    assert "Backfill progress" not in html and "Overdue now" not in html
    total = html.split('id="progress-total"')[1].split("</tr>")[0]
    assert [int(n) for n in re.findall(r'<td class="num">(\d+)</td>', total)] == TOTAL.values()
    assert f'data-authority="{authority_for(GUILIN).pk}"' in html


def test_the_excel_export_has_the_page_s_numbers(scenario, provincial_staff, guangxi):
    response = get(provincial_staff, f"{PROGRESS}{guangxi.pk}/export/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(BytesIO(response.content))
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert "补录工作进度" in rows[0][0] and guangxi.name in rows[0][0]
    assert rows[2] == (
        "市",
        "县（区）",
        "已录入",
        "已提交审核",
        "按期审结",
        "逾期后审结",
        "逾期视为通过",
        "已逾期未审",
        "待审未到期",
    )
    table = {(row[0], row[1] or ""): list(row[2:]) for row in rows[3:]}
    assert table[("南宁市", "")] == EXPECTED[NANNING].values()
    assert table[("南宁市", "青秀区")] == EXPECTED[QINGXIU].values()
    assert table[("桂林市", "秀峰区")] == EXPECTED[XIUFENG].values()
    assert table[("合计", "")] == TOTAL.values()
    assert all(isinstance(n, int) for n in table[("合计", "")])  # numbers, not text
    bureaus = list(book.worksheets[1].iter_rows(values_only=True))
    assert bureaus[0][0] == "负责审核的主管部门"
    assert [(r[0], r[3], r[4], r[5]) for r in bureaus[1:]] == [
        ("青秀区住房和城乡建设局", 1, 1, 2),
        ("桂林市住房和城乡建设局", 2, 0, 2),
        ("南宁市住房和城乡建设局", 0, 1, 1),
    ]


def test_a_campaign_with_no_records_answers_in_chinese(provincial_staff):
    empty = Campaign.objects.create(
        name="广西2026年补录",
        province_id="450000",
        notice_date=D(2026, 1, 5),
        scope_completed_before=D(2026, 1, 1),
    )
    response = get(provincial_staff, f"{PROGRESS}{empty.pk}/")
    assert response.status_code == 200
    assert "尚未录入" in response.content.decode()
    assert get(provincial_staff, f"{PROGRESS}{empty.pk}/export/").status_code == 200
    index = get(provincial_staff, PROGRESS)
    assert index.status_code == 200 and "广西2026年补录" in index.content.decode()


# ----------------------------------------------------------------------------------------------------------------
# Who may read it
# ----------------------------------------------------------------------------------------------------------------


def test_guangxi_staff_cannot_open_jilin_s_campaign_nor_export_it(provincial_staff, jilin, guangxi):
    assert get(provincial_staff, f"{PROGRESS}{jilin.pk}/").status_code == 404
    assert get(provincial_staff, f"{PROGRESS}{jilin.pk}/export/").status_code == 404
    assert get(provincial_staff, f"{PROGRESS}999999/").status_code == 404
    jilin_staff = official("jl_staff", Role.PROVINCIAL, "220000")
    assert get(jilin_staff, f"{PROGRESS}{jilin.pk}/").status_code == 200
    assert get(jilin_staff, f"{PROGRESS}{guangxi.pk}/").status_code == 404
    index = get(provincial_staff, PROGRESS).content.decode()
    assert guangxi.name in index and jilin.name not in index


@pytest.mark.parametrize("who", ["county_reviewer", "city_reviewer_x"])
def test_reviewers_cannot_open_the_progress(cast, guangxi, who):
    """The page is the province's view of its bureaus (the issue asks it for provincial staff); a reviewer has the
    workbench and the digest of its own jurisdiction."""
    for url in (PROGRESS, f"{PROGRESS}{guangxi.pk}/", f"{PROGRESS}{guangxi.pk}/export/"):
        assert get(cast[who], url).status_code == 403, url
    assert campaign_progress(cast[who], guangxi.pk) is None
    assert PROGRESS not in get(cast[who], "/admin/").content.decode()


def test_a_clerk_cannot_open_it(clerk_a, guangxi):
    assert get(clerk_a, f"{PROGRESS}{guangxi.pk}/").status_code == 403


def test_the_superuser_reads_every_campaign(superuser, jilin):
    assert get(superuser, f"{PROGRESS}{jilin.pk}/").status_code == 200


def test_linked_from_the_menu_and_the_campaign_s_page(provincial_staff, guangxi):
    index = get(provincial_staff, "/admin/").content.decode()
    assert f'href="{PROGRESS}"' in index and "补录工作进度" in index
    campaign_page = get(provincial_staff, f"/admin/projects/campaign/{guangxi.pk}/change/")
    assert campaign_page.status_code == 200
    assert f'href="{PROGRESS}{guangxi.pk}/"' in campaign_page.content.decode()
