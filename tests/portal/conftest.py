"""Fixtures of the enterprise portal's tests."""

from __future__ import annotations

import uuid

import pytest

PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
# a 1×1 PNG and a tiny JPEG header: only their first bytes matter to the content check
PNG_BYTES = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002"
    "00015de2c2fd0000000049454e44ae426082"
)
JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"


@pytest.fixture(autouse=True)
def _portal_settings(settings, tmp_path):
    """Uploads go to a temporary MEDIA_ROOT; passwords hash fast; anonymous visitors are sent to the portal's login;
    the login throttle counts in Redis under a prefix of its own for each test."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast logins in tests
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "KEY_PREFIX": f"yeji-test-{uuid.uuid4().hex[:8]}"},
    }


@pytest.fixture
def record_a(firm_a, guangxi, clerk_a):
    """A fresh draft of firm A (新增报建 in 青秀区)."""
    from projects.services import record_start
    from tests.factories import region

    return record_start(
        historical=True,
        enterprise=firm_a,
        campaign=guangxi,
        user=clerk_a,
        prj_name="青秀区草稿项目",
        county=region("450103"),
    )


@pytest.fixture
def valid_a(firm_a):
    """A record of firm A that passes every check (tests/review/builders.py)."""
    from tests.review.builders import valid_record

    return valid_record(firm_a)


@pytest.fixture
def client_a(client, clerk_a):
    client.force_login(clerk_a)
    return client
