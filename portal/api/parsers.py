"""The API's JSON parser: DRF's, with a bound on nesting (a body 5,000 levels deep is refused with 400, not a
RecursionError and a 500) and its refusals in the user's language."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

#: The deepest JSON a request may send. The deepest body the API takes is {"corps": [{"unit": …}]} (depth 3).
MAX_DEPTH = 16


def _too_deep(data, limit: int) -> bool:
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth > limit:
                return True
            items = value.values() if isinstance(value, dict) else value
            stack.extend((item, depth + 1) for item in items)
    return False


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError(_("The JSON of the request is nested too deeply.")) from exc
        except ParseError as exc:
            raise ParseError(_("The body of the request is not valid JSON.")) from exc
        if _too_deep(data, MAX_DEPTH):
            raise ParseError(_("The JSON of the request is nested too deeply."))
        return data
