"""Exports (issue 13 item 4): every admin list to Excel with what its filters leave (config/admin_export.py), the
contacts as the Guangxi notice's 附件3, the published records as the national platform's 抽查 CSV (transfer/exports.py);
each within the official's scope."""

from __future__ import annotations

import csv
import io
from io import BytesIO

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.urls import NoReverseMatch, reverse
from openpyxl import load_workbook

from accounts.models import Role
from projects.models import CampaignContact, DeclaredProject, DeclaredSource, Record, RecordStatus
from tests.factories import authority_for
from tests.review.builders import valid_record

pytestmark = pytest.mark.django_db


def export_url(model) -> str:
    return reverse("admin:changelist_export", args=[model._meta.app_label, model._meta.model_name])


def sheet_rows(response) -> list[tuple]:
    assert response.status_code == 200, response
    content = response.content if hasattr(response, "content") else b"".join(response.streaming_content)
    return list(load_workbook(BytesIO(content), read_only=True).active.iter_rows(values_only=True))


@pytest.fixture
def data(firm_a, firm_b, guangxi):
    """Some rows in the lists: records of two firms (one approved), the registry, two contacts."""
    records = [valid_record(firm_a), valid_record(firm_b), valid_record(firm_a)]
    Record.objects.filter(pk=records[0].pk).update(status=RecordStatus.APPROVED)
    for n in range(3):
        DeclaredProject.objects.create(source=DeclaredSource.REFORM_SYSTEM, prj_num=f"450103150101{n + 1:04d}")
    for n in range(2):
        DeclaredProject.objects.create(
            source=DeclaredSource.PERMIT_SYSTEM, licence_cert_no=f"4503052015010101{n + 1:02d}"
        )
    CampaignContact.objects.create(
        campaign=guangxi,
        authority=authority_for("450100"),
        name="李明",
        department="勘察设计科",
        title="科长",
        office_phone="0771-2368335",
        mobile="13812345678",
    )
    CampaignContact.objects.create(
        campaign=guangxi, authority=authority_for("450300"), name="王芳", department="建筑市场科", mobile="13912345678"
    )
    return records


def _one_filter(changelist) -> str:
    """The query string of the first choice of the list's first filter that is not 'all' ("" without filters)."""
    for spec in changelist.filter_specs:
        for choice in spec.choices(changelist):
            query = choice.get("query_string") or ""
            if not choice.get("selected") and query.startswith("?") and len(query) > 1:
                return query
    return ""


def test_every_admin_list_exports_the_rows_its_filter_leaves(client, cast, data):
    """Issue 13 item 4: each list's 导出 Excel holds exactly the rows of the list, filtered as the page is."""
    client.force_login(cast["provincial_staff"])
    walked = []
    for model in list(admin.site._registry):
        try:
            url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        except NoReverseMatch:
            continue
        page = client.get(url)
        if page.status_code != 200:  # not for provincial staff: the export is refused too
            assert client.get(export_url(model)).status_code in (302, 403, 404), model
            continue
        query = _one_filter(page.context["cl"])
        filtered = client.get(url + query)
        assert filtered.status_code == 200, (model, query)
        count = filtered.context["cl"].result_count
        rows = sheet_rows(client.get(export_url(model) + query))
        assert len(rows) - 1 == count, (model, query)
        assert len(rows[0]) >= 1 and all(isinstance(header, str) and header for header in rows[0]), model
        walked.append(model._meta.label)
    assert len(walked) >= 25
    assert {"projects.Record", "projects.DeclaredProject", "review.ReviewQueueItem", "accounts.User"} <= set(walked)


def test_the_export_follows_filters_and_search_with_chinese_headers_and_labels(client, cast, data):
    client.force_login(cast["provincial_staff"])
    rows = sheet_rows(client.get(export_url(DeclaredProject), {"source__exact": DeclaredSource.PERMIT_SYSTEM}))
    assert rows[0][:2] == ("项目编号", "施工许可证编号")
    assert len(rows) == 3 and {row[3] for row in rows[1:]} == {"施工许可管理系统"}  # the choice's label
    searched = sheet_rows(client.get(export_url(DeclaredProject), {"q": "4501031501010002"}))
    assert [row[0] for row in searched[1:]] == ["4501031501010002"]
    records = sheet_rows(client.get(export_url(Record), {"status__exact": RecordStatus.APPROVED}))
    assert len(records) == 2


def test_a_city_reviewer_exports_only_the_city(client, cast, data):
    client.force_login(cast["city_reviewer_x"])  # 南宁市 (4501)
    nanning = sheet_rows(client.get(export_url(DeclaredProject)))
    assert sorted(row[0] for row in nanning[1:]) == [f"450103150101{n:04d}" for n in (1, 2, 3)]
    client.force_login(cast["city_reviewer_y"])  # 桂林市 (4503)
    guilin = sheet_rows(client.get(export_url(DeclaredProject)))
    assert sorted(row[1] for row in guilin[1:]) == ["450305201501010101", "450305201501010102"]
    assert len(sheet_rows(client.get(export_url(Record)))) == 1  # the records are Nanning's: only the header


