"""G1–G4: may this enterprise submit this record today, and on which track?

`admission()` is the one function that answers it; the portal, review and sync all ask it. A "no" carries the
campaign's own words (the notice's text, stored on the campaign), never a message written here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import prefetch_related_objects
from django.utils.translation import gettext as _

from accounts.models import Enterprise, Region

from .models import Campaign, Record, Track


@dataclass(frozen=True)
class Refusal:
    rule: str  # the DOMAIN.md rule id: G1, G2, G3, G4
    message: str
    field: str = ""  # the record field it concerns, if any (for the portal's error list)


@dataclass(frozen=True)
class Admission:
    track: Track | None = None
    reaches_national: bool = False
    refusals: list[Refusal] = field(default_factory=list)
    #: why an admitted record stays provincial (G2, G3), in the campaign's words: told before and after submitting
    provincial_only: Refusal | None = None

    @property
    def allowed(self) -> bool:
        return not self.refusals and self.track is not None

    @property
    def messages(self) -> list[str]:
        return [r.message for r in self.refusals]


def scope_refusals(
    campaign: Campaign, county: Region | None, completed_on: dt.date | None, is_overseas: bool
) -> list[Refusal]:
    """G1: located in the campaign's province and completed before its cut date; overseas refused."""
    refusals = []
    if is_overseas:
        refusals.append(Refusal("G1", campaign.msg_overseas, "county"))
    elif county is not None and county.province_code != campaign.province_id:
        refusals.append(Refusal("G1", campaign.msg_outside_province, "county"))
    if completed_on is not None and completed_on >= campaign.scope_completed_before:
        refusals.append(Refusal("G1", campaign.msg_not_completed, "finish_check.e_date"))
    return refusals


def _track_answer(campaign: Campaign, enterprise: Enterprise, on: dt.date) -> tuple[Track | None, Refusal | None]:
    """G2–G4: the first track (by priority) that covers the enterprise and is open to it today."""
    openings = {o.enterprise_kind: o for o in campaign.openings.all()}
    applied = {q.pk: q for q in enterprise.applied_qualifications.all()}
    first_refusal: Refusal | None = None
    covered_somewhere = False
    for track in campaign.tracks.all():
        track_quals = {q.pk for q in track.qualifications.all()}
        if track_quals:
            matched = [applied[pk] for pk in track_quals & applied.keys()]
            if not matched:
                continue
            kinds = {q.kind for q in matched}
        else:
            kinds = set(enterprise.kinds)
        kinds &= openings.keys()
        if not kinds:
            continue
        covered_somewhere = True
        if not any(openings[k].opens_on <= on for k in kinds):
            first_open = min((openings[k] for k in kinds), key=lambda o: o.opens_on)
            first_refusal = first_refusal or Refusal("G4", first_open.message_before_open or campaign.msg_closed)
            continue
        if track.entry_deadline is not None and on > track.entry_deadline:
            first_refusal = first_refusal or Refusal("G2", track.message_after_deadline or campaign.msg_closed)
            continue
        return track, None
    if not covered_somewhere:
        return None, Refusal("G2", campaign.msg_kind_not_covered)
    return None, first_refusal


def admission(
    *,
    enterprise: Enterprise,
    campaign: Campaign,
    on: dt.date,
    county: Region | None = None,
    completed_on: dt.date | None = None,
    is_overseas: bool = False,
) -> Admission:
    """Every reason why the enterprise may not submit on `on`, or the track it submits on.

    `on` is the day in Asia/Shanghai. Whether the record reaches the national platform depends on the track and
    on the campaign's national cutoff (G2, G3: entries after it stay on the provincial platform).
    """
    refusals = scope_refusals(campaign, county, completed_on, is_overseas)
    if not campaign.is_active or (campaign.close_date is not None and on > campaign.close_date):
        refusals.append(Refusal("G3", campaign.msg_closed))
        return Admission(refusals=refusals)
    track, refusal = _track_answer(campaign, enterprise, on)
    if refusal is not None:
        refusals.append(refusal)
    if refusals or track is None:
        return Admission(refusals=refusals)
    reason = national_reach(campaign, track, on)
    return Admission(track=track, reaches_national=reason is None, provincial_only=reason)


