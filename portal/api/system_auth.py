"""How a qualification review system authenticates (ADR 0015): `Authorization: Bearer yjq_…`, a key provincial staff
issued it in the admin (portal.SystemToken: stored as SHA-256, shown once, revocable, with an expiry).

A clerk's `Authorization: Token …` (portal.api.authentication) is a different scheme, so neither reads the other's
keys. config/access.py asks this class too, to let a system's call through its URL gate.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

KEYWORD = b"bearer"


class SystemTokenAuthentication(BaseAuthentication):
    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD:
            return None
        if len(parts) != 2:
            raise AuthenticationFailed(_("Send the key as “Authorization: Bearer <key>”."))
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise AuthenticationFailed(_("Unknown key.")) from None
        return self.authenticate_key(key)

    def authenticate_key(self, key: str):
        from portal.models import SystemToken, hash_key

        token = SystemToken.objects.select_related("system__authority").filter(key_hash=hash_key(key)).first()
        if token is None:
            raise AuthenticationFailed(_("Unknown key."))
        refusal = token.refusal()
        if refusal:
            raise AuthenticationFailed(refusal)
        now = timezone.now()
        SystemToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
        return token.system, token

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="qualification"'


class SystemKeyScheme(OpenApiAuthenticationExtension):
    """The schema names the review systems' key (ADR 0015) as an HTTP Bearer scheme of its own."""

    target_class = SystemTokenAuthentication
    name = "systemKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "资质审批系统的密钥（省厅签发，仅显示一次，可吊销，有有效期）：Authorization: Bearer yjq_…",
        }
