"""The UI speaks Simplified Chinese first, whatever the browser asks for; English only when chosen."""

from __future__ import annotations

import pytest
from django.conf import settings


@pytest.mark.django_db
def test_chinese_even_for_an_english_browser(client):
    response = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "zh-hans"
    assert "用户名" in response.content.decode()


@pytest.mark.django_db
def test_english_when_chosen(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/admin/login/")
    assert response["Content-Language"] == "en"
    assert "Username" in response.content.decode()


@pytest.mark.django_db
def test_switching_language_through_set_language(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/admin/login/"})
    assert response.status_code == 302
    assert client.get("/admin/login/")["Content-Language"] == "en"
