"""Who may open which URL: one map from URL name to the roles allowed, enforced by one middleware.

Deny by default: a URL whose name is not in the map answers nobody (anonymous visitors are sent to log in,
everyone else gets 403). Officials still need the model permissions of their group inside the admin; this map
is the outer gate. tests/test_url_access.py walks every URL pattern against every role.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import Resolver404, resolve, reverse

PUBLIC = "public"  # anyone, logged in or not
ENTERPRISE = "enterprise"
REVIEWER = "reviewer"
PROVINCIAL = "provincial"
SUPERUSER = "superuser"
SYSTEM = "system"  # a qualification review system (accounts.Role.SYSTEM): one API URL, with its key (ADR 0015)
ROLES = (PUBLIC, ENTERPRISE, REVIEWER, PROVINCIAL, SUPERUSER, SYSTEM)
EVERYONE = frozenset(ROLES)
OFFICIALS = frozenset({REVIEWER, PROVINCIAL, SUPERUSER})

# URL name (or "namespace:*") -> roles allowed. The most specific entry wins: an exact name before its namespace.
URL_ROLES: dict[str, frozenset[str]] = {
    "healthz": EVERYONE,
    "home": EVERYONE,
    "set_language": EVERYONE,
    "javascript-catalog": EVERYONE,
    "admin:login": EVERYONE,
    "admin:logout": EVERYONE,
    "admin:*": OFFICIALS,
    # provincial oversight (补录工作进度, issue 11 item 5): the province's staff, not the bureaus it oversees
    "admin:review_progress": frozenset({PROVINCIAL, SUPERUSER}),
    "admin:review_progress_campaign": frozenset({PROVINCIAL, SUPERUSER}),
    "admin:review_progress_export": frozenset({PROVINCIAL, SUPERUSER}),
    # 抽查导出 (issue 13 item 4): the province's published records for the national platform's spot checks
    "admin:transfer_spot_check": frozenset({PROVINCIAL, SUPERUSER}),
    # 更正申请 (J7, issue 12): the provincial office's own queue; the bureaus neither see nor decide corrections
    "admin:review_correctionrequest_changelist": frozenset({PROVINCIAL, SUPERUSER}),
    "admin:review_correctionrequest_change": frozenset({PROVINCIAL, SUPERUSER}),
    "admin:review_correctionrequest_accept": frozenset({PROVINCIAL, SUPERUSER}),
    "admin:review_correctionrequest_refuse": frozenset({PROVINCIAL, SUPERUSER}),
    # 导入任务 (issue 13): officials; transfer.jobs.may_import (the importer's permissions: provincial work today) and
    # ImportJob.visible_to (the province's jobs, a reviewer's own) decide inside
    "admin:transfer_importjob_changelist": OFFICIALS,
    "admin:transfer_importjob_change": OFFICIALS,
    "admin:transfer_importjob_start": OFFICIALS,
    "admin:transfer_importjob_template": OFFICIALS,
    "admin:transfer_importjob_export": OFFICIALS,
    "admin:transfer_importjob_progress": OFFICIALS,
    "admin:transfer_importjob_report": OFFICIALS,
    "admin:transfer_importjob_errors": OFFICIALS,
    "admin:transfer_importjob_requeue": OFFICIALS,
    "api-schema": frozenset({ENTERPRISE, REVIEWER, PROVINCIAL, SUPERUSER}),
    "api-docs": frozenset({ENTERPRISE, REVIEWER, PROVINCIAL, SUPERUSER}),
    # the REST API (portal/api/urls.py): enterprise clerks, by session or by token (read here, see _api_user);
    # the token endpoint is for anonymous callers.
    "api:token": EVERYONE,
    # the qualification review systems (J4, G11; ADR 0015): their key (portal.api.system_auth), nobody else
    "api:qualification-records": frozenset({SYSTEM}),
    "api:*": frozenset({ENTERPRISE}),
    # the enterprise portal (portal/urls.py): enterprises only, but the login; attachments also to officials,
    # whom records_visible_to scopes to their region
    "portal:login": EVERYONE,
    "portal:logout": EVERYONE,
    "portal:attachment": frozenset({ENTERPRISE, REVIEWER, PROVINCIAL, SUPERUSER}),
    "portal:credit_file": frozenset({ENTERPRISE}),  # the enterprise's own credit file (诚信档案, G10)
    "portal:notices": frozenset({ENTERPRISE}),  # the enterprise's decision notices (issue 5 item 8)
    # 核对信息, 回执 and 删除草稿 (issue 11 item 7): the enterprise's own records only (record_for_page scopes them)
    "portal:record_check": frozenset({ENTERPRISE}),
    "portal:record_receipt": frozenset({ENTERPRISE}),
    "portal:record_delete": frozenset({ENTERPRISE}),
    # 打印 (issue 12 item 5): the clerk's own record as a PDF; officials print from the admin (visible_to scopes both)
    "portal:record_print": frozenset({ENTERPRISE}),
    "admin:review_record_print": OFFICIALS,
    # a correction request's evidence (J7): the firm and the province's staff who decide it (CorrectionEvidence.scope)
    "portal:correction_evidence": frozenset({ENTERPRISE, PROVINCIAL, SUPERUSER}),
    # 导出 and 批量导入 of 我的业绩 (issue 13): the clerk's own records (records_visible_to) and own import jobs
    # (ImportJob.visible_to); transfer.jobs.may_import lets a clerk use the records import only
    "portal:records_export": frozenset({ENTERPRISE}),
    "portal:imports": frozenset({ENTERPRISE}),
    "portal:import_template": frozenset({ENTERPRISE}),
    "portal:import_job": frozenset({ENTERPRISE}),
    "portal:import_job_progress": frozenset({ENTERPRISE}),
    "portal:import_job_report": frozenset({ENTERPRISE}),
    "portal:import_job_errors": frozenset({ENTERPRISE}),
    "portal:import_job_requeue": frozenset({ENTERPRISE}),
    "portal:*": frozenset({ENTERPRISE}),
    # public search (J5, issue 12): anyone, no login; read-only
    "public:*": EVERYONE,
    "public:verify": EVERYONE,  # is a printed record (打印) the current published content? (public/verify.py)
    "public_api:*": EVERYONE,  # the public search's read-only JSON (/api/v1/public/, public/api.py)
}


def role_of(user) -> str:
    if not user.is_authenticated:
        return PUBLIC
    if user.is_superuser:
        return SUPERUSER
    return user.role or PUBLIC


def roles_for(view_name: str | None) -> frozenset[str]:
    """The roles allowed on a URL name; an unnamed or unknown URL is allowed to nobody."""
    if not view_name:
        return frozenset()
    if view_name in URL_ROLES:
        return URL_ROLES[view_name]
    namespace = view_name.rpartition(":")[0]
    while namespace:
        if f"{namespace}:*" in URL_ROLES:
            return URL_ROLES[f"{namespace}:*"]
        namespace = namespace.rpartition(":")[0]
    return frozenset()


def is_allowed(user, view_name: str | None) -> bool:
    allowed = roles_for(view_name)
    return PUBLIC in allowed or role_of(user) in allowed


def _api_user(request) -> tuple[object | None, str]:
    """The user of an API request that authenticates with `Authorization: Token …` (DRF reads it again later), and
    why it does not when it does not (an expired or revoked token); (None, "") without a token."""
    from rest_framework.exceptions import AuthenticationFailed

    from portal.api.authentication import ExpiringTokenAuthentication
    from portal.api.system_auth import SystemTokenAuthentication

    for scheme in (ExpiringTokenAuthentication, SystemTokenAuthentication):  # "Token …" (clerks), "Bearer …" (systems)
        try:
            result = scheme().authenticate(request)
        except AuthenticationFailed as exc:
            return None, str(exc.detail)
        if result:
            return result[0], ""
    return None, ""


API_PREFIX = "/api/"


def is_api_request(request) -> bool:
    """Whether a refusal of this request is answered in the API's JSON rather than with a page."""
    return request.path.startswith(API_PREFIX)


