"""Reads of sync/: a record's push state as every screen says it (portal, admin, dashboard)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from grading.eligibility import push_eligibility
from projects.campaigns import admission_for_record
from projects.models import Campaign, Record, RecordStatus

from .models import PushItem, PushKind, PushState
from .payload import records_for_push


@dataclass(frozen=True)
class NationalStatus:
    state: str  # pushed, waiting, rejected, failed, provincial, marked_false
    title: str
    text: str
    tone: str = "info"  # the alert's look: info, success, warning, error
    national_num: str = ""
    pushed_at: dt.datetime | None = None


def on_national_platform(record: str = "pk", version: str = "version") -> Exists:
    """The one rule of "on the national platform": the national platform has accepted (pushed) the record's current
    version. An expression over the outer record (`record`, `version`: its paths there) — one query for a page of
    records, asked by the at-risk figures and by the qualification rule (J4, G11; grading.qualification.verdict)."""
    return Exists(
        PushItem.objects.filter(
            record_id=OuterRef(record), kind=PushKind.RECORD, record_version=OuterRef(version), state=PushState.PUSHED
        )
    )


def latest_item(record: Record, kind: str = PushKind.RECORD) -> PushItem | None:
    return PushItem.objects.filter(record=record, kind=kind).order_by("-record_version", "-id").first()


def national_status(record: Record, *, on: dt.date | None = None) -> NationalStatus | None:
    """已推送全国平台（日期、全国平台编号）, 推送失败（原因）, 仅省级公示（原因）…, or None before anything applies."""
    on = on or timezone.localdate()
    if record.status in (RecordStatus.DRAFT, RecordStatus.REJECTED):
        answer = admission_for_record(record, on)
        if answer.allowed and answer.provincial_only is not None:
            return NationalStatus(
                "provincial",
                _("Provincial platform only:"),
                _("if you submit this record today, it is published provincially and never pushed. %(why)s")
                % {"why": answer.provincial_only.message},
                "warning",
            )
        return None
    if record.status == RecordStatus.FRAUD:
        mark = latest_item(record, PushKind.FRAUD_MARK)
        if mark is not None and mark.state == PushState.PUSHED:
            return NationalStatus(
                "marked_false",
                _("Marked false on the national platform:"),
                _("on %(date)s (G10).") % {"date": timezone.localtime(mark.pushed_at).strftime("%Y-%m-%d")},
                "error",
            )
        return None
    item = latest_item(record)
    if item is not None and item.record_version == record.version:
        if item.state == PushState.PUSHED:
            return NationalStatus(
                "pushed",
                _("Pushed to the national platform:"),
                _("on %(date)s, national number %(num)s.")
                % {"date": timezone.localtime(item.pushed_at).strftime("%Y-%m-%d %H:%M"), "num": item.national_num},
                "success",
                item.national_num,
                item.pushed_at,
            )
        if item.state == PushState.REJECTED:
            reasons = "；".join(f"{r['table']}：{r['message']}" for r in item.reasons) or item.last_error
            return NationalStatus("rejected", _("Rejected by the national platform:"), reasons, "error")
        if item.state == PushState.FAILED:
            return NationalStatus(
                "failed",
                _("Push failed:"),
                _("%(tries)s tries; the last error: %(error)s") % {"tries": item.tries, "error": item.last_error},
                "error",
            )
    answer = push_eligibility(record, on=on)
    waiting_only = set(answer.rules) <= {"status"}
    if not answer.eligible and not waiting_only:
        reasons = "；".join(r.message for r in answer.reasons if r.rule != "status")
        return NationalStatus("provincial", _("Provincial platform only:"), reasons, "warning")
    due = answer.due.isoformat() if answer.due else _("no cutoff")
    if record.status == RecordStatus.APPROVED:
        return NationalStatus(
            "waiting",
            _("Waiting to be pushed to the national platform:"),
            _("the nightly push sends it (national cutoff: %(due)s).") % {"due": due},
        )
    return NationalStatus(
        "waiting",
        _("Reaches the national platform once approved:"),
        _("national cutoff: %(due)s.") % {"due": due},
    )


@dataclass(frozen=True)
class CampaignPushSummary:
    campaign: Campaign
    counts: dict[str, int]
    not_eligible: list[tuple[str, int]]
    days_to_cutoff: int | None


def campaign_summary(campaign: Campaign, *, on: dt.date | None = None, user=None) -> CampaignPushSummary:
    """The dashboard's figures for one campaign: items by state, approved records not eligible by reason."""
    on = on or timezone.localdate()
    items = PushItem.objects.filter(record__campaign=campaign, kind=PushKind.RECORD)
    records = Record.objects.claims().filter(campaign=campaign)  # never a D record's working copy (J7)
    if user is not None:
        items = items.filter(record__in=Record.visible_to(user).values("pk"))
        records = records.filter(pk__in=Record.visible_to(user).values("pk"))
    counts = dict(items.values_list("state").annotate(n=Count("pk")).values_list("state", "n"))
    without_item = (
        records.filter(status=RecordStatus.APPROVED)
        .exclude(Q(push_items__kind=PushKind.RECORD) & ~Q(push_items__state=PushState.WITHDRAWN))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    reasons: dict[str, int] = {}
    # loaded with every row the rule check reads, in a fixed number of queries (no reload per record)
    for record in records_for_push(list(without_item[:2000])):
        answer = push_eligibility(record, on=on)
        key = answer.message if not answer.eligible else _("Eligible, not yet in the outbox")
        reasons[key] = reasons.get(key, 0) + 1
    days = (campaign.national_cutoff - on).days if campaign.national_cutoff else None
    return CampaignPushSummary(campaign, counts, sorted(reasons.items(), key=lambda kv: -kv[1]), days)


def at_risk(campaign: Campaign, *, on: dt.date, user=None) -> tuple[int, int]:
    """Before a campaign's national cutoff: (eligible records the national platform has not accepted yet, approved
    records it will not take — rejected by it, failing after every try, or withdrawn for the standard, J8)."""
    records = Record.objects.claims().filter(campaign=campaign)  # never a D record's working copy (J7)
    if user is not None and not user.is_superuser:
        records = records.filter(pk__in=Record.visible_to(user).values("pk"))
    from grading.eligibility import eligible_filter

    waiting = records.filter(eligible_filter(on)).exclude(on_national_platform()).count()
    failing = (
        PushItem.objects.filter(record__in=records.filter(status=RecordStatus.APPROVED), kind=PushKind.RECORD)
        .filter(
            Q(state__in=[PushState.REJECTED, PushState.FAILED])
            | Q(state=PushState.WITHDRAWN, last_error__contains="J8")
        )
        .values("record_id")
        .distinct()
        .count()
    )
    return waiting, failing


def digest_section(digest):
    """The daily digest's "at risk before the national cutoff", for provincial staff and the superuser: every active
    campaign of their province whose national cutoff is within NATIONAL_PUSH_RISK_WORKING_DAYS working days."""
    from django.conf import settings
    from django.urls import reverse

    from review.digest import PROVINCIAL, SUPERUSER, DigestSection
    from review.workdays import UnknownCalendarDay, add_working_days

    if digest.kind not in (PROVINCIAL, SUPERUSER):
        return None
    today = digest.today
    try:
        horizon = add_working_days(today, settings.NATIONAL_PUSH_RISK_WORKING_DAYS)
    except UnknownCalendarDay:
        horizon = today + dt.timedelta(days=settings.NATIONAL_PUSH_RISK_WORKING_DAYS + 4)
    campaigns = Campaign.visible_to(digest.user).filter(
        is_active=True, national_cutoff__gte=today, national_cutoff__lte=horizon
    )
    lines = []
    for campaign in campaigns.order_by("national_cutoff"):
        waiting, failing = at_risk(campaign, on=today, user=digest.user)
        if waiting or failing:
            lines.append(
                _(
                    "%(campaign)s (national cutoff %(cutoff)s): %(waiting)s eligible records not yet accepted by the "
                    "national platform; %(failing)s approved records it will not take (rejected, failing, or not "
                    "meeting the standard)."
                )
                % {
                    "campaign": campaign.name,
                    "cutoff": campaign.national_cutoff.isoformat(),
                    "waiting": waiting,
                    "failing": failing,
                }
            )
    if not lines:
        return None
    return DigestSection(
        id="digest-push-at-risk",
        title=_("At risk before the national cutoff"),
        lines=lines,
        link_url=reverse("admin:sync_pushitem_dashboard"),
        link_text=_("The push dashboard"),
    )
