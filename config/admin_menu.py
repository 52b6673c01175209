"""The admin's menus by role (issue 11 item 2): an official sees the sections that role works in, named as the
notices name them (项目管理 → 已竣工历史业绩补录), not the database tables Django groups by application.

`install` wraps the site's `get_app_list` (the index, the sidebar and each application's page ask it). A reviewer and
provincial staff get the sections of `MENUS` — each line only when their permissions already put it in the stock list
(this regroups, it grants nothing); a superuser keeps Django's full list. Permissions and scoping stay where they
are: a URL left out of a menu is still guarded by config/access.py, the model admin and `visible_to`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.models import Role


@dataclass(frozen=True)
class Section:
    key: str
    name: object  # a lazy translation
    #: (app_label, object_name, label or None for the model's own plural name)
    lines: tuple[tuple[str, str, object | None], ...]


QUEUE = ("review", "ReviewQueueItem", _("Completed projects' historical performance (to review)"))
DIGEST = ("review", "DailyDigest", None)
PROGRESS = ("review", "CampaignProgress", None)
RECORDS = ("projects", "Record", _("All records"))
TRANSITIONS = ("review", "RecordTransition", None)
CREDIT = ("review", "CreditEntry", None)

MENUS: dict[str, tuple[Section, ...]] = {
    Role.REVIEWER: (
        Section("yeji-projects", _("Project management"), (QUEUE, DIGEST, RECORDS, TRANSITIONS)),
        Section("yeji-credit", _("Credit file"), (CREDIT,)),
    ),
    Role.PROVINCIAL: (
        Section(
            "yeji-projects",
            _("Project management"),
            (QUEUE, DIGEST, PROGRESS, RECORDS, ("projects", "Project", None), ("projects", "DeclaredProject", None)),
        ),
        Section(
            "yeji-campaigns",
            _("Backfill campaigns"),
            (
                ("projects", "Campaign", None),
                ("projects", "Track", None),
                ("projects", "CampaignOpening", None),
                ("projects", "CampaignContact", None),
                ("review", "WorkdayOverride", None),
                ("review", "CalendarYear", None),
                ("review", "CalendarAlert", None),
            ),
        ),
        Section(
            "yeji-accounts",
            _("Accounts and organisations"),
            (
                ("accounts", "User", None),
                ("accounts", "Authority", None),
                ("accounts", "Department", None),
                ("accounts", "Enterprise", None),
                ("accounts", "Qualification", None),
            ),
        ),
        Section("yeji-transfer", _("Bulk import and export"), (("transfer", "ImportJob", None),)),
        Section("yeji-credit", _("Credit file"), (CREDIT,)),
        Section(
            "yeji-push", _("Push to the national platform"), (("sync", "PushBatch", None), ("sync", "PushItem", None))
        ),
        Section("yeji-log", _("Logs"), (TRANSITIONS, ("review", "PiiReveal", None))),
        Section(
            "yeji-systems",
            _("Qualification review systems"),
            (("portal", "SystemToken", None), ("portal", "SystemCall", None)),
        ),
    ),
}


def menu_for(user, stock: list[dict]) -> list[dict]:
    """The app list `user` sees, built from the stock one (`stock`, what permissions allow)."""
    if user.is_superuser:
        return stock
    sections = MENUS.get(getattr(user, "role", None))
    if sections is None:
        return []
    models = {(app["app_label"], entry["object_name"]): entry for app in stock for entry in app["models"]}
    menu = []
    for section in sections:
        entries = []
        for app_label, object_name, label in section.lines:
            entry = models.get((app_label, object_name))
            if entry is None:
                continue
            entry = dict(entry)
            if label is not None:
                entry["name"] = label
            entries.append(entry)
        if entries:
            menu.append(
                {
                    "name": section.name,
                    "app_label": section.key,
                    "app_url": entries[0]["admin_url"],
                    "has_module_perms": True,
                    "models": entries,
                }
            )
    return menu


def install(site: admin.AdminSite) -> None:
    """Regroup `site`'s app list by role (once). Installed last, over the wrappers that add pages (the digest)."""
    if getattr(site, "_yeji_menu_installed", False):
        return
    stock_app_list = site.get_app_list

    def get_app_list(request, app_label=None):
        apps = stock_app_list(request, app_label)
        if app_label is not None or request.user.is_superuser:
            # an application's own page (/admin/<app>/) lists what that application holds for this user, filtered
            # to the lines of the user's menu
            if request.user.is_superuser:
                return apps
            allowed = {
                (line[0], line[1])
                for section in MENUS.get(getattr(request.user, "role", None), ())
                for line in section.lines
            }
            for app in apps:
                app["models"] = [m for m in app["models"] if (app["app_label"], m["object_name"]) in allowed]
            return [app for app in apps if app["models"]]
        return menu_for(request.user, apps)

    site.get_app_list = get_app_list
    site._yeji_menu_installed = True
