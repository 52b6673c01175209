"""The record model owns its invariants: protected status, code tables, validators wired to fields, scoping."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from projects import codes
from projects.models import Project, Record, RecordStatus
from projects.selectors import records_visible_to
from tests.factories import ProjectFactory, RecordFactory, region

pytestmark = pytest.mark.django_db


def test_status_cannot_be_assigned_directly():
    record = RecordFactory()
    with pytest.raises(AttributeError):
        record.status = RecordStatus.APPROVED


def test_record_is_editable_only_before_a_decision():
    record = RecordFactory()
    assert record.is_editable_by_enterprise
    Record.objects.filter(pk=record.pk).update(status=RecordStatus.APPROVED)
    record.refresh_from_db()
    assert not record.is_editable_by_enterprise


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("prj_num", "450103171101000"),  # 15 digits
        ("prj_num", "4501031713010001"),  # month 13
        ("build_corp_code", "其他"),  # the standard writes 其它
        ("build_corp_code", "91450100198230181L"),  # bad check character
        ("all_invest", "-1"),
    ],
)
def test_field_validators_refuse_bad_values(field, value):
    project = ProjectFactory.build(county=region("450103"), **{field: value})
    with pytest.raises(ValidationError) as exc:
        project.full_clean()
    assert field in exc.value.message_dict


def test_project_use_must_follow_the_category():
    project = ProjectFactory.build(prj_type=codes.ProjectType.MUNICIPAL, prj_function=codes.ProjectFunction.OFFICE)
    with pytest.raises(ValidationError) as exc:
        project.full_clean()
    assert "prj_function" in exc.value.message_dict


def test_functions_for_type_split_the_table():
    building = codes.functions_for_type(codes.ProjectType.BUILDING)
    municipal = codes.functions_for_type(codes.ProjectType.MUNICIPAL)
    assert "301" in building and "014" in municipal
    assert not set(building) & set(municipal)
    assert set(building) | set(municipal) == set(codes.ProjectFunction.values)


def test_a_city_is_not_a_project_county():
    project = ProjectFactory.build(county=region("450100"))
    with pytest.raises(ValidationError):
        project.full_clean()


def test_person_roles_map_to_national_codes():
    assert codes.PersonRole.national_code(codes.PersonRole.CHIEF_SUPERVISOR) == "001"
    assert codes.PersonRole.national_code(codes.PersonRole.MAIN_DESIGNER) == "003"


def test_each_user_sees_the_records_of_their_scope(cast):
    qingxiu = RecordFactory(enterprise=cast["clerk_a"].enterprise, project=ProjectFactory(county=region("450103")))
    guilin = RecordFactory(enterprise=cast["clerk_b"].enterprise, project=ProjectFactory(county=region("450312")))

    def seen(user):
        return set(records_visible_to(user).values_list("pk", flat=True))

    assert seen(cast["clerk_a"]) == {qingxiu.pk}
    assert seen(cast["clerk_b"]) == {guilin.pk}
    assert seen(cast["county_reviewer"]) == {qingxiu.pk}
    assert seen(cast["city_reviewer_x"]) == {qingxiu.pk}
    assert seen(cast["city_reviewer_y"]) == {guilin.pk}
    assert seen(cast["provincial_staff"]) == {qingxiu.pk, guilin.pk}


def test_stage_fields_exist_on_every_business_stage():
    from projects.models import BuilderLicence, Censor, Contract, FinishCheck, FinishRecord, Tender

    for model in (Project, Tender, Contract, Censor, BuilderLicence, FinishCheck, FinishRecord):
        names = {f.name for f in model._meta.get_fields()}
        assert {"data_source", "data_level", "check_depart_name", "check_person_name"} <= names, model


def test_full_clean_works_on_a_record_with_a_protected_status():
    record = RecordFactory()
    record.full_clean()
    assert record.status == RecordStatus.DRAFT
