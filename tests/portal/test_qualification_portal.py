"""资质申报业绩 in the portal (J4, G11): a firm's named lists of its published records for an application, each pick
beside the verdict of the qualification's rule with the reason, filters, several lists, and the exports."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from portal.models import ApplicationList, ApplicationPick
from projects.codes import CorpRole
from projects.models import Record, RecordStatus
from tests.review.builders import valid_record

from .qualification_support import published, qualification

pytestmark = pytest.mark.django_db


@pytest.fixture
def construction_list(clerk_a):
    return ApplicationList.objects.create(
        enterprise=clerk_a.enterprise, name="2026年施工总承包一级申报", qualification=qualification("CON-GEN-1")
    )


def _page(client, application, query: str = ""):
    return client.get(f"/portal/qualification/{application.pk}/{query}")


def test_the_menu_leads_to_the_lists_and_a_new_list_is_created(client_a, clerk_a):
    home = client_a.get("/portal/").content.decode()
    assert 'href="/portal/qualification/"' in home and "资质申报业绩" in home
    answer = client_a.post(
        "/portal/qualification/", {"name": "设计甲级申报", "qualification": qualification("DSN-BLD-IND-A").pk}
    )
    created = ApplicationList.objects.get(enterprise=clerk_a.enterprise)
    assert answer.status_code == 302 and answer["Location"] == f"/portal/qualification/{created.pk}/"
    index = client_a.get("/portal/qualification/").content.decode()
    assert "设计甲级申报" in index and "工程设计建筑行业甲级" in index


def test_a_list_needs_a_name_and_a_qualification_and_names_are_unique_per_firm(client_a, construction_list):
    blank = client_a.post("/portal/qualification/", {"name": "  ", "qualification": ""})
    assert blank.status_code == 400
    text = blank.content.decode()
    assert "请为清单命名" in text and "请选择申报的资质" in text
    twice = client_a.post(
        "/portal/qualification/", {"name": construction_list.name, "qualification": construction_list.qualification_id}
    )
    assert twice.status_code == 400 and "已有名为" in twice.content.decode()
    assert ApplicationList.objects.count() == 1


def test_each_pick_says_at_once_whether_it_satisfies_the_rule_and_why(client_a, firm_a, construction_list):
    good = published(firm_a, "A")
    b_permit = published(firm_a, "A", licence="B")
    for record in (good, b_permit):
        answer = client_a.post(
            f"/portal/qualification/{construction_list.pk}/picks/", {"record": record.pk, "use": "enterprise"}
        )
        assert answer.status_code == 302
    text = _page(client_a, construction_list).content.decode()
    picks = text.split('id="picks"')[1].split("</table>")[0]
    assert picks.count("符合要求") == 2  # 符合要求 and 不符合要求
    assert "不符合要求" in picks
    assert "施工许可的数据等级为B：施工总承包一级的企业业绩须为A级。" in picks
    assert 'id="failing-count"' in text
    assert "企业业绩：A级；个人业绩：A、B级；核查阶段：基本信息、施工许可、竣工验收。" in text


def test_the_same_record_as_personal_performance_satisfies_the_a_or_b_rule(client_a, firm_a, construction_list):
    b_record = published(firm_a, "B")
    client_a.post(f"/portal/qualification/{construction_list.pk}/picks/", {"record": b_record.pk, "use": "personal"})
    pick = ApplicationPick.objects.get()
    assert pick.use == "personal"
    row = _page(client_a, construction_list).content.decode().split(f'id="pick-{pick.pk}"')[1].split("</tr>")[0]
    assert row.startswith(' class="pick-ok"')
    assert "✓" in row and "个人业绩" in row


def test_another_firms_record_is_refused_and_nothing_is_picked(client_a, firm_b, construction_list):
    theirs = published(firm_b, "A")
    answer = client_a.post(
        f"/portal/qualification/{construction_list.pk}/picks/", {"record": theirs.pk, "use": "enterprise"}, follow=True
    )
    assert "只能选择本企业已公示（审核通过）的业绩" in answer.content.decode()
    assert not ApplicationPick.objects.exists()


def test_a_record_not_published_is_refused(client_a, firm_a, construction_list):
    draft = valid_record(firm_a)
    rejected = published(firm_a, "A")
    Record.objects.filter(pk=rejected.pk).update(status=RecordStatus.REJECTED)
    for record in (draft, rejected):
        client_a.post(
            f"/portal/qualification/{construction_list.pk}/picks/", {"record": record.pk, "use": "enterprise"}
        )
    assert not ApplicationPick.objects.exists()


def test_another_firms_list_is_not_found(client, clerk_b, construction_list, firm_a):
    record = published(firm_a, "A")
    client.force_login(clerk_b)
    assert _page(client, construction_list).status_code == 404
    pick = client.post(
        f"/portal/qualification/{construction_list.pk}/picks/", {"record": record.pk, "use": "enterprise"}
    )
    assert pick.status_code == 404
    assert client.get(f"/portal/qualification/{construction_list.pk}/export.xlsx").status_code == 404
    assert client.post(f"/portal/qualification/{construction_list.pk}/delete/").status_code == 404
    assert ApplicationList.objects.filter(pk=construction_list.pk).exists() and not ApplicationPick.objects.exists()


def test_a_pick_is_removed_and_a_second_pick_of_the_same_use_is_refused(client_a, firm_a, construction_list):
    record = published(firm_a, "A")
    url = f"/portal/qualification/{construction_list.pk}/picks/"
    client_a.post(url, {"record": record.pk, "use": "enterprise"})
    again = client_a.post(url, {"record": record.pk, "use": "enterprise"}, follow=True)
    assert "该业绩已作为企业业绩在清单中" in again.content.decode()
    pick = ApplicationPick.objects.get()
    client_a.post(f"/portal/qualification/{construction_list.pk}/picks/{pick.pk}/delete/")
    assert not ApplicationPick.objects.exists()


def test_several_lists_each_with_its_own_rule(client_a, clerk_a, firm_a, construction_list):
    design_list = ApplicationList.objects.create(
        enterprise=firm_a, name="设计甲级", qualification=qualification("DSN-BLD-IND-A")
    )
    record = published(firm_a, "A", licence="D")  # a D 施工许可: fails 施工, not 设计
    for application in (construction_list, design_list):
        client_a.post(f"/portal/qualification/{application.pk}/picks/", {"record": record.pk, "use": "enterprise"})
    assert "缺失" not in _page(client_a, design_list).content.decode()
    construction = _page(client_a, construction_list).content.decode().split('id="picks"')[1]
    design = _page(client_a, design_list).content.decode().split('id="picks"')[1]
    assert "施工许可的数据等级为D" in construction and "不符合要求" in construction.split("</table>")[0]
    assert "不符合要求" not in design.split("</table>")[0]
    client_a.post(f"/portal/qualification/{design_list.pk}/delete/")
    assert list(ApplicationList.objects.values_list("name", flat=True)) == [construction_list.name]
    assert ApplicationPick.objects.count() == 1


def test_the_filters_narrow_the_firms_published_records(client_a, firm_a, construction_list):
    import datetime as dt

    design = (CorpRole.DESIGN,)
    a_2015 = published(firm_a, "A", completed=dt.date(2015, 5, 4), roles=design)
    b_2016 = published(firm_a, "B", completed=dt.date(2016, 6, 18), roles=design)
    c_permit = published(firm_a, "A", completed=dt.date(2016, 3, 1), licence="C", roles=design)
    draft = valid_record(firm_a)

    def shown(query: str) -> set[int]:
        text = _page(client_a, construction_list, query).content.decode()
        return {r.pk for r in (a_2015, b_2016, c_permit, draft) if f'id="candidate-{r.pk}"' in text}

    assert shown("") == {a_2015.pk, b_2016.pk, c_permit.pk}  # never the draft
    assert shown("?grade=B") == {b_2016.pk}
    assert shown("?grade=C&stage=licence") == {c_permit.pk}
    assert shown("?year=2015") == {a_2015.pk}
    assert shown("?role=2") == {a_2015.pk, b_2016.pk, c_permit.pk}  # the builder's firm is the 设计 unit
    assert shown("?role=3") == set()
    name = a_2015.project.prj_name  # 青秀区第N中学教学综合楼
    assert shown(f"?q={name[3 : name.index('中学') + 2]}") == {a_2015.pk}
    bad = _page(client_a, construction_list, "?grade=Z&year=abc")
    assert bad.status_code == 400 and "未知的数据等级" in bad.content.decode()


def test_the_page_reads_a_bounded_number_of_queries(client_a, firm_a, construction_list, django_assert_max_num_queries):
    records = [published(firm_a, "A", licence="B" if i % 2 else "A") for i in range(12)]
    for record in records:
        ApplicationPick.objects.create(application=construction_list, record=record)
    with django_assert_max_num_queries(20):
        answer = _page(client_a, construction_list)
    assert answer.status_code == 200 and answer.content.decode().count('class="pick-bad"') == 6


def test_the_excel_export_holds_every_pick_with_its_verdict(client_a, firm_a, construction_list):
    good, bad = published(firm_a, "A"), published(firm_a, "A", finish_check="C")
    for record in (good, bad):
        ApplicationPick.objects.create(application=construction_list, record=record)
    answer = client_a.get(f"/portal/qualification/{construction_list.pk}/export.xlsx")
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(answer.content)).active
    values = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    flat = [str(v) for row in values for v in row if v is not None]
    assert good.project.prj_name in flat and bad.project.prj_name in flat
    assert "施工总承包一级" in flat and firm_a.credit_code in flat
    header = next(row for row in values if row and row[0] == "序号")
    assert "等级：施工许可" in header and "原因" in header
    bad_row = next(row for row in values if row and row[1] == bad.project.prj_name)
    assert bad_row[header.index("符合要求")] == "否"
    assert "竣工验收的数据等级为C" in bad_row[-1]


def test_the_pdf_export_names_every_project(client_a, firm_a, construction_list):
    records = [published(firm_a, "A"), published(firm_a, "B")]
    for record in records:
        ApplicationPick.objects.create(application=construction_list, record=record)
    answer = client_a.get(f"/portal/qualification/{construction_list.pk}/export.pdf")
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(answer.content)).pages)
    compact = text.replace("\n", "").replace(" ", "")
    for record in records:
        assert record.project.prj_name in compact
    assert "施工总承包一级" in compact and "不符合要求1条" in compact


def test_a_deregistered_enterprise_reads_and_exports_its_lists_but_changes_nothing(client_a, firm_a, construction_list):
    from accounts.models import EnterpriseStatus

    record = published(firm_a, "A")
    pick = ApplicationPick.objects.create(application=construction_list, record=record)
    firm_a.status = EnterpriseStatus.DEREGISTERED
    firm_a.save()
    url = f"/portal/qualification/{construction_list.pk}/"
    refused = client_a.post(url + "picks/", {"record": record.pk, "use": "personal"}, follow=True)
    assert "已注销" in refused.content.decode()
    client_a.post(url + f"picks/{pick.pk}/delete/")
    client_a.post(url + "delete/")
    created = client_a.post(
        "/portal/qualification/", {"name": "新清单", "qualification": construction_list.qualification_id}
    )
    assert created.status_code == 400 and "已注销" in created.content.decode()
    assert list(ApplicationPick.objects.values_list("pk", flat=True)) == [pick.pk]
    assert ApplicationList.objects.count() == 1
    assert client_a.get(url).status_code == 200
    assert client_a.get(url + "export.pdf").status_code == 200
