"""The rule of a qualification (J4, G11; 建市规〔2023〕3号): enterprise performance A-level, personal performance
A or B, checked on the stage screens of the qualification's kind — a setting per qualification, asked through one
function (grading.qualification.verdict) by the page, the exports and the API."""

from __future__ import annotations

import pytest
from django.utils import translation

from accounts.models import PerformanceUse, Qualification
from grading.qualification import describe, verdict
from projects.models import Record, RecordStatus

from .qualification_support import drop_stage, published, qualification

pytestmark = pytest.mark.django_db

ENTERPRISE, PERSONAL = PerformanceUse.ENTERPRISE, PerformanceUse.PERSONAL


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
    assert verdict(published(firm_a, "A"), construction, ENTERPRISE).ok
    b_permit = published(firm_a, "A", licence="B")
    answer = verdict(b_permit, construction, ENTERPRISE)
    assert not answer.ok
    assert answer.reasons == ("施工许可的数据等级为B：施工总承包一级的企业业绩须为A级。",)


def test_personal_performance_takes_a_or_b_but_not_c_or_d(firm_a):
    construction = qualification("CON-GEN-1")
    assert verdict(published(firm_a, "B"), construction, PERSONAL).ok
    assert verdict(published(firm_a, "A", finish_check="B"), construction, PERSONAL).ok
    county = verdict(published(firm_a, "C"), construction, PERSONAL)
    assert not county.ok and len(county.reasons) == 3  # 基本信息, 施工许可, 竣工验收: each named
    assert all("个人业绩须为A、B级" in reason for reason in county.reasons)
    assert not verdict(published(firm_a, "A", project="D"), construction, PERSONAL).ok


def test_only_the_stages_of_the_qualifications_kind_are_checked(firm_a):
    """设计 checks 基本信息, 施工图审, 竣工验收: a D 施工许可 does not matter to it, a B 施工图审查 does; 施工
    the reverse."""
    record = published(firm_a, "A", licence="D")
    assert verdict(record, qualification("DSN-BLD-IND-A"), ENTERPRISE).ok
    assert not verdict(record, qualification("CON-GEN-1"), ENTERPRISE).ok
    censor_b = published(firm_a, "A", censor="B")
    assert verdict(censor_b, qualification("CON-GEN-1"), ENTERPRISE).ok
    answer = verdict(censor_b, qualification("DSN-BLD-IND-A"), ENTERPRISE)
    assert answer.reasons == ("施工图审查的数据等级为B：工程设计建筑行业甲级的企业业绩须为A级。",)


def test_a_missing_checked_stage_is_named(firm_a):
    record = drop_stage(published(firm_a, "A"), "licence")
    answer = verdict(record, qualification("CON-GEN-1"), ENTERPRISE)
    assert answer.reasons == ("缺少施工许可：施工总承包一级核查此阶段的数据等级。",)
    assert ("licence", None) in answer.grades


def test_an_ungraded_stage_does_not_count(firm_a):
    answer = verdict(published(firm_a, "A", finish_check=""), qualification("CON-GEN-1"), ENTERPRISE)
    assert answer.reasons == ("竣工验收的数据等级为未定级：施工总承包一级的企业业绩须为A级。",)


def test_a_record_not_published_never_counts(firm_a):
    record = published(firm_a, "A")
    Record.objects.filter(pk=record.pk).update(status=RecordStatus.FRAUD)
    answer = verdict(Record.objects.get(pk=record.pk), qualification("CON-GEN-1"), ENTERPRISE)
    assert not answer.ok and "不能用于资质申报" in answer.reasons[0]


def test_the_rule_is_a_setting_staff_change_not_code(firm_a):
    construction = qualification("CON-GEN-1")
    record = published(firm_a, "B")
    assert not verdict(record, construction, ENTERPRISE).ok
    construction.enterprise_grades = ["A", "B"]
    construction.checked_stages = ["finish_check"]
    construction.save()
    assert verdict(record, qualification("CON-GEN-1"), ENTERPRISE).ok
    assert describe(qualification("CON-GEN-1")) == "企业业绩：A、B级；个人业绩：A、B级；核查阶段：竣工验收。"


def test_the_rule_is_read_without_a_query_per_stage(firm_a, django_assert_num_queries):
    from grading.qualification import RELATED

    published(firm_a, "A")
    construction = qualification("CON-GEN-1")
    with django_assert_num_queries(1):
        record = Record.objects.select_related(*RELATED).get(enterprise=firm_a)
        assert verdict(record, construction, ENTERPRISE).ok


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
