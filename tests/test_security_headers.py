"""Headers and small hardening of issue 9: CSP everywhere, HSTS and Secure cookies under SECURE_COOKIES, a login
that lands on a real page, Swagger UI from our own origin, one file per upload with the name of its type."""

from __future__ import annotations

import importlib

import pytest

pytestmark = pytest.mark.django_db


def test_every_page_carries_a_content_security_policy_without_inline_script(client):
    for url in ("/portal/login/", "/admin/login/", "/healthz", "/no-such-page/"):
        policy = client.get(url).headers.get("Content-Security-Policy", "")
        assert "default-src 'self'" in policy, url
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]


def test_secure_cookies_switch_turns_on_hsts_and_secure_cookies(monkeypatch):
    import config.settings as module

    monkeypatch.setenv("SECURE_COOKIES", "1")
    try:
        reloaded = importlib.reload(module)
        assert reloaded.SESSION_COOKIE_SECURE and reloaded.CSRF_COOKIE_SECURE and reloaded.LANGUAGE_COOKIE_SECURE
        assert reloaded.SECURE_HSTS_SECONDS >= 31536000
    finally:
        monkeypatch.delenv("SECURE_COOKIES")
        importlib.reload(module)


def test_hsts_is_sent_on_https_when_on(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    response = client.get("/portal/login/", secure=True)
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_admin_login_with_a_refused_next_lands_on_a_real_page(client, superuser, settings):
    from tests.factories import PASSWORD

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    superuser.set_password(PASSWORD)
    superuser.save()
    url = "/admin/login/?next=https://evil.example/"
    response = client.post(url, {"username": superuser.username, "password": PASSWORD, "next": "https://evil.example/"})
    assert response.status_code == 302
    assert "evil" not in response.url and "/accounts/profile/" not in response.url
    landing = client.get(response.url, follow=True)
    assert landing.status_code == 200
    assert landing.redirect_chain[-1][0] == "/admin/"


def test_an_upload_with_two_file_parts_is_refused_and_a_pdf_named_exe_is_kept_as_pdf(
    clerk_a, firm_a, guangxi, tmp_path, settings
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from projects.services import record_start
    from tests.factories import region
    from tests.portal.test_api_support import PDF, client_for

    settings.MEDIA_ROOT = str(tmp_path)
    record = record_start(
        historical=True, enterprise=firm_a, campaign=guangxi, user=clerk_a, prj_name="甲", county=region("450103")
    )
    api = client_for(clerk_a, token=True)
    url = f"/api/v1/records/{record.pk}/attachments/"
    two = api.post(
        url,
        {"kind": "bid_notice", "file": [SimpleUploadedFile("a.pdf", PDF), SimpleUploadedFile("b.pdf", PDF)]},
        format="multipart",
    )
    assert two.status_code == 400 and two.json()["field"] == "file"
    assert "一个文件" in two.json()["detail"]
    assert record.attachments.count() == 0
    exe = api.post(url, {"kind": "bid_notice", "file": SimpleUploadedFile("a.exe", PDF)}, format="multipart")
    assert exe.status_code == 201, exe.content
    assert exe.json()["original_name"] == "a.pdf"
    download = api.get(exe.json()["url"])
    assert "a.pdf" in download.headers["Content-Disposition"]


def test_home_sends_each_role_to_its_start_page(client, clerk_a):
    assert client.get("/").url == "/portal/login/"
    client.force_login(clerk_a)
    assert client.get("/").url == "/portal/"


def test_swagger_ui_is_served_from_our_own_origin(client, clerk_a):
    client.force_login(clerk_a)
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "cdn.jsdelivr.net" not in html and "unpkg.com" not in html
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "<script>" not in html.replace(" ", "")  # the split view: its script is a file of ours (CSP)
