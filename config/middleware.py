"""Chinese first: the UI language is zh-hans unless the user chose another one (the language cookie).

Django's LocaleMiddleware would follow the browser's Accept-Language, so an English browser in a bureau would
get English pages. Here the browser's preference is ignored; `set_language` (the i18n URL) still switches.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers


class ChineseFirstLocaleMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response


class RefuseNulQueryMiddleware:
    """A query string with a NUL character (%00) is refused with 400 before any view runs: PostgreSQL holds no NUL,
    so a search for one would fail in the database. Form and JSON bodies are checked by their forms and by
    `projects.services.record_save`, which name the field."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for key, values in request.GET.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                return _nul_refusal(request, key.replace("\x00", ""))
        return self.get_response(request)


def _nul_refusal(request, name: str):
    from django.shortcuts import render
    from django.utils.translation import gettext as _

    from .access import api_error, is_api_request

    message = _("The parameter “%(name)s” of the address contains a NUL character (%%00): remove it and try again.") % {
        "name": name
    }
    if is_api_request(request):
        return api_error(400, "invalid", message, field=name)
    return render(request, "400.html", {"message": message}, status=400)


class SecurityHeadersMiddleware:
    """Content-Security-Policy on every answer that sets none of its own (settings.CONTENT_SECURITY_POLICY)."""

    def __init__(self, get_response):
        from django.conf import settings

        self.get_response = get_response
        self.policy = settings.CONTENT_SECURITY_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        if self.policy:
            response.headers.setdefault("Content-Security-Policy", self.policy)
        return response
