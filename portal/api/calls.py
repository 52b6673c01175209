"""Every call of the qualification API is logged (ADR 0015): who (the system, when its key was valid), when, the path,
the query, the answer's status, how many records it carried and the client's address (REMOTE_ADDR, as the
portal's login counts it). The middleware sits outside the URL gate and the NUL refusal, so a call refused
before any view runs (no key, a bad key, a clerk's token, a NUL byte) is logged too."""

from __future__ import annotations

import ipaddress
import logging

from django.utils import timezone

PREFIX = "/api/v1/qualification/"

logger = logging.getLogger(__name__)


class SystemCallLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(PREFIX):
            return self.get_response(request)
        at = timezone.now()
        response = self.get_response(request)
        try:
            log_call(request, response.status_code, at)
        except Exception:  # the log never turns an answer into a 500; it says so in the server log
            logger.exception("qualification API call not logged: %s", request.path)
        return response


def _address(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def log_call(request, status: int, at) -> None:
    from accounts.models import Role
    from portal.auth import client_ip
    from portal.models import SystemCall, SystemToken

    user = getattr(request, "user", None)
    caller = user if user is not None and getattr(user, "is_authenticated", False) else None
    token = getattr(request, "auth", None)
    SystemCall.objects.create(
        at=at,
        caller=caller,
        token=token if isinstance(token, SystemToken) and caller is not None and caller.role == Role.SYSTEM else None,
        method=request.method[:10],
        path=request.path[:500].replace("\x00", ""),
        query=request.META.get("QUERY_STRING", "")[:4000].replace("\x00", ""),
        status=status,
        records=getattr(request, "system_call_records", None),
        client_ip=_address(client_ip(request)),
    )
