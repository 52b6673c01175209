"""`{% fast_result_list cl %}`: Django's `{% result_list cl %}` with the rows of review.admin.fast_list (the same
markup, rendered per row instead of per cell; issue 11 item 9)."""

from django import template
from django.contrib.admin.templatetags.base import InclusionAdminNode

from review.admin.fast_list import fast_result_list

register = template.Library()


@register.tag(name="fast_result_list")
def fast_result_list_tag(parser, token):
    return InclusionAdminNode(
        parser, token, func=fast_result_list, template_name="change_list_results.html", takes_context=False
    )