def test_personal_data_leaves_masked(data):
    """An ID or phone number in an exported column is masked as the pages mask it (accounts.pii), whoever exports."""
    from accounts.pii import mask_id_number, mask_phone
    from config.admin_export import _value
    from projects.models import RecordPerson

    person = RecordPerson.objects.filter(record=data[0]).exclude(id_card="").first()
    person.phone = "13812345678"
    model_admin = admin.site._registry[RecordPerson]
    assert _value("id_card", person, model_admin) == mask_id_number(person.id_card) != person.id_card
    assert _value("phone", person, model_admin) == mask_phone("13812345678") == "138****5678"
    assert _value("name", person, model_admin) == person.name


def test_a_list_too_long_is_refused_with_a_message(client, cast, data, monkeypatch):
    from config import admin_export

    monkeypatch.setattr(admin_export, "MAX_ROWS", 2)
    client.force_login(cast["provincial_staff"])
    response = client.get(export_url(DeclaredProject), follow=True)
    assert response.redirect_chain and response.redirect_chain[-1][0].startswith(
        reverse("admin:projects_declaredproject_changelist")
    )
    assert any("5" in str(message) and "筛选" in str(message) for message in response.context["messages"])


def test_g9_contacts_export_in_the_layout_of_attachment_3(client, cast, data):
    client.force_login(cast["provincial_staff"])
    rows = sheet_rows(client.get(reverse("admin:transfer_attachment3")))
    assert rows[0][0] == "附件3"
    assert rows[1][0] == "业绩录入工作联系人名单"
    assert rows[2] == ("单位名称", "姓名", "科室", "职务", "办公电话", "手机")
    assert rows[3][1:] == ("李明", "勘察设计科", "科长", "0771-2368335", "13812345678")  # published with the notice
    assert len(rows) == 5
    filtered = sheet_rows(client.get(reverse("admin:transfer_attachment3"), {"q": "王芳"}))
    assert [row[1] for row in filtered[3:]] == ["王芳"]
    changelist = client.get(reverse("admin:projects_campaigncontact_changelist"))
    assert reverse("admin:transfer_attachment3") in changelist.content.decode()


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")  # Excel reads UTF-8 with its BOM
    return list(csv.reader(io.StringIO(body[1:])))


def test_j5_spot_check_csv_has_the_national_field_codes_and_the_published_records(client, cast, data, tmp_path):
    client.force_login(cast["provincial_staff"])
    lines = _csv(client.get(reverse("admin:transfer_spot_check")))
    header = lines[0]
    for column in (
        "TBProjectInfo.PrjNum",
        "TBProjectInfo.PrjName",
        "TBProjectInfo.DataLevel",
        "TBTenderInfo.TenderNum",
        "TBBuilderLicenceManage.BuilderLicenceNum",
        "TBProjectFinishManage.PrjFinishNum",
    ):
        assert column in header
    approved = data[0]
    assert len(lines) == 2  # the one published record
    row = dict(zip(header, lines[1], strict=True))
    assert row["TBProjectInfo.PrjNum"] == approved.project.prj_num
    assert row["TBBuilderLicenceManage.BuilderLicenceNum"] == approved.licence.licence_cert_no
    out = tmp_path / "spot.csv"
    call_command("export_spot_check", province="450000", output=str(out))
    assert (
        out.read_text(encoding="utf-8").replace("\r\n", "\n")
        == ("\ufeff" + "\n".join(",".join(line) for line in lines) + "\n")
        or list(csv.reader(io.StringIO(out.read_text(encoding="utf-8")[1:]))) == lines
    )
    call_command("export_spot_check", province="22", output=str(out))  # Jilin has none published
    assert len(list(csv.reader(io.StringIO(out.read_text(encoding="utf-8")[1:])))) == 1


def test_spot_check_is_for_the_provinces_staff(client, cast, data):
    client.force_login(cast["city_reviewer_x"])
    assert client.get(reverse("admin:transfer_spot_check")).status_code == 403
    client.force_login(cast["provincial_staff"])
    page = client.get(reverse("admin:projects_record_changelist")).content.decode()
    assert reverse("admin:transfer_spot_check") in page
    assert "export-xlsx" in page


def test_officials_only(client, cast):
    client.force_login(cast["clerk_a"])
    assert client.get(export_url(DeclaredProject)).status_code in (302, 403)
    assert cast["clerk_a"].role == Role.ENTERPRISE


def test_j3_registry_list_links_the_large_file_import_for_staff_who_may_add(client, cast):
    client.force_login(cast["provincial_staff"])
    start = reverse("admin:transfer_importjob_start", args=["registry"])
    assert start in client.get(reverse("admin:projects_declaredproject_changelist")).content.decode()
    client.force_login(cast["city_reviewer_x"])  # reads the registry, imports nothing
    assert start not in client.get(reverse("admin:projects_declaredproject_changelist")).content.decode()
