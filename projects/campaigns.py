"""G1–G4: may this enterprise submit this record today, and on which track?

`admission()` is the one function that answers it; the portal, review and sync all ask it. A "no" carries the
campaign's own words (the notice's text, stored on the campaign), never a message written here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

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