def api_error(status: int, code: str, detail: str, **extra):
    """A refusal in the shape of the API's errors ({"code", "detail", …}) from outside DRF (middleware, handlers)."""
    from django.http import JsonResponse

    body = {"code": code, "detail": str(detail), **extra}
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def _api_denied(status: int, reason: str = "", roles: frozenset[str] = frozenset()):
    from django.utils.translation import gettext as _

    if status == 401:
        detail = _("Log in or send a valid token.")
    elif roles == frozenset({SYSTEM}):
        detail = _("This address is for the qualification review systems, with the key the provincial office issued.")
    else:
        detail = _("Only enterprise clerks may use this API.")
    response = api_error(status, "not_authenticated" if status == 401 else "permission_denied", reason or detail)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="qualification"' if roles == frozenset({SYSTEM}) else "Token"
    return response


class UrlRoleMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        try:
            match = request.resolver_match or resolve(request.path_info)
        except Resolver404:
            return None
        if is_allowed(request.user, match.view_name):
            return None
        if match.view_name.startswith("api:"):
            roles = roles_for(match.view_name)
            if request.user.is_authenticated:
                return _api_denied(403, roles=roles)
            token_user, reason = _api_user(request)
            if token_user is None:
                return _api_denied(401, reason, roles=roles)
            return None if is_allowed(token_user, match.view_name) else _api_denied(403, roles=roles)
        if not request.user.is_authenticated:
            login_url = reverse("admin:login") if match.view_name.startswith("admin:") else settings.LOGIN_URL
            return redirect_to_login(request.get_full_path(), login_url)
        raise PermissionDenied
