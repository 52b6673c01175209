"""The site's home (/): each role to its own start page. A login without a safe next= lands here
(LOGIN_REDIRECT_URL), never on a page that does not exist."""

from __future__ import annotations

from django.shortcuts import redirect

from .access import ENTERPRISE, PUBLIC, api_error, is_api_request, role_of


def home(request):
    role = role_of(request.user)
    if role == PUBLIC:
        return redirect("portal:login")
    if role == ENTERPRISE:
        return redirect("portal:records")
    return redirect("admin:index")


def not_found(request, exception=None):
    """404: JSON under /api/ (an address the API does not have), the site's Chinese page elsewhere."""
    from django.utils.translation import gettext as _
    from django.views.defaults import page_not_found

    if is_api_request(request):
        return api_error(404, "not_found", _("There is no such address in the API."))
    return page_not_found(request, exception)


def server_error(request):
    from django.utils.translation import gettext as _
    from django.views.defaults import server_error as page

    if is_api_request(request):
        return api_error(500, "server_error", _("Something went wrong on our side; try again in a moment."))
    return page(request)
