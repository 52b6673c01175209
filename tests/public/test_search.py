"""Public search (J5, issue 12 item 3): every filter, what is never found, the project page and the record's address."""

from __future__ import annotations

import re

import pytest

from projects.models import Record, RecordStatus
from tests.factories import ProjectFactory, RecordFactory, region

pytestmark = pytest.mark.django_db


def found(client, **params) -> list[str]:
    response = client.get("/public/", params)
    assert response.status_code == 200, response.content.decode()[:2000]
    return re.findall(r'data-prj-num="(\d+)"', response.content.decode())


def nums(*records: Record) -> set[str]:
    return {r.project.prj_num for r in records}


def test_j5_everything_published_is_listed_newest_first_and_nothing_else(client, world):
    listed = found(client)
    assert set(listed) == nums(*world.published)
    assert listed == sorted(listed, key=lambda n: -Record.objects.get(project__prj_num=n, revision_of=None).project_id)


NAME_QUERIES = [
    ("桥", ["bridge"]),  # one character
    ("青秀", ["museum", "park"]),  # two
    ("景区游", ["museum"]),  # three
    ("南湖公园改造", ["park"]),  # four and more
    ("第三中学", ["school"]),
    ("  邕江  ", ["bridge"]),  # spaces around are dropped
    ("大桥主桥", ["bridge"]),
    ("%", []),  # LIKE's wildcards are characters like any other
    ("_", []),
    ("草稿", []),  # the draft's name: never found
    ("弄虚作假", []),
    ("待审核", []),
]


def test_a_name_substring_of_any_length_finds_its_projects(client, world):
    for query, expected in NAME_QUERIES:
        assert set(found(client, name=query)) == nums(*(getattr(world, key) for key in expected)), query


def test_the_name_search_works_without_the_trigram_path(client, world, monkeypatch):
    """Where pg_trgm makes no trigram of Chinese (LC_CTYPE "C"), every length takes the character-pair index."""
    from public import search

    monkeypatch.setattr(search, "trigram_ready", lambda: False)
    assert set(found(client, name="景区游")) == nums(world.museum)
    assert set(found(client, name="南湖公园改造")) == nums(world.park)


def test_an_enterprise_by_a_piece_of_its_name_its_whole_credit_code_or_a_piece_of_it(client, world):
    assert set(found(client, enterprise="甲级建筑")) == nums(world.bridge, world.museum)
    assert set(found(client, enterprise=world.firm_b.credit_code)) == nums(world.school, world.park)
    assert set(found(client, enterprise=world.firm_b.credit_code.lower())) == nums(world.school, world.park)
    assert set(found(client, enterprise=world.firm_a.credit_code[:17])) == nums(world.bridge, world.museum)
    assert found(client, enterprise="没有这家企业") == []


def test_a_region_at_each_level(client, world):
    everything = nums(*world.published)
    assert set(found(client, region="450000")) == everything
    assert set(found(client, region="450100")) == nums(world.bridge, world.museum, world.park)
    assert set(found(client, region="450103")) == nums(world.bridge, world.museum, world.park)
    assert set(found(client, region="450300")) == nums(world.school)
    assert found(client, region="220000") == []


def test_the_picker_sends_every_level_and_the_deepest_consistent_one_counts(client, world):
    both = "/public/?region=450000&region=450300&region="
    assert set(re.findall(r'data-prj-num="(\d+)"', client.get(both).content.decode())) == nums(world.school)
    stale = "/public/?region=450000&region=450300&region=450103"  # county of another city left chosen: the city
    assert set(re.findall(r'data-prj-num="(\d+)"', client.get(stale).content.decode())) == nums(world.school)


def test_completion_year_category_and_grade(client, world):
    assert set(found(client, year="2016")) == nums(world.bridge, world.park)
    assert set(found(client, year="2014")) == nums(world.museum)
    assert set(found(client, grade="A")) == nums(world.museum)
    assert set(found(client, grade="b")) == nums(world.school)
    assert set(found(client, grade="C")) == nums(world.bridge)
    assert set(found(client, grade="D")) == nums(world.park)
    assert set(found(client, category="01")) == nums(*world.published)
    assert found(client, category="02") == []
    assert set(found(client, name="青秀", year="2016", grade="D", region="450103")) == nums(world.park)
    assert found(client, name="青秀", grade="C") == []


