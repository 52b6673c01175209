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
ROLES = (PUBLIC, ENTERPRISE, REVIEWER, PROVINCIAL, SUPERUSER)
EVERYONE = frozenset(ROLES)
OFFICIALS = frozenset({REVIEWER, PROVINCIAL, SUPERUSER})

# URL name (or "namespace:*") -> roles allowed. The most specific entry wins: an exact name before its namespace.
URL_ROLES: dict[str, frozenset[str]] = {
    "healthz": EVERYONE,
    "set_language": EVERYONE,
    "javascript-catalog": EVERYONE,
    "admin:login": EVERYONE,
    "admin:logout": EVERYONE,
    "admin:*": OFFICIALS,
    "api-schema": frozenset({ENTERPRISE, REVIEWER, PROVINCIAL, SUPERUSER}),
    "api-docs": frozenset({ENTERPRISE, REVIEWER, PROVINCIAL, SUPERUSER}),
    # the REST API (portal/api/urls.py). PUBLIC passes this gate because a token is read by DRF, after this
    # middleware; the API's own permission (portal.api.permissions.IsEnterpriseClerk) admits enterprise clerks only,
    # pinned role by role in tests/portal/test_api_permissions.py. The token endpoint is for anonymous callers.
    "api:token": EVERYONE,
    "api:campaign-list": frozenset({PUBLIC, ENTERPRISE}),
    "api:record-list": frozenset({PUBLIC, ENTERPRISE}),
    "api:record-detail": frozenset({PUBLIC, ENTERPRISE}),
    "api:record-submit": frozenset({PUBLIC, ENTERPRISE}),
    "api:record-attachments": frozenset({PUBLIC, ENTERPRISE}),
    "api:record-attachment": frozenset({PUBLIC, ENTERPRISE}),
    # the enterprise portal (portal/urls.py): enterprises only, but the login; attachments also to officials,
    # whom records_visible_to scopes to their region
    "portal:login": EVERYONE,
    "portal:logout": EVERYONE,
    "portal:attachment": frozenset({ENTERPRISE, REVIEWER, PROVINCIAL, SUPERUSER}),
    "portal:*": frozenset({ENTERPRISE}),
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
        if not request.user.is_authenticated:
            login_url = reverse("admin:login") if match.view_name.startswith("admin:") else settings.LOGIN_URL
            return redirect_to_login(request.get_full_path(), login_url)
        raise PermissionDenied
