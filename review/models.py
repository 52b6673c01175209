"""Review: the log of every transition of a record, and the working-day calendar staff complete in the admin."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from accounts.models import AuthorityLevel, Enterprise, Role
from accounts.scoping import Scoped, jurisdiction_prefix
from projects.models import Record, RecordStatus


@pghistory.track()
class WorkdayOverride(Scoped, models.Model):
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

    @classmethod
    def scope(cls, qs, user):
        """The working-day calendar is the State Council's, one for the country: officials read it."""
        return qs if jurisdiction_prefix(user) is not None else qs.none()


@pghistory.track()
class CalendarYear(Scoped, models.Model):
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

    @classmethod
    def scope(cls, qs, user):
        """The working-day calendar is the State Council's, one for the country: officials read it."""
        return qs if jurisdiction_prefix(user) is not None else qs.none()


class CalendarAlert(Scoped, models.Model):
    """The alert the nightly calendar check raises for a coming year whose working days nobody knows (issue 5 item 3).

    One row per year: raised when the check first finds the year unknown (neither the chinesecalendar package nor a
    complete CalendarYear), resolved when staff have declared the year complete. Shown on the admin's index page
    until resolved; review.services.check_calendar writes it, nothing guesses the days meanwhile.
    """

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    raised_at = models.DateTimeField(_("raised at"))
    last_checked_at = models.DateTimeField(_("last checked at"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar alert")
        verbose_name_plural = _("calendar alerts")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

    @classmethod
    def scope(cls, qs, user):
        """The working-day calendar is the State Council's, one for the country: officials read it."""
        return qs if jurisdiction_prefix(user) is not None else qs.none()


class TransitionBy(models.TextChoices):
    """Who made a transition: a person, the nightly job (逾期视为审核通过, P1) or a data migration (J2)."""

    PERSON = "person", _("Person")
    NIGHTLY_JOB = "nightly_job", _("Nightly job")
    MIGRATION = "migration", _("Migration")


class NoticeMail(models.TextChoices):
    """The e-mail to the enterprise about a decision (issue 5 item 8): to send, sent, failed or nobody to send to."""

    NONE = "", _("No e-mail")
    TO_SEND = "to_send", _("To send")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Sending failed")
    NO_ADDRESS = "no_address", _("No e-mail address")


class DecisionNotice(models.Model):
    """What makes a row a decision notice to the enterprise (issue 5 item 8): the portal's 审核结果通知 shows it until
    a clerk reads it, its e-mail is sent after commit and retried by the periodic job (Amsterdam/signals' to send /
    sent / failed). One mechanism for two kinds of decision (review.notices.KINDS): a record's transition and a
    correction's decision (J7, ADR 0013)."""

    mail_status = models.CharField(
        _("e-mail"), max_length=12, choices=NoticeMail.choices, default=NoticeMail.NONE, blank=True
    )
    mail_attempts = models.PositiveSmallIntegerField(_("e-mail attempts"), default=0)
    mailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)
    mail_error = models.CharField(_("e-mail error"), max_length=300, blank=True)
    read_at = models.DateTimeField(_("read by the enterprise at"), null=True, blank=True)

    class Meta:
        abstract = True


class RecordTransition(Scoped, DecisionNotice, models.Model):
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
    # The notice fields (DecisionNotice): a decision is shown in the portal until read and mailed after commit.
    # 回执编号 of a submission (to the authority or to direct review), unique, printed on the enterprise's receipt
    # (issue 11 item 7); written by review.services.write_transition, the one place that numbers receipts.
    receipt_no = models.CharField(_("receipt number"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("record transition")
        verbose_name_plural = _("record transitions")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["record", "at"]),
            models.Index(
                fields=["mail_status"],
                name="transition_mail_to_send",
                condition=models.Q(mail_status="to_send"),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["receipt_no"], condition=~models.Q(receipt_no=""), name="transition_receipt_no_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"

    @classmethod
    def scope(cls, qs, user):
        """A record's log is seen by whoever sees the record (Record.scope)."""
        return qs.filter(record__in=Record.visible_to(user).values("pk"))


@pghistory.track()
class CreditEntry(Scoped, models.Model):
    """An entry of an enterprise's credit file (诚信档案, G10): a record found fraudulent (弄虚作假), with the facts.

    Written only by review.services.mark_fraud together with the record's transition to 弄虚作假 (locked); visible
    to provincial staff in the admin and to the enterprise in its portal. Names are copied like the transition log's.
    """

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="credit_entries"
    )
    record = models.ForeignKey(
        Record, verbose_name=_("record"), on_delete=models.PROTECT, related_name="credit_entries"
    )
    transition = models.OneToOneField(
        RecordTransition,
        verbose_name=_("record transition"),
        on_delete=models.PROTECT,
        related_name="credit_entry",
    )
    facts = models.TextField(_("facts"), help_text=_("What was found false, and how it was established."))
    at = models.DateTimeField(_("recorded at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorder_name = models.CharField(_("full name"), max_length=50)
    recorder_department = models.CharField(_("department"), max_length=100, blank=True)
    recorder_authority = models.CharField(_("authority"), max_length=100, blank=True)
    recorder_level = models.CharField(_("authority level"), max_length=10, choices=AuthorityLevel.choices, blank=True)

    class Meta:
        verbose_name = _("credit file entry")
        verbose_name_plural = _("credit file (诚信档案)")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["enterprise", "-at"])]

    def __str__(self) -> str:
        return f"{self.enterprise.name} · {self.at:%Y-%m-%d}"

    @classmethod
    def scope(cls, qs, user):
        """Provincial staff: the entries of records of their province; a reviewer: those of the records its authority
        or a subordinate (county) authority is responsible for; a clerk: its own enterprise's; anybody else none."""
        role = getattr(user, "role", None)
        if role == Role.PROVINCIAL and user.authority_id:
            return qs.filter(record__project__county__code__startswith=user.authority.region_id[:2])
        if role == Role.REVIEWER and user.authority_id:
            return qs.filter(
                models.Q(record__responsible_authority_id=user.authority_id)
                | models.Q(record__responsible_authority__parent_id=user.authority_id)
            )
        if role == Role.ENTERPRISE and user.enterprise_id:
            return qs.filter(enterprise_id=user.enterprise_id)
        return qs.none()


class DigestMail(Scoped, models.Model):
    """The daily digest mailed to an official on a day (issue 5 item 8): one row per user and day, written before the
    mail is sent, so a redelivered task, a second beat or the command run by hand sends nothing twice."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField(_("day"))
    sent_at = models.DateTimeField(_("sent at"))

    class Meta:
        verbose_name = _("daily digest mail")
        verbose_name_plural = _("daily digest mails")
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="digest_once_per_user_and_day")]

    def __str__(self) -> str:
        return f"{self.user} · {self.day:%Y-%m-%d}"

    @classmethod
    def scope(cls, qs, user):
        """One's own digests."""
        return qs.filter(user_id=user.pk)


class ReviewQueueItem(Record):
    """The review queue (审核队列): a record waiting for a decision, as the bureau's admin lists it (issue 5 item 4).

    A proxy: no table of its own, only its own admin and permissions (view to see the queue, change to decide).
    """

    class Meta:
        proxy = True
        verbose_name = _("review queue item")
        verbose_name_plural = _("review queue")


class PiiReveal(Scoped, models.Model):
    """One personal-data value an official asked to see unmasked (issue 11 item 3): who, when, which record, which
    row and field, from where. Written by review.services.reveal_pii before the value is shown; never changed."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    user_name = models.CharField(_("full name"), max_length=50, blank=True)
    user_authority = models.CharField(_("authority"), max_length=100, blank=True)
    user_department = models.CharField(_("department"), max_length=100, blank=True)
    at = models.DateTimeField(_("at"))
    record = models.ForeignKey(Record, verbose_name=_("record"), on_delete=models.PROTECT, related_name="pii_reveals")
    model = models.CharField(_("table"), max_length=60)
    row_id = models.PositiveBigIntegerField(_("row"))
    field = models.CharField(_("field"), max_length=60)
    row_label = models.CharField(_("person"), max_length=200, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        verbose_name = _("personal data reveal")
        verbose_name_plural = _("personal data reveals")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["record", "-at"]), models.Index(fields=["user", "-at"])]

    def __str__(self) -> str:
        return f"{self.user_name} · {self.row_label} · {self.at:%Y-%m-%d %H:%M}"

    @classmethod
    def scope(cls, qs, user):
        """Provincial staff: the reveals of records in their province, and their own; anybody else: their own."""
        if getattr(user, "role", None) == Role.PROVINCIAL and user.authority_id:
            prefix = user.authority.region_id[:2]
            return qs.filter(models.Q(record__project__county__code__startswith=prefix) | models.Q(user_id=user.pk))
        return qs.filter(user_id=user.pk)


class CorrectionStatus(models.TextChoices):
    PENDING = "pending", _("Pending decision")
    ACCEPTED = "accepted", _("Accepted")
    REFUSED = "refused", _("Refused")


class CorrectionRequest(Scoped, FSMModelMixin, DecisionNotice, models.Model):
    """更正申请 (J7, P4): a firm asks the provincial 建筑管理处 to change fields of a published B/C record.

    `changes` is what the firm proposes: [{"part", "row", "field", "value"}], checked when filed with the portal
    save's parsers (projects.revisions.parse_changes). Accepted: applied to the record as a new version
    (projects.revisions.apply_changes) and pushed again; refused: nothing changes and the firm reads why. One open
    request per record (the partial unique constraint); written by review.corrections only. Its decision is a notice
    to the firm (DecisionNotice: the portal's 审核结果通知 and an e-mail, review.notices).
    """

    record = models.ForeignKey(Record, verbose_name=_("record"), on_delete=models.PROTECT, related_name="corrections")
    status = FSMField(
        _("status"), max_length=10, choices=CorrectionStatus.choices, default=CorrectionStatus.PENDING, protected=True
    )
    changes = models.JSONField(_("proposed changes"), default=list)
    reason = models.TextField(_("reason for the correction"))
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("filed by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    filed_at = models.DateTimeField(_("filed at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decider_name = models.CharField(_("full name"), max_length=50, blank=True)
    decider_department = models.CharField(_("department"), max_length=200, blank=True)
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    version = models.OneToOneField(
        "projects.RecordVersion",
        verbose_name=_("version made"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="correction",
    )

    class Meta:
        verbose_name = _("correction request")
        verbose_name_plural = _("correction requests")
        ordering = ["-filed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["record"], condition=models.Q(status="pending"), name="correction_one_open_per_record"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "filed_at"]),
            models.Index(
                fields=["mail_status"],
                name="correction_mail_to_send",
                condition=models.Q(mail_status="to_send"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.record} · {self.filed_at:%Y-%m-%d}"

    @transition(field=status, source=CorrectionStatus.PENDING, target=CorrectionStatus.ACCEPTED)
    def accept(self, *, at, by, version) -> None:
        self.decided_at, self.decided_by, self.version = at, by, version

    @transition(field=status, source=CorrectionStatus.PENDING, target=CorrectionStatus.REFUSED)
    def refuse(self, *, at, by, reason: str) -> None:
        self.decided_at, self.decided_by, self.decision_reason = at, by, reason

    @classmethod
    def scope(cls, qs, user):
        """Seen by whoever sees the record (Record.scope): the firm, the province's staff, the local reviewers."""
        return qs.filter(record__in=Record.visible_to(user).values("pk"))


def evidence_path(instance, filename: str) -> str:
    from projects.models import attachment_path

    return "corrections/" + attachment_path(instance, filename).partition("/")[2]


class CorrectionEvidence(Scoped, models.Model):
    """A file proving a correction (合同, 变更文件 …): checked and stored as a record's attachments are
    (projects.attachments.check_upload), under a name nobody can guess."""

    request = models.ForeignKey(
        CorrectionRequest, verbose_name=_("correction request"), on_delete=models.CASCADE, related_name="evidence"
    )
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=200)
    original_name = models.CharField(_("original file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("correction evidence")
        verbose_name_plural = _("correction evidence")
        ordering = ["request", "id"]

    def __str__(self) -> str:
        return self.original_name

    @classmethod
    def scope(cls, qs, user):
        return qs.filter(request__in=CorrectionRequest.visible_to(user).values("pk"))
