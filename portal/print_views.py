"""打印 in the portal (issue 12 item 5): the clerk's own record as a PDF (review.printing).

The record is found as the record page finds it (`records_visible_to`: the enterprise's own records, 404 for any
other); a published record prints with its verification code and QR, any other marked "未审核 — 仅供核对".
"""

from __future__ import annotations

from django.views.decorators.http import require_safe

from projects.selectors import records_visible_to
from review.printing import pdf_response, printable


@require_safe
def record_print(request, pk: int):
    return pdf_response(printable(records_visible_to(request.user), pk))
