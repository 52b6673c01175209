"""The one cast of users every test uses (STYLE.md): two enterprise clerks, county and city reviewers, staff."""

from __future__ import annotations

import importlib

import pytest

from accounts.models import Role

from .factories import EnterpriseFactory, UserFactory, official
from .sync.conftest import mock_server  # noqa: F401  (the mock national platform on a real port, for any test)


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    """Tests do not run collectstatic: serve static names unhashed."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Every user the cast and the factories make gets a password: PBKDF2's 1,000,000 rounds cost 0.17 s each, 1.4 s
    of every test's setup. Tests check who may log in, never the hash's strength (production keeps the default)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def guangxi():
    from projects.models import Campaign

    return Campaign.objects.get(notice_number="桂建设〔2017〕29号")


@pytest.fixture
def jilin():
    from projects.models import Campaign

    return Campaign.objects.get(notice_number="吉建办〔2020〕108号")


@pytest.fixture
def firm_a(db):
    return EnterpriseFactory(name="甲级建筑设计院有限公司", kinds=["design"], qualifications=["DSN-BLD-IND-A"])


@pytest.fixture
def firm_b(db):
    return EnterpriseFactory(name="乙级建筑设计所有限公司", kinds=["design"], qualifications=["DSN-BLD-IND-B"])


@pytest.fixture
def clerk_a(firm_a):
    return UserFactory(username="clerk_a", role=Role.ENTERPRISE, enterprise=firm_a)


@pytest.fixture
def clerk_b(firm_b):
    return UserFactory(username="clerk_b", role=Role.ENTERPRISE, enterprise=firm_b)


@pytest.fixture
def county_reviewer(db):
    return official("county_qingxiu", Role.REVIEWER, "450103")  # 南宁市青秀区


@pytest.fixture
def city_reviewer_x(db):
    return official("city_nanning", Role.REVIEWER, "450100")  # 南宁市


@pytest.fixture
def city_reviewer_y(db):
    return official("city_guilin", Role.REVIEWER, "450300")  # 桂林市


@pytest.fixture
def provincial_staff(db):
    return official("gx_staff", Role.PROVINCIAL, "450000")


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True)


@pytest.fixture
def review_system(db):
    """Guangxi's qualification review system (资质审批系统, ADR 0015): an account that only calls the API with a key."""
    from .factories import authority_for

    return UserFactory(
        username="gx_system", role=Role.SYSTEM, authority=authority_for("450000"), real_name="广西资质审批系统"
    )


@pytest.fixture
def cast(
    clerk_a, clerk_b, county_reviewer, city_reviewer_x, city_reviewer_y, provincial_staff, superuser, review_system
):
    return {
        "clerk_a": clerk_a,
        "clerk_b": clerk_b,
        "county_reviewer": county_reviewer,
        "city_reviewer_x": city_reviewer_x,
        "city_reviewer_y": city_reviewer_y,
        "provincial_staff": provincial_staff,
        "superuser": superuser,
        "review_system": review_system,
    }


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium (devtools/browser.py) for a module's browser tests. Playwright's sync API runs an event loop
    in this thread; the test's own ORM calls (and the database set-up and flush around each test) are still
    synchronous, so Django's async guard is lifted while it runs."""
    from playwright.sync_api import sync_playwright

    from devtools.browser import launch

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as p:
            chromium = launch(p)
            yield chromium
            chromium.close()


@pytest.fixture
def seeded(transactional_db):
    """The data the migrations seed (regions, qualifications, the two campaigns), for transactional tests: a
    transactional test that ran before may have flushed it."""
    from django.apps import apps

    from accounts.models import Qualification, Region
    from accounts.qualifications import load_catalogue, load_rules
    from accounts.regions import load_regions
    from projects.models import Campaign

    if not Region.objects.exists():
        load_regions(Region)
    if not Qualification.objects.exists():
        load_catalogue(Qualification)
        load_rules(Qualification)
    if not Campaign.objects.exists():
        importlib.import_module("projects.migrations.0002_seed_campaigns").forwards(apps, None)
