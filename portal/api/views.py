"""The API's views: adapters that parse, call the one service the portal also calls, and render (STYLE.md).

Reads go through the portal's selectors (`portal.selectors`, each starting from `records_visible_to(user)`), so
another enterprise's record or attachment is not found (404). Writes go through `projects.services.record_start`
and `record_save`, `projects.attachments` and `review.services.submit_record`. A refusal of a service
(`DomainError`) becomes a response with {"code", "detail", "field"} and the status of its code (ERROR_STATUS).
"""

from __future__ import annotations

from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.errors import DomainError
from accounts.models import Region
from portal import auth
from portal.page import mask_shared_problems
from portal.selectors import attachment_for, campaigns_for, latest_rejection_reason, record_for_page, record_list
from projects.attachments import attachment_add, attachment_remove, several_files_refusal
from projects.models import Campaign, Record, RecordStatus
from projects.selectors import records_visible_to, shared_access
from projects.services import record_delete, record_save, record_start

from .authentication import ExpiringTokenAuthentication, fresh_token
from .parsers import BoundedJSONParser
from .permissions import IsEnterpriseClerk, TokenObtainThrottle
from .serializers import (
    AttachmentSerializer,
    AttachmentUploadSerializer,
    CampaignSerializer,
    DirectReviewRequestSerializer,
    ErrorSerializer,
    ProblemSerializer,
    RecordCreateSerializer,
    RecordDetailSerializer,
    RecordListSerializer,
    RecordWriteSerializer,
    TokenRequestSerializer,
    TokenResponseSerializer,
)

#: The HTTP status of a DomainError code; any other code is 400.
ERROR_STATUS = {
    "not_found": status.HTTP_404_NOT_FOUND,
    "forbidden": status.HTTP_403_FORBIDDEN,
    "locked": status.HTTP_403_FORBIDDEN,
    "deregistered": status.HTTP_403_FORBIDDEN,
    "not_enterprise": status.HTTP_403_FORBIDDEN,
    "second_factor": status.HTTP_403_FORBIDDEN,
    "shared_fixed": status.HTTP_403_FORBIDDEN,
    "stale": status.HTTP_409_CONFLICT,
    "throttled": status.HTTP_429_TOO_MANY_REQUESTS,
}


def error_body(exc: DomainError) -> dict:
    body = {"code": exc.code or "invalid", "detail": str(exc.message)}
    if exc.field:
        body["field"] = exc.field
    problems = getattr(exc, "problems", None)  # review.services.SubmitRefused
    if problems is not None:
        body["problems"] = ProblemSerializer(problems, many=True).data
    return body


ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Refused: see code, detail, field, errors or problems."),
    401: OpenApiResponse(ErrorSerializer, description="No valid session or token."),
    403: OpenApiResponse(ErrorSerializer, description='Not an enterprise clerk, or the record is "locked" (G7).'),
    404: OpenApiResponse(ErrorSerializer, description="No such record of your enterprise."),
}
STALE = {409: OpenApiResponse(ErrorSerializer, description='"stale": the record was saved since you read it.')}


def _errors(*codes: int) -> dict:
    return {code: ERRORS[code] for code in codes}


