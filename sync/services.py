"""Writes of sync/: filling the outbox, draining it to the national platform, retrying, marking fraud nationally.

Exactly once. An item is written in the transaction of the decision that made its record eligible (one INSERT …
SELECT for any number of records, `ON CONFLICT DO NOTHING` on record + version). `drain()` leases due items with
`FOR UPDATE SKIP LOCKED` (two workers never take the same one), re-asks `push_eligibility()` for each, then sends the
batch table by table in dependency order. The platform keys rows by RowGuid, so a batch sent again after a lost
reply, a timeout or a killed worker (its lease runs out, another worker takes the items) stores nothing twice.
A failed call retries the whole batch later with exponential backoff and jitter; after NATIONAL_PUSH_MAX_TRIES
the items are `failed`. A row the platform rejects makes its item `rejected`, with the platform's reasons.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import socket
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.db.models.expressions import RawSQL
from django.utils import timezone

from accounts.errors import DomainError
from grading.eligibility import SHANGHAI, eligible_filter, push_eligibility
from projects.models import BuilderLicence, Censor, Contract, FinishCheck, FinishRecord, Project, Record, Tender

from . import payload
from .client import CallFailed, NationalClient
from .models import PushAttempt, PushBatch, PushCall, PushItem, PushKind, PushState

#: our model behind each stage of payload.STAGE_OF_TABLE (the national number is written back on it)
STAGE_MODELS = {
    "project": Project,
    "tender": Tender,
    "contract": Contract,
    "censor": Censor,
    "licence": BuilderLicence,
    "finish_check": FinishCheck,
    "finish_record": FinishRecord,
}
#: what a call's request and reply keep in the database (a batch of 100 records is ~0.5 MB of XML)
KEEP_CHARS = 200_000


def _today(at: dt.datetime | None = None) -> dt.date:
    return (at or timezone.now()).astimezone(SHANGHAI).date()


# ------------------------------------------------------------------------------------------------------------------
# Filling the outbox
# ------------------------------------------------------------------------------------------------------------------


def enqueue_records(ids, *, at: dt.datetime | None = None) -> int:
    """Write a push item for every record of `ids` that is eligible at `at` (`eligible_filter`), set-based: one
    INSERT … SELECT whatever their number, and one UPDATE superseding older versions still waiting. Call it inside
    the transaction of the decision. Returns how many items were written."""
    at = at or timezone.now()
    ids = list(ids)
    if not ids:
        return 0
    ids_sql = RawSQL("SELECT unnest(%s::bigint[])", (ids,))
    eligible = Record.objects.filter(pk__in=ids_sql).filter(eligible_filter(_today(at))).values_list("pk", "version")
    sql, params = eligible.query.sql_with_params()
    table = PushItem._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (record_id, record_version, kind, state, tries, next_attempt_at, created_at, "
            "updated_at, national_num, reasons, last_error, acked) "
            f"SELECT e.id, e.version, %s, %s, 0, %s, %s, %s, '', '[]'::jsonb, '', '{{}}'::jsonb "
            f"FROM ({sql}) AS e(id, version) "
            "ON CONFLICT (record_id, kind, record_version) DO NOTHING",
            [PushKind.RECORD, PushState.PENDING, at, at, at, *params],
        )
        written = cursor.rowcount
    if written:
        PushItem.objects.filter(
            record_id__in=ids_sql, kind=PushKind.RECORD, state__in=[PushState.PENDING, PushState.SENDING]
        ).exclude(record_version__in=Record.objects.filter(pk__in=ids_sql).values("version")).update(
            state=PushState.SUPERSEDED, updated_at=at
        )
    return written


def enqueue_fraud_mark(record: Record, *, at: dt.datetime | None = None) -> PushItem | None:
    """G10 after a push: the national platform is told the record is false (虚假项目). Items still waiting are
    withdrawn. Inside the transaction of the fraud mark."""
    at = at or timezone.now()
    open_items = PushItem.objects.filter(record=record, kind=PushKind.RECORD, state__in=[PushState.PENDING])
    open_items.update(state=PushState.WITHDRAWN, last_error="弄虚作假（G10）：不再推送", updated_at=at)
    if not PushItem.objects.filter(record=record, kind=PushKind.RECORD, state=PushState.PUSHED).exists():
        return None
    item, _created = PushItem.objects.get_or_create(
        record=record,
        kind=PushKind.FRAUD_MARK,
        record_version=record.version,
        defaults={"next_attempt_at": at},
    )
    return item


def sweep(*, on: dt.date | None = None, campaign_id: int | None = None, at: dt.datetime | None = None) -> int:
    """Items for approved, eligible records that have none for their version (approved before the outbox existed,
    or whose item was withdrawn and that are eligible again): one INSERT … SELECT."""
    at = at or timezone.now()
    has_item = PushItem.objects.filter(
        record_id=OuterRef("pk"), kind=PushKind.RECORD, record_version=OuterRef("version")
    )
    records = Record.objects.filter(eligible_filter(on or _today(at))).exclude(Exists(has_item))
    if campaign_id:
        records = records.filter(campaign_id=campaign_id)
    return enqueue_records(records.values_list("pk", flat=True), at=at)


# ------------------------------------------------------------------------------------------------------------------
# Draining
# ------------------------------------------------------------------------------------------------------------------


@dataclass
class DrainReport:
    batches: int = 0
    pushed: int = 0
    rejected: int = 0
    failed: int = 0
    retried: int = 0
    withdrawn: int = 0
    superseded: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, other: DrainReport) -> None:
        for name in ("batches", "pushed", "rejected", "failed", "retried", "withdrawn", "superseded"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.errors += other.errors


def backoff_seconds(tries: int) -> float:
    """Exponential with full jitter: up to base × 2^(tries−1), capped."""
    base = settings.NATIONAL_PUSH_RETRY_BASE_SECONDS
    ceiling = min(settings.NATIONAL_PUSH_RETRY_MAX_SECONDS, base * 2 ** max(tries - 1, 0))
    return ceiling / 2 + random.uniform(0, ceiling / 2)


def lease(size: int, *, now: dt.datetime | None = None) -> tuple[uuid.UUID, list[int]]:
    """Take up to `size` due items for this worker: pending ones whose time has come, and sending ones whose lease
    ran out (their worker died). SKIP LOCKED: another worker leasing at the same moment takes other items."""
    now = now or timezone.now()
    token = uuid.uuid4()
    table = PushItem._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET state = %s, leased_until = %s, lease_token = %s, tries = tries + 1, updated_at = %s "
            f"WHERE id IN (SELECT id FROM {table} WHERE state IN (%s, %s) AND next_attempt_at <= %s "
            "AND (state = %s OR leased_until < %s) ORDER BY next_attempt_at, id LIMIT %s FOR UPDATE SKIP LOCKED) "
            "RETURNING id",
            [
                PushState.SENDING,
                now + dt.timedelta(seconds=settings.NATIONAL_PUSH_LEASE_SECONDS),
                token,
                now,
                PushState.PENDING,
                PushState.SENDING,
                now,
                PushState.PENDING,
                now,
                size,
            ],
        )
        ids = sorted(row[0] for row in cursor.fetchall())
    return token, ids


@dataclass
class _Live:
    item: PushItem
    record: Record
    rows: dict[str, list[tuple[str, dict]]]
    started: dt.datetime
    answers: list[dict] = field(default_factory=list)
    national: dict[str, str] = field(default_factory=dict)  # stage key → national number
    outcome: str = ""
    error: str = ""


def _finish(token: uuid.UUID, live: list[_Live], batch: PushBatch, report: DrainReport) -> None:
    now = timezone.now()
    max_tries = settings.NATIONAL_PUSH_MAX_TRIES
    with transaction.atomic():
        mine = set(
            PushItem.objects.filter(pk__in=[x.item.pk for x in live], lease_token=token).values_list("pk", flat=True)
        )
        done = [x for x in live if x.item.pk in mine]  # an item whose lease ran out belongs to another worker now
        stage_updates: dict[str, list] = defaultdict(list)
        items = []
        for x in done:
            item = x.item
            item.leased_until = None
            item.lease_token = None
            item.updated_at = now
            if x.outcome in ("retry", ""):
                x.outcome = "retry"
                if item.tries >= max_tries:
                    x.outcome = PushState.FAILED
                else:
                    item.state = PushState.PENDING
                    item.next_attempt_at = now + dt.timedelta(seconds=backoff_seconds(item.tries))
                    report.retried += 1
            if x.outcome != "retry":
                item.state = x.outcome
            item.last_error = x.error
            item.acked = {**item.acked, **{a["row"]: a["national_num"] for a in x.answers if a["accepted"]}}
            if x.outcome == PushState.PUSHED:
                item.pushed_at = now
                item.national_num = x.national.get("project", "")
                item.reasons = []
                report.pushed += 1
                for key, number in x.national.items():
                    stage = x.record.project if key == "project" else getattr(x.record, key, None)
                    if stage is not None and number and stage.national_num != number:
                        stage.national_num = number
                        stage_updates[key].append(stage)
            elif x.outcome == PushState.REJECTED:
                item.reasons = [a for a in x.answers if not a["accepted"]]
                report.rejected += 1
            elif x.outcome == PushState.FAILED:
                report.failed += 1
            elif x.outcome == PushState.WITHDRAWN:
                report.withdrawn += 1
            elif x.outcome == PushState.SUPERSEDED:
                report.superseded += 1
            items.append(item)
        _update_items(items, now)
        for key, stages in stage_updates.items():
            numbers = {stage.pk: stage.national_num for stage in stages}  # a shared project is written once
            _update_national_nums(STAGE_MODELS[key], numbers)
        PushAttempt.objects.bulk_create(
            [
                PushAttempt(
                    item=x.item,
                    batch=batch,
                    number=x.item.tries,
                    started_at=x.started,
                    duration_ms=int((now - x.started).total_seconds() * 1000),
                    outcome=x.item.state,
                    error=x.error[:2000],
                    rows=x.answers,
                )
                for x in done
            ]
        )
        PushBatch.objects.filter(pk=batch.pk).update(finished_at=now)


def _update_items(items: list[PushItem], now: dt.datetime) -> None:
    """Finish a batch's items in one UPDATE … FROM (VALUES …) (bulk_update's CASE per column is several times
    slower for a batch of hundreds)."""
    if not items:
        return
    rows, params = [], []
    for item in items:
        rows.append("(%s, %s, %s::timestamptz, %s::timestamptz, %s, %s::jsonb, %s, %s::jsonb)")
        params += [
            item.pk,
            item.state,
            item.next_attempt_at,
            item.pushed_at,
            item.national_num,
            json.dumps(item.reasons, ensure_ascii=False),
            item.last_error,
            json.dumps(item.acked, ensure_ascii=False),
        ]
    table = PushItem._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS i SET state = v.state, next_attempt_at = v.next_attempt_at, pushed_at = v.pushed_at, "
            "national_num = v.national_num, reasons = v.reasons, last_error = v.last_error, acked = v.acked, "
            "leased_until = NULL, lease_token = NULL, updated_at = %s "
            f"FROM (VALUES {', '.join(rows)}) AS v(id, state, next_attempt_at, pushed_at, national_num, reasons, "
            "last_error, acked) WHERE i.id = v.id",
            [now, *params],
        )


def _update_national_nums(model, numbers: dict[int, str]) -> None:
    """The national numbers back onto a stage table, in one UPDATE … FROM (VALUES …), only where they differ."""
    if not numbers:
        return
    table = model._meta.db_table
    values = ", ".join(["(%s, %s)"] * len(numbers))
    params = [x for pk, number in numbers.items() for x in (pk, number)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS s SET national_num = v.num FROM (VALUES {values}) AS v(id, num) "
            "WHERE s.id = v.id AND s.national_num IS DISTINCT FROM v.num",
            params,
        )


def _prepare(ids: list[int], today: dt.date) -> list[_Live]:
    items = {i.pk: i for i in PushItem.objects.filter(pk__in=ids)}
    records = {r.pk: r for r in payload.records_for_push({i.record_id for i in items.values()})}
    now = timezone.now()
    live = []
    for item in items.values():
        record = records[item.record_id]
        x = _Live(item, record, {}, now)
        if item.kind == PushKind.FRAUD_MARK:
            reason = _fraud_reason(record)
            x.rows = {payload.FALSE_MARK_TABLE: [payload.false_mark_row(record, reason=reason, on=today)]}
        elif item.record_version != record.version:
            x.outcome, x.error = PushState.SUPERSEDED, "记录已有更新的版本"
        else:
            answer = push_eligibility(record, on=today)
            if not answer.eligible:
                x.outcome, x.error = PushState.WITHDRAWN, answer.message
            else:
                x.rows = payload.rows_of(record, item.record_version)
        live.append(x)
    return live


def _fraud_reason(record: Record) -> str:
    from review.models import CreditEntry

    entry = CreditEntry.objects.filter(record=record).order_by("-at").first()
    return (entry.facts if entry else "弄虚作假")[:500]


def _call_with_retries(client: NationalClient, batch: PushBatch, table: str, rows: int, body: bytes):
    """One table's call, tried again at once up to NATIONAL_PUSH_CALL_RETRIES times (short backoff with jitter) when
    it fails: a lost reply or a single 500 should not cost the batch a round. Each failed try is kept as a call.
    Returns the result, or the last CallFailed."""
    tries = settings.NATIONAL_PUSH_CALL_RETRIES + 1
    failure: CallFailed | None = None
    for n in range(tries):
        started = timezone.now()
        try:
            return client.save(body)
        except CallFailed as exc:
            failure = exc
            PushCall.objects.create(
                batch=batch,
                table=table,
                rows=rows,
                started_at=started,
                duration_ms=int((timezone.now() - started).total_seconds() * 1000),
                http_status=exc.status,
                error=str(exc),
                request=body.decode("gbk")[:KEEP_CHARS],
                response=exc.response[:KEEP_CHARS],
            )
            if exc.status in (401, 503) or n == tries - 1:  # refused credentials, maintenance: not now
                break
            pause = settings.NATIONAL_PUSH_CALL_RETRY_SECONDS * 2**n
            if pause:
                time.sleep(random.uniform(pause / 2, pause))
    return failure


def _send(client: NationalClient, batch: PushBatch, live: list[_Live]) -> None:
    """Send the batch's rows table by table; mark each live item's outcome."""
    user, password = settings.NATIONAL_PLATFORM_USER, settings.NATIONAL_PLATFORM_PASSWORD
    sending = [x for x in live if not x.outcome]
    for table in (*payload.TABLE_ORDER, payload.FALSE_MARK_TABLE):
        stage_key = payload.STAGE_OF_TABLE.get(table)
        carriers = []
        for x in sending:
            if x.outcome or table not in x.rows:
                continue
            remaining = [(g, v) for g, v in x.rows[table] if g not in x.item.acked]
            for guid, _values in x.rows[table]:
                if guid in x.item.acked and stage_key:  # accepted on an earlier try: not sent again
                    x.national[stage_key] = x.item.acked[guid]
            if remaining:
                x.rows[table] = remaining
                carriers.append(x)
        if not carriers:
            continue
        rows: dict[str, dict] = {}
        for x in carriers:
            for guid, values in x.rows[table]:
                rows.setdefault(guid, values)
        body = payload.to_xml(table, list(rows.items()), user=user, password=password)
        result = _call_with_retries(client, batch, table, len(rows), body)
        if isinstance(result, CallFailed):
            for x in sending:  # the batch is tried again later, from this table on
                if not x.outcome:
                    x.outcome, x.error = "retry", f"{table}: {result}"
            return
        call = PushCall(batch=batch, table=table, rows=len(rows), started_at=timezone.now())
        call.http_status, call.duration_ms = result.status, result.duration_ms
        call.request, call.response = body.decode("gbk")[:KEEP_CHARS], result.response[:KEEP_CHARS]
        call.save()
        for x in carriers:
            for guid, _values in x.rows[table]:
                answer = result.answers.get(guid)
                entry = {
                    "table": table,
                    "row": guid,
                    "accepted": bool(answer and answer.accepted),
                    "national_num": answer.national_num if answer else "",
                    "message": answer.message if answer else "全国平台未答复该行",
                }
                x.answers.append(entry)
                if answer is None:
                    x.outcome, x.error = "retry", f"{table}: 全国平台未答复行 {guid}"
                elif not answer.accepted:
                    x.outcome, x.error = PushState.REJECTED, f"{table}: {answer.message}"
                elif stage_key:
                    x.national[stage_key] = answer.national_num
    for x in sending:
        if not x.outcome:
            x.outcome = PushState.PUSHED


def drain(
    *, batch_size: int | None = None, max_batches: int | None = None, client: NationalClient | None = None
) -> DrainReport:
    """Push every due item, batch after batch, until none is due (or `max_batches`)."""
    size = batch_size or settings.NATIONAL_PUSH_BATCH_SIZE
    own_client = client is None
    client = client or NationalClient()
    report = DrainReport()
    worker = f"{socket.gethostname()}:{os.getpid()}"
    try:
        while max_batches is None or report.batches < max_batches:
            token, ids = lease(size)
            if not ids:
                break
            batch = PushBatch.objects.create(started_at=timezone.now(), worker=worker, items=len(ids))
            live = _prepare(ids, _today())
            _send(client, batch, live)
            one = DrainReport(batches=1)
            _finish(token, live, batch, one)
            errors = {x.error for x in live if x.outcome in ("retry", PushState.FAILED) and x.error}
            one.errors = sorted(errors)[:5]
            report.add(one)
    finally:
        if own_client:
            client.close()
    return report


def next_due() -> dt.datetime | None:
    item = (
        PushItem.objects.filter(state__in=[PushState.PENDING, PushState.SENDING])
        .order_by("next_attempt_at")
        .only("next_attempt_at", "leased_until", "state")
        .first()
    )
    if item is None:
        return None
    return item.leased_until if item.state == PushState.SENDING and item.leased_until else item.next_attempt_at


# ------------------------------------------------------------------------------------------------------------------
# Staff actions
# ------------------------------------------------------------------------------------------------------------------


def retry_item(*, item_id: int, user) -> PushItem:
    """重新推送: a rejected or failed item is tried again (provincial staff, after a confirmation)."""
    with transaction.atomic():
        item = PushItem.visible_to(user).select_for_update().filter(pk=item_id).first()
        if item is None:
            raise DomainError("该推送记录不存在或不在您的管辖范围内。", code="not_found")
        if item.state not in (PushState.REJECTED, PushState.FAILED):
            raise DomainError(
                f"只有被退回或推送失败的记录可以重新推送；该记录当前为“{item.get_state_display()}”。",
                code="not_retryable",
            )
        item.retry(at=timezone.now())
        item.save()
    return item


def repush_record(*, record_id: int, user) -> int:
    """A record pushed before is sent again as its current version (e.g. after the national side lost it)."""
    record = Record.visible_to(user).filter(pk=record_id).first()
    if record is None:
        raise DomainError("该记录不存在或不在您的管辖范围内。", code="not_found")
    answer = push_eligibility(record)
    if not answer.eligible:
        raise DomainError(f"该记录不符合推送条件：{answer.message}", code="not_eligible")
    with transaction.atomic():
        item, created = PushItem.objects.get_or_create(
            record=record,
            kind=PushKind.RECORD,
            record_version=record.version,
            defaults={"next_attempt_at": timezone.now()},
        )
        if not created and item.state in (PushState.REJECTED, PushState.FAILED):
            item.retry(at=timezone.now())
            item.save()
        elif not created and item.state == PushState.PUSHED:
            PushItem.objects.filter(pk=item.pk).update(
                state=PushState.PENDING, tries=0, next_attempt_at=timezone.now(), updated_at=timezone.now()
            )
    return 1


# ------------------------------------------------------------------------------------------------------------------
# The nightly push and the command
# ------------------------------------------------------------------------------------------------------------------


def campaigns_near_cutoff(today: dt.date, working_days: int = 3) -> list:
    """Active campaigns whose national cutoff is today or within the next `working_days` working days (the beat
    pushes hourly then)."""
    from projects.models import Campaign
    from review.workdays import UnknownCalendarDay, add_working_days, is_workday

    near = []
    for campaign in Campaign.objects.filter(is_active=True, national_cutoff__gte=today):
        cutoff = campaign.national_cutoff
        try:  # the cutoff itself counts when it is a working day
            start = add_working_days(cutoff, -(working_days - 1) if is_workday(cutoff) else -working_days)
        except UnknownCalendarDay:
            start = campaign.national_cutoff - dt.timedelta(days=working_days + 4)
        if start <= today <= campaign.national_cutoff:
            near.append(campaign)
    return near


def push_to_national(*, campaign_id: int | None = None) -> DrainReport:
    """The nightly job: items for eligible records that lack one, then drain the outbox."""
    sweep(campaign_id=campaign_id)
    return drain()
