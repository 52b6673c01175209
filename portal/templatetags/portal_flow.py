"""`{% enterprise_refusal as text %}`: what the user's enterprise may no longer do, in words ("" when it may work):
a deregistered enterprise (已注销) is told on every portal page (issue 11 item 7; the rule: projects.selectors)."""

from __future__ import annotations

from django import template

from projects.selectors import enterprise_refusal as refusal_of

register = template.Library()


@register.simple_tag(takes_context=True)
def enterprise_refusal(context) -> str:
    user = context.get("user")
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "enterprise_id", None):
        return ""
    return refusal_of(user.enterprise)