def test_the_filters_ask_the_same_published_claim(client, world):
    """The working copy of the park is graded C and completed in 2013: it is not published, so it finds nothing."""
    from tests.public.conftest import set_grade

    set_grade(world.working_copy, "C")
    Record.objects.filter(pk=world.working_copy.pk).update()
    assert found(client, name="南湖", grade="C") == []


def test_nothing_unpublished_has_a_page_or_an_address(client, world):
    for record in world.hidden:
        if record.revision_of_id:
            continue  # the working copy's project is the park's: published through the park
        assert client.get(f"/public/projects/{record.project.prj_num}/").status_code == 404
    for record in world.hidden:
        assert client.get(f"/public/records/{record.pk}/").status_code == 404
    for record in world.published:
        response = client.get(f"/public/records/{record.pk}/")
        assert response.status_code == 302
        assert response["Location"] == f"/public/projects/{record.project.prj_num}/#record-{record.pk}"


def test_a_project_page_shows_only_its_published_claims(client, world, firm_a, clerk_a):
    """firm A's draft on the park (a shared project) is not shown; the park's working copy neither."""
    other = RecordFactory(enterprise=firm_a, project=world.park.project, campaign=world.park.campaign)
    response = client.get(f"/public/projects/{world.park.project.prj_num}/")
    text = response.content.decode()
    assert f'id="record-{world.park.pk}"' in text
    assert f'id="record-{other.pk}"' not in text and f'id="record-{world.working_copy.pk}"' not in text
    assert world.firm_a.name not in text


def test_the_project_page_has_every_stage_with_its_grade_and_reviewing_department(client, world):
    response = client.get(f"/public/projects/{world.school.project.prj_num}/")
    assert response.status_code == 200
    text = response.content.decode()
    for stage in ("tender", "contract", "censor", "licence", "finish_check", "finish_record"):
        match = re.search(rf'data-stage-grade="{stage}">([A-D])<', text)
        assert match and match.group(1) == "B", stage
    assert text.count('class="depart">桂林市') == 6  # the city bureau that approved it
    assert "参建单位" in text and world.school.corps.first().corp_name in text
    assert world.firm_b.credit_code in text


def test_a_project_of_another_province_and_a_project_without_claims(client, world):
    lonely = ProjectFactory(county=region("450103"), prj_name="没有业绩的项目")
    assert client.get(f"/public/projects/{lonely.prj_num}/").status_code == 404
    assert client.get("/public/projects/0000000000000000/").status_code == 404
    assert client.get("/public/records/999999999/").status_code == 404


def test_pages_of_twenty_and_a_bounded_number_of_queries(client, world, firm_a, django_assert_max_num_queries):
    campaign = world.bridge.campaign
    for n in range(45):
        project = ProjectFactory(county=region("450103"), prj_name=f"批量公示项目{n:02d}号")
        record = RecordFactory(enterprise=firm_a, project=project, campaign=campaign)
        Record.objects.filter(pk=record.pk).update(status=RecordStatus.APPROVED)
    with django_assert_max_num_queries(15):
        first = found(client, name="批量公示")
    assert len(first) == 20
    with django_assert_max_num_queries(15):
        third = found(client, name="批量公示", page="3")
    assert len(third) == 5
    text = client.get("/public/", {"name": "批量公示"}).content.decode()
    assert "共找到 45 个项目" in text and "第 1 页，共 3 页" in text
    assert len(set(first) | set(third) | set(found(client, name="批量公示", page="2"))) == 45
    assert len(found(client, name="批量公示", page="9")) == 5  # beyond the last page: the last page


def test_the_project_page_answers_in_a_bounded_number_of_queries(client, world, django_assert_max_num_queries):
    with django_assert_max_num_queries(14):
        assert client.get(f"/public/projects/{world.park.project.prj_num}/").status_code == 200


def test_region_lists_for_the_picker(client, world):
    provinces = client.get("/public/regions/").json()["regions"]
    assert {"code": "450000", "name": "广西壮族自治区", "level": 1} in provinces
    cities = client.get("/public/regions/450000/").json()["regions"]
    assert any(r["code"] == "450100" for r in cities)
    assert client.get("/public/regions/x' or 1=1/").status_code == 400
