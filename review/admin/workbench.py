"""The reviewer's 审核工作台 (issue 11 item 2): the admin's index for officials — the counts of the jurisdiction
(待审核, 今日到期, 即将超期, 已逾期, 已办), each a link to the queue filtered so, and the first rows of the queue by
deadline with the countdown first.

`install` wraps the site's `index` (its extra context), so the page stays Django's index with its menus; the counts
come from `review.selectors.workbench_counts`, the rows from `queue_for`, the countdown from `WorkingDaysLeft` — the
queue's own rules, not a copy of them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ..digest import kind_of
from ..selectors import DaysLeft, WorkingDaysLeft, queue_for, workbench_counts

#: How many of the queue's rows the workbench shows (the full queue is a click away).
ROWS = 15


@dataclass(frozen=True)
class Tile:
    key: str
    label: str
    count: int | None
    url: str
    tone: str = ""  # "" | "warn" | "danger"


@dataclass(frozen=True)
class Row:
    pk: int
    url: str
    prj_name: str
    prj_num: str
    enterprise: str
    authority: str
    deadline: object
    left: DaysLeft | None

    @property
    def countdown(self) -> str:
        if self.left is None:
            return "—"
        if self.left.overdue:
            return _("overdue")
        if self.left.days is None:
            return _("unknown calendar")
        if self.left.days == 0:
            return _("due today")
        return _("%(days)s working days") % {"days": self.left.days}

    @property
    def tone(self) -> str:
        if self.left is None:
            return ""
        if self.left.overdue:
            return "danger"
        return "warn" if self.left.urgent else ""


def workbench(request) -> dict | None:
    """The workbench's context for the request's official, or None for anybody else."""
    user = request.user
    if not kind_of(user):
        return None
    now = timezone.now()
    counts = workbench_counts(user, now)
    queue_url = reverse("admin:review_reviewqueueitem_changelist")
    done_url = reverse("admin:review_recordtransition_changelist") + "?by__exact=person"
    today_tone = "warn" if counts.due_today else ""
    tiles = [
        Tile("pending", _("To review"), counts.pending, queue_url),
        Tile("due_today", _("Due today"), counts.due_today, f"{queue_url}?due=today", today_tone),
        Tile("due_soon", _("Due next working day"), counts.due_soon, f"{queue_url}?due=soon"),
        Tile("overdue", _("Overdue"), counts.overdue, f"{queue_url}?due=overdue", "danger" if counts.overdue else ""),
        Tile("done", _("Decided"), counts.done, done_url),
    ]
    counter = WorkingDaysLeft(now)
    items = queue_for(user).select_related("project", "enterprise", "responsible_authority")[:ROWS]
    rows = [
        Row(
            pk=item.pk,
            url=reverse("admin:review_reviewqueueitem_change", args=[item.pk]),
            prj_name=item.project.prj_name,
            prj_num=item.project.prj_num,
            enterprise=item.enterprise.name,
            authority=item.responsible_authority.name if item.responsible_authority_id else "",
            deadline=item.review_deadline,
            left=counter(item.review_deadline),
        )
        for item in items
    ]
    return {"tiles": tiles, "rows": rows, "queue_url": queue_url, "more": counts.pending > len(rows)}


def install(site: admin.AdminSite) -> None:
    """Give `site`'s index the workbench (once)."""
    if getattr(site, "_review_workbench_installed", False):
        return
    stock_index = site.index

    def index(request, extra_context=None):
        extra_context = dict(extra_context or {})
        extra_context.setdefault("workbench", workbench(request))
        return stock_index(request, extra_context)

    site.index = index
    site._review_workbench_installed = True


install(admin.site)
