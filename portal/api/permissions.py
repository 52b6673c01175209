"""Who may use the API, and how often a token may be asked for.

The gate of config/access.py lets API URLs through for everyone because a token is read by DRF, after that
middleware; the rules are here, and tests/portal/test_api_permissions.py pins every role against every endpoint.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from portal.auth import client_ip, is_portal_user


class IsEnterpriseClerk(BasePermission):
    """An active enterprise clerk (the portal's users). Officials and superusers work in the admin."""

    message = _("The API is for enterprise accounts; officials work in the administration site.")
    code = "not_enterprise"

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and is_portal_user(user))


class TokenObtainThrottle(SimpleRateThrottle):
    """At most 5 token requests a minute from one address (`DEFAULT_THROTTLE_RATES["api_token"]` overrides).

    Counted by REMOTE_ADDR like the portal's login (portal.auth.client_ip), never by a client-sent
    X-Forwarded-For. Failed passwords also count towards the portal's per-account lock (portal.auth).
    """

    scope = "api_token"
    default_rate = "5/min"

    def get_rate(self) -> str:
        return (api_settings.DEFAULT_THROTTLE_RATES or {}).get(self.scope) or self.default_rate

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request)}
