"""The rule of a qualification (J4, G11; 建市规〔2023〕3号): enterprise performance A-level, personal performance
A or B, checked on the stage screens of the qualification's kind — a setting per qualification, asked through one
function (grading.qualification.verdict) by the page, the exports and the API."""

from __future__ import annotations

import io

import pytest
from django.utils import translation
from openpyxl import load_workbook

from accounts.models import PerformanceUse, Qualification
from grading.qualification import describe
from portal.models import ApplicationList, ApplicationPick
from portal.qualification import verdict_of, with_stages
from projects.codes import CorpRole
from projects.models import ProjectCorp, Record, RecordStatus
from sync.models import PushState

from .qualification_support import (
    accepted_nationally,
    drop_stage,
    issue_key,
    published,
    qualification,
    records_url,
    system_client,
)

pytestmark = pytest.mark.django_db

ENTERPRISE, PERSONAL = PerformanceUse.ENTERPRISE, PerformanceUse.PERSONAL


def judge(record: Record, qualification: Qualification, use: str = ENTERPRISE):
    """grading.qualification.verdict() as the page, the exports and the API ask it: the record read with every fact
    the rule needs (stages, national platform, the firm's roles) in one query."""
    loaded = with_stages(Record.objects.filter(pk=record.pk)).get()
    return verdict_of(loaded, loaded, qualification, use)


@pytest.fixture(autouse=True)
def _chinese():
    with translation.override("zh-hans"):
        yield


def test_the_migration_seeds_each_kinds_rule_from_the_2023_notice():
    construction = qualification("CON-GEN-1")
    design = qualification("DSN-BLD-IND-A")
    assert construction.enterprise_grades == ["A"] and construction.personal_grades == ["A", "B"]
    assert construction.checked_stages == ["project", "licence", "finish_check"]
    assert design.checked_stages == ["project", "censor", "finish_check"]
    assert qualification("SRV-SPE-A").checked_stages == ["project", "censor", "finish_check"]
    assert qualification("SUP-COMP").checked_stages == ["project", "licence", "finish_check"]
    assert not Qualification.objects.exclude(enterprise_grades=["A"]).exists()


def test_enterprise_performance_must_be_a_on_every_checked_stage(firm_a):
    construction = qualification("CON-GEN-1")
    assert judge(published(firm_a, "A"), construction, ENTERPRISE).ok
    b_permit = published(firm_a, "A", licence="B")
    answer = judge(b_permit, construction, ENTERPRISE)
    assert not answer.ok
    assert answer.reasons == ("施工许可的数据等级为B：施工总承包一级的企业业绩须为A级。",)


def test_personal_performance_takes_a_or_b_but_not_c_or_d(firm_a):
    construction = qualification("CON-GEN-1")
    assert judge(published(firm_a, "B"), construction, PERSONAL).ok
    assert judge(published(firm_a, "A", finish_check="B"), construction, PERSONAL).ok
    county = judge(published(firm_a, "C"), construction, PERSONAL)
    assert not county.ok and len(county.reasons) == 3  # 基本信息, 施工许可, 竣工验收: each named
    assert all("个人业绩须为A、B级" in reason for reason in county.reasons)
    assert not judge(published(firm_a, "A", project="D"), construction, PERSONAL).ok


def test_only_the_stages_of_the_qualifications_kind_are_checked(firm_a):
    """设计 checks 基本信息, 施工图审, 竣工验收: a D 施工许可 does not matter to it, a B 施工图审查 does; 施工
    the reverse."""
    record = published(firm_a, "A", licence="D")
    assert judge(record, qualification("DSN-BLD-IND-A"), ENTERPRISE).ok
    assert not judge(record, qualification("CON-GEN-1"), ENTERPRISE).ok
    censor_b = published(firm_a, "A", censor="B")
    assert judge(censor_b, qualification("CON-GEN-1"), ENTERPRISE).ok
    answer = judge(censor_b, qualification("DSN-BLD-IND-A"), ENTERPRISE)
    assert answer.reasons == ("施工图审查的数据等级为B：工程设计建筑行业甲级的企业业绩须为A级。",)


def test_a_missing_checked_stage_is_named(firm_a):
    record = drop_stage(published(firm_a, "A"), "licence")
    answer = judge(record, qualification("CON-GEN-1"), ENTERPRISE)
    assert answer.reasons == ("缺少施工许可：施工总承包一级核查此阶段的数据等级。",)
    assert ("licence", None) in answer.grades


