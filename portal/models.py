"""The portal's own rows: the enterprise's lists of records for qualification applications (资质申报业绩, J4, G11),
and the tokens and call log of the qualification review systems that read the API (ADR 0015)."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Enterprise, PerformanceUse, Qualification, Role
from accounts.scoping import Scoped, province_prefix
from projects.models import Record

# ----------------------------------------------------------------------------------------------------------------
# 资质申报业绩: a firm's named lists of its published records for an application
# ----------------------------------------------------------------------------------------------------------------


class ApplicationList(Scoped, models.Model):
    """A named list of the enterprise's published records for one application of one qualification."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.CASCADE, related_name="application_lists"
    )
    name = models.CharField(_("name"), max_length=100)
    qualification = models.ForeignKey(
        Qualification, verbose_name=_("qualification applied for"), on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("application list")
        verbose_name_plural = _("application lists")
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "name"], name="application_list_name_unique_per_firm"),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope(cls, qs, user):
        """The enterprise's own lists; nobody else works with them (the review systems read records, not lists)."""
        if getattr(user, "role", None) == Role.ENTERPRISE and user.enterprise_id:
            return qs.filter(enterprise_id=user.enterprise_id)
        return qs.none()


class ApplicationPick(Scoped, models.Model):
    """A published record of the list's enterprise, declared as enterprise or personal performance."""

    application = models.ForeignKey(
        ApplicationList, verbose_name=_("application list"), on_delete=models.CASCADE, related_name="picks"
    )
    record = models.ForeignKey(
        Record, verbose_name=_("record"), on_delete=models.PROTECT, related_name="application_picks"
    )
    use = models.CharField(
        _("declared as"), max_length=12, choices=PerformanceUse.choices, default=PerformanceUse.ENTERPRISE
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("picked record")
        verbose_name_plural = _("picked records")
        ordering = ["application", "id"]
        constraints = [
            models.UniqueConstraint(fields=["application", "record", "use"], name="application_pick_once_per_use"),
        ]

    def __str__(self) -> str:
        return f"{self.application} · {self.record_id}"

    @classmethod
    def scope(cls, qs, user):
        """Seen by whoever sees its list (ApplicationList.scope)."""
        return qs.filter(application__in=ApplicationList.visible_to(user).values("pk"))


# ----------------------------------------------------------------------------------------------------------------
# Trusted systems (资质审批系统): tokens issued by provincial staff, every call logged
# ----------------------------------------------------------------------------------------------------------------

#: what every key starts with, so that a leaked key is recognised (e.g. by secret scanners)
KEY_PREFIX = "yjq_"


def hash_key(key: str) -> str:
    """A key is 32 random bytes: SHA-256 is enough to store it (no password stretching needed)."""
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def _system_scope(user) -> models.Q | None:
    """Provincial staff: the systems of their province (the system's authority is their provincial office)."""
    if getattr(user, "role", None) != Role.PROVINCIAL:
        return None
    prefix = province_prefix(user)
    return models.Q(authority__region__code__startswith=prefix) if prefix else None


class SystemToken(Scoped, models.Model):
    """An API key of a qualification review system. Only its SHA-256 is stored: the key is shown once, when it is
    issued. Revoked or expired, it is refused (portal.api.system_auth)."""

    system = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("system"),
        on_delete=models.PROTECT,
        related_name="system_tokens",
        limit_choices_to={"role": Role.SYSTEM},
    )
    name = models.CharField(_("purpose"), max_length=100, help_text=_("What the key is for, e.g. the server using it."))
    key_prefix = models.CharField(_("key begins with"), max_length=12, editable=False)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField(_("expires at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("system API key")
        verbose_name_plural = _("system API keys")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name}（{self.key_prefix}…）"

    @classmethod
    def scope(cls, qs, user):
        """Provincial staff: the keys of their province's systems. Nobody else but the superuser."""
        systems = _system_scope(user)
        if systems is None:
            return qs.none()
        from accounts.models import User

        return qs.filter(system__in=User.objects.filter(systems, role=Role.SYSTEM).values("pk"))

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    def refusal(self) -> str:
        """Why the key is refused now ("" when it is valid)."""
        if self.revoked_at is not None:
            return str(_("This key has been revoked."))
        if self.expires_at <= timezone.now():
            return str(_("This key has expired: ask the provincial office for a new one."))
        if not self.system.is_active or self.system.role != Role.SYSTEM:
            return str(_("The system of this key is disabled."))
        return ""


class SystemCall(Scoped, models.Model):
    """One call of the qualification API (ADR 0015): who, when, what was asked, the answer's status and size."""

    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    caller = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("caller"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty when the call carried no valid key."),
    )
    token = models.ForeignKey(
        SystemToken, verbose_name=_("key"), null=True, blank=True, on_delete=models.PROTECT, related_name="calls"
    )
    method = models.CharField(_("method"), max_length=10)
    path = models.CharField(_("path"), max_length=500)
    query = models.TextField(_("query"), blank=True)
    status = models.PositiveSmallIntegerField(_("status"))
    records = models.PositiveIntegerField(_("records returned"), null=True, blank=True)
    client_ip = models.GenericIPAddressField(_("client IP"), null=True, blank=True)

    class Meta:
        verbose_name = _("qualification API call")
        verbose_name_plural = _("qualification API calls")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["caller", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.method} {self.path} {self.status}"

    @classmethod
    def scope(cls, qs, user):
        """Provincial staff: the calls of their province's systems (calls without a valid key: the superuser)."""
        systems = _system_scope(user)
        if systems is None:
            return qs.none()
        from accounts.models import User

        return qs.filter(caller__in=User.objects.filter(systems, role=Role.SYSTEM).values("pk"))