class ApiMixin:
    # Enterprise clerks only; the token first, so that a request without credentials answers 401 (with a
    # WWW-Authenticate header) rather than 403. JSON bodies, but for uploads.
    authentication_classes = [ExpiringTokenAuthentication, SessionAuthentication]
    permission_classes = [IsEnterpriseClerk]
    parser_classes = [BoundedJSONParser]

    def handle_exception(self, exc):
        if isinstance(exc, DomainError):
            return Response(error_body(exc), status=ERROR_STATUS.get(exc.code, status.HTTP_400_BAD_REQUEST))
        response = super().handle_exception(exc)
        if isinstance(exc, ValidationError):
            errors = response.data if isinstance(response.data, dict) else {"non_field_errors": response.data}
            detail = _("Some values of the request were refused.")
            response.data = {"code": "invalid", "detail": detail, "errors": errors}
        elif isinstance(response.data, dict) and set(response.data) == {"detail"}:
            detail = response.data["detail"]
            response.data = {"code": getattr(detail, "code", None) or "error", "detail": str(detail)}
        return response

    def get_queryset(self):
        """The records of the user's enterprise (OPTIONS describes a record view through it)."""
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular inspecting the view: no user
            return Record.objects.none()
        return records_visible_to(self.request.user)

    def open_record(self, pk: int) -> Record:
        """A record of the user's enterprise (else 404) that it may still change (else 403 "locked", G7), checked
        before the body is read: whatever is sent to a decided record, the answer is 403."""
        record = get_object_or_404(records_visible_to(self.request.user).only("id", "status"), pk=pk)
        if not record.is_editable_by_enterprise:
            if record.status in (RecordStatus.SUBMITTED, RecordStatus.DIRECT_REVIEW):
                message = _("This record has already been submitted and is waiting for review.")
            elif record.status == RecordStatus.FRAUD:
                message = _(
                    "This record was rejected for fraud and is locked for good (G10): it can no longer be changed."
                )
            else:
                message = _("This record has been decided by the authority and can no longer be changed.")
            raise DomainError(message, code="locked")
        return record

    def record_response(self, pk: int, status_code: int = status.HTTP_200_OK, **kwargs) -> Response:
        record = record_for_page(self.request.user, pk)
        context = {"request": self.request, "rejection_reason": latest_rejection_reason(record)}
        return Response(RecordDetailSerializer(record, context=context).data, status=status_code, **kwargs)


# --------------------------------------------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------------------------------------------

LIST_PARAMETERS = [
    OpenApiParameter("status", str, enum=RecordStatus.values, description="Only records in this status."),
    OpenApiParameter("year", int, description="Only records of projects completed (竣工验收) in this year."),
    OpenApiParameter("search", str, description="A part of the project name."),
]


class RecordListCreateView(ApiMixin, generics.ListAPIView):
    """我的业绩 and 新增报建: the records of the user's enterprise, filtered as in the portal's list."""

    serializer_class = RecordListSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular inspecting the view: no user
            return Record.objects.none()
        params = self.request.query_params
        record_status = params.get("status", "")
        if record_status and record_status not in RecordStatus.values:
            raise ValidationError({"status": [_("Unknown status.")]})
        year = params.get("year", "")
        if year and not (year.isdigit() and len(year) == 4):
            raise ValidationError({"year": [_("Give a year of four digits.")]})
        return record_list(
            self.request.user, status=record_status, year=int(year) if year else None, q=params.get("search", "")
        )

    @extend_schema(
        operation_id="records_list",
        summary="My records (我的业绩)",
        parameters=LIST_PARAMETERS,
        responses={
            200: RecordListSerializer(many=True),
            **_errors(400, 401, 403),
            404: OpenApiResponse(ErrorSerializer, description="A page beyond the last one."),
        },
        tags=["records"],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="records_create",
        summary="Declare a project (新增报建)",
        request=RecordCreateSerializer,
        responses={201: RecordDetailSerializer, **_errors(400, 401, 403)},
        tags=["records"],
    )
    def post(self, request, *args, **kwargs):
        body = RecordCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        values = body.validated_data
        enterprise = request.user.enterprise
        campaign = campaigns_for(enterprise).filter(pk=values["campaign"]).first()
        if campaign is None:
            raise DomainError(_("Choose a campaign that is open to your enterprise."), code="invalid", field="campaign")
        county = Region.objects.filter(code=values["county"].strip()).first()
        if county is None:
            raise DomainError(_("There is no region with this code."), code="invalid", field="county")
        record = record_start(
            enterprise=enterprise,
            campaign=campaign,
            user=request.user,
            prj_name=values["prj_name"].strip(),
            county=county,
            prj_num=values["prj_num"],
            licence_cert_no=values["licence_cert_no"],
        )
        url = reverse("api:record-detail", kwargs={"pk": record.pk})
        return self.record_response(record.pk, status.HTTP_201_CREATED, headers={"Location": url})


