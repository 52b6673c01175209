"""Deny by default, object by object: every admin-registered model × every role of the demo cast of two provinces.

For each (role, model) the admin's changelist shows only rows of the model's one scoping rule (`visible_to`), a row
outside it opens no change, history or delete page, and the autocompletes list only visible rows. Independent of
that rule, officials see projects, 单体 and records of their jurisdiction only and provincial staff the users and
campaigns of their own province (issue 9, breaches 2 and 3).
"""

from __future__ import annotations

from io import StringIO

import pghistory.models
import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.utils import quote
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse

from accounts.models import User
from accounts.scoping import Scoped, visible_to

WALKED = [
    "admin",
    "gx_sheng",
    "jl_sheng",
    "nn_shenhe",
    "qx_shenhe",
    "gl_shenhe",
    "cc_shenhe",
    "lz_shenhe",
    "gx_zizhi",  # the qualification review systems (ADR 0015): no admin page answers them
    "jl_zizhi",
]
OUR_APPS = ["accounts", "projects", "grading", "review", "sync", "transfer", "legacy", "portal"]


@pytest.fixture(scope="module")
def _demo(django_db_setup, django_db_blocker, tmp_path_factory):
    fast = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        MEDIA_ROOT=str(tmp_path_factory.mktemp("walk-media")),
    )
    with django_db_blocker.unblock(), fast, transaction.atomic():
        call_command("seed_demo", stdout=StringIO())
        _reveal_a_person_in_each_province()
        _a_correction_in_each_province()
        _an_import_job_in_each_province()
        _a_migrated_record_and_reviewer_in_each_province()
        yield
        transaction.set_rollback(True)


def _reveal_a_person_in_each_province() -> None:
    """A logged ID-number reveal (review.PiiReveal) by a reviewer of each province: the walk then finds rows of the
    log that each official may and may not see."""
    from accounts.pii import reveal_key
    from projects.models import Record, RecordPerson
    from review.services import reveal_pii

    for username in ("nn_shenhe", "cc_shenhe"):
        official = User.objects.get(username=username)
        person = RecordPerson.objects.filter(record__in=Record.visible_to(official), id_card__gt="").first()
        assert person is not None, username
        reveal_pii(user=official, record_id=person.record_id, key=reveal_key(RecordPerson, person.pk, "id_card"))


def _a_correction_in_each_province() -> None:
    """A correction request with its evidence and the record's first version (J7, P4) in each province: the walk then
    finds rows of review.CorrectionRequest, review.CorrectionEvidence and projects.RecordVersion that each official
    may and may not see."""
    from django.utils import timezone

    from projects.models import Record, RecordVersion, VersionKind
    from review.models import CorrectionEvidence, CorrectionRequest

    for prefix in ("45", "22"):
        record = Record.objects.published().filter(project__county__code__startswith=prefix).first()
        assert record is not None, prefix
        request = CorrectionRequest.objects.create(record=record, reason="录入有误", filed_at=timezone.now())
        CorrectionEvidence.objects.create(
            request=request,
            file="corrections/x.pdf",
            original_name="x.pdf",
            content_type="application/pdf",
            size=1,
            sha256="0" * 64,
        )
        RecordVersion.objects.create(record=record, number=1, kind=VersionKind.APPROVAL, created_at=timezone.now())


def _an_import_job_in_each_province() -> None:
    """An import job (transfer.ImportJob, issue 13) started by each province's staff, and a records import of a
    Guangxi firm's clerk (the portal's 批量导入, its province the firm's): the walk then finds jobs each official may
    and may not see (provincial staff their province's, reviewers and clerks their own)."""
    from transfer.models import ImportJob

    for username in ("gx_sheng", "jl_sheng"):
        staff = User.objects.get(username=username)
        ImportJob.objects.create(
            importer="enterprises",
            upload="imports/x.xlsx",
            original_name="企业.xlsx",
            created_by=staff,
            province_id=staff.authority.region_id[:2] + "0000",
        )
    clerk = User.objects.get(username="qy_sheji")
    ImportJob.objects.create(
        importer="records",
        upload="imports/y.xlsx",
        original_name="业绩.xlsx",
        created_by=clerk,
        province_id=clerk.enterprise.region_id[:2] + "0000",
    )


def _a_migrated_record_and_reviewer_in_each_province() -> None:
    """The old system's keys (legacy.LegacyRecord, LegacyReviewer, J2) of a record and a reviewer of each province:
    the walk then finds rows only the provincial office of their own province sees."""
    from django.utils import timezone

    from legacy.models import LegacyRecord, LegacyReviewer
    from projects.models import Record

    for prefix, username in (("45", "nn_shenhe"), ("22", "cc_shenhe")):
        record = Record.objects.published().filter(project__county__code__startswith=prefix).first()
        assert record is not None, prefix
        now = timezone.now()
        province = f"{prefix}0000"
        LegacyRecord.objects.create(
            province_id=province,
            old_id="OLD1001",  # each province's old system numbered alike: the same id in both
            record=record,
            old_status="approved",
            file_name="原系统.xlsx",
            imported_at=now,
        )
        LegacyReviewer.objects.create(
            province_id=province,
            old_id="U1001",
            user=User.objects.get(username=username),
            file_name="原系统.xlsx",
            imported_at=now,
        )


