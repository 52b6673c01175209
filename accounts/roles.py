"""Roles are Django groups with permissions. This map is the one place that says which permissions each has.

The groups are created by a data migration (accounts/migrations/0003_role_groups.py); their permissions are
brought in line with this map after every `migrate` (post_migrate, see AccountsConfig.ready), so a later app
that adds a permission only edits this map.
"""

from __future__ import annotations

from fnmatch import fnmatch

from .models import Role

GROUP_NAMES: dict[str, str] = {
    Role.ENTERPRISE: "企业填报员",
    Role.REVIEWER: "主管部门审核员",
    Role.PROVINCIAL: "省厅工作人员",
    Role.SYSTEM: "资质审批系统",  # no permission: it calls one API URL (config/access.py), never the admin
}

_RECORD_PARTS = [
    "record",
    "project",
    "unitproject",
    "tender",
    "contract",
    "censor",
    "censorstaff",
    "builderlicence",
    "finishcheck",
    "finishrecord",
    "projectcorp",
    "recordperson",
    "attachment",
]

# "app_label.codename" patterns (fnmatch wildcards).
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.ENTERPRISE: [
        *(f"projects.{action}_{model}" for model in _RECORD_PARTS for action in ("add", "change", "view")),
        "projects.delete_unitproject",
        "projects.delete_projectcorp",
        "projects.delete_recordperson",
        "projects.delete_censorstaff",
        "projects.delete_attachment",
        "projects.view_campaign",
        "projects.view_track",
        "projects.view_campaignopening",
    ],
    Role.REVIEWER: [
        "projects.view_*",
        "accounts.view_region",
        "accounts.view_authority",
        "accounts.view_department",
        "accounts.view_enterprise",
        "accounts.view_qualification",
        "review.view_recordtransition",
        "review.view_workdayoverride",
        "review.view_calendaryear",
        "review.view_calendaralert",
        "review.view_reviewqueueitem",
        "review.change_reviewqueueitem",
        "review.view_creditentry",
        "review.add_creditentry",
    ],
    Role.PROVINCIAL: [
        "projects.view_*",
        "projects.*_campaign",
        "projects.*_campaignopening",
        "projects.*_track",
        "projects.*_campaigncontact",
        "projects.*_declaredproject",
        "accounts.*_authority",
        "accounts.*_department",
        "accounts.*_enterprise",
        # one national catalogue for every province: its rules (J4) change for all, so only a superuser edits it
        "accounts.view_qualification",
        "accounts.view_region",
        "accounts.add_user",
        "accounts.change_user",
        "accounts.view_user",
        "review.view_recordtransition",
        "review.*_workdayoverride",
        "review.*_calendaryear",
        "review.view_calendaralert",
        "review.view_reviewqueueitem",
        "review.change_reviewqueueitem",
        "review.view_creditentry",
        "review.add_creditentry",
        "review.view_piireveal",
        "review.view_correctionrequest",  # 更正申请 (J7): the provincial office decides them
        "review.change_correctionrequest",
        "sync.view_*",
        "sync.change_pushitem",  # retry and re-push (the items stay read-only)
        "legacy.view_*",  # the old system's migration (J2): which record and account each old id became
        # the qualification review systems of their province (ADR 0015): issue and revoke keys, read the call log
        "portal.view_systemtoken",
        "portal.add_systemtoken",
        "portal.change_systemtoken",
        "portal.view_systemcall",
    ],
    Role.SYSTEM: [],  # a qualification review system: one API URL (config/access.py), no model permission
}


def permissions_for(role: str, all_permissions: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The (app_label, codename) pairs of `all_permissions` that the role's patterns match."""
    patterns = ROLE_PERMISSIONS.get(role, [])
    return [(app, code) for app, code in all_permissions if any(fnmatch(f"{app}.{code}", p) for p in patterns)]


def sync_role_groups(apps=None) -> None:
    """Create the role groups if needed and set their permissions from ROLE_PERMISSIONS (idempotent)."""
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    perms = list(Permission.objects.values_list("content_type__app_label", "codename", "id"))
    ids = {(app, code): pk for app, code, pk in perms}
    for role, name in GROUP_NAMES.items():
        group, _ = Group.objects.get_or_create(name=name)
        wanted = permissions_for(role, [(app, code) for app, code, _pk in perms])
        group.permissions.set([ids[p] for p in wanted])
