"""G1–G4: the campaign admission function, table-driven across the Guangxi dates (桂建设〔2017〕29号)."""

from __future__ import annotations

import datetime as dt

import pytest

from projects.campaigns import admission
from tests.factories import EnterpriseFactory, region

pytestmark = pytest.mark.django_db

D = dt.date
NANNING_QINGXIU = "450103"


def firm(kind: str, qualification: str):
    return EnterpriseFactory(kinds=[kind], qualifications=[qualification])


@pytest.mark.parametrize(
    ("label", "kind", "qualification", "on", "track", "national", "rule", "words"),
    [
        ("g2_grade_a_design_on_deadline", "design", "DSN-BLD-IND-A", D(2017, 12, 25), "N", True, None, None),
        (
            # G2 read as the notice writes it (ADR 0010): accepted, provincially only, told in the notice's words
            "g2_grade_a_design_day_after",
            "design",
            "DSN-BLD-IND-A",
            D(2017, 12, 26),
            "N",
            False,
            "G2",
            "超过该期限补录的历史业绩将无法同步到全国平台",
        ),
        ("g2_grade_a_municipal_specialty", "design", "DSN-MUN-SPE-A", D(2017, 11, 20), "N", True, None, None),
        (
            "g3_grade_b_design_provincial_only",
            "design",
            "DSN-BLD-IND-B",
            D(2018, 3, 1),
            "P",
            False,
            "G3",
            "不能同步到全国平台",
        ),
        (
            "g2_grade_a_design_until_the_port_closes",
            "design",
            "DSN-BLD-IND-A",
            D(2018, 6, 30),
            "N",
            False,
            "G2",
            "不能作为有效业绩予以认定",
        ),
        (
            "g3_grade_b_design_before_cutoff",
            "design",
            "DSN-BLD-IND-B",
            D(2017, 12, 29),
            "P",
            True,
            None,
            None,
        ),
        ("g3_grade_b_last_day", "design", "DSN-BLD-SPE-C", D(2018, 6, 30), "P", False, "G3", "仅能录入到一体化平台"),
        (
            "g3_closed_for_grade_a",
            "design",
            "DSN-BLD-IND-A",
            D(2018, 7, 1),
            None,
            False,
            "G3",
            "关闭历史业绩补录端口",
        ),
        (
            "g3_closed_for_grade_b",
            "design",
            "DSN-BLD-IND-B",
            D(2018, 7, 1),
            None,
            False,
            "G3",
            "关闭历史业绩补录端口",
        ),
        (
            "g3_closed_for_survey",
            "survey",
            "SRV-COMP",
            D(2018, 7, 1),
            None,
            False,
            "G3",
            "关闭历史业绩补录端口",
        ),
        (
            "g4_survey_not_open_yet",
            "survey",
            "SRV-COMP",
            D(2017, 11, 21),
            None,
            False,
            "G4",
            "2017年11月22日起",
        ),
        ("g4_survey_opening_day", "survey", "SRV-COMP", D(2017, 11, 22), "N", True, None, None),
        ("g4_design_open_from_notice_day", "design", "DSN-BLD-IND-A", D(2017, 11, 20), "N", True, None, None),
        (
            "g4_design_before_notice",
            "design",
            "DSN-BLD-IND-A",
            D(2017, 11, 19),
            None,
            False,
            "G4",
            "本通知下发之日",
        ),
        (
            "g2_civil_defence_excluded",
            "design",
            "DSN-BLD-CDF-A",
            D(2017, 12, 1),
            None,
            False,
            "G2",
            "勘察设计",
        ),
        (
            "g2_construction_not_covered",
            "construction",
            "CON-GEN-1",
            D(2017, 12, 1),
            None,
            False,
            "G2",
            "勘察设计",
        ),
    ],
)
def test_guangxi_admission(guangxi, label, kind, qualification, on, track, national, rule, words):
    answer = admission(enterprise=firm(kind, qualification), campaign=guangxi, on=on, county=region(NANNING_QINGXIU))
    assert answer.allowed is (track is not None), label
    assert (answer.track.code if answer.track else None) == track
    assert answer.reaches_national is national
    if rule and track is None:
        assert [r.rule for r in answer.refusals] == [rule]
        assert words in answer.refusals[0].message
    elif rule:  # admitted, but provincial only: why, in the campaign's words
        assert answer.refusals == []
        assert answer.provincial_only.rule == rule
        assert words in answer.provincial_only.message
    else:
        assert answer.provincial_only is None


