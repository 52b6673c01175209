"""The qualification review systems in the admin (ADR 0015): provincial staff issue a system's keys for their own
province (each shown once, stored as SHA-256, with an expiry), revoke them, and read every call of the API.

The system itself is an account of role 资质审批系统 under the provincial office (accounts' user admin); it never
signs in. Scoping (accounts/admin_scope.py) limits every list and every choice to the staff's province.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from .models import SystemCall, SystemToken, hash_key, new_key

#: the longest a key lives; staff issue a new one before it ends
MAX_VALIDITY = dt.timedelta(days=731)


class SystemTokenForm(forms.ModelForm):
    class Meta:
        model = SystemToken
        fields = ["system", "name", "expires_at"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if "expires_at" in self.fields and not self.initial.get("expires_at"):
            self.initial["expires_at"] = timezone.localtime() + dt.timedelta(days=365)

    def clean_expires_at(self):
        value = self.cleaned_data["expires_at"]
        now = timezone.now()
        if value <= now:
            raise forms.ValidationError(_("The expiry must be in the future."))
        if value > now + MAX_VALIDITY:
            raise forms.ValidationError(_("A key lives at most two years: choose an earlier expiry."))
        return value


@admin.register(SystemToken)
class SystemTokenAdmin(admin.ModelAdmin):
    form = SystemTokenForm
    list_display = ["name", "system", "key_prefix", "state", "created_at", "expires_at", "last_used_at", "created_by"]
    list_filter = ["expires_at", "revoked_at"]
    search_fields = ["name", "key_prefix", "system__username", "system__real_name"]
    list_select_related = ["system", "created_by"]
    actions = ["revoke"]
    readonly_fields = [
        "system",
        "name",
        "key_prefix",
        "expires_at",
        "created_by",
        "created_at",
        "revoked_at",
        "revoked_by",
        "last_used_at",
    ]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["system", "name", "expires_at"]
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # revoked, never deleted: the call log refers to it

    @admin.display(description=gettext_lazy("state"))
    def state(self, obj: SystemToken) -> str:
        if obj.revoked_at is not None:
            return _("Revoked")
        if obj.expires_at <= timezone.now():
            return _("Expired")
        return _("Valid")

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            key = new_key()
            obj.key_hash = hash_key(key)
            obj.key_prefix = key[:10]
            obj.created_by = request.user
            request._issued_key = key
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        """The key, once: only its hash is kept."""
        context = {
            **self.admin_site.each_context(request),
            "title": _("The key of %(system)s") % {"system": obj.system},
            "token": obj,
            "key": request._issued_key,
            "opts": self.model._meta,
        }
        response = TemplateResponse(request, "admin/portal/systemtoken/issued.html", context)
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description=gettext_lazy("Revoke the selected keys"), permissions=["change"])
    def revoke(self, request, queryset) -> None:
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now(), revoked_by=request.user)
        self.message_user(
            request,
            ngettext("%(count)d key revoked.", "%(count)d keys revoked.", count) % {"count": count},
            messages.SUCCESS,
        )


@admin.register(SystemCall)
class SystemCallAdmin(admin.ModelAdmin):
    list_display = ["at", "caller", "method", "path", "query", "status", "records", "client_ip", "token"]
    list_filter = ["status", "method"]
    search_fields = ["path", "query", "client_ip"]
    list_select_related = ["caller", "token"]
    date_hierarchy = "at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
