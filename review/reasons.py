"""The common reasons for 审核不通过 a reviewer picks from (issue 11 item 3), in the words the enterprise reads;
the reviewer may add to them or write their own. The reason is still required by `review.services.reject_record`.
And the reasons an enterprise gives for 申请直接审核 (G6), as the log keeps them and reads them back."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

#: Between the label of a reason and the enterprise's own words in the log ("其他：…").
LOG_SEPARATOR = "："

COMMON_REJECT_REASONS = (
    ("bid_notice", _("The bid-winning notice (中标通知书) uploaded does not match the tender data entered.")),
    ("contract", _("The contract uploaded does not match the contract data entered (amount, parties or dates).")),
    ("completion", _("The completion acceptance certificate is missing, unreadable or does not match the record.")),
    ("amounts", _("The contract amount departs from the winning bid amount without explanation.")),
    ("scope", _("The project is outside this campaign's scope (completion date or project kind).")),
    ("persons", _("The participating units or persons do not match the evidence.")),
    ("files", _("An attachment cannot be opened or is incomplete; upload a clear, complete scan.")),
)


class DirectReviewReason(models.TextChoices):
    """Why the enterprise asks the provincial office to review the record directly (G6)."""

    OWNER_DEREGISTERED = "owner_deregistered", _("The owner (建设单位) has been deregistered (已注销)")
    OTHER = "other", _("Other")


def direct_review_log_reason(reason_code: str, words: str) -> str:
    """The reason of a request for direct review as the log keeps it, in the platform's language: "建设单位已注销", or
    "其他：<the enterprise's words>" (read back by `parse_direct_review_reason`)."""
    with translation.override(settings.LANGUAGE_CODE):
        label = str(DirectReviewReason(reason_code).label)
    return f"{label}{LOG_SEPARATOR}{words}" if words else label


def parse_direct_review_reason(text: str) -> tuple[str, str]:
    """(reason code, the enterprise's words) of a reason `direct_review_log_reason` wrote; ("", text) for any other
    text (a row written before the codes existed)."""
    with translation.override(settings.LANGUAGE_CODE):
        labels = {code: str(label) for code, label in DirectReviewReason.choices}
    for code, label in labels.items():
        if text == label:
            return code, ""
        if text.startswith(label + LOG_SEPARATOR):
            return code, text[len(label) + len(LOG_SEPARATOR) :]
    return "", text
