"""The daily digest as an admin page (issue 5 item 8): /admin/review/digest/ ("admin:review_digest") shows the logged-in
official the digest the 07:30 mail sends (review.digest.digest_for): what is due today and next working day in the
jurisdiction, and for provincial staff what the nightly job approved and which bureaus let records run over.

The digest has no model, so the page is added to the admin site itself: `install` wraps the site's `get_urls` (the
page, before the site's own patterns) and `get_app_list` (a "Daily digest" line in the Review application of the
index and the sidebar, for those who may open it). Who may open it: officials (config/access.py, "admin:*").
"""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ..digest import digest_for, kind_of
from ..workdays import SHANGHAI
from .pages import index_entry, install_pages

TEMPLATE = "admin/review/digest.html"
URL_NAME = "review_digest"


def digest_view(request, site=admin.site):
    user = request.user
    if not kind_of(user):
        raise PermissionDenied
    digest = digest_for(user, timezone.now().astimezone(SHANGHAI).date())
    context = {
        **site.each_context(request),
        "title": _("Daily digest"),
        "subtitle": digest.today.isoformat(),
        "digest": digest,
        "queue_url": reverse("admin:review_reviewqueueitem_changelist"),
        "nightly_log_url": reverse("admin:review_recordtransition_changelist") + "?by__exact=nightly_job",
        "calendar_url": reverse("admin:review_calendaryear_changelist"),
    }
    return TemplateResponse(request, TEMPLATE, context)


def _app_list_entry(request) -> dict | None:
    return index_entry(_("Daily digest"), "DailyDigest", URL_NAME) if kind_of(request.user) else None


def install(site: admin.AdminSite) -> None:
    """Add the digest page and its index line to `site` (once)."""
    install_pages(
        site,
        "digest",
        lambda: [path("review/digest/", site.admin_view(lambda request: digest_view(request, site)), name=URL_NAME)],
        _app_list_entry,
    )


install(admin.site)