def test_an_ungraded_stage_does_not_count(firm_a):
    answer = judge(published(firm_a, "A", finish_check=""), qualification("CON-GEN-1"), ENTERPRISE)
    assert answer.reasons == ("竣工验收的数据等级为未定级：施工总承包一级的企业业绩须为A级。",)


def test_a_record_not_published_never_counts(firm_a):
    record = published(firm_a, "A")
    Record.objects.filter(pk=record.pk).update(status=RecordStatus.FRAUD)
    answer = judge(Record.objects.get(pk=record.pk), qualification("CON-GEN-1"), ENTERPRISE)
    assert not answer.ok and "不能用于资质申报" in answer.reasons[0]


def test_the_rule_is_a_setting_staff_change_not_code(firm_a):
    construction = qualification("CON-GEN-1")
    record = published(firm_a, "B")
    assert not judge(record, construction, ENTERPRISE).ok
    construction.enterprise_grades = ["A", "B"]
    construction.checked_stages = ["finish_check"]
    construction.save()
    assert judge(record, qualification("CON-GEN-1"), ENTERPRISE).ok
    assert describe(qualification("CON-GEN-1")).startswith("企业业绩：A、B级；个人业绩：A、B级；核查阶段：竣工验收。")


def test_the_rule_is_read_without_a_query_per_stage(firm_a, django_assert_num_queries):
    published(firm_a, "A")
    construction = qualification("CON-GEN-1")
    with django_assert_num_queries(1):
        record = with_stages(Record.objects.filter(enterprise=firm_a)).get()
        assert verdict_of(record, record, construction, ENTERPRISE).ok


def test_provincial_staff_read_the_rule_but_do_not_change_the_national_catalogue(client, provincial_staff):
    """The catalogue is one for every province: Guangxi's staff changing a rule would change Jilin's."""
    construction = qualification("CON-GEN-1")
    client.force_login(provincial_staff)
    url = f"/admin/accounts/qualification/{construction.pk}/change/"
    assert client.get(url).status_code == 200
    client.post(url, {"code": construction.code, "name": "x", "kind": "construction", "checked_stages": ["project"]})
    construction.refresh_from_db()
    assert construction.checked_stages == ["project", "licence", "finish_check"]


