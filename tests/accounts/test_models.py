"""Users, roles and organisations own their invariants."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from accounts.models import Role, User
from accounts.roles import GROUP_NAMES, ROLE_PERMISSIONS, sync_role_groups
from tests.factories import UserFactory, authority_for, department_for

pytestmark = pytest.mark.django_db


def test_role_groups_exist_after_migrate_and_match_the_map():
    from django.contrib.auth.models import Group

    from accounts.migrations import __path__ as mig_path  # noqa: F401

    names = set(Group.objects.values_list("name", flat=True))
    assert set(GROUP_NAMES.values()) <= names
    assert set(ROLE_PERMISSIONS) == set(GROUP_NAMES)


def test_officials_are_staff_and_in_their_group(county_reviewer, clerk_a):
    assert county_reviewer.is_staff
    assert list(county_reviewer.groups.values_list("name", flat=True)) == [GROUP_NAMES[Role.REVIEWER]]
    assert not clerk_a.is_staff
    assert clerk_a.has_perm("projects.change_record")
    assert not clerk_a.has_perm("projects.change_campaign")
    assert county_reviewer.has_perm("projects.view_record")
    assert not county_reviewer.has_perm("projects.change_campaign")


def test_changing_role_moves_the_group(clerk_a):
    clerk_a.role = Role.PROVINCIAL
    clerk_a.enterprise = None
    clerk_a.authority = authority_for("450000")
    clerk_a.save()
    assert list(clerk_a.groups.values_list("name", flat=True)) == [GROUP_NAMES[Role.PROVINCIAL]]
    assert clerk_a.is_staff


def test_enterprise_clerk_needs_an_enterprise():
    with pytest.raises(IntegrityError):
        User.objects.create(username="lonely", role=Role.ENTERPRISE)


def test_provincial_staff_must_belong_to_the_provincial_office():
    user = User(username="x", role=Role.PROVINCIAL, authority=authority_for("450100"))
    with pytest.raises(ValidationError) as exc:
        user.full_clean()
    assert "authority" in exc.value.message_dict


def test_department_must_be_of_the_users_authority():
    nanning = authority_for("450100")
    user = User(
        username="y",
        role=Role.REVIEWER,
        authority=nanning,
        department=department_for(authority_for("450300")),
    )
    with pytest.raises(ValidationError) as exc:
        user.full_clean()
    assert "department" in exc.value.message_dict


def test_j9_reviewer_without_department_is_flagged():
    reviewer = UserFactory(username="nodept", role=Role.REVIEWER, authority=authority_for("450100"), real_name="")
    assert (
        set(reviewer.missing_real_name_registration) == {"真实姓名", "部门"}
        or len(reviewer.missing_real_name_registration) == 2
    )


def test_sync_is_idempotent():
    sync_role_groups()
    sync_role_groups()