class RecordDetailView(ApiMixin, generics.GenericAPIView):
    """The whole record in the shape of `record_save`'s data, and 修改保存."""

    serializer_class = RecordDetailSerializer

    @extend_schema(
        operation_id="records_retrieve",
        summary="The whole record",
        responses={200: RecordDetailSerializer, **_errors(401, 403, 404)},
        tags=["records"],
    )
    def get(self, request, pk: int):
        return self.record_response(pk)

    @extend_schema(
        operation_id="records_update",
        summary="Save the record (修改保存)",
        description=(
            "Send `version` and any of the sections; absent sections stay as they are (PUT and PATCH alike). "
            "Values are kept as typed: what a field cannot hold yet is listed in `draft_inputs` and reported at "
            "submit. A list replaces the rows: a row with `id` updates it, one without adds one, a missing one is "
            "removed. A decided or submitted record answers 403 `locked`; a save over a newer version 409 `stale`."
        ),
        request=RecordWriteSerializer,
        responses={200: RecordDetailSerializer, **_errors(400, 401, 403, 404), **STALE},
        tags=["records"],
    )
    def put(self, request, pk: int):
        self.open_record(pk)
        body = RecordWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        record_save(
            record_id=pk, user=request.user, data=body.service_data(), expected_version=body.validated_data["version"]
        )
        return self.record_response(pk)

    @extend_schema(
        operation_id="records_partial_update",
        summary="Save the record (修改保存), as PUT",
        request=RecordWriteSerializer,
        responses={200: RecordDetailSerializer, **_errors(400, 401, 403, 404), **STALE},
        tags=["records"],
    )
    def patch(self, request, pk: int):
        return self.put(request, pk)

    @extend_schema(
        operation_id="records_destroy",
        summary="Delete a draft (删除草稿)",
        description=(
            "Only a draft that was never submitted, with its attachments; anything submitted, rejected or decided "
            "answers 403 `locked` (G7). A project another enterprise also declares stays for it."
        ),
        responses={204: None, **_errors(401, 403, 404)},
        tags=["records"],
    )
    def delete(self, request, pk: int):
        get_object_or_404(records_visible_to(request.user).only("id"), pk=pk)
        record_delete(record_id=pk, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class RecordSubmitView(ApiMixin, generics.GenericAPIView):
    """提交审核 through `review.services.submit_record`, the service of the portal's submit button."""

    serializer_class = RecordDetailSerializer

    @extend_schema(
        operation_id="records_submit",
        summary="Submit for review (提交审核)",
        description=(
            "Checks the whole record; when anything is wrong, nothing changes and 400 `refused` lists every "
            "problem with its `path` in the record's JSON. Otherwise the record is `submitted`, with its "
            "responsible authority and review deadline."
        ),
        request=None,
        responses={200: RecordDetailSerializer, **_errors(400, 401, 403, 404)},
        tags=["records"],
    )
    def post(self, request, pk: int):
        from review.services import (
            SubmitRefused,
            submit_record,  # the review layer sits above projects; imported on use
        )

        record = self.open_record(pk)
        try:
            submit_record(record_id=pk, user=request.user)
        except SubmitRefused as exc:  # nothing of another firm's shared entries in the problems (ADR 0008)
            exc.problems = mask_shared_problems(exc.problems, shared_access(record))
            raise
        return self.record_response(pk)


class RecordDirectReviewView(ApiMixin, generics.GenericAPIView):
    """申请直接审核 (G6) through `review.services.request_direct_review`, the service of the portal's G6 panel."""

    serializer_class = RecordDetailSerializer

    @extend_schema(
        operation_id="records_direct_review",
        summary="Apply for direct review by the provincial office (申请直接审核, G6)",
        description=(
            "For special cases such as a deregistered owner (建设单位已注销): the record goes to the provincial "
            "office's queue instead of its local authority's, with the same review deadline. First upload the "
            "written application, signed and sealed, as an attachment of kind `direct_review`. The record is "
            "checked as by submit, except the owner's fields (`project.build_corp_*`) when the reason is "
            "`owner_deregistered`; when anything is wrong, nothing changes and 400 `refused` lists every problem "
            "(the missing application as `attachments.direct_review`, rule G6). `other` needs the enterprise's "
            "words in `reason` (400 `reason_required`). A submitted or decided record answers 403 `locked` (G7). "
            "Afterwards `waiting` says `provincial`, the authority, the reason and the deadline."
        ),
        request=DirectReviewRequestSerializer,
        responses={200: RecordDetailSerializer, **_errors(400, 401, 403, 404)},
        examples=[
            OpenApiExample(
                "The owner has been deregistered",
                value={"reason_code": "owner_deregistered", "reason": ""},
                request_only=True,
            ),
            OpenApiExample(
                "Another special reason",
                value={"reason_code": "other", "reason": "建设单位已被合并，原建设单位信息无法取得。"},
                request_only=True,
            ),
            OpenApiExample(
                "Refused: the written application is missing",
                value={
                    "code": "refused",
                    "detail": "该业绩暂不能提交：请先更正以下1个问题。",
                    "problems": [
                        {
                            "section": "attachments",
                            "path": "attachments.direct_review",
                            "message": "请上传企业签章的直接审核书面申请（G6）。",
                            "rule": "G6",
                        }
                    ],
                },
                response_only=True,
                status_codes=["400"],
            ),
        ],
        tags=["records"],
    )
    def post(self, request, pk: int):
        from review.services import (
            SubmitRefused,
            request_direct_review,  # the review layer sits above projects; imported on use
        )

        record = self.open_record(pk)
        body = DirectReviewRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            request_direct_review(
                record_id=pk,
                user=request.user,
                reason_code=body.validated_data["reason_code"],
                reason=body.validated_data["reason"],
            )
        except SubmitRefused as exc:  # nothing of another firm's shared entries in the problems (ADR 0008)
            exc.problems = mask_shared_problems(exc.problems, shared_access(record))
            raise
        return self.record_response(pk)


# --------------------------------------------------------------------------------------------------------------
# Attachments
# --------------------------------------------------------------------------------------------------------------


class AttachmentListCreateView(ApiMixin, generics.GenericAPIView):
    """A record's attachments; an upload goes through `projects.attachments.attachment_add`."""

    serializer_class = AttachmentSerializer
    parser_classes = [MultiPartParser, FormParser]
    pagination_class = None

    @extend_schema(
        operation_id="records_attachments_list",
        summary="The record's attachments",
        responses={200: AttachmentSerializer(many=True), **_errors(401, 403, 404)},
        tags=["attachments"],
    )
    def get(self, request, pk: int):
        record = get_object_or_404(records_visible_to(request.user).only("id"), pk=pk)
        attachments = record.attachments.order_by("kind", "uploaded_at", "id")
        return Response(AttachmentSerializer(attachments, many=True).data)

    @extend_schema(
        operation_id="records_attachments_create",
        summary="Upload an attachment",
        description="multipart/form-data with `kind` and `file`: PDF, JPG or PNG recognised by content.",
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={201: AttachmentSerializer, **_errors(400, 401, 403, 404)},
        tags=["attachments"],
    )
    def post(self, request, pk: int):
        self.open_record(pk)
        several = several_files_refusal(request.FILES)
        if several:
            raise DomainError(several, code="invalid", field="file")
        body = AttachmentUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        attachment = attachment_add(
            record_id=pk, user=request.user, kind=body.validated_data["kind"], uploaded_file=body.validated_data["file"]
        )
        url = reverse("api:record-attachment", kwargs={"pk": pk, "att_id": attachment.pk})
        data = AttachmentSerializer(attachment).data
        return Response(data, status=status.HTTP_201_CREATED, headers={"Location": url})


class FirstRendererNegotiation(BaseContentNegotiation):
    """The file is sent as it is whatever the client accepts; refusals are JSON."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class AttachmentDetailView(ApiMixin, generics.GenericAPIView):
    """One attachment: the file itself (to the owner enterprise only, here), or its removal."""

    serializer_class = AttachmentSerializer
    content_negotiation_class = FirstRendererNegotiation

    @extend_schema(
        operation_id="records_attachments_download",
        summary="Download an attachment",
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The file, with its content type and original name."
            ),
            **_errors(401, 403, 404),
        },
        tags=["attachments"],
    )
    def get(self, request, pk: int, att_id: int):
        attachment = attachment_for(request.user, att_id)
        if attachment.record_id != pk:
            raise DomainError(_("This attachment does not exist."), code="not_found")
        try:
            handle = attachment.file.open("rb")
        except FileNotFoundError as exc:
            raise DomainError(_("The file of this attachment is missing from the storage."), code="not_found") from exc
        return FileResponse(
            handle, as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type
        )

    @extend_schema(
        operation_id="records_attachments_destroy",
        summary="Remove an attachment",
        responses={204: None, **_errors(401, 403, 404)},
        tags=["attachments"],
    )
    def delete(self, request, pk: int, att_id: int):
        self.open_record(pk)
        attachment_remove(attachment_id=att_id, user=request.user, record_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --------------------------------------------------------------------------------------------------------------
# Campaigns and tokens
# --------------------------------------------------------------------------------------------------------------


class CampaignListView(ApiMixin, generics.ListAPIView):
    """The campaigns a record may be declared in (the choices of 新增报建)."""

    serializer_class = CampaignSerializer
    pagination_class = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular inspecting the view: no user
            return Campaign.objects.none()
        return campaigns_for(self.request.user.enterprise)

    @extend_schema(
        operation_id="campaigns_list",
        summary="The campaigns open to your enterprise",
        responses={200: CampaignSerializer(many=True), **_errors(401, 403)},
        tags=["campaigns"],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class TokenObtainView(ApiMixin, APIView):
    """A token for an enterprise clerk's account and password: the portal login's steps, throttled."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [TokenObtainThrottle]
    parser_classes = [BoundedJSONParser, FormParser]

    @extend_schema(
        operation_id="auth_token_create",
        summary="Obtain a token",
        description=(
            "For enterprise accounts only. At most 5 requests a minute from one address; after 5 failed "
            "passwords the account is locked from that address for 15 minutes, as in the portal's login."
        ),
        request=TokenRequestSerializer,
        responses={
            200: TokenResponseSerializer,
            400: ERRORS[400],
            403: OpenApiResponse(ErrorSerializer, description="Not an enterprise account."),
            429: OpenApiResponse(ErrorSerializer, description="Too many attempts."),
        },
        auth=[],
        tags=["auth"],
    )
    def post(self, request):
        body = TokenRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        username, password = body.validated_data["username"], body.validated_data["password"]
        ip = auth.client_ip(request)
        wait = auth.throttle_wait(username, ip)
        if wait:
            raise DomainError(auth.wait_message(wait), code="throttled")
        user = auth.check_password_step(request._request, username, password)
        if user is None:
            wait = auth.record_failure(username, ip)
            if wait:
                raise DomainError(auth.wait_message(wait), code="throttled")
            raise DomainError(_("The account or the password is wrong."), code="invalid_credentials")
        auth.clear_failures(username, ip)
        if not auth.is_portal_user(user):
            raise DomainError(IsEnterpriseClerk.message, code="not_enterprise")
        step = auth.second_factor(request._request, user)
        if not step.passed:
            raise DomainError(
                step.message or _("This account must log in with its identity lock in the browser."),
                code="second_factor",
            )
        token = fresh_token(user)
        return Response({"token": token.key})
