"""GET /api/v1/records/{id}/check (issue 12 item 6): the rule check on its own, nothing changed.

Every violation as (stage, field, rule id, message). The list is the one the platform's other callers act on:
`grading.checks.check_record` — which submit (review.services.submit_record), the review page of the admin
(review.admin.queue) and the push (grading.eligibility.push_eligibility, sync) all call — and, for a record the
enterprise may still submit (draft, rejected), what submit asks besides (the campaign's admission G1–G4, J3, a
deregistered enterprise: `review.services.submit_preview`, the portal's 核对信息). So for such a record the answer is
exactly what 提交审核 would refuse with now. Another firm's entries of a shared project are summed up, never shown
(ADR 0008), as submit does. A record of another enterprise answers 404.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response

from grading import rules
from grading.checks import Problem, check_record
from portal.page import mask_shared_problems
from portal.selectors import record_for_page
from projects.models import Record
from projects.selectors import records_visible_to, shared_access

from .views import ApiMixin, _errors


class CheckProblemSerializer(serializers.Serializer):
    stage = serializers.CharField(
        source="section",
        help_text=_('The section (stage) of the record: "project", "tender", "corps" …; "" for the whole record.'),
    )
    stage_name = serializers.SerializerMethodField(help_text=_("The section's name."))
    field = serializers.CharField(
        source="path", help_text=_('The field, as in the record\'s JSON ("corps[1].corp_code"); "" for none.')
    )
    rule = serializers.CharField(
        source="rule_id",
        help_text=_(
            'The rule as DOMAIN.md numbers it: "J8.M" (mandatory), "J8.code", "J8.check-digit", "J8.format", '
            '"J8.amount", "J8.date-order" … for the national data standard (J8), "G1"…"G4", "J3" for the notices.'
        ),
    )
    check = serializers.CharField(source="rule", help_text=_('The check alone: "M", "check-digit", "G1" …'))
    message = serializers.CharField(help_text=_("What is wrong, in the request's language, naming the field."))

    def get_stage_name(self, problem: Problem) -> str:
        section = rules.SECTION_BY_KEY.get(problem.section)
        return str(section.label) if section is not None else ""


class RecordCheckSerializer(serializers.Serializer):
    record = serializers.IntegerField(help_text=_("The record's id."))
    status = serializers.CharField(help_text=_("The record's status."))
    submittable = serializers.BooleanField(
        help_text=_("The enterprise may still submit it (draft, rejected): the list includes submit's own checks.")
    )
    ok = serializers.BooleanField(help_text=_("No violation."))
    count = serializers.IntegerField()
    problems = CheckProblemSerializer(many=True)


def record_problems(record: Record, user) -> list[Problem]:
    """The violations of `record` (see the module's text): what submit would refuse with, for a record the enterprise
    may still submit; the rule check (grading.checks.check_record) for any other."""
    from review.services import submit_preview  # the review layer sits above projects; imported on use

    if record.is_editable_by_enterprise:
        problems = submit_preview(record=record, user=user, now=timezone.now()).problems
    else:
        problems = check_record(record)
    return mask_shared_problems(problems, shared_access(record))


class RecordCheckView(ApiMixin, generics.GenericAPIView):
    """The rule check on its own: enterprise clerks, their own records (ApiMixin)."""

    serializer_class = RecordCheckSerializer

    @extend_schema(
        operation_id="records_check",
        summary="Check the record against the rules (rule check)",
        description=(
            "Every violation as (stage, field, rule id, message), nothing changed. The list comes from the same "
            "rule check that submit, the authority's review page and the push to the national platform use "
            "(grading.checks.check_record, the national data standard J8 and the campaign's cut date G1). For a "
            "record the enterprise may still submit (draft, rejected) it also holds submit's own checks (the "
            "campaign's admission G2–G4, J3): exactly what submit would refuse with now. An empty list: submit "
            "would accept it (approved records: the push would not be refused for J8)."
        ),
        responses={200: RecordCheckSerializer, **_errors(401, 403, 404)},
        tags=["records"],
    )
    def get(self, request, pk: int):
        get_object_or_404(records_visible_to(request.user).only("id"), pk=pk)
        record = record_for_page(request.user, pk)
        problems = record_problems(record, request.user)
        body = {
            "record": record.pk,
            "status": record.status,
            "submittable": record.is_editable_by_enterprise,
            "ok": not problems,
            "count": len(problems),
            "problems": problems,
        }
        return Response(RecordCheckSerializer(body).data)