@pytest.fixture
def demo(_demo, db):
    return None


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _prefix(code: str) -> str:
    """Independent of accounts.scoping: the digits every code inside a region starts with."""
    return code[:2] if code.endswith("0000") else code[:4] if code.endswith("00") else code


def test_every_model_of_ours_has_one_scoping_rule():
    missing = [
        m._meta.label
        for app in OUR_APPS
        if app in {a.label for a in apps.get_app_configs()}
        for m in apps.get_app_config(app).get_models()
        if not issubclass(m, Scoped | pghistory.models.Event)
    ]
    assert missing == []


def test_walk_every_admin_model_for_every_role(demo):
    walked = denied = 0
    for username in WALKED:
        user = User.objects.get(username=username)
        client = _client(user)
        for model, model_admin in admin.site._registry.items():
            opts = model._meta
            visible = {str(pk) for pk in visible_to(model, user).values_list("pk", flat=True)}
            changelist = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
            assert changelist.status_code in (200, 302, 403), (username, opts.label, changelist.status_code)
            if changelist.status_code == 200 and not user.is_superuser:
                shown = {str(pk) for pk in changelist.context["cl"].queryset.values_list("pk", flat=True)}
                assert shown <= visible, (username, opts.label, sorted(shown - visible)[:5])
            hidden = model._default_manager.exclude(pk__in=visible_to(model, user).values("pk"))
            for obj in [hidden.order_by("pk").first(), hidden.order_by("-pk").first()]:
                if obj is None:
                    continue
                pk = quote(obj.pk)
                for view in ("change", "history", "delete"):
                    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=[pk])
                    answer = client.get(url)
                    assert answer.status_code in (302, 403, 404), (username, opts.label, view, answer.status_code)
                    denied += 1
            for field in getattr(model_admin, "autocomplete_fields", ()):
                remote = opts.get_field(field).remote_field.model
                answer = client.get(
                    "/admin/autocomplete/",
                    {"app_label": opts.app_label, "model_name": opts.model_name, "field_name": field, "term": ""},
                )
                if answer.status_code == 200:
                    ids = {r["id"] for r in answer.json()["results"]}
                    allowed = {str(pk) for pk in visible_to(remote, user).values_list("pk", flat=True)}
                    assert ids <= allowed, (username, opts.label, field)
            walked += 1
    print(f"\nscope walk: {walked} role×model pairs, {denied} hidden objects refused")
    assert walked == len(WALKED) * len(admin.site._registry)


@pytest.mark.parametrize("username", ["nn_shenhe", "qx_shenhe", "gl_shenhe", "cc_shenhe", "gx_sheng", "jl_sheng"])
def test_officials_see_projects_units_and_records_of_their_jurisdiction_only(demo, username):
    """Issue 9, breach 3: the project and 单体 lists showed every project of both provinces to every reviewer."""
    user = User.objects.get(username=username)
    prefix = _prefix(user.authority.region_id)
    client = _client(user)
    for name, county in (
        ("project", "county_id"),
        ("unitproject", "project__county_id"),
        ("record", "project__county_id"),
    ):
        answer = client.get(reverse(f"admin:projects_{name}_changelist"))
        assert answer.status_code == 200
        counties = set(answer.context["cl"].queryset.values_list(county, flat=True))
        assert counties and all(c.startswith(prefix) for c in counties), (username, name)


def test_provincial_staff_administer_their_own_province_only(demo):
    """Issue 9, breach 2: Guangxi staff saw and edited Jilin users and created a provincial user for Jilin."""
    gx = User.objects.get(username="gx_sheng")
    client = _client(gx)
    users = client.get(reverse("admin:accounts_user_changelist")).context["cl"].queryset
    assert not users.filter(is_superuser=True).exists()
    assert not users.filter(authority__region__code__startswith="22").exists()
    jl_user = User.objects.get(username="jl_sheng")
    assert client.get(reverse("admin:accounts_user_change", args=[jl_user.pk])).status_code == 302
    jl_office = User.objects.get(username="jl_jianguan").authority
    before = User.objects.count()
    answer = client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "intruder",
            "password1": "Zx9!long-pass",
            "password2": "Zx9!long-pass",
            "usable_password": "true",
            "role": "provincial",
            "authority": jl_office.pk,
            "real_name": "冒名",
        },
    )
    assert answer.status_code == 200  # the form again, with the authority refused
    assert User.objects.count() == before
    # their own account: role, authority and active flag are not theirs to change
    own = client.get(reverse("admin:accounts_user_change", args=[gx.pk])).content.decode()
    for name in ("role", "authority", "is_active", "is_superuser"):
        assert f'name="{name}"' not in own, name
    # Jilin staff do not open the Guangxi campaign
    from projects.models import Campaign

    gx_campaign = Campaign.objects.get(notice_number="桂建设〔2017〕29号")
    jl = _client(User.objects.get(username="jl_sheng"))
    assert jl.get(reverse("admin:projects_campaign_change", args=[gx_campaign.pk])).status_code == 302


