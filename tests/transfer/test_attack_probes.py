"""An attacker's probes of issue 13's new surfaces (the admin's 导出 Excel of every list, the import jobs' admin pages,
the file reader, the records and registry importers, legacy's import): each probe is one test, run as each role of
the cast, and pins what must hold — the export asks the list's own permission and scope and never carries a secret
or unmasked personal data; another user's job is a 404; bad files are Chinese refusals, never a 500."""

from __future__ import annotations

import datetime as dt
from io import BytesIO

import pytest
from django.contrib import admin
from django.contrib.sessions.backends.db import SessionStore
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import Role
from tests.factories import official
from tests.review.builders import valid_record

pytestmark = pytest.mark.django_db


def export_url(app_label: str, model_name: str) -> str:
    return reverse("admin:changelist_export", args=[app_label, model_name])


def content_of(response) -> bytes:
    return response.content if hasattr(response, "content") else b"".join(response.streaming_content)


def sheet_text(response) -> str:
    rows = load_workbook(BytesIO(content_of(response)), read_only=True).active.iter_rows(values_only=True)
    return "\n".join("\t".join("" if v is None else str(v) for v in row) for row in rows)


@pytest.fixture
def jilin_official(db):
    return official("jl_staff", Role.PROVINCIAL, "220000")


@pytest.fixture
def everyone(cast, jilin_official):
    return {**cast, "jilin_official": jilin_official}


@pytest.fixture
def secrets(everyone, firm_a):
    """Rows whose secrets must never leave in a file: passwords, API tokens, system key hashes, session data."""
    from rest_framework.authtoken.models import Token

    from portal.models import SystemToken, hash_key, new_key

    record = valid_record(firm_a)
    token = Token.objects.create(user=everyone["clerk_a"])
    key = new_key()
    SystemToken.objects.create(
        system=everyone["review_system"],
        name="资质审批系统",
        key_prefix=key[:10],
        key_hash=hash_key(key),
        expires_at=timezone.now() + dt.timedelta(days=30),
    )
    session = SessionStore()
    session["secret_marker"] = "SESSION-SECRET-MARKER"
    session.create()
    return {
        "record": record,
        "token": token.key,
        "key": key,
        "key_hash": hash_key(key),
        "session": session.session_key,
        "password": everyone["clerk_a"].password,
    }


def _lists():
    for model in admin.site._registry:
        try:
            url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        except NoReverseMatch:
            continue
        yield model, url


@pytest.mark.slow
def test_every_list_exports_only_for_who_may_see_the_list_and_never_a_secret(client, everyone, secrets):
    """For every registered model and every role: the export answers as the list does (refused when the list is),
    holds the rows the list counts for that user, and no file holds a password hash, an API token, a system key or
    its hash, or a session's data."""
    needles = [secrets["token"], secrets["key"], secrets["key_hash"], secrets["password"], "SESSION-SECRET-MARKER"]
    needles += [secrets["password"].split("$")[-1], secrets["session"]]
    walked = set()
    for who, user in everyone.items():
        client.force_login(user)
        for model, url in _lists():
            label = model._meta.label
            page = client.get(url)
            exported = client.get(export_url(model._meta.app_label, model._meta.model_name))
            if page.status_code != 200:
                assert exported.status_code in (302, 403), (who, label, exported.status_code)
                continue
            assert exported.status_code == 200, (who, label, exported.status_code)
            text = sheet_text(exported)
            assert len(text.split("\n")) - 1 == page.context["cl"].result_count, (who, label)
            for needle in needles:
                assert needle not in text, (who, label, needle)
            walked.add((who, label))
    assert ("superuser", "authtoken.TokenProxy") in walked
    assert ("superuser", "portal.SystemToken") in walked
    assert ("superuser", "accounts.User") in walked
    assert not any(who in ("clerk_a", "clerk_b", "review_system") for who, _label in walked)


@pytest.mark.parametrize(
    "app_label, model_name",
    [
        ("nope", "nothing"),
        ("sessions", "session"),
        ("auth", "permission"),
        ("admin", "logentry"),
        ("contenttypes", "contenttype"),
        ("accounts", "nothing"),
        ("transfer", "importjob-x"),
        ("pghistory", "context"),
    ],
)
def test_an_unknown_or_unregistered_list_is_a_404(client, superuser, app_label, model_name):
    client.force_login(superuser)
    response = client.get(export_url(app_label, model_name))
    assert response.status_code == 404


def test_an_export_url_with_path_characters_does_not_resolve(client, superuser):
    client.force_login(superuser)
    assert client.get("/admin/export/../accounts/user/").status_code == 404
    assert client.get("/admin/export/accounts%2Fuser/x/").status_code == 404


def test_the_public_and_a_clerk_get_no_export(client, clerk_a, secrets):
    assert client.get(export_url("accounts", "user")).status_code == 302  # to the admin's login
    client.force_login(clerk_a)
    for label in ("accounts/user", "authtoken/tokenproxy", "projects/record", "transfer/importjob"):
        response = client.get(export_url(*label.split("/")))
        assert response.status_code in (302, 403), label


def test_history_events_leave_with_personal_data_masked(client, superuser, firm_a):
    """pghistory's 事件 list shows each change's diff; its export masks the ID and phone numbers in it as every
    other export does (accounts.pii), for the superuser too."""
    from projects.models import RecordPerson

    record = valid_record(firm_a)
    person = RecordPerson.objects.filter(record=record).exclude(id_card="").first()
    old_id = person.id_card
    person.phone = "13812345678"
    person.id_card = "11010519491231002X"
    person.save()
    client.force_login(superuser)
    text = sheet_text(client.get(export_url("pghistory", "events")))
    assert "13812345678" not in text and "138****5678" in text
    assert "11010519491231002X" not in text and old_id not in text and "1101**********002X" in text
