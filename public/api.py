"""/api/v1/public/: the public search as read-only JSON (J5), for anyone, without a token.

The same filters (public.forms.SearchForm), the same query (public.search) and the same shapes, masked the same way
(public.present) as the pages. GET and HEAD only: every other method is 405. Throttled per client (public.limits,
429 with Retry-After), Cache-Control public for a minute and an ETag (304 on If-None-Match). Documented in the
OpenAPI schema (/api/schema/) by the serializers below, which describe what public.present makes.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import APIException, Throttled
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from projects import codes

from . import present, search
from .forms import SearchForm
from .limits import PublicApiThrottle, cacheable

# --- the shapes (for the schema; public.present makes the data) --------------------------------------------------


class PublicErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=gettext_lazy('"invalid", "not_found", "throttled", "method_not_allowed"'))
    detail = serializers.CharField()
    field = serializers.CharField(required=False)


class PublicEnterpriseSerializer(serializers.Serializer):
    name = serializers.CharField()
    credit_code = serializers.CharField()


class PublicClaimSerializer(serializers.Serializer):
    record_id = serializers.IntegerField()
    enterprise = PublicEnterpriseSerializer()
    grade = serializers.CharField(help_text=gettext_lazy("The record's data grade: A, B, C, D (or empty)."))
    grade_label = serializers.CharField()
    completed_on = serializers.CharField(help_text=gettext_lazy("Completion acceptance date, YYYY-MM-DD (or empty)."))


class PublicRegionSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=gettext_lazy("The county's GB/T 2260 code."))
    names = serializers.ListField(child=serializers.CharField())
    text = serializers.CharField()


class PublicProjectItemSerializer(serializers.Serializer):
    prj_num = serializers.CharField()
    prj_name = serializers.CharField()
    category = serializers.CharField()
    region = PublicRegionSerializer()
    completion_years = serializers.ListField(child=serializers.CharField())
    claims = PublicClaimSerializer(many=True)
    url = serializers.CharField()
    api_url = serializers.CharField()


class PublicProjectPageSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text=gettext_lazy("Projects found, counted up to 1000."))
    capped = serializers.BooleanField(help_text=gettext_lazy("True when more than 1000 projects match."))
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = PublicProjectItemSerializer(many=True)


class PublicFieldSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    value = serializers.CharField(help_text=gettext_lazy("As shown: code names, ID and phone numbers masked."))


class PublicStageSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    grade = serializers.CharField()
    grade_label = serializers.CharField()
    check_depart_name = serializers.CharField()
    national_num = serializers.CharField()
    fields = PublicFieldSerializer(many=True)


def _row_serializer(name: str, names: tuple[str, ...]) -> type[serializers.Serializer]:
    return type(name, (serializers.Serializer,), {field: serializers.CharField() for field in names})


PublicCorpSerializer = _row_serializer("PublicCorpSerializer", present.CORP_FIELDS)
PublicPersonSerializer = _row_serializer("PublicPersonSerializer", present.PERSON_FIELDS)
PublicStaffSerializer = _row_serializer("PublicStaffSerializer", present.STAFF_FIELDS)
PublicUnitSerializer = _row_serializer("PublicUnitSerializer", present.UNIT_FIELDS)


class PublicRecordDetailSerializer(PublicClaimSerializer):
    anchor = serializers.CharField()
    stages = PublicStageSerializer(many=True)
    corps = PublicCorpSerializer(many=True)
    persons = PublicPersonSerializer(many=True)
    censor_staff = PublicStaffSerializer(many=True)


class PublicProjectDetailSerializer(serializers.Serializer):
    prj_num = serializers.CharField()
    prj_name = serializers.CharField()
    category = serializers.CharField()
    region = PublicRegionSerializer()
    completion_years = serializers.ListField(child=serializers.CharField())
    url = serializers.CharField()
    api_url = serializers.CharField()
    grade = serializers.CharField()
    grade_label = serializers.CharField()
    check_depart_name = serializers.CharField()
    fields = PublicFieldSerializer(many=True)
    units = PublicUnitSerializer(many=True)
    records = PublicRecordDetailSerializer(many=True)


# --- the views ---------------------------------------------------------------------------------------------------

ERRORS = {
    400: OpenApiResponse(PublicErrorSerializer, description="A filter's value is refused: see field and detail."),
    404: OpenApiResponse(PublicErrorSerializer, description="No such published project, or no such page."),
    429: OpenApiResponse(PublicErrorSerializer, description="Too many queries from this client: see Retry-After."),
}
FILTERS = [
    OpenApiParameter("name", OpenApiTypes.STR, description="Any part of the project's name (1 character or more)."),
    OpenApiParameter("enterprise", OpenApiTypes.STR, description="A part of an enterprise's name, or its credit code."),
    OpenApiParameter("region", OpenApiTypes.STR, description="A province, city or county code (GB/T 2260)."),
    OpenApiParameter("year", OpenApiTypes.INT, description="The completion year (竣工验收)."),
    OpenApiParameter("category", OpenApiTypes.STR, enum=codes.ProjectType.values, description="项目分类."),
    OpenApiParameter("grade", OpenApiTypes.STR, enum=codes.DataLevel.values, description="The record's data grade."),
    OpenApiParameter("page", OpenApiTypes.INT, description="The page (20 projects each)."),
]


def error(status: int, code: str, detail: str, field: str = "") -> Response:
    body = {"code": code, "detail": str(detail)}
    if field:
        body["field"] = field
    return Response(body, status=status)


class PublicApiView(APIView):
    """No authentication (nothing here depends on who asks), throttled per client, GET and HEAD only."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [PublicApiThrottle]
    http_method_names = ["get", "head"]

    def throttled(self, request, wait):
        raise Throttled(wait, detail=_("Too many queries from your address: wait a moment and try again."))

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        if isinstance(exc, APIException):
            response.data = {"code": exc.default_code, "detail": str(exc.detail)}
        return response

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        return cacheable(response)


