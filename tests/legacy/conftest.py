"""The old system's files the migration tests import (bench/legacy_file.py), and the mock national platform."""

from __future__ import annotations

import pytest

from tests.sync.conftest import national  # noqa: F401  (the mock on a real port, emptied for the test)


@pytest.fixture
def legacy_file(db, tmp_path):
    """write(n, **options) -> LegacyFile: an old system's export of `n` Jilin records with its reviewers."""
    from bench.legacy_file import write_legacy_file

    def write(n: int, name: str = "old.xlsx", **options):
        return write_legacy_file(tmp_path / name, n, **options)

    return write
