"""Read-side queries of the enterprise portal. Every one starts from `records_visible_to(user)` (the one scoping rule),
so another enterprise's record or attachment is simply not found (404)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import NamedTuple

from django.db.models import CharField, Count, F, Max, OuterRef, Prefetch, QuerySet, Subquery, Value
from django.db.models.functions import ExtractYear
from django.shortcuts import get_object_or_404

from accounts.models import Region
from projects.models import Attachment, Campaign, Record, RecordStatus
from projects.selectors import records_visible_to
from review.models import CorrectionRequest, CreditEntry, RecordTransition
from review.selectors import correction_notices_for, credit_entries_visible_to, notices_for

_STAGES = ("tender", "contract", "censor", "licence", "finish_check", "finish_record")
#: The states whose latest transition carries what the enterprise reads: the rejection reason or the fraud's facts.
REJECTED_STATES = (RecordStatus.REJECTED, RecordStatus.FRAUD)


def record_list(user, *, status: str = "", year: int | None = None, q: str = "") -> QuerySet[Record]:
    """The rows of 我的业绩: project, authority, completion date and the latest rejection reason, in one query."""
    latest_rejection = (  # the facts, for a record rejected for fraud (G10): its latest transition is the fraud one
        RecordTransition.objects.filter(record=OuterRef("pk"), to_status__in=REJECTED_STATES)
        .order_by("-at", "-id")
        .values("reason")[:1]
    )
    latest_direct_review = (  # G6: why the enterprise asked for the provincial office's direct review
        RecordTransition.objects.filter(record=OuterRef("pk"), to_status=RecordStatus.DIRECT_REVIEW)
        .order_by("-at", "-id")
        .values("reason")[:1]
    )
    qs = (
        records_visible_to(user)
        .claims()  # a D record's working copy is reached from its record's page (J7), not listed on its own
        .select_related("project", "responsible_authority", "finish_check", "campaign")
        .only(
            "id",
            "status",
            "version",
            "review_deadline",
            "updated_at",
            "submitted_at",
            "project__prj_name",
            "project__prj_num",
            "project__data_level",
            "responsible_authority__name",
            "finish_check__e_date",
            "campaign__name",
        )
        .annotate(rejection_reason=Subquery(latest_rejection), direct_review_reason=Subquery(latest_direct_review))
        .order_by("-updated_at", "-id")
    )
    if status:
        qs = qs.filter(status=status)
    if year:
        qs = qs.filter(finish_check__e_date__year=year)
    if q:
        qs = qs.filter(project__prj_name__icontains=q.strip())
    return qs


class ListSummary(NamedTuple):
    """What 我的业绩 shows before its rows: how many records the user has, and their completion years."""

    count: int
    years: list[int]  # newest first: the year filter's choices


#: The completion years per (user, record count, latest change), kept by this process: see list_summary.
_YEARS: dict[tuple, list[int]] = {}
_YEARS_LOCK = threading.Lock()
_YEARS_KEPT = 2048  # entries, each a few years: emptied when full


def list_summary(user) -> ListSummary:
    """The count of the user's records and their completion years, newest first.

    The years are a join of every record with its completion stage (10,000 rows for a large firm), so they are
    read once per state of the records and kept in this process: the key is the count and the latest change
    (`updated_at`) of the user's records, read in the same query as the count the pager shows. Creating or deleting
    a record changes the count; changing one moves its `updated_at` (record_save saves the record whenever any of
    its stages or rows is saved, and so does every status change), so the key changes with whatever can change a
    completion year, and a stale list is never shown."""
    stats = records_visible_to(user).claims().order_by().aggregate(n=Count("pk"), last=Max("updated_at"))
    key = (user.pk, stats["n"], stats["last"])
    years = _YEARS.get(key)
    if years is None:
        years = completion_years(user) if stats["n"] else []
        with _YEARS_LOCK:
            if len(_YEARS) >= _YEARS_KEPT:
                _YEARS.clear()
            _YEARS[key] = years
    return ListSummary(stats["n"], list(years))


def completion_years(user) -> list[int]:
    """The completion years of the user's records, newest first (the year filter's choices), read now."""
    return sorted(
        {
            y
            for y in records_visible_to(user)
            .claims()
            .filter(finish_check__e_date__isnull=False)
            .annotate(y=ExtractYear("finish_check__e_date"))
            .order_by()  # the default ordering would join updated_at into the DISTINCT: one row per record
            .values_list("y", flat=True)
            .distinct()
        },
        reverse=True,
    )


def record_for_page(user, pk: int) -> Record:
    """The record with every stage and row the record page shows, in a fixed number of queries; 404 when unseen."""
    qs = (
        records_visible_to(user)
        .select_related("project__county__parent__parent", "campaign", "responsible_authority", "enterprise", *_STAGES)
        .prefetch_related(
            "project__units",
            "corps",
            "persons",
            "censor__staff",
            Prefetch("attachments", queryset=Attachment.objects.order_by("kind", "uploaded_at", "id")),
        )
    )
    record = get_object_or_404(qs, pk=pk)
    record._grading_loaded = True  # grading.checks.load_record: everything it reads is loaded above
    return record


def latest_rejection_reason(record: Record) -> str:
    """The reason of the rejection a rejected record is in, or the facts of a record rejected for fraud (G10)."""
    if record.status not in REJECTED_STATES:
        return ""
    row = (
        RecordTransition.objects.filter(record=record, to_status=record.status)
        .order_by("-at", "-id")
        .values_list("reason", flat=True)
        .first()
    )
    return row or ""


def credit_file(user) -> QuerySet[CreditEntry]:
    """The entries of the enterprise's credit file (诚信档案, G10), newest first, with their projects (one query)."""
    return credit_entries_visible_to(user).select_related("record__project")


