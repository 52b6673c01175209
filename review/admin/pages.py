"""Pages of review/ that are not a model's changelist (the digest, the campaigns' progress): their URLs added to an
admin site, and their line on the index under 审核 for the officials who may open them."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import admin
from django.urls import URLPattern, reverse


def index_entry(name: str, object_name: str, url_name: str) -> dict:
    """The index line of a page, as the admin writes a view-only model's."""
    return {
        "name": name,
        "object_name": object_name,
        "perms": {"view": True},
        "admin_url": reverse(f"admin:{url_name}"),
        "add_url": None,
        "view_only": True,
    }


def install_pages(
    site: admin.AdminSite,
    key: str,
    urls: Callable[[], list[URLPattern]],
    entry: Callable[..., dict | None],
) -> None:
    """Add `urls()` to `site` before its own, and `entry(request)` (None: not for this official) first among the
    review app's lines of the index; once per site and `key`."""
    marker = f"_review_{key}_installed"
    if getattr(site, marker, False):
        return
    site_urls, site_app_list = site.get_urls, site.get_app_list

    def get_urls():
        return [*urls(), *site_urls()]

    def get_app_list(request, app_label=None):
        apps = site_app_list(request, app_label)
        line = entry(request)
        if line is not None:
            for app in apps:
                if app["app_label"] == "review":
                    app["models"].insert(0, line)
        return apps

    site.get_urls = get_urls
    site.get_app_list = get_app_list
    setattr(site, marker, True)
