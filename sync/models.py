"""The outbox of the push to the national platform (推送全国平台).

A `PushItem` is written in the same transaction as the decision that makes a record eligible (approval by a person
or by the nightly job; a fraud mark after a push). `sync.services.drain()` leases items (`FOR UPDATE SKIP LOCKED`),
sends their rows table by table and records every try (`PushAttempt`) with the batch's calls (`PushCall`: request,
response, duration, error).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from accounts.models import Role
from accounts.scoping import Scoped
from projects.models import Record


class PushState(models.TextChoices):
    PENDING = "pending", _("Waiting to be pushed")
    SENDING = "sending", _("Being pushed")
    PUSHED = "pushed", _("Pushed to the national platform")
    REJECTED = "rejected", _("Rejected by the national platform")
    FAILED = "failed", _("Push failed")
    SUPERSEDED = "superseded", _("Superseded by a newer version")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class PushKind(models.TextChoices):
    RECORD = "record", _("Record")
    FRAUD_MARK = "fraud_mark", _("False-project mark")


def _official_scope(qs, user, record_path: str):
    """The rows of the records the user sees (Record.scope: a clerk its enterprise's, officials their jurisdiction)."""
    return qs.filter(**{f"{record_path}in": Record.visible_to(user).values("pk")})


class PushItem(Scoped, FSMModelMixin, models.Model):
    """One record version (or one fraud mark) to bring to the national platform, exactly once."""

    record = models.ForeignKey(Record, verbose_name=_("record"), on_delete=models.PROTECT, related_name="push_items")
    kind = models.CharField(_("kind"), max_length=12, choices=PushKind.choices, default=PushKind.RECORD)
    record_version = models.PositiveIntegerField(_("record version"))
    # the drain leases and finishes items in bulk (one UPDATE per batch); the transitions below are the per-item path
    state = FSMField(_("state"), max_length=12, choices=PushState.choices, default=PushState.PENDING)
    tries = models.PositiveSmallIntegerField(_("tries"), default=0)
    next_attempt_at = models.DateTimeField(_("next try at"), db_index=False)
    leased_until = models.DateTimeField(_("leased until"), null=True, blank=True)
    lease_token = models.UUIDField(_("lease"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    pushed_at = models.DateTimeField(_("pushed at"), null=True, blank=True)
    national_num = models.CharField(_("national project number"), max_length=50, blank=True)
    reasons = models.JSONField(
        _("reasons"), default=list, blank=True, help_text=_("The national platform's reasons, row by row.")
    )
    last_error = models.TextField(_("last error"), blank=True)
    acked = models.JSONField(
        _("rows acknowledged"),
        default=dict,
        blank=True,
        help_text=_("RowGuid → national number of the rows the platform has accepted: a retry sends only the rest."),
    )

    class Meta:
        verbose_name = _("push item")
        verbose_name_plural = _("push items")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["record", "kind", "record_version"], name="push_item_once_per_version"),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at", "id"], condition=Q(state__in=["pending", "sending"]), name="push_item_due"
            ),
            models.Index(fields=["record", "state"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.record_id} v{self.record_version} · {self.get_state_display()}"

    @classmethod
    def scope(cls, qs, user):
        """Officials: the items of the records they see (Record.scope). A clerk: its enterprise's."""
        return _official_scope(qs, user, "record__")

    @transition(field=state, source=[PushState.REJECTED, PushState.FAILED], target=PushState.PENDING)
    def retry(self, *, at) -> None:
        """重新推送 by provincial staff: tried again from the first try."""
        self.tries = 0
        self.next_attempt_at = at
        self.last_error = ""

    @transition(field=state, source=[PushState.PENDING, PushState.SENDING], target=PushState.SUPERSEDED)
    def supersede(self) -> None:
        """A newer version of the record is to be pushed instead."""

    @transition(
        field=state, source=[PushState.PENDING, PushState.SENDING, PushState.FAILED], target=PushState.WITHDRAWN
    )
    def withdraw(self, *, reason: str) -> None:
        """No longer eligible (found fraudulent, the cutoff passed …): never sent."""
        self.last_error = reason


class PushBatch(Scoped, models.Model):
    """One drain of up to `size` items: the calls it made, one per national table."""

    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    worker = models.CharField(_("worker"), max_length=100, blank=True)
    items = models.PositiveIntegerField(_("items"), default=0)

    class Meta:
        verbose_name = _("push batch")
        verbose_name_plural = _("push batches")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"#{self.pk} · {self.started_at:%Y-%m-%d %H:%M:%S}"

    @classmethod
    def scope(cls, qs, user):
        """Provincial staff: the batches that carried an item of a record they see."""
        if getattr(user, "role", None) != Role.PROVINCIAL:
            return qs.none()
        return qs.filter(attempts__item__record__in=Record.visible_to(user).values("pk")).distinct()


class PushCall(Scoped, models.Model):
    """One HTTP call of a batch: the rows of one national table, the request and the reply as they went."""

    batch = models.ForeignKey(PushBatch, verbose_name=_("batch"), on_delete=models.CASCADE, related_name="calls")
    table = models.CharField(_("national table"), max_length=40)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    started_at = models.DateTimeField(_("started at"))
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    http_status = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    request = models.TextField(_("request"), blank=True)
    response = models.TextField(_("response"), blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("push call")
        verbose_name_plural = _("push calls")
        ordering = ["batch", "id"]

    def __str__(self) -> str:
        return f"{self.table} · {self.http_status or self.error[:40]}"

    @classmethod
    def scope(cls, qs, user):
        return qs.filter(batch__in=PushBatch.visible_to(user).values("pk"))


class PushAttempt(Scoped, models.Model):
    """One try of one item: its outcome, the rows' answers and the batch whose calls carried it."""

    item = models.ForeignKey(PushItem, verbose_name=_("push item"), on_delete=models.CASCADE, related_name="attempts")
    batch = models.ForeignKey(PushBatch, verbose_name=_("batch"), on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveSmallIntegerField(_("try"))
    started_at = models.DateTimeField(_("started at"))
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    outcome = models.CharField(_("outcome"), max_length=12, choices=PushState.choices)
    error = models.TextField(_("error"), blank=True)
    rows = models.JSONField(_("rows"), default=list, blank=True)

    class Meta:
        verbose_name = _("push attempt")
        verbose_name_plural = _("push attempts")
        ordering = ["item", "number"]

    def __str__(self) -> str:
        return f"{self.item_id} · {self.number} · {self.get_outcome_display()}"

    @classmethod
    def scope(cls, qs, user):
        return _official_scope(qs, user, "item__record__")
