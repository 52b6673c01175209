"""The whole journey in Debian's Chromium (issue 4 "Done when"), through Playwright against pytest-django's live_server.

- log in, create a record, save with half the fields, log out, log in, find the draft intact, try to submit and see
  every missing field listed, fill and upload, submit, see 待审核 and the deadline; a second enterprise cannot open
  the first one's record or attachment by URL (404);
- nothing typed is lost when the session expires (the session cookie is deleted): the browser keeps the form in
  localStorage and puts it back after the new login (static/portal/portal.js, "Autosave in this browser");
- a second tab's save is refused and the page keeps what the user typed;
- axe-core (tests/portal/vendor/axe.min.js: axe-core 4.14.1 from `npm pack axe-core@4`, MPL 2.0, unmodified) finds
  no serious or critical violation on the login, list and record pages;
- with PORTAL_SCREENSHOTS=<dir> set, the list and record pages are photographed (docs/screenshots/).

Time is frozen-and-ticking at Monday 2017-12-04 10:00 (Asia/Shanghai), inside Guangxi's campaign (桂建设〔2017〕29号).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from devtools.browser import CHROMIUM, available, serious_violations

if not available():
    pytest.skip(f"Debian's Chromium is not installed at {CHROMIUM}", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")

import time_machine  # noqa: E402

from tests.factories import PASSWORD, make_id_card, make_uscc  # noqa: E402

from .conftest import PDF_BYTES, PNG_BYTES  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = dt.datetime(2017, 12, 4, 10, tzinfo=SHANGHAI)




@pytest.fixture
def journey(browser, seeded, live_server):
    """The live server at a fixed moment of the campaign (time ticks on from there)."""
    with time_machine.travel(MONDAY, tick=True):
        yield live_server.url


@pytest.fixture
def new_page(browser):
    """A page factory; every page of the test is watched for what the Content-Security-Policy blocked."""
    contexts = []
    blocked: list[str] = []

    def watch(message) -> None:
        if "Content Security Policy" in message.text:
            blocked.append(message.text)

    def make(**kwargs):
        context = browser.new_context(**{"viewport": {"width": 1360, "height": 900}, "locale": "zh-CN", **kwargs})
        contexts.append(context)
        page = context.new_page()
        page.on("console", watch)
        page.set_default_timeout(10_000)
        return page

    yield make
    for context in contexts:
        context.close()
    assert not blocked, blocked  # the site's own scripts and styles run under its CSP (issue 9)


def login(page, base, username):
    page.goto(f"{base}/portal/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def logout(page):
    page.click(".who button[type=submit]")
    page.wait_for_url(re.compile(r"/portal/login/$"))


def create_record(page, base, name="青秀区第一中学科教楼"):
    from projects.models import Campaign

    page.goto(f"{base}/portal/records/new/")
    page.select_option("#id_campaign", str(Campaign.objects.get(notice_number="桂建设〔2017〕29号").pk))
    page.fill("#id_prj_name", name)
    pick_region(page, "f-county", "450000", "450100", "450103")
    page.click("text=新增报建 >> nth=-1")  # the form's button (the menu has the same words)
    page.wait_for_url(re.compile(r"/portal/records/\d+/$"))
    return int(re.search(r"/records/(\d+)/", page.url).group(1))


def pick_region(page, fid, province, city, county):
    page.select_option(f"#{fid}-l1", province)
    page.wait_for_selector(f"#{fid}-l2 option[value='{city}']", state="attached")
    page.select_option(f"#{fid}-l2", city)
    page.wait_for_selector(f"#{fid}-l3 option[value='{county}']", state="attached")
    page.select_option(f"#{fid}-l3", county)


def save(page):
    page.click("#save-button")
    page.wait_for_load_state()


def fill(page, values: dict[str, str]):
    for path, value in values.items():
        fid = "#f-" + re.sub(r"[\[\].]+", "-", path).strip("-")
        if page.eval_on_selector(fid, "el => el.tagName") == "SELECT":
            page.select_option(fid, value)
        else:
            page.fill(fid, value)


def add_row(page, part):
    page.click(f"#p-{part} > .add-row")


HALF = {
    "project.prj_type": "01",
    "project.address": "南宁市青秀区凤岭北路8号",
    "tender.tender_num": "ZB4501032014041001",
    "tender.tender_money": "170",
    "units[0].sub_prj_name": "1号科教楼",
}


def the_rest(clerk_enterprise) -> dict[str, str]:
    owner, agency, censor = (make_uscc(n, "450103") for n in (901, 801, 701))
    finish = {
        "fin_prj_name": "青秀区第一中学科教楼",
        "builder_licence_nums": "450103201410100101",
        "fact_cost": "6596",
        "fact_area": "18600",
        "length": "0",
        "span": "0",
        "fact_size": "建筑面积18600平方米，地上5层",
        "b_date": "2014-10-20",
    }
    return {
        "project.prj_approval_depart": "南宁市青秀区发展和改革局",
        "project.prj_approval_date": "2014-03-01",
        "project.build_corp_name": "南宁市青秀区教育局",
        "project.build_corp_code": owner,
        "project.inv_property": "101",
        "project.all_invest": "6800",
        "project.prj_property": "001",
        "project.prj_function": "304",
        "units[0].invest": "3400",
        "units[0].seismic_intensity": "002",
        "censor.censor_num": "SC450103201400001",
        "censor.cen_prj_name": "青秀区第一中学科教楼",
        "censor.censor_e_date": "2014-08-01",
        "censor.one_censor_is_pass": "1",
        "censor.censor_corp_name": "广西建设工程施工图审查中心有限公司",
        "censor.censor_corp_code": censor,
        "tender.tender_prj_name": "青秀区第一中学科教楼",
        "tender.tender_class": "002",
        "tender.tender_method": "001",
        "tender.tender_result_date": "2014-04-10",
        "tender.area": "18600",
        "tender.agency_corp_name": "广西华信招标代理有限公司",
        "tender.agency_corp_code": agency,
        "tender.tender_corp_name": clerk_enterprise.name,
        "tender.tender_corp_code": clerk_enterprise.credit_code,
        "contract.record_num": "HT4501032014042001",
        "contract.con_prj_name": "青秀区第一中学科教楼",
        "contract.contract_type": "200",
        "contract.contract_money": "170",
        "contract.propietor_corp_name": "南宁市青秀区教育局",
        "contract.propietor_corp_code": owner,
        "contract.contractor_corp_name": clerk_enterprise.name,
        "contract.contractor_corp_code": clerk_enterprise.credit_code,
        "contract.contract_date": "2014-04-20",
        "licence.licence_cert_no": "450103201410100101",
        "licence.bui_prj_name": "青秀区第一中学科教楼",
        "licence.bargain_days": "600",
        "licence.contract_money": "5576",
        "licence.release_date": "2014-10-10",
        **{f"finish_check.{k}": v for k, v in finish.items()},
        "finish_check.prj_finish_check_num": "YS000001",
        "finish_check.e_date": "2016-06-18",
        **{f"finish_record.{k}": v for k, v in finish.items()},
        "finish_record.prj_finish_num": "BA000001",
        "finish_record.e_date": "2016-07-08",
        "corps[0].corp_role": "2",
        "corps[0].corp_name": clerk_enterprise.name,
        "corps[0].corp_code": clerk_enterprise.credit_code,
        "corps[0].person_name": "梁振华",
        "corps[0].id_card_type": "1",
        "corps[0].person_id_card": make_id_card(201),
        "corps[0].person_phone": "13800771001",
        # 单位人员录入 (DOMAIN.md "The record" §7): one person at least
        "persons[0].corp_name": clerk_enterprise.name,
        "persons[0].corp_code": clerk_enterprise.credit_code,
        "persons[0].name": "梁振华",
        "persons[0].role": "WD001",
        "persons[0].id_card_type": "1",
        "persons[0].id_card": make_id_card(201),
    }


def upload(page, kind: str, name: str, content: bytes):
    path = Path(tempfile.mkdtemp()) / name
    path.write_bytes(content)
    page.select_option("#id_kind", kind)
    page.set_input_files("#id_file", str(path))
    page.click("#upload-button")
    page.wait_for_load_state()
    assert "附件已上传" in page.inner_text(".messages")


def value_of(page, path):
    return page.input_value("#f-" + re.sub(r"[\[\].]+", "-", path).strip("-"))


# --------------------------------------------------------------------------------------------------------------


def test_the_whole_journey(journey, new_page, clerk_a, clerk_b, county_reviewer, firm_a):
    from grading.checks import check_record
    from projects.models import Attachment, Record, RecordStatus

    base = journey
    page = new_page()

    # log in (an anonymous visitor is sent to the portal's login first)
    page.goto(f"{base}/portal/")
    assert "/portal/login/" in page.url
    login(page, base, "clerk_a")
    assert page.url == f"{base}/portal/"
    assert "我的业绩" in page.inner_text("h1")
    assert firm_a.name in page.inner_text(".topbar")

    # create a record, save it with half the fields
    pk = create_record(page, base)
    assert "业绩已创建" in page.inner_text(".messages")
    assert page.inner_text("#record-status") == "暂存"
    add_row(page, "units")
    fill(page, HALF)
    save(page)
    assert "已保存" in page.inner_text(".messages")

    # log out, log in, find the draft intact
    logout(page)
    login(page, base, "clerk_a")
    page.click("text=青秀区第一中学科教楼")
    page.wait_for_url(f"{base}/portal/records/{pk}/")
    for path, value in HALF.items():
        assert value_of(page, path) == value, path
    assert page.locator("#restore-banner").is_hidden()

    # try to submit: 核对信息 lists every missing field at once, each linked to its field, and offers no submit
    page.click("#submit-button")
    page.wait_for_url(f"{base}/portal/records/{pk}/check/")
    assert page.locator("#confirm-submit-button").count() == 0
    problems = check_record(Record.objects.get(pk=pk))
    items = page.locator(".problem-list li")
    assert items.count() == len(problems) > 40
    listed = page.inner_text(".problem-list")
    for problem in problems:
        assert problem.message in listed
    hrefs = page.eval_on_selector_all(".problem-list a", "links => links.map(a => a.getAttribute('href'))")
    assert all(href.startswith(f"/portal/records/{pk}/#") for href in hrefs), hrefs
    page.click(".problem-list a[href$='#f-tender-tender_result_date']")
    page.wait_for_url(f"{base}/portal/records/{pk}/#f-tender-tender_result_date")
    assert page.evaluate("location.hash") == "#f-tender-tender_result_date"
    for href in hrefs:
        assert page.locator(href.rpartition("/")[2]).count() == 1, href
    assert Record.objects.get(pk=pk).status == RecordStatus.DRAFT

    # fill everything, upload the three documents, submit
    add_row(page, "corps")
    add_row(page, "persons")
    fill(page, the_rest(firm_a))
    save(page)
    assert "已保存" in page.inner_text(".messages")
    upload(page, "bid_notice", "中标通知书.pdf", PDF_BYTES)
    upload(page, "contract", "中标工程合同.pdf", PDF_BYTES)
    upload(page, "completion", "竣工验收证明.png", PNG_BYTES)
    assert page.locator(".required-kinds .present").count() == 3
    page.click("#submit-button")  # 核对信息, then 提交审核 there, then the receipt (回执)
    page.wait_for_url(f"{base}/portal/records/{pk}/check/")
    page.click("#confirm-submit-button")
    page.wait_for_url(f"{base}/portal/records/{pk}/receipt/")
    assert page.inner_text("#receipt-no").startswith("HZ-450103-")
    assert "已提交审核" in page.inner_text(".messages"), page.inner_text("main")[:2000]
    assert page.inner_text("#record-status") == "待审核"
    assert page.inner_text("#record-authority") == county_reviewer.authority.name
    deadline = page.inner_text("#record-deadline")
    assert "2017-12-07 23:59" in deadline  # Tue 5, Wed 6, Thu 7
    assert "剩余 3 个工作日" in deadline
    assert page.locator("#save-button").count() == 0
    record = Record.objects.get(pk=pk)
    assert record.status == RecordStatus.SUBMITTED

    # the list shows it pending, with its authority and deadline
    page.goto(f"{base}/portal/")
    row = page.locator("table.records tbody tr").first
    assert "待审核" in row.inner_text() and "2017-12-07" in row.inner_text()

    # another enterprise cannot open the record or its attachment by URL
    attachment = Attachment.objects.filter(record=record).first()
    other = new_page()
    login(other, base, "clerk_b")
    assert other.goto(f"{base}/portal/records/{pk}/").status == 404
    assert other.goto(f"{base}/portal/attachments/{attachment.pk}/?inline=1").status == 404
    # … while the owner can
    assert page.goto(f"{base}/portal/attachments/{attachment.pk}/?inline=1").status == 200


def test_nothing_typed_is_lost_when_the_session_expires(journey, new_page, clerk_a, firm_a, guangxi):
    from projects.models import Record
    from projects.services import record_start
    from tests.factories import region

    record = record_start(
        historical=True,
        enterprise=firm_a,
        campaign=guangxi,
        user=clerk_a,
        prj_name="会话过期测试",
        county=region("450103"),
    )
    base = journey
    page = new_page()
    login(page, base, "clerk_a")
    page.goto(f"{base}/portal/records/{record.pk}/")
    add_row(page, "units")
    fill(
        page,
        {"project.address": "会话过期前输入的地址", "tender.tender_money": "壹佰万", "units[0].sub_prj_name": "2号楼"},
    )
    page.wait_for_function(  # a function, not a string: the page's CSP forbids eval
        f"() => localStorage.getItem('yeji-portal:record:{record.pk}') !== null"
        f" && localStorage.getItem('yeji-portal:record:{record.pk}').includes('2号楼')"
    )

    # the session ends (expired, or the server restarted): the session cookie is gone
    page.context.clear_cookies(name="sessionid")
    save(page)
    assert "/portal/login/" in page.url
    assert Record.objects.get(pk=record.pk).version == 1  # nothing reached the server

    # the user logs in again and finds what they typed, ready to save
    page.fill("#id_username", "clerk_a")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/portal/records/{record.pk}/")
    assert page.locator("#restore-banner").is_visible()
    assert "已将本浏览器中暂存的未保存输入" in page.inner_text("#restore-banner")
    assert value_of(page, "project.address") == "会话过期前输入的地址"
    assert value_of(page, "tender.tender_money") == "壹佰万"
    assert value_of(page, "units[0].sub_prj_name") == "2号楼"
    save(page)
    assert "已保存" in page.inner_text(".messages")
    record.refresh_from_db()
    assert record.project.address == "会话过期前输入的地址"
    assert record.draft_inputs == {"tender.tender_money": "壹佰万"}  # kept as typed, shown with a warning
    assert page.locator(".kept").count() == 1
    assert page.evaluate(f"localStorage.getItem('yeji-portal:record:{record.pk}')") is None
    assert page.locator("#restore-banner").is_hidden()


def test_a_second_tab_cannot_overwrite_the_first(journey, new_page, clerk_a, firm_a, guangxi):
    from projects.models import Record
    from projects.services import record_start
    from tests.factories import region

    record = record_start(
        historical=True,
        enterprise=firm_a,
        campaign=guangxi,
        user=clerk_a,
        prj_name="两个标签页",
        county=region("450103"),
    )
    base = journey
    first = new_page()
    login(first, base, "clerk_a")
    second = first.context.new_page()
    first.goto(f"{base}/portal/records/{record.pk}/")
    second.goto(f"{base}/portal/records/{record.pk}/")
    fill(first, {"project.address": "第一个标签页的地址"})
    save(first)
    fill(second, {"project.address": "第二个标签页的地址"})
    second.click("#save-button")
    second.wait_for_load_state()
    assert second.locator("#stale-alert").is_visible()
    assert value_of(second, "project.address") == "第二个标签页的地址"
    assert Record.objects.get(pk=record.pk).project.address == "第一个标签页的地址"
    second.click("#reload-link")
    second.wait_for_load_state()
    assert value_of(second, "project.address") == "第一个标签页的地址"
    # what the second tab typed is still offered
    assert second.locator("#restore-apply").is_visible()
    second.click("#restore-apply")
    assert value_of(second, "project.address") == "第二个标签页的地址"


def test_project_use_follows_the_category(journey, new_page, clerk_a, firm_a, guangxi):
    from projects.services import record_start
    from tests.factories import region

    record = record_start(
        historical=True, enterprise=firm_a, campaign=guangxi, user=clerk_a, prj_name="用途联动", county=region("450103")
    )
    page = new_page()
    login(page, journey, "clerk_a")
    page.goto(f"{journey}/portal/records/{record.pk}/")
    page.select_option("#f-project-prj_type", "02")  # 市政
    visible = page.eval_on_selector_all(
        "#f-project-prj_function option", "os => os.filter(o => !o.hidden && o.value).map(o => o.value)"
    )
    assert visible and all(code.startswith("0") for code in visible)
    page.select_option("#f-project-prj_function", "014")
    page.select_option("#f-project-prj_type", "01")  # 房屋建筑: 道路 no longer fits
    assert page.input_value("#f-project-prj_function") == ""


# --------------------------------------------------------------------------------------------------------------
# Accessibility (axe-core) and screenshots
# --------------------------------------------------------------------------------------------------------------




def test_axe_finds_no_serious_violation(journey, new_page, clerk_a, firm_a, county_reviewer):
    from projects.models import Record, RecordStatus
    from review.models import RecordTransition
    from tests.review.builders import valid_record

    record = valid_record(firm_a)
    rejected = valid_record(firm_a)
    Record.objects.filter(pk=rejected.pk).update(status=RecordStatus.REJECTED)
    RecordTransition.objects.create(
        record=rejected, from_status="submitted", to_status="rejected", at=MONDAY, reason="合同金额与中标金额不一致"
    )
    page = new_page()
    page.goto(f"{journey}/portal/login/")
    found = {"login": serious_violations(page)}
    login(page, journey, "clerk_a")
    found["list"] = serious_violations(page)
    page.goto(f"{journey}/portal/records/{record.pk}/")
    found["record"] = serious_violations(page)
    page.click("#submit-button")  # 核对信息 (the builder's PDFs are not on disk: fine)
    page.wait_for_load_state()
    found["check"] = serious_violations(page)
    page.click("#confirm-submit-button")
    page.wait_for_load_state()
    found["receipt"] = serious_violations(page)
    page.goto(f"{journey}/portal/records/{record.pk}/")
    found["record (submitted)"] = serious_violations(page)
    page.goto(f"{journey}/portal/records/{rejected.pk}/")
    found["record (rejected)"] = serious_violations(page)
    page.goto(f"{journey}/portal/records/new/")
    found["new"] = serious_violations(page)
    assert not any(found.values()), found


@pytest.mark.skipif(not os.environ.get("PORTAL_SCREENSHOTS"), reason="set PORTAL_SCREENSHOTS=<dir> to take them")
def test_screenshots(journey, new_page, clerk_a, firm_a, county_reviewer, city_reviewer_x):
    """PORTAL_SCREENSHOTS=docs/screenshots pytest tests/portal/test_browser.py -k screenshots"""
    from projects.models import (
        BuilderLicence,
        Censor,
        Contract,
        FinishCheck,
        FinishRecord,
        Project,
        Record,
        RecordStatus,
        Tender,
    )
    from review.models import RecordTransition
    from review.services import submit_record
    from tests.factories import authority_for
    from tests.review.builders import valid_record

    target = Path(os.environ["PORTAL_SCREENSHOTS"])
    target.mkdir(parents=True, exist_ok=True)
    clerk_a.real_name = "梁文博"
    clerk_a.save()
    for code, name in (("450103", "南宁市青秀区住房和城乡建设局"), ("450100", "南宁市住房和城乡建设局")):
        authority_for(code).__class__.objects.filter(region_id=code).update(name=name)
    names = [
        ("五象新区政务服务综合楼", RecordStatus.APPROVED, "C", dt.date(2016, 6, 18)),
        ("凤岭北片区小学教学综合楼", RecordStatus.SUBMITTED, "", dt.date(2017, 8, 26)),
        ("良庆区规划十二路道路工程", RecordStatus.REJECTED, "", dt.date(2016, 11, 30)),
        ("青秀区文化艺术中心", RecordStatus.APPROVED, "B", dt.date(2017, 3, 15)),
        ("南湖公园景观提升工程", RecordStatus.APPROVED, "A", dt.date(2015, 7, 30)),
        ("邕江南岸滨江公共租赁住房（二期）", RecordStatus.SUBMITTED, "", dt.date(2017, 5, 20)),
        ("青秀区第一中学科教楼", RecordStatus.DRAFT, "", dt.date(2016, 9, 1)),
    ]
    records = {}
    for name, status, grade, completed in names:
        record = valid_record(firm_a, completed=completed)
        Project.objects.filter(pk=record.project_id).update(prj_name=name, data_level=grade)
        for stage, field in (
            (Tender, "tender_prj_name"),
            (Contract, "con_prj_name"),
            (Censor, "cen_prj_name"),
            (BuilderLicence, "bui_prj_name"),
            (FinishCheck, "fin_prj_name"),
            (FinishRecord, "fin_prj_name"),
        ):
            stage.objects.filter(record=record).update(**{field: name})
        if status == RecordStatus.SUBMITTED:
            submit_record(record_id=record.pk, user=clerk_a)
        elif status != RecordStatus.DRAFT:
            Record.objects.filter(pk=record.pk).update(
                status=status, responsible_authority=authority_for("450103" if grade != "A" else "450000")
            )
        if status == RecordStatus.REJECTED:
            RecordTransition.objects.create(
                record=record,
                from_status="submitted",
                to_status="rejected",
                at=MONDAY,
                reason="中标工程合同扫描件不清晰，合同金额无法核对，请重新上传。",
            )
        records[name] = record
    draft = records["青秀区第一中学科教楼"]
    Tender.objects.filter(record=draft).update(tender_money=None, tender_result_date=None, agency_corp_code="")
    draft.attachments.filter(kind="completion").delete()
    Record.objects.filter(pk=draft.pk).update(draft_inputs={"tender.tender_money": "170万"})

    page = new_page(viewport={"width": 1440, "height": 1000}, device_scale_factor=1)
    login(page, journey, "clerk_a")
    page.screenshot(path=str(target / "portal-list.png"), full_page=True)
    page.goto(f"{journey}/portal/records/{draft.pk}/")
    page.screenshot(path=str(target / "portal-record.png"))
    page.evaluate("document.getElementById('s-tender').scrollIntoView()")
    page.screenshot(path=str(target / "portal-record-tender.png"))
    page.click("#submit-button")
    page.wait_for_load_state()
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(target / "portal-record-problems.png"))


def test_the_clerks_form_keeps_messages_in_view_and_offers_a_calendar(journey, new_page, clerk_a, firm_a, guangxi):
    """Issue 11 item 7: after 修改保存 in a section far down, the honest message is in view (a toast), the refused
    value stays typed with its message; a date is typed as 2015/3/8 or picked on a calendar; an upload error is
    said at the upload, in view."""
    from projects.models import Record
    from projects.services import record_start
    from tests.factories import region

    record = record_start(
        historical=True, enterprise=firm_a, campaign=guangxi, user=clerk_a, prj_name="表单测试", county=region("450103")
    )
    base = journey
    page = new_page()
    login(page, base, "clerk_a")
    page.goto(f"{base}/portal/records/{record.pk}/")
    fill(page, {"finish_check.b_date": "2015/3/8", "finish_check.fact_cost": "六千"})
    page.locator("#s-persons").scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    page.evaluate("document.querySelector('input[name=anchor]').value = 's-finish'")
    save(page)
    toast = page.locator("main > .messages.toast")
    assert toast.is_visible()
    assert "已保存，1 处内容未能保存" in toast.inner_text()
    box, height = toast.bounding_box(), page.viewport_size["height"]
    assert 0 <= box["y"] and box["y"] + box["height"] <= height  # in view wherever the page scrolled to
    assert page.evaluate("window.scrollY") > 500  # …while the page is at the section saved
    assert value_of(page, "finish_check.fact_cost") == "六千"
    assert "实际造价须为数字，单位万元" in page.inner_text("#f-finish_check-fact_cost-kept")
    assert value_of(page, "finish_check.b_date") == "2015-03-08"
    page.click(".toast-close")
    assert toast.is_hidden()

    # the calendar beside a date writes the day picked as 2015-03-08 (showPicker cannot run headless: the picker's
    # value is set as the browser's calendar sets it)
    button = page.locator("#f-finish_check-e_date + .date-button")
    assert button.is_visible() and "实际竣工验收日期" in (button.get_attribute("aria-label") or "")
    page.eval_on_selector(
        "#f-finish_check-e_date ~ .date-picker",
        "el => { el.value = '2016-06-18'; el.dispatchEvent(new Event('change', {bubbles: true})); }",
    )
    assert value_of(page, "finish_check.e_date") == "2016-06-18"

    # an upload without a file: the error is at the upload, in view
    page.click("#upload-button")
    page.wait_for_load_state()
    errors = page.locator("#upload-form #upload-errors")
    assert "请选择要上传的文件" in errors.inner_text()
    box = errors.bounding_box()
    assert 0 <= box["y"] <= page.viewport_size["height"]
    assert Record.objects.get(pk=record.pk).draft_inputs == {"finish_check.fact_cost": "六千"}
