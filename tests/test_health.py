"""GET /healthz answers 200 with the state of the database and Redis, 503 when either is down."""

from __future__ import annotations

import socket

import pytest
from django.db import connections

import config.health


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.django_db
def test_healthy(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] and body["redis"]["ok"]


@pytest.mark.django_db
def test_redis_down_is_503(client, settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{_closed_port()}/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["redis"] == {"ok": False, "error": "ConnectionError"}
    assert response.json()["database"]["ok"]


@pytest.mark.django_db
def test_database_down_is_503(client, monkeypatch):
    # A real connection to a port where no PostgreSQL listens (not a mock of the database).
    dead = dict(connections.databases["default"], PORT=str(_closed_port()), HOST="127.0.0.1", NAME="yeji")
    connections.databases["dead"] = dead
    try:
        monkeypatch.setattr(config.health, "connection", connections["dead"])
        response = client.get("/healthz")
    finally:
        connections["dead"].close()
        del connections.databases["dead"]
    assert response.status_code == 503
    assert response.json()["database"]["ok"] is False


@pytest.mark.django_db
def test_the_national_endpoint_is_reported_without_turning_503(client, settings):
    settings.NATIONAL_PLATFORM_URL = f"http://127.0.0.1:{_closed_port()}"
    config.health._national_cache.clear()
    response = client.get("/healthz")
    assert response.status_code == 200  # the national platform is someone else's: reported, not a failure of ours
    national = response.json()["national_platform"]
    assert national["ok"] is False and national["url"] == settings.NATIONAL_PLATFORM_URL
    assert "ConnectionRefusedError" in national["detail"]


@pytest.mark.django_db
def test_the_national_endpoint_answering(client, settings, mock_server):
    settings.NATIONAL_PLATFORM_URL = mock_server.url
    config.health._national_cache.clear()
    national = client.get("/healthz").json()["national_platform"]
    assert national["ok"] is True and national["detail"].startswith("HTTP 200")
