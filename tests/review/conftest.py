"""Fixtures of the review tests."""

from __future__ import annotations

import importlib

import pytest


@pytest.fixture
def seeded(transactional_db):
    """The data the migrations seed (regions, qualifications, the two campaigns), for transactional tests: a
    transactional test that ran before may have flushed it."""
    from django.apps import apps

    from accounts.models import Qualification, Region
    from accounts.qualifications import load_catalogue, load_rules
    from accounts.regions import load_regions
    from projects.models import Campaign

    if not Region.objects.exists():
        load_regions(Region)
    if not Qualification.objects.exists():
        load_catalogue(Qualification)
        load_rules(Qualification)
    if not Campaign.objects.exists():
        importlib.import_module("projects.migrations.0002_seed_campaigns").forwards(apps, None)
