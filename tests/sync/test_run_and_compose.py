"""`make run` starts the mock national platform on 8001 and docker compose runs it as its own service, reached by
NATIONAL_PLATFORM_URL; the mock's process serves /healthz."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_the_procfile_starts_the_mock_on_8001():
    entries = dict(line.split(":", 1) for line in (ROOT / "Procfile").read_text().splitlines() if ":" in line)
    assert re.search(r"python -m national_mock --port \$\{NATIONAL_MOCK_PORT:-8001\}", entries["national"])


def test_docker_compose_runs_the_mock_as_its_own_service():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    mock = compose["services"]["national_mock"]
    assert mock["command"][:3] == ["python", "-m", "national_mock"] and "8001" in mock["command"]
    assert mock["environment"]["NATIONAL_MOCK_DB"].startswith("/data/national/")
    assert "national" in compose["volumes"]
    env = (ROOT / ".env.example").read_text()
    assert "NATIONAL_PLATFORM_URL=http://national_mock:8001" in env


def test_the_mock_answers_its_health_check(mock_server):
    import json
    import urllib.request

    with urllib.request.urlopen(mock_server.url + "/healthz", timeout=10) as response:
        assert json.loads(response.read()) == {"status": "ok", "service": "national_mock"}
