"""factory_boy factories shared by the tests. Regions, qualifications and campaigns come from the migrations."""

from __future__ import annotations

import datetime as dt

import factory
from factory.django import DjangoModelFactory

from accounts.models import (
    Authority,
    AuthorityLevel,
    Department,
    Enterprise,
    Qualification,
    Region,
    Role,
    User,
)
from accounts.validators import id_card_check_char, uscc_check_char
from projects.models import Campaign, Project, Record

PASSWORD = "test-pass-2026"


def make_uscc(n: int, region: str = "450100") -> str:
    first17 = f"91{region}{n:09d}"[:17]
    return first17 + uscc_check_char(first17)


def make_id_card(n: int, region: str = "450103", birth: dt.date = dt.date(1980, 5, 17)) -> str:
    first17 = f"{region}{birth:%Y%m%d}{n % 1000:03d}"
    return first17 + id_card_check_char(first17)


def region(code: str) -> Region:
    return Region.objects.get(code=code)


def authority_for(code: str) -> Authority:
    """The authority of a region (created on demand, parented to the one of the parent region)."""
    reg = region(code)
    level = {1: AuthorityLevel.PROVINCE, 2: AuthorityLevel.CITY, 3: AuthorityLevel.COUNTY}[reg.level]
    parent = authority_for(reg.parent_id) if reg.parent_id else None
    suffix = "住房和城乡建设厅" if reg.level == 1 else "住房和城乡建设局"
    authority, _ = Authority.objects.get_or_create(
        region=reg, defaults={"name": f"{reg.name}{suffix}", "level": level, "parent": parent}
    )
    return authority


def department_for(authority: Authority, name: str = "建筑市场监管科") -> Department:
    return Department.objects.get_or_create(authority=authority, name=name)[0]


class EnterpriseFactory(DjangoModelFactory):
    class Meta:
        model = Enterprise
        django_get_or_create = ("credit_code",)
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"测试设计院{n}有限公司")
    credit_code = factory.Sequence(lambda n: make_uscc(n + 1))
    kinds = factory.LazyFunction(lambda: ["design"])

    @factory.post_generation
    def qualifications(self, create, extracted, **kwargs):
        if create and extracted:
            self.applied_qualifications.set(Qualification.objects.filter(code__in=extracted))


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password(PASSWORD)
    real_name = factory.Sequence(lambda n: f"测试{n}")


class ProjectFactory(DjangoModelFactory):
    class Meta:
        model = Project

    county = factory.LazyFunction(lambda: region("450103"))
    prj_num = factory.Sequence(lambda n: f"450103171101{n + 1:04d}")
    prj_name = factory.Sequence(lambda n: f"测试项目{n}")


class RecordFactory(DjangoModelFactory):
    class Meta:
        model = Record

    enterprise = factory.SubFactory(EnterpriseFactory)
    project = factory.SubFactory(ProjectFactory)
    campaign = factory.LazyFunction(lambda: Campaign.objects.get(notice_number="桂建设〔2017〕29号"))


def official(username: str, role: str, region_code: str, *, department: bool = True) -> User:
    auth = authority_for(region_code)
    return UserFactory(
        username=username,
        role=role,
        authority=auth,
        department=department_for(auth) if department else None,
    )


ROLE_OF = {"enterprise": Role.ENTERPRISE, "reviewer": Role.REVIEWER, "provincial": Role.PROVINCIAL}
