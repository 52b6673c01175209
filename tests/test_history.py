"""Every change to a record, by any path, leaves a history row with who, when, before and after (pghistory)."""

from __future__ import annotations

import pghistory
import pytest
from pghistory.models import Events

from projects.models import Record
from tests.factories import RecordFactory

pytestmark = pytest.mark.django_db


def test_a_set_based_update_is_recorded_with_its_actor():
    record = RecordFactory()
    with pghistory.context(actor="nightly auto-approval"):
        Record.objects.filter(pk=record.pk).update(status="approved")
    events = list(Events.objects.tracks(record).order_by("pgh_created_at"))
    assert [e.pgh_label for e in events] == ["insert", "update"]
    update = events[-1]
    assert update.pgh_diff["status"] == ["draft", "approved"]
    assert update.pgh_context["actor"] == "nightly auto-approval"


def test_raw_sql_is_recorded_too():
    from django.db import connection

    record = RecordFactory()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE projects_record SET version = version + 1 WHERE id = %s", [record.pk])
    assert record.events.count() == 2


def test_a_save_in_a_request_context_records_the_user(superuser):
    record = RecordFactory()
    project = record.project
    # pghistory.middleware.HistoryMiddleware opens this context for every request with the logged-in user.
    with pghistory.context(user=superuser.pk, url="/admin/projects/project/1/change/"):
        project.prj_name = "改过的名字"
        project.save()
    update = Events.objects.tracks(project).filter(pgh_model="projects.ProjectEvent", pgh_label="update").get()
    assert update.pgh_diff["prj_name"][1] == "改过的名字"
    assert update.pgh_context["user"] == superuser.pk


def test_history_rows_cannot_be_rewritten():
    from django.db import InternalError, ProgrammingError, transaction

    record = RecordFactory()
    event = record.events.first()
    with pytest.raises((InternalError, ProgrammingError)), transaction.atomic():
        type(event).objects.filter(pk=event.pk).update(pgh_label="forged")


def test_the_session_default_still_lets_pgtrigger_ignore_a_trigger():
    import pgtrigger

    record = RecordFactory()
    with pgtrigger.ignore("projects.Record:update_update"):
        Record.objects.filter(pk=record.pk).update(version=5)
    assert record.events.count() == 1  # the insert only
    Record.objects.filter(pk=record.pk).update(version=6)
    assert record.events.count() == 2