def attachment_for(user, pk: int) -> Attachment:
    """An attachment of a record the user may see (owner enterprise, reviewers of its region, provincial staff)."""
    return get_object_or_404(
        Attachment.objects.select_related("record").filter(record__in=records_visible_to(user)), pk=pk
    )


def campaigns_for(enterprise) -> QuerySet[Campaign]:
    """Active campaigns that open for one of the enterprise's kinds (G4); dates are checked at submit."""
    return (
        Campaign.objects.filter(is_active=True, openings__enterprise_kind__in=enterprise.kinds)
        .select_related("province")
        .distinct()
        .order_by("-notice_date")
    )


def region_children(code: str) -> list[Region]:
    """The regions under `code` ("" for the provinces), current ones first by code."""
    qs = Region.objects.filter(parent_id=code) if code else Region.objects.filter(level=1)
    return list(qs.order_by("code").only("code", "name", "level", "valid_until"))


def region_chain(code: str) -> list[Region]:
    """The county, its city and its province (top first) for a region code; [] for an unknown code."""
    region = Region.objects.select_related("parent__parent").filter(code=code).first()
    chain = []
    while region is not None:
        chain.insert(0, region)
        region = region.parent
    return chain


TRANSITION, CORRECTION = "transition", "correction"


class _FeedKind(NamedTuple):
    rows: Callable  # the enterprise's notices of this kind (review.selectors)
    at: str  # when it was decided
    model: type
    related: tuple[str, ...]  # what the page shows of each row


_FEED_KINDS = {
    TRANSITION: _FeedKind(notices_for, "at", RecordTransition, ("record__project", "record__responsible_authority")),
    CORRECTION: _FeedKind(correction_notices_for, "decided_at", CorrectionRequest, ("record__project", "version")),
}


class NoticeFeed:
    """审核结果通知 of the enterprise, newest first, for a Paginator: its records' decisions (RecordTransition, issue 5
    item 8) and its correction requests' decisions (CorrectionRequest, J7) in one list. A page costs one query for
    the count, one for the page's keys (a UNION of both kinds) and one per kind for the rows with their projects.
    Each row carries `notice_kind` (TRANSITION or CORRECTION) and `notice_at` (when it was decided); a correction
    also `changed_fields`, the labels of the fields it asked to change."""

    def __init__(self, user):
        keys = [
            kind.rows(user)
            .order_by()
            .annotate(notice_kind=Value(key, output_field=CharField()), notice_at=F(kind.at))
            .values_list("pk", "notice_kind", "notice_at")
            for key, kind in _FEED_KINDS.items()
        ]
        self._keys = keys[0].union(*keys[1:], all=True)

    def count(self) -> int:
        return self._keys.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        keys = list(self._keys.order_by("-notice_at", "-notice_kind", "-pk")[index])
        wanted: dict[str, list[int]] = {key: [] for key in _FEED_KINDS}
        for pk, key, _at in keys:
            wanted[key].append(pk)
        rows = {}
        for key, pks in wanted.items():
            if pks:
                kind = _FEED_KINDS[key]
                rows.update(
                    {(key, row.pk): row for row in kind.model.objects.filter(pk__in=pks).select_related(*kind.related)}
                )
        page = []
        for pk, key, at in keys:
            row = rows.get((key, pk))
            if row is not None:
                row.notice_kind, row.notice_at = key, at
                if key == CORRECTION:  # the fields the firm asked to change (the whole diff is on the record's page)
                    row.changed_fields = list(dict.fromkeys(c.get("label") or c.get("field", "") for c in row.changes))
                page.append(row)
        return page


def notices(user) -> NoticeFeed:
    """The decision notices of the enterprise (its records' and its corrections'), newest first, page by page."""
    return NoticeFeed(user)


def latest_receipt(record: Record) -> RecordTransition | None:
    """The receipt (回执) of the record's latest submission (to its authority or to direct review), or None; a
    record submitted again after a rejection has a new one."""
    if record.submitted_at is None:
        return None
    return RecordTransition.objects.filter(record=record).exclude(receipt_no="").order_by("-at", "-id").first()


def records_for_export(user, *, status: str = "", year: int | None = None, q: str = "") -> QuerySet[Record]:
    """导出 of 我的业绩: the records the list shows with the same filters (`record_list`), as plain records for the
    records file's layout (transfer.record_rows.export_queryset loads their stages and parts)."""
    shown = record_list(user, status=status, year=year, q=q).values("pk")
    return records_visible_to(user).filter(pk__in=shown)


def import_jobs(user) -> QuerySet:
    """批量导入: the clerk's own jobs of the records import (transfer.ImportJob.visible_to), newest first."""
    from transfer.models import ImportJob
    from transfer.records import records_importer

    return ImportJob.visible_to(user).filter(importer=records_importer.key).order_by("-created_at", "-pk")


def import_job_for(user, pk: int):
    """One of the clerk's import jobs; 404 for anyone else's."""
    return get_object_or_404(import_jobs(user), pk=pk)