class ProjectListView(PublicApiView):
    @extend_schema(
        operation_id="public_projects_list",
        summary="Search published projects (J5)",
        parameters=FILTERS,
        responses={200: PublicProjectPageSerializer, **ERRORS},
        auth=[],
        tags=["public"],
    )
    def get(self, request):
        form = SearchForm(request.query_params)
        if not form.is_valid():
            field, message = form.first_error()
            return error(400, "invalid", message, field)
        number = form.cleaned_data["page"]
        result = search.search(form.filters(), number)
        if number > result.pages:
            detail = _("There is no page %(page)s: the results have %(pages)s.") % {
                "page": number,
                "pages": result.pages,
            }
            return error(404, "not_found", detail, "page")
        return Response(
            PublicProjectPageSerializer(
                {
                    "count": result.count,
                    "capped": result.capped,
                    "page": result.number,
                    "pages": result.pages,
                    "next": self._page_url(request, result.number + 1) if result.has_next else None,
                    "previous": self._page_url(request, result.number - 1) if result.has_previous else None,
                    "results": [present.list_row(p) for p in result.projects],
                }
            ).data
        )

    @staticmethod
    def _page_url(request, number: int) -> str:
        params = request.query_params.copy()
        params["page"] = str(number)
        return f"{request.path}?{params.urlencode()}"


class ProjectDetailView(PublicApiView):
    @extend_schema(
        operation_id="public_projects_retrieve",
        summary="A published project: every stage with its grade and reviewing department, the participating units",
        responses={200: PublicProjectDetailSerializer, **ERRORS},
        auth=[],
        tags=["public"],
    )
    def get(self, request, prj_num: str):
        project = search.published_project(prj_num)
        if project is None:
            return error(404, "not_found", _("No published project has this number."))
        return Response(PublicProjectDetailSerializer(present.project_detail(project)).data)