#: what a qualification review system may read (ADR 0015): the public catalogues, and the published records of its
#: province with their parts; every other model of ours answers it nothing
SYSTEM_READS = {
    "accounts.region",
    "accounts.qualification",
    "projects.record",
    "projects.tender",
    "projects.contract",
    "projects.censor",
    "projects.censorstaff",
    "projects.builderlicence",
    "projects.finishcheck",
    "projects.finishrecord",
    "projects.projectcorp",
    "projects.recordperson",
    "projects.attachment",
}
#: models whose one rule is "whoever sees the record": they follow Record.scope to the system's published records
#: (its own account too). The system's key opens one URL (config/access.py), which serves none of them.
SYSTEM_FOLLOWS_RECORDS = {
    "accounts.user": None,  # its own account
    "projects.recordversion": "record",
    "review.recordtransition": "record",
    "review.reviewqueueitem": "pk",
    "review.correctionrequest": "record",
    "review.correctionevidence": "request__record",
    "sync.pushitem": "record",
}


@pytest.mark.parametrize("username", ["gx_zizhi", "jl_zizhi"])
def test_a_review_system_reads_its_provinces_published_records_and_nothing_else(demo, username):
    from projects.models import Record

    system = User.objects.get(username=username)
    province = system.authority.region_id[:2]
    records = Record.visible_to(system)
    assert records.exists()
    assert set(records.values_list("status", flat=True)) == {"approved"}
    assert not records.filter(revision_of__isnull=False).exists()
    assert all(c.startswith(province) for c in records.values_list("project__county_id", flat=True))
    published_here = Record.objects.published().filter(project__county__code__startswith=province)
    assert set(records.values_list("pk", flat=True)) == set(published_here.values_list("pk", flat=True))
    assert set(User.visible_to(system).values_list("pk", flat=True)) == {system.pk}
    leaks = []
    for app in OUR_APPS:
        for model in apps.get_app_config(app).get_models():
            label = model._meta.label_lower
            if issubclass(model, pghistory.models.Event) or label in SYSTEM_READS:
                continue
            seen = visible_to(model, system)
            path = SYSTEM_FOLLOWS_RECORDS.get(label, "")
            if path:
                seen = seen.exclude(**{f"{path}__in": records.values("pk")})
            if path is not None and seen.exists():
                leaks.append(model._meta.label)
    assert leaks == [], ", ".join(leaks)


def test_import_jobs_are_seen_by_their_provinces_staff_only(demo):
    """导入任务 (issue 13): provincial staff see their province's jobs and open them; another province's job and a
    reviewer or clerk get nothing (404 on the job's page and its progress)."""
    from transfer.models import ImportJob

    gx_job = ImportJob.objects.get(province_id="450000", importer="enterprises")
    jl_job = ImportJob.objects.get(province_id="220000")
    clerk_job = ImportJob.objects.get(importer="records")
    gx = User.objects.get(username="gx_sheng")
    assert set(ImportJob.visible_to(gx)) == {gx_job, clerk_job}  # the jobs of the firms registered in Guangxi too
    assert set(ImportJob.visible_to(User.objects.get(username="jl_sheng"))) == {jl_job}
    client = _client(gx)
    assert client.get(reverse("admin:transfer_importjob_change", args=[gx_job.pk])).status_code == 200
    for name in ("change", "progress", "report"):
        assert client.get(reverse(f"admin:transfer_importjob_{name}", args=[jl_job.pk])).status_code == 404, name
    for username in ("nn_shenhe", "cc_shenhe"):
        assert not ImportJob.visible_to(User.objects.get(username=username)).exists()


def test_a_clerk_sees_their_own_import_jobs_only(demo):
    """批量导入 (issue 13): a firm's clerk sees the jobs they started, and opens them in the portal; another clerk
    (of a firm of the same province or of another) sees none of them and gets 404 on every page of the job."""
    from transfer.models import ImportJob

    clerk_job = ImportJob.objects.get(importer="records")
    clerk = User.objects.get(username="qy_sheji")
    assert set(ImportJob.visible_to(clerk)) == {clerk_job}
    assert _client(clerk).get(reverse("portal:import_job", args=[clerk_job.pk])).status_code == 200
    for username in ("qy_kancha", "qy_jianli"):
        other = User.objects.get(username=username)
        assert not ImportJob.visible_to(other).exists()
        client = _client(other)
        for name in ("import_job", "import_job_progress", "import_job_report", "import_job_errors"):
            assert client.get(reverse(f"portal:{name}", args=[clerk_job.pk])).status_code == 404, (username, name)
