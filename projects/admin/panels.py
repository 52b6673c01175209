"""Panels that layers above projects/ add to the record pages of the admin (sync/ adds the record's push state), and
links they add to a campaign's page (review/ adds the campaign's progress).

A panel is a function of the record that returns None or a dict: id, title, text, tone (info, success, warning,
error) and optionally link_url / link_text. projects/ and review/ import nothing of the layers that register here.
"""

from __future__ import annotations

from collections.abc import Callable

RECORD_PANELS: list[Callable] = []


def register_record_panel(panel: Callable) -> Callable:
    if panel not in RECORD_PANELS:
        RECORD_PANELS.append(panel)
    return panel


def record_panels(record) -> list[dict]:
    """The panels of a saved record (the add page has none: nothing is pushed, printed or versioned yet)."""
    if record is None or record.pk is None:
        return []
    return [p for p in (panel(record) for panel in RECORD_PANELS) if p]


#: Links that layers above projects/ add to a campaign's admin page (review/ adds its progress page, 补录工作进度):
#: functions of (request, campaign) returning None or a dict: id, url, text.
CAMPAIGN_LINKS: list[Callable] = []


def register_campaign_link(link: Callable) -> Callable:
    if link not in CAMPAIGN_LINKS:
        CAMPAIGN_LINKS.append(link)
    return link


def campaign_links(request, campaign) -> list[dict]:
    return [x for x in (link(request, campaign) for link in CAMPAIGN_LINKS) if x]
