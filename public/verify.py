"""/public/verify/<code>/ (issue 12 item 5): whether a printed record (打印) is the record's current published content.

The code printed on the paper and in its QR code (review.printing.verification_code) is checked here, without a login:
the current published content, an older version, a record no longer published, or no code of ours. Nothing about a
record is told before its code proves that this platform printed it; the record's public page is linked only while
the record is published. Read-only.
"""

from __future__ import annotations

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from review.printing import Verdict, normalise_code, verify

#: The answer's status: a code we do not know is not found; every other answer is a page about a real record.
STATUS = {Verdict.UNKNOWN: 404}


def _verdict_text(verdict: str) -> tuple[str, str]:
    """(tone, sentence) of a verdict."""
    return {
        Verdict.CURRENT: (
            "success",
            _("This printed copy is the record's current published content."),
        ),
        Verdict.OUTDATED: (
            "warn",
            _(
                "This printed copy is an earlier version of the record: the record has been corrected or completed "
                "since it was printed. Read its current content on its public page."
            ),
        ),
        Verdict.NOT_PUBLISHED: (
            "error",
            _("This record is no longer published: the printed copy is not valid."),
        ),
        Verdict.UNKNOWN: (
            "error",
            _("Unknown verification code: no record printed by this platform carries it. Check the code you typed."),
        ),
    }[verdict]


@require_safe
@never_cache
def verify_view(request, code: str):
    """The verdict on a printed copy's code, in words, with the record's public page when it is published."""
    answer = verify(code)
    tone, sentence = _verdict_text(answer.verdict)
    record = answer.record
    context = {
        "code": normalise_code(code)[:40],
        "verdict": answer.verdict,
        "tone": tone,
        "sentence": sentence,
        "record": record,
        "project": record.project if record is not None else None,
        "printed_edition": answer.edition,
        "public_url": answer.public_url,
    }
    return render(request, "public/verify.html", context, status=STATUS.get(answer.verdict, 200))
