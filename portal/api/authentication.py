"""API tokens that expire (issue 9): a token older than API_TOKEN_TTL_HOURS is refused and deleted; the clerk
obtains a new one. Logout and password change revoke it at once (accounts.models.User)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed


def token_expired(token: Token) -> bool:
    return token.created <= timezone.now() - dt.timedelta(hours=settings.API_TOKEN_TTL_HOURS)


def fresh_token(user) -> Token:
    """The user's token, a new one when the stored one has expired."""
    token, created = Token.objects.get_or_create(user=user)
    if not created and token_expired(token):
        token.delete()
        token = Token.objects.create(user=user)
    return token


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)  # unknown (revoked) key, inactive user: DRF's refusals
        if token_expired(token):
            token.delete()
            raise AuthenticationFailed(_("The token has expired: obtain a new one."))
        return user, token
