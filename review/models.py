"""Review: the log of every transition of a record, and the working-day calendar staff complete in the admin."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import AuthorityLevel
from projects.models import Record, RecordStatus


@pghistory.track()
class WorkdayOverride(models.Model):
    """A day whose working status staff set by hand (holidays and make-up working days of the State Council's notice).

    An override wins over the `chinesecalendar` package. For a year the package does not know (it covers
    2004–2026), staff enter every public holiday and every make-up working day of the year and then declare the year
    complete (CalendarYear); only then do the other days of that year follow Monday–Friday. Overrides alone never
    make the other days of such a year known (review.workdays.UnknownCalendarDay).
    """

    day = models.DateField(_("day"), unique=True)
    is_workday = models.BooleanField(
        _("working day"),
        help_text=_("Ticked: a working day (e.g. a make-up Saturday). Not ticked: a day off (e.g. a public holiday)."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True, help_text=_("For example: Spring Festival."))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)

    class Meta:
        verbose_name = _("working-day override")
        verbose_name_plural = _("working-day overrides")
        ordering = ["-day"]

    def __str__(self) -> str:
        kind = _("working day") if self.is_workday else _("day off")
        return f"{self.day:%Y-%m-%d} {kind}"


@pghistory.track()
class CalendarYear(models.Model):
    """The declaration that staff have entered a whole year's calendar from the State Council's notice.

    For a year the `chinesecalendar` package does not know, a day without a WorkdayOverride is decided only when its
    year is declared here with `is_complete`: then Monday–Friday are working days and weekends are not. Without
    that declaration such a day is unknown and never guessed (review.workdays.UnknownCalendarDay), whatever
    overrides exist in the year; review.selectors.missing_calendar_years raises the alert.
    """

    year = models.PositiveSmallIntegerField(
        _("year"), unique=True, validators=[MinValueValidator(2004), MaxValueValidator(2100)]
    )
    source = models.CharField(
        _("source"),
        max_length=300,
        help_text=_(
            "The State Council General Office's notice on the year's public holidays, with its number, for example "
            "“国务院办公厅关于2027年部分节假日安排的通知 国办发明电〔2026〕X号”."
        ),
    )
    is_complete = models.BooleanField(
        _("complete"),
        default=False,
        help_text=_(
            "Tick only when every public holiday and every make-up working day of the notice has been entered as a "
            "working-day override of this year. From then on, the other days of the year follow Monday–Friday."
        ),
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    entered_at = models.DateTimeField(_("entered at"), auto_now_add=True)

    class Meta:
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)

    def clean(self) -> None:
        """A year is declared complete only once its days off are entered: a year without a single holiday entered
        is not the State Council's calendar, and Monday–Friday alone would be a guess."""
        if self.is_complete and self.year and not self.days_off_entered():
            raise ValidationError(
                {
                    "is_complete": _(
                        "No day off of %(year)s has been entered yet: enter the year's public holidays and make-up "
                        "working days as working-day overrides first, then mark the year complete."
                    )
                    % {"year": self.year}
                }
            )

    def days_off_entered(self) -> bool:
        return WorkdayOverride.objects.filter(day__year=self.year, is_workday=False).exists()


class TransitionBy(models.TextChoices):
    """Who made a transition: a person, the nightly job (逾期视为审核通过, P1) or a data migration (J2)."""

    PERSON = "person", _("Person")
    NIGHTLY_JOB = "nightly_job", _("Nightly job")
    MIGRATION = "migration", _("Migration")


class RecordTransition(models.Model):
    """One change of a record's status: who (real name, department, authority, level), when, from/to, why.

    Written by the review services for every transition (issue 5 item 1); the names are copied, so the row keeps
    saying who acted after the person changes department or leaves.
    """

    record = models.ForeignKey(Record, verbose_name=_("record"), on_delete=models.PROTECT, related_name="transitions")
    from_status = models.CharField(_("from"), max_length=20, choices=RecordStatus.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=RecordStatus.choices)
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField(_("full name"), max_length=50, blank=True)
    actor_department = models.CharField(_("department"), max_length=100, blank=True)
    actor_authority = models.CharField(_("authority"), max_length=100, blank=True)
    actor_level = models.CharField(_("authority level"), max_length=10, choices=AuthorityLevel.choices, blank=True)
    actor_enterprise = models.CharField(_("enterprise"), max_length=200, blank=True)
    by = models.CharField(_("made by"), max_length=20, choices=TransitionBy.choices, default=TransitionBy.PERSON)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("record transition")
        verbose_name_plural = _("record transitions")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["record", "at"])]

    def __str__(self) -> str:
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"


class ReviewQueueItem(Record):
    """The review queue (审核队列): a record waiting for a decision, as the bureau's admin lists it (issue 5 item 4).

    A proxy: no table of its own, only its own admin and permissions (view to see the queue, change to decide).
    """

    class Meta:
        proxy = True
        verbose_name = _("review queue item")
        verbose_name_plural = _("review queue")
