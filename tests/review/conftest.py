"""Fixtures of the review tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def seeded(transactional_db):
    """The data the migrations seed (regions, qualifications, the two campaigns), for transactional tests: a
    transactional test that ran before may have flushed it."""
    from tests.conftest import reseed_migration_data

    reseed_migration_data()
