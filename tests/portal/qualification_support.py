"""Helpers of the 资质申报业绩 and qualification API tests (no test lives here)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Qualification
from projects.models import (
    BuilderLicence,
    Censor,
    Contract,
    FinishCheck,
    FinishRecord,
    Project,
    Record,
    RecordStatus,
    Tender,
)
from tests.review.builders import valid_record

STAGE_MODELS = {
    "censor": Censor,
    "tender": Tender,
    "contract": Contract,
    "licence": BuilderLicence,
    "finish_check": FinishCheck,
    "finish_record": FinishRecord,
}


def grade(record: Record, default: str, **per_stage: str) -> Record:
    """Give every stage of `record` (and its project) the grade `default`, some stages another one."""
    Project.objects.filter(pk=record.project_id).update(data_level=per_stage.get("project", default))
    for key, model in STAGE_MODELS.items():
        model.objects.filter(record=record).update(
            data_level=per_stage.get(key, default), check_depart_name="广西壮族自治区住房和城乡建设厅建筑市场监管处"
        )
    return Record.objects.get(pk=record.pk)


def published(firm, level: str = "A", *, jilin: bool = False, completed: dt.date | None = None, **per_stage) -> Record:
    """A record of `firm` that is approved (published), every stage graded `level` unless named otherwise."""
    record = valid_record(firm, jilin=jilin, completed=completed)
    Record.objects.filter(pk=record.pk).update(status=RecordStatus.APPROVED, decided_at=timezone.now())
    return grade(record, level, **per_stage)


def drop_stage(record: Record, stage: str) -> Record:
    STAGE_MODELS[stage].objects.filter(record=record).delete()
    return Record.objects.get(pk=record.pk)


def qualification(code: str) -> Qualification:
    return Qualification.objects.get(code=code)


def issue_key(system, *, days: int = 30, name: str = "资质审批系统服务器") -> tuple[str, object]:
    """A key of `system`, as the admin issues it: (the key, its SystemToken)."""
    from portal.models import SystemToken, hash_key, new_key

    key = new_key()
    token = SystemToken.objects.create(
        system=system,
        name=name,
        key_prefix=key[:10],
        key_hash=hash_key(key),
        expires_at=timezone.now() + dt.timedelta(days=days),
    )
    return key, token


def system_client(key: str | None = None) -> APIClient:
    client = APIClient()
    if key:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def records_url(credit_code: str) -> str:
    return f"/api/v1/qualification/enterprises/{credit_code}/records/"
