"""Personal data on the admin's pages (issue 11 item 3): the 显示 button's endpoint and the log of reveals.

Pages show ID and phone numbers masked (accounts.pii). Next to each masked value a button posts its key to
`reveal/`: the service checks that the official may see the record (Record.visible_to) and logs the reveal
(review.PiiReveal); the page the official came from then shows that one value, once. Provincial staff read the log
of their province; it is written by the service only, never by hand.
"""

from __future__ import annotations

from django.apps import apps
from django.contrib import admin
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts import pii

from ..models import PiiReveal, ReviewQueueItem
from ..services import RevealRefused, reveal_pii


def client_ip(request) -> str | None:
    """The address the request came from (REMOTE_ADDR: the proxy in front sets it; X-Forwarded-For is not trusted)."""
    return request.META.get("REMOTE_ADDR") or None


@admin.register(PiiReveal)
class PiiRevealAdmin(admin.ModelAdmin):
    """Who revealed which person's ID or phone number of which record, when and from where; read-only."""

    list_display = ["at", "user_name", "user_authority", "user_department", "record", "row_label", "field_label", "ip"]
    list_filter = ["model", "field"]
    search_fields = [
        "user_name",
        "user_authority",
        "row_label",
        "record__project__prj_name",
        "record__project__prj_num",
    ]
    date_hierarchy = "at"
    list_select_related = ["record__project", "record__enterprise"]
    fields = [
        "at",
        "user",
        "user_name",
        "user_authority",
        "user_department",
        "record",
        "row_label",
        "field_label",
        "ip",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        # The log's own rule (PiiReveal.visible_to): provincial staff their province's, anybody else their own.
        queryset = super().get_queryset(request).select_related(*self.list_select_related)
        return PiiReveal.visible_to(request.user, queryset)

    @admin.display(description=gettext_lazy("field"))
    def field_label(self, obj: PiiReveal) -> str:
        try:
            return str(apps.get_model(obj.model)._meta.get_field(obj.field).verbose_name)
        except LookupError:
            return obj.field

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_urls(self):
        view = self.admin_site.admin_view(require_POST(self.reveal_view))
        return [path("reveal/", view, name="review_piireveal_reveal"), *super().get_urls()]

    def reveal_view(self, request):
        """POST record, key, next: log the reveal, then back to the page, which shows that value once."""
        key = request.POST.get("key", "")
        try:
            record_id = int(request.POST.get("record", ""))
            reveal_pii(user=request.user, record_id=record_id, key=key, ip=client_ip(request))
        except (ValueError, RevealRefused):
            raise Http404(_("No such personal data on a record you may see.")) from None
        pii.remember_revealed(request, key)
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
            target = _record_page(record_id)
        return HttpResponseRedirect(f"{target.split('#', 1)[0]}#{reveal_anchor(key)}")


def reveal_anchor(key: str) -> str:
    """The id of the revealed value on the page (the page scrolls back to it)."""
    return "pii-" + key.replace(".", "-").replace(":", "-")


def _record_page(record_id: int) -> str:
    if ReviewQueueItem.objects.pending().filter(pk=record_id).exists():
        return reverse("admin:review_reviewqueueitem_change", args=[record_id])
    return reverse("admin:projects_record_change", args=[record_id])
