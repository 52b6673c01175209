"""manage.py push_to_national [--campaign ID|NAME] [--dry-run]: push every eligible record to the national platform,
as the nightly beat entry does; --dry-run prints what would be sent and why the rest is not eligible."""

from __future__ import annotations

from collections import Counter

from django.core.management.base import BaseCommand, CommandError

from grading.eligibility import push_eligibility
from projects.models import Campaign, Record
from sync import services
from sync.models import PushItem, PushState
from sync.payload import records_for_push


class Command(BaseCommand):
    help = "Push every eligible approved record to the national platform (推送全国平台)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--campaign", help="a campaign's id or name (default: every campaign)")
        parser.add_argument("--dry-run", action="store_true", help="print what would be sent; send nothing")

    def handle(self, *args, campaign=None, dry_run=False, **options) -> None:
        campaigns = Campaign.objects.order_by("pk")
        if campaign:
            campaigns = campaigns.filter(pk=int(campaign)) if campaign.isdigit() else campaigns.filter(name=campaign)
            if not campaigns.exists():
                raise CommandError(f"没有这个补录工作：{campaign}")
        for c in campaigns:
            self._plan(c)
        if dry_run:
            self.stdout.write("--dry-run：未推送任何数据。")
            return
        report = services.push_to_national(campaign_id=campaigns.get().pk if campaign else None)
        self.stdout.write(
            f"推送完成：{report.batches}批，已推送{report.pushed}条，被退回{report.rejected}条，"
            f"稍后重试{report.retried}条，失败{report.failed}条，撤回{report.withdrawn}条。"
        )
        for error in report.errors:
            self.stdout.write(f"  错误：{error}")
        for item in PushItem.objects.filter(state=PushState.REJECTED).select_related("record__project")[:20]:
            reasons = "；".join(f"{r['table']}：{r['message']}" for r in item.reasons)
            self.stdout.write(f"  退回：{item.record.project.prj_name}（{item.record.project.prj_num}）：{reasons}")

    def _plan(self, campaign: Campaign) -> None:
        cutoff = campaign.national_cutoff.isoformat() if campaign.national_cutoff else "无"
        self.stdout.write(f"【{campaign.name}】全国平台截止日期：{cutoff}")
        ids = Record.objects.published().filter(campaign=campaign).values_list("pk", flat=True)
        approved = records_for_push(list(ids))  # with every row the rule check reads: no reload per record
        pushed = set(
            PushItem.objects.filter(record__campaign=campaign, state=PushState.PUSHED).values_list(
                "record_id", "record_version"
            )
        )
        reasons: Counter[str] = Counter()
        to_send = already = 0
        for record in approved:
            answer = push_eligibility(record)
            if not answer.eligible:
                reasons[answer.message] += 1
            elif (record.pk, record.version) in pushed:
                already += 1
            else:
                to_send += 1
                self.stdout.write(f"  将推送：{record.project.prj_name}（{record.project.prj_num}）")
        self.stdout.write(f"  已审核通过{len(approved)}条：将推送{to_send}条，已推送{already}条")
        for message, count in reasons.most_common():
            self.stdout.write(f"  不推送{count}条：{message}")
