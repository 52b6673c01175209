"""The mock national platform on a real port (its own process and SQLite file), reset before each test."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "tests-control-token"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mock:
    def __init__(self, url: str) -> None:
        self.url = url

    def _call(self, method: str, path: str, body=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            self.url + path,
            data=data,
            method=method,
            headers={"X-Control-Token": TOKEN, "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    def reset(self) -> None:
        self._call("POST", "/_control/reset")

    def faults(self, **faults) -> dict:
        return self._call("POST", "/_control/faults", faults)

    def rows(self, table: str | None = None) -> list[dict]:
        return self._call("GET", "/_control/rows" + (f"?table={table}" if table else ""))["rows"]

    def false_marks(self) -> list[dict]:
        return self._call("GET", "/_control/rows")["false_marks"]

    def calls(self) -> list[dict]:
        return self._call("GET", "/_control/calls")["calls"]

    def detail(self, prj_num: str) -> dict:
        with urllib.request.urlopen(
            f"{self.url}/APi/webApi/dataservice/query/project/projectDetail?prjnum={prj_num}", timeout=30
        ) as response:
            return json.loads(response.read())


def start_mock(tmp: Path, *, workers: int = 2, env_faults: dict | None = None) -> tuple[subprocess.Popen, Mock]:
    port = free_port()
    env = {
        **os.environ,
        "NATIONAL_MOCK_DB": str(tmp / "national.sqlite3"),
        "NATIONAL_MOCK_CONTROL_TOKEN": TOKEN,
        "NATIONAL_MOCK_FAULTS": json.dumps(env_faults or {}),
        # our account, and another province's (a project another province already registered is a conflict)
        "NATIONAL_MOCK_ACCOUNTS": "yeji:yeji-national-demo,other-province:other-secret",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "national_mock", "--port", str(port), "--workers", str(workers)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(tmp / "mock.log", "wb"),
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return process, Mock(url)
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"the mock did not start: {(tmp / 'mock.log').read_text()[-2000:]}")


@pytest.fixture(scope="session")
def mock_server(tmp_path_factory):
    process, mock = start_mock(tmp_path_factory.mktemp("national"))
    yield mock
    process.terminate()
    process.wait(10)


@pytest.fixture
def national(mock_server, settings):
    """The mock, emptied and without faults, as this test's national platform (short timeouts, no backoff)."""
    mock_server.reset()
    settings.NATIONAL_PLATFORM_URL = mock_server.url
    settings.NATIONAL_PLATFORM_TIMEOUT = 3.0
    settings.NATIONAL_PUSH_RETRY_BASE_SECONDS = 0.0
    settings.NATIONAL_PUSH_RETRY_MAX_SECONDS = 0.0
    settings.NATIONAL_PUSH_CALL_RETRY_SECONDS = 0.0
    return mock_server
