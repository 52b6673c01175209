"""Helpers of the 资质申报业绩 and qualification API tests (no test lives here)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Qualification
from projects.codes import CorpRole
from projects.models import (
    BuilderLicence,
    Censor,
    Contract,
    FinishCheck,
    FinishRecord,
    Project,
    ProjectCorp,
    Record,
    RecordStatus,
    Tender,
)
from sync.models import PushItem, PushKind, PushState
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


#: the firm's own 参建单位 rows on a `published()` record unless told otherwise: it designed and built the project, so
#: design and construction qualifications both count it (the grade tests are not about roles)
BOTH_ROLES = (CorpRole.DESIGN, CorpRole.CONSTRUCTION)


def published(
    firm,
    level: str = "A",
    *,
    jilin: bool = False,
    completed: dt.date | None = None,
    roles: tuple[str, ...] = BOTH_ROLES,
    pushed: bool = True,
    **per_stage,
) -> Record:
    """A record of `firm` that is approved (published), every stage graded `level` unless named otherwise, the firm
    on it in `roles`, and (`pushed`) accepted by the national platform."""
    record = valid_record(firm, jilin=jilin, completed=completed)
    Record.objects.filter(pk=record.pk).update(status=RecordStatus.APPROVED, decided_at=timezone.now())
    set_roles(record, roles)
    if pushed:
        accepted_nationally(record)
    return grade(record, level, **per_stage)


def set_roles(record: Record, roles: tuple[str, ...]) -> None:
    """The firm's own 参建单位 rows on `record` carry exactly `roles` (other firms' rows untouched)."""
    own = ProjectCorp.objects.filter(record=record, corp_code=record.enterprise.credit_code)
    first = own.order_by("id").first()
    own.delete()
    for role in roles:
        ProjectCorp.objects.create(
            record=record,
            corp_role=role,
            corp_name=record.enterprise.name,
            corp_code=record.enterprise.credit_code,
            person_name=first.person_name if first else "负责人",
            person_id_card=first.person_id_card if first else "",
        )


def accepted_nationally(record: Record, *, version: int | None = None, state: str = PushState.PUSHED) -> PushItem:
    """The national platform's answer to the push of `record` (its current version unless told), as the drain
    leaves it."""
    now = timezone.now()
    return PushItem.objects.create(
        record=record,
        kind=PushKind.RECORD,
        record_version=record.version if version is None else version,
        state=state,
        next_attempt_at=now,
        pushed_at=now if state == PushState.PUSHED else None,
        national_num=f"4501032026{record.pk:08d}" if state == PushState.PUSHED else "",
    )


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
