"""The site's home (/): each role to its own start page. A login without a safe next= lands here
(LOGIN_REDIRECT_URL), never on a page that does not exist."""

from __future__ import annotations

from django.shortcuts import redirect

from .access import ENTERPRISE, PUBLIC, role_of


def home(request):
    role = role_of(request.user)
    if role == PUBLIC:
        return redirect("portal:login")
    if role == ENTERPRISE:
        return redirect("portal:records")
    return redirect("admin:index")
