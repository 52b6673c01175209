"""The common reasons for 审核不通过 a reviewer picks from (issue 11 item 3), in the words the enterprise reads;
the reviewer may add to them or write their own. The reason is still required by `review.services.reject_record`."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

COMMON_REJECT_REASONS = (
    ("bid_notice", _("The bid-winning notice (中标通知书) uploaded does not match the tender data entered.")),
    ("contract", _("The contract uploaded does not match the contract data entered (amount, parties or dates).")),
    ("completion", _("The completion acceptance certificate is missing, unreadable or does not match the record.")),
    ("amounts", _("The contract amount departs from the winning bid amount without explanation.")),
    ("scope", _("The project is outside this campaign's scope (completion date or project kind).")),
    ("persons", _("The participating units or persons do not match the evidence.")),
    ("files", _("An attachment cannot be opened or is incomplete; upload a clear, complete scan.")),
)
