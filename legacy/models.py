"""The keys of the old system's migration (J2): which record and which account each old id became.

Importing the old 工程项目业绩管理系统's file twice changes nothing because every record and every reviewer of it is
looked up here by its province and the old system's id first (legacy.services). Each province ran its own old system,
numbered alike (Guangxi's "1001" is not Jilin's "1001"): an old id is unique within its province only. The rows also
say what the old system said about the record (its state, reviewing department, reviewer, dates), for the provincial
office to trace a migrated record.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Region, RegionLevel, Role
from accounts.scoping import Scoped
from projects.models import Record


class LegacyStatus(models.TextChoices):
    """原系统状态: what the old system said about a record when it closed."""

    APPROVED = "approved", _("Approved in the old system")
    PENDING = "pending", _("Pending in the old system")
    REJECTED = "rejected", _("Rejected in the old system")


def provincial_province(user) -> str | None:
    """Provincial staff: the code of their province (accounts.Region, e.g. "220000"); nobody else (the migration is
    the provincial office's)."""
    if getattr(user, "role", None) != Role.PROVINCIAL or not user.authority_id:
        return None
    return f"{user.authority.region_id[:2]}0000"


def _province_field():
    return models.ForeignKey(
        Region,
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": RegionLevel.PROVINCE},
    )


class LegacyRecord(Scoped, models.Model):
    """One record of the old system's file and the record it became."""

    province = _province_field()
    old_id = models.CharField(_("old system record id"), max_length=50)
    record = models.OneToOneField(Record, verbose_name=_("record"), on_delete=models.PROTECT, related_name="legacy")
    old_status = models.CharField(_("old system status"), max_length=10, choices=LegacyStatus.choices)
    department = models.CharField(_("reviewing department"), max_length=200, blank=True)
    reviewer_name = models.CharField(_("reviewer"), max_length=50, blank=True)
    submitted_at = models.DateTimeField(_("submitted in the old system at"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed in the old system at"), null=True, blank=True)
    file_name = models.CharField(_("file"), max_length=255)
    imported_at = models.DateTimeField(_("imported at"))

    class Meta:
        verbose_name = _("migrated record")
        verbose_name_plural = _("migrated records (old system)")
        ordering = ["-imported_at", "old_id"]
        constraints = [
            models.UniqueConstraint(fields=["province", "old_id"], name="legacy_record_old_id_unique_per_province")
        ]

    def __str__(self) -> str:
        return self.old_id

    @classmethod
    def scope(cls, qs, user):
        """Provincial staff: the migrated records of their province; nobody else."""
        province = provincial_province(user)
        return qs.filter(province_id=province) if province else qs.none()


class LegacyReviewer(Scoped, models.Model):
    """One reviewer account of the old system and the official's account it became (J9: real name, department)."""

    province = _province_field()
    old_id = models.CharField(_("old system user id"), max_length=50)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="legacy"
    )
    file_name = models.CharField(_("file"), max_length=255)
    imported_at = models.DateTimeField(_("imported at"))

    class Meta:
        verbose_name = _("migrated reviewer")
        verbose_name_plural = _("migrated reviewers (old system)")
        ordering = ["old_id"]
        constraints = [
            models.UniqueConstraint(fields=["province", "old_id"], name="legacy_reviewer_old_id_unique_per_province")
        ]

    def __str__(self) -> str:
        return self.old_id

    @classmethod
    def scope(cls, qs, user):
        """Provincial staff: the migrated accounts of their province; nobody else."""
        province = provincial_province(user)
        return qs.filter(province_id=province) if province else qs.none()
