"""`{% unread_notices as n %}`: how many decision notices of the user's enterprise are unread (the navigation's
badge, issue 5 item 8). One query, and only where the template asks (enterprise clerks)."""

from __future__ import annotations

from django import template

from review.selectors import unread_notice_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notices(context) -> int:
    user = context.get("user")
    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    return unread_notice_count(user)
