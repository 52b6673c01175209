"""GET /api/v1/qualification/enterprises/{credit_code}/records/: what a qualification review system reads (J4, G11).

A trusted system of its own role (accounts.Role.SYSTEM, config/access.py) with a key provincial staff issued
(portal.api.system_auth) reads the published records of one enterprise in its province (Record.scope), each with
every stage's grade, reviewing department and reviewer, the enterprise's persons with their ID numbers unmasked
(ADR 0015: they are what personal performance is matched by) and, when asked for a qualification, the verdict of
its rule (grading.qualification.verdict, the same answer the firm's page shows). Every call is logged
(portal.models.SystemCall, by portal.api.calls.SystemCallLogMiddleware).
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from accounts import validators
from accounts.models import Enterprise, PerformanceStage, PerformanceUse, Qualification, Role
from grading.qualification import STAGE_ORDER, stage_row
from portal.qualification import system_records, verdict_of
from portal.qualification_forms import RecordFilterForm
from projects.codes import CorpRole, PersonRole

from .serializers import ErrorSerializer
from .system_auth import SystemTokenAuthentication

#: the business date of each stage, as the national tables name it
STAGE_DATES = {
    "project": "prj_approval_date",
    "censor": "censor_e_date",
    "tender": "tender_result_date",
    "contract": "contract_date",
    "licence": "release_date",
    "finish_check": "e_date",
    "finish_record": "e_date",
}


class IsQualificationSystem(BasePermission):
    message = gettext_lazy(
        "This address is for the qualification review systems, with the key the provincial office issued."
    )
    code = "not_system"

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_active and user.role == Role.SYSTEM)


class SystemStageSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=PerformanceStage.choices)
    name = serializers.CharField(help_text=gettext_lazy("The stage's name."))
    data_level = serializers.CharField(
        help_text=gettext_lazy("The grade: A provincial, B city, C county, D not reviewed.")
    )
    data_source = serializers.IntegerField(allow_null=True, help_text=gettext_lazy("2 信息登记, 3 历史业绩补录."))
    check_depart_name = serializers.CharField(help_text=gettext_lazy("The reviewing department (信息审核部门)."))
    check_person_name = serializers.CharField(help_text=gettext_lazy("The reviewer (信息审核人)."))
    national_num = serializers.CharField(help_text=gettext_lazy("The national record number, once pushed."))
    date = serializers.DateField(allow_null=True, help_text=gettext_lazy("The stage's business date."))


class PersonSerializer(serializers.Serializer):
    name = serializers.CharField()
    role = serializers.CharField(
        help_text=gettext_lazy("The role on the project (TBWORKDUTYDIC / TBSUPERVISERROLEDIC code).")
    )
    role_name = serializers.CharField()
    id_card_type = serializers.CharField(help_text=gettext_lazy("TBIDCARDTYPEDIC code."))
    id_card = serializers.CharField(
        help_text=gettext_lazy("The ID number, unmasked: personal performance is matched by it (ADR 0015).")
    )
    registration_type = serializers.CharField()
    registration_cert_no = serializers.CharField()


class VerdictSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.CharField(), help_text=gettext_lazy("Why not, in Chinese."))


class QualificationCheckSerializer(serializers.Serializer):
    qualification = serializers.CharField(help_text=gettext_lazy("The qualification's code."))
    enterprise = VerdictSerializer(help_text=gettext_lazy("As enterprise performance."))
    personal = VerdictSerializer(help_text=gettext_lazy("As personal performance."))


class SystemRecordSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    prj_num = serializers.CharField()
    prj_name = serializers.CharField()
    county = serializers.CharField(help_text=gettext_lazy("GB/T 2260 code of the project's county."))
    county_name = serializers.CharField()
    enterprise_name = serializers.CharField()
    enterprise_credit_code = serializers.CharField()
    enterprise_roles = serializers.ListField(
        child=serializers.ChoiceField(choices=CorpRole.choices),
        help_text=gettext_lazy("The enterprise's roles on the project (TBCORPROLEDIC)."),
    )
    grade = serializers.CharField(help_text=gettext_lazy("The record's grade (that of its completion acceptance)."))
    completed_on = serializers.DateField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    stages = SystemStageSerializer(many=True)
    persons = PersonSerializer(many=True, help_text=gettext_lazy("The enterprise's own persons on the project."))
    qualification_check = QualificationCheckSerializer(
        allow_null=True, help_text=gettext_lazy("Only when the query names a qualification.")
    )


class SystemRecordPage(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = SystemRecordSerializer(many=True)


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


def _stages(record) -> list[dict]:
    stages = []
    for stage in STAGE_ORDER:
        row = stage_row(record, stage)
        if row is None:
            continue
        stages.append(
            {
                "stage": stage,
                "name": str(PerformanceStage(stage).label),
                "data_level": row.data_level,
                "data_source": row.data_source,
                "check_depart_name": row.check_depart_name,
                "check_person_name": row.check_person_name,
                "national_num": row.national_num,
                "date": getattr(row, STAGE_DATES[stage], None),
            }
        )
    return stages


def _persons(record) -> list[dict]:
    """The enterprise's own persons (单位人员 and the responsible person of its 参建单位 row), nobody else's."""
    code = record.enterprise.credit_code
    persons = [
        {
            "name": p.name,
            "role": p.role,
            "role_name": p.get_role_display() if p.role else "",
            "id_card_type": p.id_card_type,
            "id_card": p.id_card,
            "registration_type": p.registration_type,
            "registration_cert_no": p.registration_cert_no,
        }
        for p in record.persons.all()
        if p.corp_code in ("", code)
    ]
    for corp in record.corps.all():
        if corp.corp_code == code and corp.person_name:
            persons.append(
                {
                    "name": corp.person_name,
                    "role": PersonRole.PROJECT_MANAGER if corp.corp_role == CorpRole.CONSTRUCTION else "",
                    "role_name": str(_("Responsible person of %(role)s") % {"role": corp.get_corp_role_display()}),
                    "id_card_type": corp.id_card_type,
                    "id_card": corp.person_id_card,
                    "registration_type": "",
                    "registration_cert_no": "",
                }
            )
    return persons


def _record(record, qualification: Qualification | None) -> dict:
    finish = stage_row(record, "finish_check")
    check = None
    if qualification is not None:
        check = {"qualification": qualification.code}
        for use in PerformanceUse.values:
            answer = verdict_of(record, record, qualification, use)
            check[use] = {"ok": answer.ok, "reasons": list(answer.reasons)}
    code = record.enterprise.credit_code
    return {
        "id": record.pk,
        "prj_num": record.project.prj_num,
        "prj_name": record.project.prj_name,
        "county": record.project.county_id,
        "county_name": record.project.county.name,
        "enterprise_name": record.enterprise.name,
        "enterprise_credit_code": code,
        "enterprise_roles": sorted({c.corp_role for c in record.corps.all() if c.corp_code == code and c.corp_role}),
        "grade": (finish.data_level if finish is not None else "") or record.project.data_level,
        "completed_on": finish.e_date if finish is not None else None,
        "decided_at": record.decided_at,
        "stages": _stages(record),
        "persons": _persons(record),
        "qualification_check": check,
    }


def _refusal(status_code: int, code: str, detail: str, field: str = "") -> Response:
    body = {"code": code, "detail": detail}
    if field:
        body["field"] = field
    return Response(body, status=status_code)


class SystemThrottle(SimpleRateThrottle):
    """At most 120 calls a minute per review system (`DEFAULT_THROTTLE_RATES["qualification_system"]` overrides): a
    runaway client of one province cannot hold up the platform. Counted per system account, after authentication."""

    scope = "qualification_system"
    default_rate = "120/min"

    def get_rate(self) -> str:
        return (api_settings.DEFAULT_THROTTLE_RATES or {}).get(self.scope) or self.default_rate

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class QualificationRecordsView(APIView):
    authentication_classes = [SystemTokenAuthentication]
    permission_classes = [IsQualificationSystem]
    throttle_classes = [SystemThrottle]

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        if isinstance(response.data, dict) and set(response.data) == {"detail"}:
            detail = response.data["detail"]
            response.data = {"code": getattr(detail, "code", None) or "error", "detail": str(detail)}
        return response

    @extend_schema(
        operation_id="qualification_enterprise_records",
        summary="资质审批系统：企业的已公示业绩",
        description=(
            "For the systems that review qualification applications (J4, G11). Authenticate with "
            "`Authorization: Bearer <key>`: a key the provincial office issued to the system (shown once, revocable, "
            "with an expiry). Answers the published records (approved, current version, not fraud) of the "
            "enterprise whose projects lie in the system's province, newest completion first, each with every "
            "stage's grade (A provincial, B city, C county, D not reviewed), reviewing department and reviewer, and "
            "the enterprise's persons with their ID numbers unmasked (they match personal performance). With "
            "`qualification`, each record also says whether it satisfies that qualification's rule as enterprise "
            "and as personal performance, and why not. Every call is logged."
        ),
        parameters=[
            OpenApiParameter("grade", OpenApiTypes.STR, description="A, B, C, D; several as A,B."),
            OpenApiParameter(
                "stage",
                OpenApiTypes.STR,
                enum=PerformanceStage.values,
                description="The stage whose grade `grade` filters (default finish_check); alone: records having it.",
            ),
            OpenApiParameter("role", OpenApiTypes.STR, enum=CorpRole.values, description="The enterprise's role."),
            OpenApiParameter("completed_from", OpenApiTypes.DATE, description="Completion acceptance on or after."),
            OpenApiParameter("completed_to", OpenApiTypes.DATE, description="Completion acceptance on or before."),
            OpenApiParameter("qualification", OpenApiTypes.STR, description="A qualification's code, e.g. CON-GEN-1."),
            OpenApiParameter("page", OpenApiTypes.INT),
            OpenApiParameter("page_size", OpenApiTypes.INT, description="At most 200 (default 50)."),
        ],
        responses={
            200: SystemRecordPage,
            400: OpenApiResponse(ErrorSerializer, description="A filter or the credit code was refused."),
            401: OpenApiResponse(ErrorSerializer, description="No key, or an unknown, expired or revoked key."),
            403: OpenApiResponse(ErrorSerializer, description="Not a qualification review system."),
            404: OpenApiResponse(ErrorSerializer, description="No enterprise with this credit code."),
        },
        tags=["qualification"],
    )
    def get(self, request, credit_code: str):
        try:
            validators.validate_uscc(credit_code)
        except Exception:
            return _refusal(
                400,
                "invalid",
                _("“%(code)s” is not a valid unified social credit code.") % {"code": credit_code[:40]},
                "credit_code",
            )
        form = RecordFilterForm(request.query_params)
        if not form.is_valid():
            field, message = form.first_error()
            return _refusal(400, "invalid", message, field)
        qualification = None
        code = request.query_params.get("qualification", "")
        if code:
            qualification = Qualification.objects.filter(code=code[:40]).first()
            if qualification is None:
                return _refusal(400, "invalid", _("Unknown qualification code."), "qualification")
        if not Enterprise.objects.filter(credit_code=credit_code).exists():
            return _refusal(404, "not_found", _("No enterprise with this unified social credit code."))
        records = system_records(request.user, credit_code, form.filters())
        paginator = Pagination()
        page = paginator.paginate_queryset(records, request, view=self)
        request._request.system_call_records = len(page)
        return paginator.get_paginated_response([_record(r, qualification) for r in page])
