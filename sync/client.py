"""HTTP to the national platform: one SaveStData call per table, its `<ServiceResult>` read row by row.

Every way a call can go wrong ends in `CallFailed` (the batch is tried again later): no connection, a timeout, a
connection cut before the reply (the rows may have been stored: sending them again is safe, the platform keys
rows by RowGuid), a 5xx, maintenance (503), refused credentials (401), a reply that is not the XML it should be.
A reply that answers rows answers each one: accepted with its national number, or rejected with reasons.
"""

from __future__ import annotations

import http.client
import time
from dataclasses import dataclass
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

from django.conf import settings

SAVE_PATH = "/services/SaveStData"
QUERY_PATH = "/APi/webApi/dataservice/query/project/"


class CallFailed(Exception):
    def __init__(self, message: str, *, status: int | None = None, response: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.response = response


@dataclass(frozen=True)
class RowAnswer:
    guid: str
    accepted: bool
    national_num: str
    duplicate: bool
    message: str


@dataclass
class CallResult:
    status: int
    response: str
    duration_ms: int
    answers: dict[str, RowAnswer]
    message: str


class NationalClient:
    """A keep-alive connection to the platform (NATIONAL_PLATFORM_URL), reopened whenever it breaks."""

    def __init__(self, url: str | None = None, *, timeout: float | None = None) -> None:
        parts = urlsplit(url or settings.NATIONAL_PLATFORM_URL)
        self.scheme, self.host, self.port = parts.scheme, parts.hostname or "127.0.0.1", parts.port
        self.base = parts.path.rstrip("/")
        self.timeout = timeout if timeout is not None else settings.NATIONAL_PLATFORM_TIMEOUT
        self._conn: http.client.HTTPConnection | None = None

    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is None:
            cls = http.client.HTTPSConnection if self.scheme == "https" else http.client.HTTPConnection
            self._conn = cls(self.host, self.port, timeout=self.timeout)
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _request(self, method: str, path: str, body: bytes | None = None, headers=None) -> tuple[int, bytes, int]:
        started = time.monotonic()
        try:
            conn = self._connection()
            conn.request(method, self.base + path, body=body, headers=headers or {})
            response = conn.getresponse()
            data = response.read()
            if response.getheader("Connection", "").lower() == "close":
                self.close()
        except (OSError, http.client.HTTPException) as exc:
            self.close()
            kind = "timeout" if isinstance(exc, TimeoutError) else type(exc).__name__
            raise CallFailed(f"{kind}: {exc}".strip(": ")) from exc
        return response.status, data, int((time.monotonic() - started) * 1000)

    def save(self, body: bytes) -> CallResult:
        status, data, ms = self._request(
            "POST", SAVE_PATH, body, {"Content-Type": "text/xml; charset=GBK", "Content-Length": str(len(body))}
        )
        text = data.decode("gbk", errors="replace")
        try:
            root = ET.fromstring(text[text.find("?>") + 2 :] if text.startswith("<?xml") else text)
        except ET.ParseError as exc:
            raise CallFailed(f"HTTP {status}: the reply is not XML ({exc})", status=status, response=text) from exc
        message = (root.findtext("message") or "").strip()
        if status != 200 or root.tag != "ServiceResult" or (root.findtext("success") or "").strip() != "1":
            raise CallFailed(f"HTTP {status}: {message or root.tag}", status=status, response=text)
        answers: dict[str, RowAnswer] = {}
        for row in root.iter("row"):
            guid = (row.findtext("rowGuid") or "").strip()
            if guid in answers:  # a duplicate acknowledgement says nothing new
                continue
            answers[guid] = RowAnswer(
                guid=guid,
                accepted=(row.findtext("success") or "").strip() == "1",
                national_num=(row.findtext("nationalNum") or "").strip(),
                duplicate=(row.findtext("duplicate") or "").strip() == "1",
                message=(row.findtext("message") or "").strip(),
            )
        return CallResult(status, text, ms, answers, message)

    def healthy(self) -> tuple[bool, str]:
        try:
            status, _data, ms = self._request("GET", "/healthz")
        except CallFailed as exc:
            return False, str(exc)
        finally:
            self.close()
        return status == 200, f"HTTP {status}, {ms} ms"