def test_a_superuser_edits_the_rule_in_the_admin(client, superuser):
    construction = qualification("CON-GEN-1")
    client.force_login(superuser)
    url = f"/admin/accounts/qualification/{construction.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    assert 'type="checkbox" name="checked_stages" value="licence"' in page.content.decode()
    answer = client.post(
        url,
        {
            "code": construction.code,
            "name": construction.name,
            "kind": construction.kind,
            "grade": construction.grade,
            "enterprise_grades": ["A", "B"],
            "personal_grades": ["A", "B", "C"],
            "checked_stages": ["project", "finish_check"],
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    construction.refresh_from_db()
    assert construction.enterprise_grades == ["A", "B"]
    assert construction.personal_grades == ["A", "B", "C"]
    assert construction.checked_stages == ["project", "finish_check"]
    refused = client.post(url, {"code": construction.code, "name": construction.name, "kind": construction.kind})
    assert refused.status_code == 200 and "至少选择一个" in refused.content.decode()


def test_a_reviewer_reads_the_rule_but_does_not_change_it(client, county_reviewer):
    construction = qualification("CON-GEN-1")
    client.force_login(county_reviewer)
    url = f"/admin/accounts/qualification/{construction.pk}/change/"
    client.post(url, {"code": construction.code, "name": "x", "kind": "construction", "checked_stages": ["project"]})
    construction.refresh_from_db()
    assert construction.checked_stages == ["project", "licence", "finish_check"]


# ----------------------------------------------------------------------------------------------------------------
# On the national platform (建市规〔2023〕3号: from 2024-01-01, for the qualifications the Ministry approves) and the
# firm's role on the project (a design qualification counts the projects the firm designed)
# ----------------------------------------------------------------------------------------------------------------

NOT_ON_PLATFORM = "尚未推送至全国建筑市场监管公共服务平台"


def test_g11_j4_the_seed_marks_the_ministrys_qualifications_as_needing_the_national_platform():
    ministry = ["CON-GEN-SP", "CON-GEN-1", "DSN-BLD-IND-A", "DSN-MUN-SPE-A", "SRV-COMP", "SRV-SPE-A", "SUP-COMP"]
    provincial = ["CON-GEN-2", "CON-GEN-3", "CON-SPE-1", "DSN-BLD-IND-B", "SRV-SPE-C", "SRV-LAB", "SUP-SPE-B"]
    assert all(qualification(code).requires_national_platform for code in ministry)
    assert not any(qualification(code).requires_national_platform for code in provincial)


def test_g11_j4_a_ministry_qualification_counts_only_what_the_national_platform_accepted(firm_a):
    design = qualification("DSN-BLD-IND-A")
    never_pushed = published(firm_a, "A", pushed=False)
    answer = judge(never_pushed, design)
    assert not answer.ok and len(answer.reasons) == 1
    assert answer.reasons[0] == (
        "该业绩尚未推送至全国建筑市场监管公共服务平台（或尚未被接收）：工程设计建筑行业甲级为住建部审批资质，"
        "自2024年1月1日起申报业绩须在全国平台。"
    )
    assert NOT_ON_PLATFORM in judge(never_pushed, design, PERSONAL).message  # personal performance too
    for state in (PushState.PENDING, PushState.SENDING, PushState.REJECTED, PushState.FAILED, PushState.WITHDRAWN):
        record = published(firm_a, "A", pushed=False)
        accepted_nationally(record, state=state)
        assert NOT_ON_PLATFORM in judge(record, design).message, state
    accepted_nationally(never_pushed)
    assert judge(never_pushed, design).ok


def test_g11_j4_an_accepted_older_version_is_not_the_record_on_the_platform(firm_a):
    """A correction approved after the push: the platform holds the old version until the new one is accepted."""
    record = published(firm_a, "A")
    Record.objects.filter(pk=record.pk).update(version=record.version + 1)
    assert NOT_ON_PLATFORM in judge(record, qualification("CON-GEN-1")).message
    accepted_nationally(Record.objects.get(pk=record.pk))
    assert judge(record, qualification("CON-GEN-1")).ok


def test_g11_j4_a_provincially_approved_qualification_counts_a_record_not_pushed(firm_a):
    record = published(firm_a, "A", pushed=False)
    assert judge(record, qualification("CON-GEN-2")).ok
    assert judge(record, qualification("DSN-BLD-IND-B")).ok
    assert not judge(record, qualification("CON-GEN-1")).ok


def test_g11_j4_forgetting_to_ask_the_national_platform_is_an_error_not_a_yes(firm_a):
    from grading.qualification import verdict

    record = published(firm_a, "A", pushed=False)
    with pytest.raises(ValueError):
        verdict(record, qualification("DSN-BLD-IND-A"), ENTERPRISE)
    assert verdict(record, qualification("DSN-BLD-IND-B"), ENTERPRISE).ok  # not required: not asked


def test_g11_j4_the_firms_role_must_fit_the_qualifications_kind(firm_a):
    designed = published(firm_a, "A", roles=(CorpRole.DESIGN,))
    assert judge(designed, qualification("DSN-BLD-IND-A")).ok
    built = judge(designed, qualification("CON-GEN-1"))
    assert built.reasons == ("本企业在该项目中的角色为设计企业：施工总承包一级仅计入本企业作为施工企业承担的项目。",)
    assert "勘察企业" in judge(designed, qualification("SRV-SPE-A")).message
    assert "监理企业" in judge(designed, qualification("SUP-COMP"), PERSONAL).message
    surveyed = published(firm_a, "A", roles=(CorpRole.SURVEY, CorpRole.SUPERVISION))
    assert judge(surveyed, qualification("SRV-SPE-A")).ok and judge(surveyed, qualification("SUP-COMP")).ok
    assert "勘察企业、监理企业" in judge(surveyed, qualification("DSN-BLD-IND-A")).message


def test_g11_j4_a_record_without_the_firms_own_unit_row_or_only_as_epc_does_not_count(firm_a):
    absent = published(firm_a, "A", roles=())
    assert judge(absent, qualification("CON-GEN-1")).reasons == (
        "本企业不在该业绩的参建单位中：施工总承包一级仅计入本企业作为施工企业承担的项目。",
    )
    epc = published(firm_a, "A", roles=(CorpRole.EPC,))
    assert not judge(epc, qualification("CON-GEN-1")).ok and not judge(epc, qualification("DSN-BLD-IND-A")).ok


def test_g11_j4_another_firms_role_on_the_project_is_not_the_firms(firm_a):
    """valid_record's second unit is another firm as 施工: it does not make the firm a builder."""
    record = published(firm_a, "A", roles=(CorpRole.DESIGN,))
    assert ProjectCorp.objects.filter(record=record, corp_role=CorpRole.CONSTRUCTION).exists()
    assert not judge(record, qualification("CON-GEN-1")).ok


def test_g11_j4_every_reason_at_once_and_the_rule_says_both(firm_a):
    record = published(firm_a, "A", licence="B", roles=(CorpRole.DESIGN,), pushed=False)
    answer = judge(record, qualification("CON-GEN-1"))
    assert len(answer.reasons) == 3
    assert "施工许可的数据等级为B" in answer.reasons[0] and "施工企业" in answer.reasons[1]
    assert NOT_ON_PLATFORM in answer.reasons[2]
    assert describe(qualification("CON-GEN-1")) == (
        "企业业绩：A级；个人业绩：A、B级；核查阶段：基本信息、施工许可、竣工验收。"
        "仅计入本企业作为施工企业承担的项目。业绩须已被全国平台接收（住建部审批资质，自2024年1月1日起）。"
    )
    assert "全国平台" not in describe(qualification("CON-GEN-2"))


def test_g11_j4_only_the_superuser_sets_the_national_platform_requirement(client, superuser, provincial_staff):
    second = qualification("CON-GEN-2")
    url = f"/admin/accounts/qualification/{second.pk}/change/"
    form = {
        "code": second.code,
        "name": second.name,
        "kind": second.kind,
        "grade": second.grade,
        "enterprise_grades": ["A"],
        "personal_grades": ["A", "B"],
        "checked_stages": ["project", "licence", "finish_check"],
        "requires_national_platform": "on",
    }
    client.force_login(provincial_staff)
    client.post(url, form)
    second.refresh_from_db()
    assert not second.requires_national_platform
    client.force_login(superuser)
    assert 'name="requires_national_platform"' in client.get(url).content.decode()
    answer = client.post(url, form)
    assert answer.status_code == 302, answer.content.decode()[:2000]
    second.refresh_from_db()
    assert second.requires_national_platform


def test_g11_j4_the_page_the_excel_export_and_the_api_give_the_same_refusals(client, clerk_a, firm_a, review_system):
    design_list = ApplicationList.objects.create(
        enterprise=firm_a, name="设计甲级申报", qualification=qualification("DSN-BLD-IND-A")
    )
    record = published(firm_a, "A", roles=(CorpRole.CONSTRUCTION,), pushed=False)
    ApplicationPick.objects.create(application=design_list, record=record)
    client.force_login(clerk_a)
    page = client.get(f"/portal/qualification/{design_list.pk}/").content.decode()
    picks = page.split('id="picks"')[1].split("</table>")[0]
    assert NOT_ON_PLATFORM in picks and "仅计入本企业作为设计企业承担的项目" in picks
    sheet = load_workbook(io.BytesIO(client.get(f"/portal/qualification/{design_list.pk}/export.xlsx").content))
    flat = " ".join(str(v) for row in sheet.active.iter_rows(values_only=True) for v in row if v is not None)
    assert NOT_ON_PLATFORM in flat and "仅计入本企业作为设计企业承担的项目" in flat
    api = system_client(issue_key(review_system)[0])
    row = api.get(records_url(firm_a.credit_code), {"qualification": "DSN-BLD-IND-A"}).json()["results"][0]
    reasons = row["qualification_check"]["enterprise"]["reasons"]
    assert not row["qualification_check"]["enterprise"]["ok"]
    assert any(NOT_ON_PLATFORM in r for r in reasons) and any("设计企业" in r for r in reasons)
    accepted_nationally(record)
    again = api.get(records_url(firm_a.credit_code), {"qualification": "DSN-BLD-IND-A"}).json()["results"][0]
    assert not any(NOT_ON_PLATFORM in r for r in again["qualification_check"]["enterprise"]["reasons"])
