"""The admin of accounts and projects (the bureau's back-office).

Every registered ModelAdmin opens its changelist, add page and change page; the record changelist runs a
bounded number of queries; system-set fields (the protected FSM `status` above all) are never written by a form;
the enterprise's kinds are checkboxes; the J3 registry imports from CSV; attachments never link to the stored file;
the record and project pages list their history.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

import pytest
from django import forms
from django.apps import apps
from django.contrib import admin
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models import Model
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from pghistory.models import Event

from accounts.models import Department, Enterprise, EnterpriseKind, Qualification, Region, Role, User
from projects import codes
from projects.models import (
    Attachment,
    AttachmentKind,
    BuilderLicence,
    CampaignContact,
    Censor,
    CensorStaff,
    Contract,
    DeclaredProject,
    DeclaredSource,
    FinishCheck,
    FinishRecord,
    NumberSequence,
    Project,
    ProjectCorp,
    Record,
    RecordPerson,
    RecordStatus,
    RecordVersion,
    Tender,
    UnitProject,
    VersionKind,
)

from .factories import EnterpriseFactory, ProjectFactory, RecordFactory, UserFactory, make_uscc, region

pytestmark = pytest.mark.django_db

OUR_APPS = ("accounts", "projects")
ADMIN_MODELS = sorted(
    (model for model in admin.site._registry if model._meta.app_label in OUR_APPS), key=lambda m: m._meta.label
)


def admin_url(model: type[Model], view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


PDF = b"%PDF-1.4 test"


# ----------------------------------------------------------------------------------------------------------
# One object of every model, created minimally with the ORM.
# ----------------------------------------------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def world(media, guangxi, firm_a, city_reviewer_x) -> dict[type[Model], Model]:
    """One object of each model. Regions, qualifications and the two campaigns come from the migrations."""
    city_bureau = city_reviewer_x.authority
    track = guangxi.tracks.get(code="N")
    project = ProjectFactory(prj_name="青秀区第一中学教学楼", prj_type=codes.ProjectType.BUILDING)
    unit = UnitProject.objects.create(project=project, unit_code=f"{project.prj_num}-001", sub_prj_name="1号教学楼")
    record = RecordFactory(
        enterprise=firm_a, project=project, campaign=guangxi, track=track, responsible_authority=city_bureau
    )
    censor = Censor.objects.create(record=record, censor_num="SC2016-001")
    attachment = Attachment.objects.create(
        record=record,
        kind=AttachmentKind.BID_NOTICE,
        file=ContentFile(PDF, name="notice.pdf"),
        original_name="中标通知书.pdf",
        content_type="application/pdf",
        size=len(PDF),
        sha256=hashlib.sha256(PDF).hexdigest(),
        uploaded_by=city_reviewer_x,
    )
    objects: list[Model] = [
        region("450103"),
        city_bureau,
        city_reviewer_x.department,
        Qualification.objects.get(code="DSN-BLD-IND-A"),
        firm_a,
        city_reviewer_x,
        guangxi,
        guangxi.openings.first(),
        track,
        project,
        unit,
        record,
        censor,
        attachment,
        CampaignContact.objects.create(
            campaign=guangxi, authority=city_bureau, name="王联络", department="建筑市场监管科", mobile="13800138000"
        ),
        Tender.objects.create(record=record, tender_num="GXZB2016-01", tender_money=Decimal("1200.5")),
        Contract.objects.create(record=record, record_num="HT2016-01", contract_date=dt.date(2016, 3, 1)),
        CensorStaff.objects.create(censor=censor, user_name="赵设计"),
        BuilderLicence.objects.create(record=record, licence_cert_no="450103201604010101"),
        FinishCheck.objects.create(record=record, prj_finish_check_num="JY2017-01", e_date=dt.date(2017, 6, 1)),
        FinishRecord.objects.create(record=record, prj_finish_num="JX2017-01", e_date=dt.date(2017, 7, 1)),
        ProjectCorp.objects.create(record=record, unit=unit, corp_role="2", corp_name=firm_a.name),
        RecordPerson.objects.create(record=record, name="陈负责", corp_name=firm_a.name),
        DeclaredProject.objects.create(source=DeclaredSource.PERMIT_SYSTEM, licence_cert_no="450103201701010101"),
        NumberSequence.objects.create(key="450103-171120", last=1),
        RecordVersion.objects.create(
            record=record,
            number=1,
            kind=VersionKind.APPROVAL,
            snapshot={},
            created_at=dt.datetime(2017, 8, 1, tzinfo=dt.UTC),
        ),
    ]
    return {type(obj): obj for obj in objects}


# ----------------------------------------------------------------------------------------------------------
# Every admin page opens.
# ----------------------------------------------------------------------------------------------------------


def test_every_model_of_accounts_and_projects_has_an_admin():
    models = [
        model for app in OUR_APPS for model in apps.get_app_config(app).get_models() if not issubclass(model, Event)
    ]
    missing = [model._meta.label for model in models if model not in admin.site._registry]
    assert missing == []


@pytest.mark.parametrize("model", ADMIN_MODELS, ids=lambda m: m._meta.label)
def test_changelist_add_and_change_pages_open(admin_client, world, model):
    assert model in world, f"test_admin_pages.world creates no {model._meta.label}"
    obj = world[model]

    changelist = admin_url(model, "changelist")
    assert admin_client.get(changelist).status_code == 200
    # a read-only list (版本记录: versions are written by projects.revisions only) refuses its add page
    addable = admin.site._registry[model].has_add_permission(admin_client.get(changelist).wsgi_request)
    assert admin_client.get(admin_url(model, "add")).status_code == (200 if addable else 403)
    assert admin_client.get(admin_url(model, "change", obj.pk)).status_code == 200
    # Search runs over every search field; facets count every filter's choices, so each filter's SQL runs.
    response = admin_client.get(changelist, {"q": "45", "_facets": "1"})
    assert response.status_code == 200


@pytest.mark.parametrize("model", ADMIN_MODELS, ids=lambda m: m._meta.label)
def test_add_forms_miss_no_editable_field(rf, model):
    """A field left out of explicit fieldsets could never be entered in the admin."""
    model_admin = admin.site._registry[model]
    request = rf.get("/")
    request.user = User(is_superuser=True, is_staff=True)
    if not model_admin.has_add_permission(request):
        return  # a read-only list (RecordVersion): nothing is entered there
    shown = {
        name
        for _title, options in model_admin.get_fieldsets(request, None)
        for entry in options["fields"]
        for name in (entry if isinstance(entry, (list, tuple)) else [entry])
    }
    editable = {
        field.name
        for field in model._meta.get_fields()
        if not field.auto_created and ((field.concrete and field.editable) or field.many_to_many)
    }
    system = {
        "password",
        "last_login",
        "date_joined",
        "is_staff",
        "user_permissions",
        "groups",
        "is_superuser",
        "first_name",
        "last_name",
        "email",
        "is_active",
        "usable_password",
        "password1",
        "password2",
    }
    if model is Attachment:  # the add form takes the file; name, type, size and hash come from the upload
        system |= {"original_name", "content_type", "size", "sha256", "uploaded_by"}
    assert editable - shown - system == set()


# ----------------------------------------------------------------------------------------------------------
# Records: bounded queries, protected status, inline stages, history.
# ----------------------------------------------------------------------------------------------------------


def make_records(world, count: int, *, parts: bool = False) -> None:
    """`count` more records of the seeded Guangxi campaign; with `parts`, each with a unit, stages, people, file."""
    record = world[Record]
    enterprises = EnterpriseFactory.create_batch(3)
    for enterprise in enterprises:
        UserFactory(role=Role.ENTERPRISE, enterprise=enterprise)
    other_track = record.campaign.tracks.exclude(pk=record.track_id).first()
    for i in range(count):
        new = RecordFactory(
            enterprise=enterprises[i % 3],
            project=ProjectFactory(),
            campaign=record.campaign,
            track=other_track if i % 2 else record.track,
            responsible_authority=record.responsible_authority,
            reaches_national=bool(i % 2),
        )
        if not parts:
            continue
        unit = UnitProject.objects.create(project=new.project, sub_prj_name=f"{i}号楼")
        censor = Censor.objects.create(record=new, censor_num=f"SC-{i}")
        CensorStaff.objects.create(censor=censor, user_name=f"审图{i}")
        Tender.objects.create(record=new, tender_num=f"ZB-{i}")
        Contract.objects.create(record=new, record_num=f"HT-{i}")
        BuilderLicence.objects.create(record=new, bui_prj_name=f"许可{i}")
        FinishCheck.objects.create(record=new, prj_finish_check_num=f"JY-{i}")
        FinishRecord.objects.create(record=new, prj_finish_num=f"JX-{i}")
        ProjectCorp.objects.create(record=new, unit=unit, corp_name=new.enterprise.name)
        RecordPerson.objects.create(record=new, name=f"人员{i}")
        Attachment.objects.create(
            record=new,
            kind=AttachmentKind.OTHER,
            file=f"attachments/x/{i}.pdf",
            original_name=f"{i}.pdf",
            content_type="application/pdf",
            size=1,
            sha256="0" * 64,
            uploaded_by=world[User],
        )
        CampaignContact.objects.get_or_create(
            campaign=record.campaign, authority=new.responsible_authority, defaults={"name": "联络人"}
        )


@pytest.mark.parametrize(
    "params",
    [{}, {"status__exact": "draft"}, {"q": "项目"}, {"responsible_authority__level": "city"}, {"_facets": "1"}],
    ids=["plain", "status", "search", "authority-level", "facets"],
)
def test_record_changelist_runs_a_bounded_number_of_queries(admin_client, world, django_assert_max_num_queries, params):
    make_records(world, 30)
    assert Record.objects.count() == 31
    # Facets add one count query per filter, whatever the number of records.
    with django_assert_max_num_queries(30 if "_facets" in params else 20):
        response = admin_client.get(admin_url(Record, "changelist"), params)
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) > 0 or params


@pytest.mark.parametrize("model", ADMIN_MODELS, ids=lambda m: m._meta.label)
def test_every_changelist_runs_a_bounded_number_of_queries(admin_client, world, django_assert_max_num_queries, model):
    make_records(world, 30, parts=True)
    with django_assert_max_num_queries(20):
        response = admin_client.get(admin_url(model, "changelist"))
    assert response.status_code == 200


def test_record_changelist_queries_do_not_grow_with_records(admin_client, world):
    url = admin_url(Record, "changelist")
    admin_client.get(url)  # warm the session and content-type caches
    with CaptureQueriesContext(connection) as few:
        admin_client.get(url)
    make_records(world, 30)
    with CaptureQueriesContext(connection) as many:
        admin_client.get(url)
    assert len(many) <= len(few) + 1  # + 1: the track filter and the pagination may add one query at most


def form_data(response) -> dict[str, object]:
    """The POST data a browser would send back for the admin form of `response`, unchanged."""

    def encode(value):
        if value is None:
            return ""
        if isinstance(value, bool):
            return "on" if value else None
        if isinstance(value, (list, tuple)):
            return [str(getattr(v, "pk", v)) for v in value]
        if isinstance(value, (dt.date, dt.datetime)):
            return value.isoformat()
        return str(getattr(value, "pk", value))

    def add_form(form, data):
        for name, field in form.fields.items():
            value = form[name].value()
            if isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
                value = value or []
            value = encode(value)
            if value is not None:
                data[form.add_prefix(name)] = value

    data: dict[str, object] = {}
    add_form(response.context["adminform"].form, data)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        for form in formset.forms:
            add_form(form, data)
    return data


def test_record_status_and_system_fields_are_never_written_by_the_form(admin_client, world):
    record = world[Record]
    url = admin_url(Record, "change", record.pk)
    data = form_data(admin_client.get(url))
    assert "status" not in data and "version" not in data
    data.update(status=RecordStatus.APPROVED, version="99", submitted_at="2017-12-01 10:00:00")

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    record = Record.objects.get(pk=record.pk)
    assert record.status == RecordStatus.DRAFT
    assert record.version == 2  # raised by one on every save
    assert record.submitted_at is None


def test_record_add_page_creates_a_draft_with_its_creator(admin_client, admin_user, world):
    record = world[Record]
    other = Project.objects.create(prj_num="4501031711200002", prj_name="青秀区图书馆", county=record.project.county)
    data = form_data(admin_client.get(admin_url(Record, "add")))
    data.update(
        enterprise=str(record.enterprise_id),
        project=str(other.pk),
        campaign=str(record.campaign_id),
        status=RecordStatus.APPROVED,
    )

    response = admin_client.post(admin_url(Record, "add"), data)

    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    created = Record.objects.get(project=other)
    assert created.status == RecordStatus.DRAFT
    assert created.created_by == admin_user


def test_record_page_shows_every_stage_inline(admin_client, world):
    response = admin_client.get(admin_url(Record, "change", world[Record].pk))
    inline_models = {inline.formset.model for inline in response.context["inline_admin_formsets"]}
    assert inline_models == {
        Tender,
        Contract,
        Censor,
        BuilderLicence,
        FinishCheck,
        FinishRecord,
        ProjectCorp,
        RecordPerson,
        Attachment,
    }
    for inline in response.context["inline_admin_formsets"]:
        if inline.formset.model in (Tender, Contract, Censor, BuilderLicence, FinishCheck, FinishRecord):
            assert inline.formset.max_num == 1
            assert "data_level" not in inline.formset.form.base_fields  # set by grading, shown read-only


def test_project_corp_inline_offers_only_the_units_of_the_records_project(admin_client, world):
    record = world[Record]
    elsewhere = Project.objects.create(prj_num="4501031711200003", prj_name="别处", county=record.project.county)
    foreign_unit = UnitProject.objects.create(project=elsewhere, sub_prj_name="别处的楼")
    response = admin_client.get(admin_url(Record, "change", record.pk))
    (corps,) = [i.formset for i in response.context["inline_admin_formsets"] if i.formset.model is ProjectCorp]
    offered = set(corps.forms[0].fields["unit"].queryset)
    assert offered == {world[UnitProject]}
    assert foreign_unit not in offered


def test_record_and_project_pages_list_their_history(admin_client, admin_user, world):
    record = world[Record]
    url = admin_url(Record, "change", record.pk)
    assert admin_client.post(url, form_data(admin_client.get(url))).status_code == 302

    content = admin_client.get(url).content.decode()

    assert 'class="history-events"' in content
    assert admin_user.username in content  # pgh_context user of the admin's save
    with translation.override("zh-hans"):
        assert str(Record._meta.get_field("version").verbose_name) in content  # the changed field, 1 → 2
        assert str(Tender._meta.verbose_name) in content  # events of the stages are listed with the record's
    assert f"obj=projects.Record%3A{record.pk}" in content  # link to all of them in pghistory's admin
    project_page = admin_client.get(admin_url(Project, "change", record.project_id)).content.decode()
    assert 'class="history-events"' in project_page


def test_officials_see_the_records_of_their_region_only(client, world, city_reviewer_x, city_reviewer_y):
    """The admin scopes records by projects.selectors.records_visible_to, the one rule for every screen."""
    record = world[Record]
    client.force_login(city_reviewer_x)  # 南宁市: the record's project is in 青秀区
    assert list(client.get(admin_url(Record, "changelist")).context["cl"].result_list) == [record]
    assert client.get(admin_url(Record, "change", record.pk)).status_code == 200  # view only
    assert client.get(admin_url(Tender, "changelist")).context["cl"].result_count == 1

    client.force_login(city_reviewer_y)  # 桂林市
    assert list(client.get(admin_url(Record, "changelist")).context["cl"].result_list) == []
    assert client.get(admin_url(Tender, "changelist")).context["cl"].result_count == 0
    assert client.get(admin_url(CensorStaff, "changelist")).context["cl"].result_count == 0
    assert client.get(admin_url(Record, "change", record.pk)).status_code == 302  # "does not exist"


def test_history_is_not_offered_on_add_pages(admin_client, world):
    assert 'class="history-events"' not in admin_client.get(admin_url(Record, "add")).content.decode()


# ----------------------------------------------------------------------------------------------------------
# Accounts
# ----------------------------------------------------------------------------------------------------------


def test_enterprise_kinds_are_checkboxes_and_listed_by_name(admin_client, world):
    add_url = admin_url(Enterprise, "add")
    page = admin_client.get(add_url).content.decode()
    assert 'type="checkbox" name="kinds" value="survey"' in page
    data = form_data(admin_client.get(add_url))
    data.update(name="广西测试勘察院", credit_code=make_uscc(900001), kinds=["survey", "construction"], status="active")

    response = admin_client.post(add_url, data)

    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    enterprise = Enterprise.objects.get(name="广西测试勘察院")
    assert enterprise.kinds == ["survey", "construction"]
    listing = admin_client.get(admin_url(Enterprise, "changelist"), {"kind": "survey"}).content.decode()
    with translation.override("zh-hans"):
        assert str(EnterpriseKind.SURVEY.label) in listing
    assert "广西测试勘察院" in listing


def test_enterprise_needs_a_kind(admin_client, world):
    add_url = admin_url(Enterprise, "add")
    data = form_data(admin_client.get(add_url))
    data.update(name="无类别企业", credit_code=make_uscc(900002), status="active")
    data.pop("kinds", None)
    response = admin_client.post(add_url, data)
    assert response.status_code == 200
    assert "kinds" in response.context["adminform"].form.errors


def test_user_add_form_asks_for_role_and_organisation(admin_client, world):
    add_url = admin_url(User, "add")
    response = admin_client.get(add_url)
    for name in ("role", "enterprise", "authority", "department", "real_name"):
        assert name in response.context["adminform"].form.fields
    data = form_data(response)
    data.update(
        username="qingxiu-reviewer",
        usable_password="true",
        password1="Tender-Lotus-2017",
        password2="Tender-Lotus-2017",
        role=Role.REVIEWER,
        authority=str(world[Department].authority_id),
        department=str(world[Department].pk),
        real_name="周审核",
    )

    response = admin_client.post(add_url, data)

    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    user = User.objects.get(username="qingxiu-reviewer")
    assert (user.role, user.authority_id, user.is_staff) == (Role.REVIEWER, world[Department].authority_id, True)


def test_user_add_form_refuses_a_clerk_without_an_enterprise(admin_client, world):
    add_url = admin_url(User, "add")
    data = form_data(admin_client.get(add_url))
    data.update(
        username="orphan",
        usable_password="true",
        password1="Tender-Lotus-2017",
        password2="Tender-Lotus-2017",
        role=Role.ENTERPRISE,
    )
    response = admin_client.post(add_url, data)
    assert response.status_code == 200
    assert "enterprise" in response.context["adminform"].form.errors
    assert not User.objects.filter(username="orphan").exists()


def test_user_changelist_shows_the_organisation(admin_client, world):
    content = admin_client.get(admin_url(User, "changelist"), {"role__exact": "reviewer"}).content.decode()
    reviewer = world[User]
    assert f"{reviewer.authority.name} {reviewer.department.name}" in content


def test_provincial_staff_manage_accounts_but_grant_no_superuser_rights(client, world, provincial_staff, admin_user):
    client.force_login(provincial_staff)
    listed = set(client.get(admin_url(User, "changelist")).context["cl"].result_list)
    assert world[User] in listed and admin_user not in listed
    assert client.get(admin_url(User, "change", admin_user.pk)).status_code == 302  # "does not exist"
    url = admin_url(User, "change", world[User].pk)
    response = client.get(url)
    assert response.status_code == 200
    for name in ("is_superuser", "groups", "user_permissions"):
        assert name not in response.context["adminform"].form.fields
    data = form_data(response)
    data.update(is_superuser="on", title="科长")
    assert client.post(url, data).status_code == 302
    reviewer = User.objects.get(pk=world[User].pk)
    assert (reviewer.title, reviewer.is_superuser) == ("科长", False)


def test_region_filters_current_and_historical_codes(admin_client, world):
    url = admin_url(Region, "changelist")
    current = {r.code for r in admin_client.get(url, {"validity": "current", "q": "4501"}).context["cl"].result_list}
    historical = {
        r.code for r in admin_client.get(url, {"validity": "historical", "q": "4501"}).context["cl"].result_list
    }
    assert "450103" in current and "450122" not in current  # 武鸣县 became 武鸣区 in 2015
    assert "450122" in historical and "450103" not in historical


def test_region_code_is_read_only_once_saved(admin_client, world):
    response = admin_client.get(admin_url(Region, "change", "450103"))
    assert "code" not in response.context["adminform"].form.fields


# ----------------------------------------------------------------------------------------------------------
# Attachments and the J3 registry
# ----------------------------------------------------------------------------------------------------------


def test_attachments_are_never_linked_to_the_stored_file(admin_client, world):
    attachment = world[Attachment]
    pages = [
        admin_client.get(admin_url(Attachment, "change", attachment.pk)),
        admin_client.get(admin_url(Attachment, "changelist")),
        admin_client.get(admin_url(Record, "change", attachment.record_id)),
    ]
    for response in pages:
        content = response.content.decode()
        assert attachment.file.name not in content
        assert "/media-not-public/" not in content
    change = pages[0].content.decode()
    assert "中标通知书.pdf" in change and attachment.sha256 in change


def test_attachment_upload_takes_name_size_and_hash_from_the_file(admin_client, admin_user, world):
    payload = b"%PDF-1.4\n% contract\n"
    add_url = admin_url(Attachment, "add")
    response = admin_client.post(
        add_url,
        {
            "record": str(world[Record].pk),
            "kind": AttachmentKind.CONTRACT,
            "file": SimpleUploadedFile("合同.pdf", payload, content_type="application/pdf"),
        },
    )
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    attachment = Attachment.objects.get(kind=AttachmentKind.CONTRACT)
    assert (attachment.original_name, attachment.size, attachment.content_type) == (
        "合同.pdf",
        len(payload),
        "application/pdf",
    )
    assert attachment.sha256 == hashlib.sha256(payload).hexdigest()
    assert attachment.uploaded_by == admin_user


def test_attachment_upload_refuses_other_file_types(admin_client, world):
    response = admin_client.post(
        admin_url(Attachment, "add"),
        {
            "record": str(world[Record].pk),
            "kind": AttachmentKind.OTHER,
            "file": SimpleUploadedFile("run.exe", b"MZ", content_type="application/octet-stream"),
        },
    )
    assert response.status_code == 200
    assert "file" in response.context["adminform"].form.errors


def test_j3_registry_imports_a_csv_file_through_the_admin(client, provincial_staff):
    """The registry's one way in is the import job (transfer/registry.py: checked row by row, merged by COPY): the
    list links to it, a CSV goes through it, and importing the same file again adds nothing."""
    from transfer.models import ImportJob
    from transfer.tasks import run_import

    client.force_login(provincial_staff)
    start = reverse("admin:transfer_importjob_start", args=["registry"])
    assert start in client.get(admin_url(DeclaredProject, "changelist")).content.decode()
    csv = "来源系统,项目编号,施工许可证编号,项目名称\n工改系统,4501031711200009,,南宁市某小区\n".encode("gbk")
    for _ in range(2):
        answer = client.post(start, {"file": SimpleUploadedFile("j3.csv", csv, content_type="text/csv"), "mode": "all"})
        assert answer.status_code == 302
        run_import(ImportJob.objects.latest("pk").pk)
    assert DeclaredProject.objects.filter(prj_num="4501031711200009", source=DeclaredSource.REFORM_SYSTEM).count() == 1


def test_j3_registry_is_imported_by_provincial_staff_not_by_reviewers(client, provincial_staff, city_reviewer_x):
    client.force_login(city_reviewer_x)
    assert client.get(admin_url(DeclaredProject, "changelist")).status_code == 200  # reviewers may look
    start = reverse("admin:transfer_importjob_start", args=["registry"])
    assert client.get(start).status_code == 403
    client.force_login(provincial_staff)
    assert client.get(start).status_code == 200
