"""Helpers shared by the API tests (tests/portal/test_api.py, test_api_permissions.py); no test lives here."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
#: A day a grade-A design firm may submit in Guangxi (桂建设〔2017〕29号, track N open until 2017-12-25).
SUBMIT_DAY = dt.datetime(2017, 12, 1, 10, 0, tzinfo=SHANGHAI)

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
JPG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def isolate(settings, tmp_path) -> None:
    """Files under tmp_path; a cache of the test's own (throttles and login-failure counters start at zero)."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": uuid.uuid4().hex}
    }


def client_for(user=None, *, token: bool = False) -> APIClient:
    """An API client: anonymous, logged in by session, or carrying the user's token."""
    client = APIClient()
    if user is not None and token:
        key = Token.objects.get_or_create(user=user)[0].key
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    elif user is not None:
        client.force_login(user)
    return client


def upload(content: bytes, name: str = "scan.pdf", content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def valid_record(enterprise, **kwargs):
    """The backend's fully valid record (tests/review/builders.py), skipped until it lands."""
    builders = pytest.importorskip("tests.review.builders")
    return builders.valid_record(enterprise, **kwargs)


#: Keys of a record's JSON that describe it rather than carry what the clerk typed.
_SECTIONS = ("project", "tender", "contract", "censor", "licence", "finish_check", "finish_record")
_ROWS = ("units", "corps", "persons", "censor_staff")


def sections_to_copy(detail: dict, *, prj_num: str) -> dict:
    """The sections of a record's GET answer, made into the body that fills another record of the same enterprise
    with the same values: rows without their ids (they are added), units numbered after `prj_num`, the new
    project's name kept."""
    body = {key: dict(detail[key]) for key in _SECTIONS if detail[key] is not None}
    body["project"].pop("prj_name")
    source_prj_num = detail["prj_num"]
    for key in _ROWS:
        rows = []
        for row in detail[key]:
            row = {name: value for name, value in row.items() if name != "id"}
            if key == "units" and row.get("unit_code"):
                row["unit_code"] = row["unit_code"].replace(source_prj_num, prj_num)
            if key == "corps":
                row["unit"] = None
            rows.append(row)
        body[key] = rows
    return body
