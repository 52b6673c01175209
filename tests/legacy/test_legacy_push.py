"""J2 end to end with the national platform: a migrated approval is in the outbox at once and the next
`push_to_national` sends it, with the old reviewer and department (J9) and the department's grade, to the mock on a
real port."""

from __future__ import annotations

import json
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from legacy.models import LegacyRecord
from sync.models import PushItem, PushState
from tests.legacy.test_import_legacy import IMPORT_AT

pytestmark = pytest.mark.django_db


def test_j2_migrated_approvals_are_pushed_by_the_next_push_to_national(legacy_file, national):
    info = legacy_file(30)
    with time_machine.travel(IMPORT_AT, tick=False):
        call_command("import_legacy", str(info.path), stdout=StringIO())
    approved = LegacyRecord.objects.filter(old_status="approved")
    assert approved.count() == info.by_status["approved"] == 21
    # in the outbox at once, like any approval; pending and rejected ones are not
    assert set(PushItem.objects.values_list("record_id", flat=True)) == set(
        approved.values_list("record_id", flat=True)
    )

    out = StringIO()
    with time_machine.travel(IMPORT_AT, tick=True):
        call_command("push_to_national", stdout=out)
    assert "已推送21条" in out.getvalue(), out.getvalue()
    assert set(PushItem.objects.values_list("state", flat=True)) == {PushState.PUSHED}

    legacy = approved.select_related("record__project").first()
    detail = national.detail(legacy.record.project.prj_num)["data"]
    finish = legacy.record.finish_check
    assert (
        detail["DATALEVEL"]
        == finish.data_level
        == {"province": "A", "city": "B", "county": "C"}[info.level_of[legacy.old_id]]
    )
    read_back = json.dumps(detail, ensure_ascii=False)  # every stage as the platform stores it
    assert finish.check_person_name and f'"{finish.check_person_name}"' in read_back  # J9: reviewer and department
    assert f'"{finish.check_depart_name}"' in read_back