def national_reach(campaign: Campaign, track: Track, entered_on: dt.date) -> Refusal | None:
    """G2, G3: None when a record of this track entered on `entered_on` may reach the national platform, else why
    not, in the campaign's words. Late is provincial, not refused (ADR 0010)."""
    if not track.reaches_national:
        return Refusal(
            "G3",
            _("The “%(track)s” track is published on the provincial platform only (G3).") % {"track": track.name},
        )
    if track.national_deadline is not None and entered_on > track.national_deadline:
        return Refusal("G2", track.message_after_national_deadline or campaign.msg_after_national_cutoff)
    if campaign.national_cutoff is not None and entered_on > campaign.national_cutoff:
        return Refusal("G3", campaign.msg_after_national_cutoff)
    return None


def admission_for_record(record: Record, on: dt.date) -> Admission:
    """`admission()` for a record, taking location and completion date from its stages."""
    project = record.project
    finish = getattr(record, "finish_check", None)
    return admission(
        enterprise=record.enterprise,
        campaign=record.campaign,
        on=on,
        county=project.county,
        completed_on=finish.e_date if finish is not None else None,
        is_overseas=project.is_overseas,
    )


@dataclass(frozen=True)
class CampaignOffer:
    """What a campaign allows this enterprise on a day, told before any work starts (issue 11 item 1)."""

    campaign: Campaign
    admission: Admission
    home: bool  # the campaign is of the province the enterprise is registered in
    last_day: dt.date | None  # the last day of entry on its track (the track's or the campaign's); None: no date
    days_left: int | None  # calendar days from `on` to last_day, both counted; None without a last day
    opens_on: dt.date | None  # the first day it opens to this enterprise, while not yet open

    @property
    def is_open(self) -> bool:
        return self.admission.allowed

    @property
    def track(self) -> Track | None:
        return self.admission.track

    @property
    def refusal(self) -> Refusal | None:
        return self.admission.refusals[0] if self.admission.refusals else None

    @property
    def national_last_day(self) -> dt.date | None:
        """The last day of entry that still reaches the national platform (G2, G3), when one is set."""
        if self.track is None or self.admission.provincial_only is not None:
            return None
        days = [d for d in (self.track.national_deadline, self.campaign.national_cutoff) if d is not None]
        return min(days) if days else None

    @property
    def state(self) -> str:
        """ "open", "not_open" (G4: its opening day is ahead) or "closed"."""
        if self.is_open:
            return "open"
        return "not_open" if self.opens_on is not None else "closed"


def campaign_offer(campaign: Campaign, enterprise: Enterprise, on: dt.date) -> CampaignOffer:
    verdict = admission(enterprise=enterprise, campaign=campaign, on=on)
    last_day = None
    if verdict.track is not None:
        days = [d for d in (verdict.track.entry_deadline, campaign.close_date) if d is not None]
        last_day = min(days) if days else None
    opens_on = None
    if not verdict.allowed and verdict.refusals and verdict.refusals[0].rule == "G4":
        kinds = set(enterprise.kinds)
        ahead = [o.opens_on for o in campaign.openings.all() if o.enterprise_kind in kinds and o.opens_on > on]
        opens_on = min(ahead) if ahead else None
    home = bool(enterprise.region_id) and f"{enterprise.region_id[:2]}0000" == campaign.province_id
    return CampaignOffer(
        campaign=campaign,
        admission=verdict,
        home=home,
        last_day=last_day,
        days_left=(last_day - on).days + 1 if last_day is not None else None,
        opens_on=opens_on,
    )


def campaign_offers(enterprise: Enterprise, on: dt.date) -> list[CampaignOffer]:
    """Every active campaign of the enterprise's kinds, as it stands for the enterprise on `on`: the ones open to
    it first, its own province's first among them (the portal preselects the first), then those not yet open,
    then the closed ones (shown, so nobody starts work in them)."""
    campaigns = (
        Campaign.objects.filter(is_active=True, openings__enterprise_kind__in=enterprise.kinds)
        .distinct()
        .select_related("province")
        .prefetch_related("openings", "tracks__qualifications")
        .order_by("-notice_date", "pk")
    )
    prefetch_related_objects([enterprise], "applied_qualifications")
    offers = [campaign_offer(c, enterprise, on) for c in campaigns]
    rank = {"open": 0, "not_open": 1, "closed": 2}
    return sorted(offers, key=lambda o: (rank[o.state], not o.home))


def start_refusal(enterprise: Enterprise, campaign: Campaign, on: dt.date) -> Refusal | None:
    """Why the enterprise may not start a record in `campaign` on `on` (G2–G4: closed, not yet open, not its
    kind), in the campaign's words; None when it may. Location and completion (G1) are told where they are given."""
    verdict = admission(enterprise=enterprise, campaign=campaign, on=on)
    if verdict.allowed:
        return None
    return verdict.refusals[0] if verdict.refusals else Refusal("G2", campaign.msg_closed)
