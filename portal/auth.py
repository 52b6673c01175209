"""Enterprise login: password, throttle, and the place where the identity lock (G8) will plug in.

The login is a pipeline of three steps, each a function here, called in order by `portal.views.login_view`:

1. `throttle_wait(username, ip)` — how long this username+IP pair must still wait after too many failures
   (LOGIN_MAX_FAILURES failures within LOGIN_FAILURE_WINDOW lock the pair for the rest of the window). The counter
   lives in the cache (Redis), so it holds across processes and restarts of one worker.
2. `check_password_step(request, username, password)` — Django's `authenticate()`; a failure is counted.
3. `second_factor(request, user)` — **the identity-lock hook**. G8: enterprises log in with their 企业身份锁.
   Today it returns `SecondFactor.PASSED` for every user. The issue that brings the lock replaces its body: it may
   return `SecondFactor.required(url)` to send the user to a challenge page (the user is then *not* logged in yet:
   the view keeps the user id in the session under `PENDING_USER_KEY` and the challenge view finishes the login
   with `complete_login`), or `SecondFactor.refused(message)`.

Only enterprise clerks log in here; officials are told to use the administration site (/admin/).
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from django.contrib.auth import authenticate, login
from django.core.cache import cache
from django.utils.translation import gettext as _

from accounts.models import Role

LOGIN_MAX_FAILURES = 5
LOGIN_FAILURE_WINDOW = 15 * 60  # seconds
PENDING_USER_KEY = "portal_pending_user"


def client_ip(request) -> str:
    """The address the throttle counts by. Behind a proxy, the proxy must set REMOTE_ADDR (e.g. gunicorn's
    --forwarded-allow-ips); a client-supplied X-Forwarded-For is never trusted here."""
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _key(username: str, ip: str) -> str:
    digest = hashlib.sha256(f"{username.strip().lower()}\x00{ip}".encode()).hexdigest()[:32]
    return f"portal:login-fail:{digest}"


def throttle_wait(username: str, ip: str) -> int:
    """Seconds this username+IP must still wait before trying again (0: may try now)."""
    state = cache.get(_key(username, ip))
    if not state or state["count"] < LOGIN_MAX_FAILURES:
        return 0
    return max(0, int(state["since"] + LOGIN_FAILURE_WINDOW - time.time()))


def record_failure(username: str, ip: str) -> int:
    """Count a failed password; returns the seconds to wait when this failure locked the pair, else 0."""
    key = _key(username, ip)
    now = time.time()
    state = cache.get(key)
    if not state or now - state["since"] >= LOGIN_FAILURE_WINDOW:
        state = {"count": 0, "since": now}
    state["count"] += 1
    cache.set(key, state, timeout=int(state["since"] + LOGIN_FAILURE_WINDOW - now) + 1)
    return throttle_wait(username, ip)


def clear_failures(username: str, ip: str) -> None:
    cache.delete(_key(username, ip))


def wait_message(seconds: int) -> str:
    minutes = max(1, (seconds + 59) // 60)
    return _("Too many failed logins. Please wait %(minutes)d minutes and try again.") % {"minutes": minutes}


@dataclass(frozen=True)
class SecondFactor:
    """The answer of the second-factor step."""

    passed: bool
    redirect_url: str = ""
    message: str = ""

    @classmethod
    def required(cls, url: str) -> SecondFactor:
        return cls(passed=False, redirect_url=url)

    @classmethod
    def refused(cls, message: str) -> SecondFactor:
        return cls(passed=False, message=message)


SecondFactor.PASSED = SecondFactor(passed=True)


def second_factor(request, user) -> SecondFactor:
    """The identity-lock (企业身份锁, G8) step after the password. Passes everyone until that issue lands."""
    return SecondFactor.PASSED


def check_password_step(request, username: str, password: str):
    """The user for these credentials, or None."""
    return authenticate(request, username=username, password=password)


def is_portal_user(user) -> bool:
    return user.is_active and user.role == Role.ENTERPRISE and user.enterprise_id is not None


def complete_login(request, user) -> None:
    request.session.pop(PENDING_USER_KEY, None)
    login(request, user, backend="accounts.backends.UserWithAuthorityBackend")
