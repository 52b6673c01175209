"""Sign-ins end (issue 9): a logout or a password change ends every session and revokes the API token of the
account; a token expires API_TOKEN_TTL_HOURS after it was issued."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client

from tests.factories import PASSWORD

from .test_api_support import CHINESE, SUBMIT_DAY, client_for, isolate

pytestmark = pytest.mark.django_db

RECORDS = "/api/v1/records/"


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path):
    isolate(settings, tmp_path)
    settings.API_TOKEN_TTL_HOURS = 12


def _token_client(username: str):
    api = client_for()
    response = api.post("/api/v1/auth/token/", {"username": username, "password": PASSWORD}, format="json")
    assert response.status_code == 200, response.content
    api.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    return api


def _browser(user) -> Client:
    browser = Client()
    browser.force_login(user)
    assert browser.get("/portal/").status_code == 200
    return browser


def test_logout_revokes_the_token_and_ends_the_sessions_of_every_browser(clerk_a):
    with time_machine.travel(SUBMIT_DAY, tick=False):
        api = _token_client("clerk_a")
        assert api.get(RECORDS).status_code == 200
        office, home = _browser(clerk_a), _browser(clerk_a)
        assert office.post("/portal/logout/").status_code == 302
        refused = api.get(RECORDS)
        assert refused.status_code == 401
        assert CHINESE.search(refused.json()["detail"])
        assert home.get("/portal/").status_code == 302  # sent to the login page


def test_a_password_change_revokes_the_token_and_ends_other_sessions(clerk_a):
    with time_machine.travel(SUBMIT_DAY, tick=False):
        api = _token_client("clerk_a")
        other = _browser(clerk_a)
        clerk_a.set_password("Another-Pass-2017")
        clerk_a.save()
        assert api.get(RECORDS).status_code == 401
        assert other.get("/portal/").status_code == 302


def test_a_token_expires_and_a_new_one_is_issued(clerk_a):
    with time_machine.travel(SUBMIT_DAY, tick=False) as traveller:
        api = _token_client("clerk_a")
        traveller.shift(dt.timedelta(hours=11, minutes=59))
        assert api.get(RECORDS).status_code == 200
        traveller.shift(dt.timedelta(minutes=2))
        expired = api.get(RECORDS)
        assert expired.status_code == 401
        assert "过期" in expired.json()["detail"]
        fresh = _token_client("clerk_a")
        assert fresh.get(RECORDS).status_code == 200


def test_an_expired_token_is_replaced_when_a_token_is_asked_for_again(clerk_a):
    with time_machine.travel(SUBMIT_DAY, tick=False) as traveller:
        first = _token_client("clerk_a")
        traveller.shift(dt.timedelta(hours=13))
        second = _token_client("clerk_a")
        assert first._credentials != second._credentials
        assert second.get(RECORDS).status_code == 200
