"""Login, throttle, the identity-lock hook and logout (issue 4 item 1; G8)."""

from __future__ import annotations

import pytest

from portal import auth
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def login(client, username, password=PASSWORD, next_url=""):
    return client.post("/portal/login/", {"username": username, "password": password, "next": next_url})


def test_login_page_renders_in_chinese(client):
    response = client.get("/portal/login/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "业绩补录平台" in body
    assert "企业登录" in body


def test_an_enterprise_clerk_logs_in_and_lands_on_my_records(client, clerk_a):
    response = login(client, "clerk_a")
    assert response.status_code == 302
    assert response["Location"] == "/portal/"
    assert client.get("/portal/").status_code == 200


def test_login_follows_a_safe_next_and_ignores_another_host(client, clerk_a):
    assert login(client, "clerk_a", next_url="/portal/records/new/")["Location"] == "/portal/records/new/"
    client.logout()
    assert login(client, "clerk_a", next_url="https://evil.example/")["Location"] == "/portal/"


def test_anonymous_visitors_are_sent_to_the_portal_login(client):
    response = client.get("/portal/")
    assert response.status_code == 302
    assert response["Location"].startswith("/portal/login/?next=/portal/")


def test_a_wrong_password_is_told_plainly(client, clerk_a):
    response = login(client, "clerk_a", "wrong-password")
    assert response.status_code == 200
    assert "账号或密码不正确" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_officials_are_sent_to_the_admin(client, county_reviewer, provincial_staff):
    for user in ("county_qingxiu", "gx_staff"):
        response = login(client, user)
        assert response.status_code == 200
        assert "/admin/" in response.content.decode()
        assert "_auth_user_id" not in client.session


def test_five_failures_lock_the_account_from_this_address_for_fifteen_minutes(client, clerk_a):
    for _attempt in range(auth.LOGIN_MAX_FAILURES - 1):
        assert login(client, "clerk_a", "wrong").status_code == 200
    locked = login(client, "clerk_a", "wrong")
    assert locked.status_code == 429
    assert "15 分钟后再试" in locked.content.decode()
    # even the right password waits now
    again = login(client, "clerk_a")
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session
    # another address is not locked
    other = client.post("/portal/login/", {"username": "clerk_a", "password": PASSWORD}, REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 302


def test_the_throttle_counts_per_username(client, clerk_a, clerk_b):
    for _attempt in range(auth.LOGIN_MAX_FAILURES):
        login(client, "clerk_a", "wrong")
    assert login(client, "clerk_b").status_code == 302


def test_the_wait_runs_out(client, clerk_a, monkeypatch):
    for _attempt in range(auth.LOGIN_MAX_FAILURES):
        login(client, "clerk_a", "wrong")
    assert auth.throttle_wait("clerk_a", "127.0.0.1") > 14 * 60
    real_time = auth.time.time
    monkeypatch.setattr(auth.time, "time", lambda: real_time() + auth.LOGIN_FAILURE_WINDOW + 1)
    assert auth.throttle_wait("clerk_a", "127.0.0.1") == 0


def test_a_successful_login_clears_the_failures(client, clerk_a):
    for _attempt in range(auth.LOGIN_MAX_FAILURES - 1):
        login(client, "clerk_a", "wrong")
    assert login(client, "clerk_a").status_code == 302
    client.logout()
    assert login(client, "clerk_a", "wrong").status_code == 200  # counting starts again from zero


def test_g8_the_identity_lock_step_runs_after_the_password(client, clerk_a, monkeypatch):
    calls = []

    def challenge(request, user):
        calls.append(user.username)
        return auth.SecondFactor.required("/portal/login/?lock=1")

    monkeypatch.setattr(auth, "second_factor", challenge)
    response = login(client, "clerk_a")
    assert calls == ["clerk_a"]
    assert response["Location"] == "/portal/login/?lock=1"
    assert "_auth_user_id" not in client.session  # not logged in until the lock is checked
    assert client.session[auth.PENDING_USER_KEY] == clerk_a.pk


def test_g8_a_refused_identity_lock_shows_its_message(client, clerk_a, monkeypatch):
    monkeypatch.setattr(auth, "second_factor", lambda request, user: auth.SecondFactor.refused("身份锁无效"))
    response = login(client, "clerk_a")
    assert "身份锁无效" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_identity_lock_hook_passes_everyone_today(rf, clerk_a):
    assert auth.second_factor(rf.get("/"), clerk_a).passed


def test_logout_is_a_post(client_a):
    assert client_a.get("/portal/logout/").status_code == 405
    response = client_a.post("/portal/logout/")
    assert response["Location"] == "/portal/login/"
    assert client_a.get("/portal/").status_code == 302


def test_a_logged_in_clerk_opening_the_login_page_goes_to_the_list(client_a):
    response = client_a.get("/portal/login/")
    assert response.status_code == 302
    assert response["Location"] == "/portal/"