def test_g1_outside_the_province_gets_the_notices_words(guangxi):
    changchun_chaoyang = region("220104")
    answer = admission(
        enterprise=firm("design", "DSN-BLD-IND-A"),
        campaign=guangxi,
        on=D(2017, 12, 1),
        county=changchun_chaoyang,
    )
    assert not answer.allowed
    assert answer.refusals[0].rule == "G1"
    assert "在区外完成的工程项目" in answer.refusals[0].message


def test_g1_overseas_refused(guangxi):
    answer = admission(
        enterprise=firm("design", "DSN-BLD-IND-A"), campaign=guangxi, on=D(2017, 12, 1), is_overseas=True
    )
    assert [r.message for r in answer.refusals] == ["境外工程暂不进行业绩补录。"]


@pytest.mark.parametrize(("completed_on", "allowed"), [(D(2017, 11, 19), True), (D(2017, 11, 20), False)])
def test_g1_completed_before_the_notice_date(guangxi, completed_on, allowed):
    answer = admission(
        enterprise=firm("design", "DSN-BLD-IND-A"),
        campaign=guangxi,
        on=D(2017, 12, 1),
        county=region(NANNING_QINGXIU),
        completed_on=completed_on,
    )
    assert answer.allowed is allowed


def test_every_problem_is_listed_at_once(guangxi):
    answer = admission(
        enterprise=firm("survey", "SRV-COMP"),
        campaign=guangxi,
        on=D(2017, 11, 21),
        county=region("220104"),
        completed_on=D(2018, 1, 1),
    )
    assert [r.rule for r in answer.refusals] == ["G1", "G1", "G4"]


def test_dates_are_data_staff_can_move(guangxi):
    guangxi.tracks.filter(code="N").update(entry_deadline=D(2017, 12, 28))
    answer = admission(
        enterprise=firm("design", "DSN-BLD-IND-A"),
        campaign=guangxi,
        on=D(2017, 12, 27),
        county=region(NANNING_QINGXIU),
    )
    assert answer.track.code == "N"


@pytest.mark.parametrize(
    ("kind", "qualification", "on", "allowed"),
    [
        ("construction", "CON-GEN-1", D(2020, 9, 19), False),
        ("construction", "CON-GEN-1", D(2020, 9, 20), True),
        ("supervision", "SUP-SPE-A", D(2026, 11, 24), True),
        ("design", "DSN-BLD-IND-B", D(2021, 5, 1), True),
    ],
)
def test_jilin_opens_on_the_new_system_day_for_every_kind(jilin, kind, qualification, on, allowed):
    answer = admission(enterprise=firm(kind, qualification), campaign=jilin, on=on, county=region("220104"))
    assert answer.allowed is allowed
    if allowed:
        assert answer.reaches_national


@pytest.mark.parametrize("code", ["430102", "110105", "500101", "650102", "460105"])
def test_g1_a_county_of_any_other_province_is_known_and_gets_the_notices_words(guangxi, code):
    """Issue 9: every county-level region of China is shipped, so a Hunan (Beijing, Chongqing …) county is
    answered with G1's words, not "no such region"."""
    county = region(code)
    assert county.level == 3 and county.parent_id is not None
    answer = admission(
        enterprise=firm("design", "DSN-BLD-IND-A"),
        campaign=guangxi,
        on=D(2017, 12, 1),
        county=county,
    )
    assert [r.rule for r in answer.refusals] == ["G1"]
    assert "在区外完成的工程项目" in answer.refusals[0].message


def test_every_province_is_shipped_with_its_counties():
    from accounts.models import Region

    provinces = Region.objects.filter(level=1)
    assert provinces.count() >= 31
    assert Region.objects.filter(level=3).count() > 2800
    changsha_furong = Region.objects.get(code="430102")
    assert changsha_furong.name == "芙蓉区" and changsha_furong.parent.parent.code == "430000"
    assert Region.objects.get(code="500101").parent_id == "500000"  # 直辖市: districts hang from the city
