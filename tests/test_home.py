"""Issue 11 item 8: `/` sends each role to its home in Chinese; an address that does not exist is a Chinese page;
the admin's hidden table headers are read out in Chinese."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("who", "home"),
    [
        (None, "/portal/login/"),
        ("clerk_a", "/portal/"),
        ("county_reviewer", "/admin/"),
        ("provincial_staff", "/admin/"),
        ("superuser", "/admin/"),
    ],
)
def test_the_root_sends_each_role_home(client, cast, who, home):
    if who:
        client.force_login(cast[who])
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(home), response["Location"]


def test_an_unknown_address_is_a_chinese_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Not Found" not in body and "页面" in body


def test_the_admin_hidden_headers_speak_chinese(client, provincial_staff):
    client.force_login(provincial_staff)
    body = client.get("/admin/").content.decode()
    assert "Model name" not in body and "Add link" not in body
