"""The record: a project's whole life as one enterprise declares it, and the campaigns it belongs to.

Tables follow the 2018 national data standard (TBProjectInfo, TBUnitProjectInfo, TBProjectCorpInfo, TBTenderInfo,
TBContractRecordManage, TBProjectCensorInfo + TBProjectDesignEconUserInfo, TBBuilderLicenceManage,
TBProjectFinishCheckInfo, TBProjectFinishManage). Fields are optional in the database: a draft is saved at any
completeness (修改保存). What is mandatory at submit is the national standard's rule set in `grading/`.
"""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath

import pghistory
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from accounts import validators as v
from accounts.errors import DomainError
from accounts.models import Authority, Enterprise, EnterpriseKind, Qualification, Region, Role
from accounts.scoping import Scoped, jurisdiction_prefix

from . import codes

# --------------------------------------------------------------------------------------------------------------
# Campaigns (补录工作): dates are data that staff edit in the admin, never code.
# --------------------------------------------------------------------------------------------------------------


class AutoApprovalGrade(models.TextChoices):
    """P1: the grade of a record approved because its review window ran out."""

    AUTHORITY = "authority", _("Level of the responsible authority")
    D = "D", _("D (not reviewed)")


@pghistory.track()
class Campaign(Scoped, models.Model):
    """One province's backfill campaign, as its notice sets it out (G1–G5, J1, P1, P3)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    province = models.ForeignKey(
        Region,
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        related_name="campaigns",
        limit_choices_to={"level": 1},
    )
    notice_number = models.CharField(_("notice number"), max_length=60, blank=True)
    notice_title = models.CharField(_("notice title"), max_length=200, blank=True)
    notice_date = models.DateField(_("notice date"))
    scope_completed_before = models.DateField(
        _("projects completed before"),
        help_text=_("G1: only projects whose completion acceptance is before this date may be entered."),
    )
    national_cutoff = models.DateField(
        _("national platform cutoff"),
        null=True,
        blank=True,
        help_text=_("Records entered after this day never reach the national platform."),
    )
    close_date = models.DateField(
        _("close date"),
        null=True,
        blank=True,
        help_text=_("The last day of entry; the backfill port closes after it."),
    )
    review_working_days = models.PositiveSmallIntegerField(_("review working days"), default=3)
    auto_approval_grade = models.CharField(
        _("grade of records approved by timeout"),
        max_length=10,
        choices=AutoApprovalGrade.choices,
        default=AutoApprovalGrade.AUTHORITY,
    )
    push_d_records = models.BooleanField(
        _("push D records"),
        default=False,
        help_text=_("P3: D records are published provincially but not pushed."),
    )
    msg_outside_province = models.TextField(
        _("message: project outside the province"),
        default=_(
            "This project is outside the province: enter it through the housing and construction authority "
            "where the project is located."
        ),
    )
    msg_overseas = models.TextField(_("message: overseas project"), default=_("Overseas projects are not backfilled."))
    msg_not_completed = models.TextField(
        _("message: project not completed before the cut date"),
        default=_("Only projects completed before the notice date may be backfilled."),
    )
    msg_closed = models.TextField(_("message: campaign closed"), default=_("The backfill port is closed."))
    msg_after_national_cutoff = models.TextField(
        _("message: entered after the national cutoff"),
        default=_("Records entered after the national cutoff stay on the provincial platform and are never pushed."),
    )
    msg_kind_not_covered = models.TextField(
        _("message: enterprise kind not covered"),
        default=_("This campaign does not cover your kind of enterprise."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-notice_date"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.close_date and self.close_date < self.notice_date:
            raise ValidationError({"close_date": _("The close date cannot be before the notice date.")})
        if self.national_cutoff and self.national_cutoff < self.notice_date:
            raise ValidationError({"national_cutoff": _("The national cutoff cannot be before the notice date.")})

    @classmethod
    def scope(cls, qs, user):
        """Officials: the campaigns of their province. Clerks: the active campaigns (a notice is public, and a firm
        backfills projects of any province)."""
        if getattr(user, "role", None) == Role.ENTERPRISE:
            return qs.filter(is_active=True)
        prefix = jurisdiction_prefix(user)
        return qs.filter(province_id=f"{prefix[:2]}0000") if prefix else qs.none()


@pghistory.track()
class CampaignOpening(Scoped, models.Model):
    """G4: the day a kind of enterprise may start entering records."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="openings"
    )
    enterprise_kind = models.CharField(_("enterprise kind"), max_length=20, choices=EnterpriseKind.choices)
    opens_on = models.DateField(_("opens on"))
    message_before_open = models.TextField(_("message before the opening day"), blank=True)

    class Meta:
        verbose_name = _("opening date")
        verbose_name_plural = _("opening dates")
        ordering = ["campaign", "opens_on"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "enterprise_kind"], name="opening_unique_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_enterprise_kind_display()} {self.opens_on:%Y-%m-%d}"

    @classmethod
    def scope(cls, qs, user):
        """The part of a campaign the user may see: the campaign's own rule (Campaign.scope)."""
        return qs.filter(campaign__in=Campaign.visible_to(user).values("pk"))


@pghistory.track()
class Track(Scoped, models.Model):
    """A track of a campaign (G2 national, G3 provincial): the qualifications it covers and its entry deadline.

    A track with no qualifications covers every enterprise of the campaign's kinds.
    """

    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="tracks")
    code = models.CharField(_("code"), max_length=10)
    name = models.CharField(_("name"), max_length=100)
    qualifications = models.ManyToManyField(Qualification, verbose_name=_("qualifications covered"), blank=True)
    entry_deadline = models.DateField(
        _("entry deadline"),
        null=True,
        blank=True,
        help_text=_("The last day of entry on this track; empty: until the campaign closes."),
    )
    reaches_national = models.BooleanField(_("reaches the national platform"), default=True)
    national_deadline = models.DateField(
        _("national deadline"),
        null=True,
        blank=True,
        help_text=_(
            "G2: records entered after this day are still accepted, but provincially only: they never reach the "
            "national platform."
        ),
    )
    message_after_national_deadline = models.TextField(
        _("message after the national deadline"),
        blank=True,
        help_text=_("Told to the clerk before and after submitting a record that will stay provincial."),
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"),
        default=10,
        help_text=_("When an enterprise fits several tracks, the lowest number is tried first."),
    )
    message_after_deadline = models.TextField(_("message after the entry deadline"), blank=True)

    class Meta:
        verbose_name = _("track")
        verbose_name_plural = _("tracks")
        ordering = ["campaign", "priority", "code"]
        constraints = [models.UniqueConstraint(fields=["campaign", "code"], name="track_code_unique_per_campaign")]

    def __str__(self) -> str:
        return f"{self.campaign.name} · {self.name}"

    @classmethod
    def scope(cls, qs, user):
        """The part of a campaign the user may see: the campaign's own rule (Campaign.scope)."""
        return qs.filter(campaign__in=Campaign.visible_to(user).values("pk"))


@pghistory.track()
class CampaignContact(Scoped, models.Model):
    """G9 / 附件3: the contact person an authority names for a campaign."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="contacts"
    )
    authority = models.ForeignKey(
        Authority, verbose_name=_("authority"), on_delete=models.CASCADE, related_name="campaign_contacts"
    )
    name = models.CharField(_("full name"), max_length=50)
    department = models.CharField(_("department"), max_length=100)
    title = models.CharField(_("job title"), max_length=50, blank=True)
    office_phone = models.CharField(_("office phone"), max_length=30, blank=True, validators=[v.validate_phone])
    mobile = models.CharField(_("mobile phone"), max_length=30, blank=True, validators=[v.validate_mobile])

    class Meta:
        verbose_name = _("campaign contact")
        verbose_name_plural = _("campaign contacts")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "authority"], name="one_contact_per_authority_and_campaign"),
        ]

    def __str__(self) -> str:
        return f"{self.authority.name} {self.name}"

    @classmethod
    def scope(cls, qs, user):
        """Contact persons (names and phones) are for officials: those of the campaigns they see."""
        if jurisdiction_prefix(user) is None:
            return qs.none()
        return qs.filter(campaign__in=Campaign.visible_to(user).values("pk"))


# --------------------------------------------------------------------------------------------------------------
# Stage records: every business stage carries the reviewer, source and grade fields of the standard.
# --------------------------------------------------------------------------------------------------------------


class StageFields(models.Model):
    """信息审核部门, 信息审核人, 数据来源, 数据等级: mandatory on every business-stage table (set by review/grading)."""

    data_source = models.PositiveSmallIntegerField(
        _("data source"), choices=codes.DataSource.choices, null=True, blank=True
    )
    data_level = models.CharField(_("data level"), max_length=1, choices=codes.DataLevel.choices, blank=True)
    check_depart_name = models.CharField(_("reviewing department"), max_length=100, blank=True)
    check_person_name = models.CharField(_("reviewer"), max_length=50, blank=True)
    national_num = models.CharField(
        _("national record number"),
        max_length=50,
        blank=True,
        help_text=_("Project number, stage code and sequence; assigned when the record is pushed."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


def _money(verbose: str, **kw) -> models.DecimalField:
    return models.DecimalField(
        verbose,
        max_digits=19,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[v.validate_positive],
        **kw,
    )


def _area(verbose: str, **kw) -> models.DecimalField:
    return models.DecimalField(
        verbose,
        max_digits=15,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[v.validate_non_negative],
        **kw,
    )


def _credit_code(verbose: str) -> models.CharField:
    return models.CharField(verbose, max_length=18, blank=True, validators=[v.validate_uscc])


@pghistory.track()
class Project(Scoped, StageFields):
    """TBProjectInfo 工程项目基本信息 (报建). Shared by every enterprise that claims the project."""

    prj_num = models.CharField(
        _("project number"),
        max_length=16,
        unique=True,
        validators=[v.validate_prj_num],
        help_text=_("16 digits: region code, yyMMdd and a 4-digit sequence."),
    )
    province_prj_num = models.CharField(_("provincial project number"), max_length=30, blank=True)
    prj_code = models.CharField(_("investment project code"), max_length=100, blank=True)
    prj_name = models.CharField(_("project name"), max_length=250)
    prj_type = models.CharField(_("project category"), max_length=2, choices=codes.ProjectType.choices, blank=True)
    county = models.ForeignKey(
        Region,
        verbose_name=_("county"),
        on_delete=models.PROTECT,
        related_name="projects",
        help_text=_("The county-level region where the project is located."),
    )
    is_overseas = models.BooleanField(_("overseas project"), default=False)
    address = models.CharField(_("project address"), max_length=200, blank=True)
    location_x = models.DecimalField(_("longitude"), max_digits=10, decimal_places=7, null=True, blank=True)
    location_y = models.DecimalField(_("latitude"), max_digits=10, decimal_places=7, null=True, blank=True)
    prj_approval_num = models.CharField(_("approval document number"), max_length=200, blank=True)
    prj_approval_level = models.CharField(
        _("approval level"), max_length=3, choices=codes.ApprovalLevel.choices, blank=True
    )
    prj_approval_depart = models.CharField(_("approving authority"), max_length=200, blank=True)
    prj_approval_date = models.DateField(_("approval date"), null=True, blank=True)
    build_corp_name = models.CharField(_("owner (construction unit)"), max_length=200, blank=True)
    build_corp_code = models.CharField(
        _("owner's credit code"),
        max_length=18,
        blank=True,
        validators=[v.validate_build_corp_code],
        help_text=_("Write 其它 when the owner has no unified social credit code."),
    )
    build_plan_num = models.CharField(_("land-use planning permit number"), max_length=200, blank=True)
    project_plan_num = models.CharField(_("construction planning permit number"), max_length=200, blank=True)
    inv_property = models.CharField(
        _("investment nature"), max_length=3, choices=codes.InvestmentNature.choices, blank=True
    )
    fund_source = models.CharField(_("source of funds"), max_length=200, blank=True)
    national_percentage = models.DecimalField(
        _("state-owned share (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[v.validate_non_negative],
    )
    all_invest = _money(_("total investment (10k yuan)"))
    all_area = _area(_("total floor area (m²)"))
    all_length = _area(_("total length (m)"))
    prj_size = models.CharField(_("construction scale"), max_length=500, blank=True)
    prj_property = models.CharField(
        _("construction nature"), max_length=3, choices=codes.ConstructionNature.choices, blank=True
    )
    prj_function = models.CharField(_("project use"), max_length=3, choices=codes.ProjectFunction.choices, blank=True)
    is_major = models.BooleanField(_("key project"), default=False)
    begin_date = models.DateField(_("planned start date"), null=True, blank=True)
    end_date = models.DateField(_("planned completion date"), null=True, blank=True)
    jzjn_info = models.CharField(_("building energy-saving information"), max_length=2000, blank=True)
    cxxm_info = models.CharField(_("over-limit project information"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["county"])]

    def __str__(self) -> str:
        return f"{self.prj_name}（{self.prj_num}）"

    def clean(self) -> None:
        if self.county_id and self.county.level != 3:
            raise ValidationError({"county": _("Choose a county-level region.")})
        if self.prj_type and self.prj_function and self.prj_function not in codes.functions_for_type(self.prj_type):
            raise ValidationError(
                {"prj_function": _("This project use does not belong to the chosen project category.")}
            )

    @classmethod
    def scope(cls, qs, user):
        """Officials: the projects located in their jurisdiction. A clerk: the projects its enterprise claims."""
        if getattr(user, "role", None) == Role.ENTERPRISE:
            if not user.enterprise_id:
                return qs.none()
            return qs.filter(pk__in=Record.objects.filter(enterprise_id=user.enterprise_id).values("project_id"))
        prefix = jurisdiction_prefix(user)
        return qs.filter(county__code__startswith=prefix) if prefix else qs.none()


@pghistory.track()
class UnitProject(Scoped, models.Model):
    """TBUnitProjectInfo 单体: a building or, for municipal works, a section."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="units")
    unit_code = models.CharField(
        _("unit code"), max_length=40, blank=True, help_text=_("Project number and a 3-digit sequence.")
    )
    sub_prj_name = models.CharField(_("unit name"), max_length=200, blank=True)
    invest = _money(_("unit cost (10k yuan)"))
    seismic_intensity = models.CharField(
        _("seismic fortification intensity"), max_length=3, choices=codes.SeismicIntensity.choices, blank=True
    )
    is_super_high_building = models.BooleanField(_("super high-rise building"), default=False)
    is_shock_isolation = models.BooleanField(_("seismic isolation building"), null=True, blank=True)
    is_green_building = models.BooleanField(_("green building"), null=True, blank=True)
    green_building_level = models.CharField(
        _("green building level"), max_length=3, choices=codes.GreenBuildingLevel.choices, blank=True
    )
    build_area = _area(_("floor area (m²)"))
    floor_build_area = _area(_("above-ground floor area (m²)"))
    bottom_floor_build_area = _area(_("underground floor area (m²)"))
    floor_count = models.PositiveSmallIntegerField(_("floors above ground"), null=True, blank=True)
    bottom_floor_count = models.PositiveSmallIntegerField(_("floors below ground"), null=True, blank=True)
    build_height = _area(_("building height (m)"))
    sub_project_length = _area(_("length (m)"))
    sub_project_span = _area(_("span (m)"))
    structure_type = models.CharField(
        _("structure type"), max_length=3, choices=codes.StructureType.choices, blank=True
    )
    prj_level = models.CharField(_("project grade"), max_length=3, choices=codes.ProjectLevel.choices, blank=True)
    memo = models.CharField(_("remarks"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("unit project")
        verbose_name_plural = _("unit projects")
        ordering = ["project", "id"]  # the order rows were entered: page, checks and save agree

    def __str__(self) -> str:
        return self.sub_prj_name or self.unit_code

    @classmethod
    def scope(cls, qs, user):
        """A 单体 is seen by whoever sees its project (Project.scope)."""
        return qs.filter(project__in=Project.visible_to(user).values("pk"))


class RecordStatus(models.TextChoices):
    """The record's workflow states (DOMAIN.md); the transitions live in review/."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Pending review")
    DIRECT_REVIEW = "direct_review", _("Pending provincial direct review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    FRAUD = "fraud", _("Rejected for fraud (locked)")


#: G10: the states a record may be found fraudulent in — pending, or decided (fraud is often found after approval).
FRAUD_SOURCES = (RecordStatus.SUBMITTED, RecordStatus.DIRECT_REVIEW, RecordStatus.APPROVED, RecordStatus.REJECTED)


class RecordQuerySet(models.QuerySet):
    def pending(self) -> RecordQuerySet:
        return self.filter(status__in=[RecordStatus.SUBMITTED, RecordStatus.DIRECT_REVIEW])

    def claims(self) -> RecordQuerySet:
        """The records themselves, without the working copies of a D record's completion (J7, `revision_of`)."""
        return self.filter(revision_of__isnull=True)

    def published(self) -> RecordQuerySet:
        """J5: what is published (公示) and used (J4, G11): approved records, never a working copy. A record's
        tables always hold its current version (a correction or a completion is applied to them on acceptance)."""
        return self.filter(status=RecordStatus.APPROVED, revision_of__isnull=True)


@pghistory.track()
class Record(Scoped, FSMModelMixin, models.Model):
    """One enterprise's performance record (业绩) of one project, with its whole life as stage records."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="records"
    )
    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.PROTECT, related_name="records")
    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="records")
    status = FSMField(
        _("status"), max_length=20, choices=RecordStatus.choices, default=RecordStatus.DRAFT, protected=True
    )
    version = models.PositiveIntegerField(
        _("version"), default=1, help_text=_("Raised on every save; a save from a stale page is refused.")
    )
    track = models.ForeignKey(
        Track,
        verbose_name=_("track"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="records",
    )
    reaches_national = models.BooleanField(_("reaches the national platform"), default=False)
    edition = models.PositiveIntegerField(
        _("published version"),
        default=1,
        help_text=_(
            "The number of the record's current published version (P4): raised by an accepted correction or a "
            "merged completion; earlier versions stay readable (RecordVersion)."
        ),
    )
    revision_of = models.ForeignKey(
        "self",
        verbose_name=_("completion of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="revisions",
        help_text=_(
            "J7: a D record's working copy (下载并完善), reviewed like any record and applied to the record on "
            "approval."
        ),
    )
    merged_at = models.DateTimeField(
        _("merged at"),
        null=True,
        blank=True,
        help_text=_("J7: when this working copy's approved content was applied to its record (the copy is closed)."),
    )
    responsible_authority = models.ForeignKey(
        Authority,
        verbose_name=_("responsible authority"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="records",
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    review_deadline = models.DateTimeField(_("review deadline"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    draft_inputs = models.JSONField(
        _("inputs kept as typed"),
        default=dict,
        blank=True,
        help_text=_("What the clerk typed that could not be stored in its field yet (e.g. an impossible date)."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = RecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("performance record")
        verbose_name_plural = _("performance records")
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "project"],
                condition=models.Q(revision_of__isnull=True),
                name="record_one_claim_per_enterprise",
            ),
            # J7: one completion open at a time per record (an open copy is one not merged yet)
            models.UniqueConstraint(
                fields=["revision_of"],
                condition=models.Q(revision_of__isnull=False, merged_at__isnull=True),
                name="record_one_open_completion",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "review_deadline"]),
            # the review queue's order (oldest deadline first) for every pending state at once (bench queue_page)
            models.Index(
                fields=["review_deadline", "id"],
                condition=models.Q(status__in=["submitted", "direct_review"]),
                name="record_pending_deadline",
            ),
            models.Index(fields=["responsible_authority", "status"]),
            models.Index(fields=["enterprise", "-updated_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise.name} · {self.project.prj_name}"

    # -- workflow (DOMAIN.md). A transition guards only the record's own state; review/services.py checks the
    # rules (grading, campaign, J3) and calls it inside transaction.atomic with the row locked.

    @transition(field=status, source=[RecordStatus.DRAFT, RecordStatus.REJECTED], target=RecordStatus.SUBMITTED)
    def submit(self, *, at, authority, deadline, track, reaches_national: bool) -> None:
        """提交审核: to the responsible authority (P2), due at `deadline` (G5)."""
        self.submitted_at = at
        self.responsible_authority = authority
        self.review_deadline = deadline
        self.track = track
        self.reaches_national = reaches_national
        self.decided_at = None

    @transition(field=status, source=[RecordStatus.DRAFT, RecordStatus.REJECTED], target=RecordStatus.DIRECT_REVIEW)
    def request_direct_review(self, *, at, authority, deadline, track, reaches_national: bool) -> None:
        """G6 申请直接审核: to the provincial office (P2) on a written application, due at `deadline` (G5)."""
        self.submitted_at = at
        self.responsible_authority = authority
        self.review_deadline = deadline
        self.track = track
        self.reaches_national = reaches_national
        self.decided_at = None

    @transition(field=status, source=[RecordStatus.SUBMITTED, RecordStatus.DIRECT_REVIEW], target=RecordStatus.APPROVED)
    def approve(self, *, at) -> None:
        """审核通过 by a reviewer or provincial staff (the service checks who may, and fills the stages)."""
        self.decided_at = at

    @transition(field=status, source=[RecordStatus.SUBMITTED, RecordStatus.DIRECT_REVIEW], target=RecordStatus.REJECTED)
    def reject(self, *, at) -> None:
        """审核不通过: the service requires the reason and logs it."""
        self.decided_at = at

    @transition(field=status, source=RecordStatus.SUBMITTED, target=RecordStatus.APPROVED)
    def auto_approve(self, *, at) -> None:
        """逾期视为审核通过 (G5, P1). The nightly job applies the same change set-based, in one UPDATE."""
        self.decided_at = at

    @transition(field=status, source=list(FRAUD_SOURCES), target=RecordStatus.FRAUD)
    def mark_fraud(self, *, at) -> None:
        """G10 弄虚作假: rejected and locked for good; the service writes the credit-file entry with the facts."""
        self.decided_at = at

    def clean_fields(self, exclude=None) -> None:
        # The status is protected (django-fsm): only transitions set it, so validation never writes it back.
        super().clean_fields(exclude={*(exclude or ()), "status"})

    def delete(self, *args, **kwargs):
        """G7: only a draft never submitted is ever deleted (projects.services.record_delete); whatever else calls
        delete() is refused here, and a record with a transition row is refused by the database (PROTECT)."""
        if self.status != RecordStatus.DRAFT or self.submitted_at is not None:
            raise DomainError(
                _("Only a draft that was never submitted can be deleted; this record has been submitted for review."),
                code="locked",
            )
        return super().delete(*args, **kwargs)

    @property
    def is_published(self) -> bool:
        """J5: this one record by the rule of `Record.objects.published()` (approved, not a working copy)."""
        return self.status == RecordStatus.APPROVED and self.revision_of_id is None

    @property
    def is_editable_by_enterprise(self) -> bool:
        """G7: after the authority's decision the enterprise cannot modify the record."""
        return self.status in (RecordStatus.DRAFT, RecordStatus.REJECTED)

    @classmethod
    def scope(cls, qs, user):
        """A clerk: its enterprise's records. Officials: the records of projects located in their jurisdiction. A
        qualification review system (J4, G11): the published records of projects in its province."""
        if getattr(user, "role", None) == Role.ENTERPRISE:
            return qs.filter(enterprise_id=user.enterprise_id) if user.enterprise_id else qs.none()
        if getattr(user, "role", None) == Role.SYSTEM:
            if not user.authority_id:
                return qs.none()
            published = Q(status=RecordStatus.APPROVED, revision_of__isnull=True)
            return qs.filter(published, project__county__code__startswith=user.authority.region_id[:2])
        prefix = jurisdiction_prefix(user)
        return qs.filter(project__county__code__startswith=prefix) if prefix else qs.none()


@pghistory.track()
class Tender(Scoped, StageFields):
    """TBTenderInfo 招投标备案: the tender the enterprise won."""

    record = models.OneToOneField(Record, verbose_name=_("record"), on_delete=models.CASCADE, related_name="tender")
    tender_num = models.CharField(_("bid-winning notice number"), max_length=50, blank=True)
    tender_prj_name = models.CharField(_("tendered works name"), max_length=300, blank=True)
    tender_class = models.CharField(_("tender type"), max_length=3, choices=codes.TenderClass.choices, blank=True)
    tender_method = models.CharField(_("tender method"), max_length=3, choices=codes.TenderMethod.choices, blank=True)
    tender_result_date = models.DateField(_("bid-winning date"), null=True, blank=True)
    tender_money = _money(_("winning amount (10k yuan)"))
    prj_size = models.CharField(_("construction scale"), max_length=500, blank=True)
    area = _area(_("area (m²)"))
    agency_corp_name = models.CharField(_("tender agency"), max_length=200, blank=True)
    agency_corp_code = models.CharField(
        _("tender agency's credit code"), max_length=18, blank=True, validators=[v.validate_build_corp_code]
    )
    tender_corp_name = models.CharField(_("winning enterprise"), max_length=200, blank=True)
    tender_corp_code = _credit_code(_("winning enterprise's credit code"))
    constructor_name = models.CharField(_("project manager / chief supervisor"), max_length=50, blank=True)
    constructor_id_type = models.CharField(
        _("ID type"),
        max_length=1,
        choices=codes.IdCardType.choices,
        default=codes.IdCardType.RESIDENT_ID,
        blank=True,
    )
    constructor_id_card = models.CharField(_("ID number"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("tender record")
        verbose_name_plural = _("tender records")

    def __str__(self) -> str:
        return self.tender_num or str(_("tender record"))

    @classmethod
    def scope(cls, qs, user):
        """A part of a record: seen by whoever sees the record (Record.scope)."""
        return qs.filter(record__in=Record.visible_to(user).values("pk"))


@pghistory.track()
class Contract(Scoped, StageFields):
    """TBContractRecordManage 合同备案."""

    record = models.OneToOneField(Record, verbose_name=_("record"), on_delete=models.CASCADE, related_name="contract")
    record_num = models.CharField(_("contract filing number"), max_length=50, blank=True)
    contract_num = models.CharField(_("contract number"), max_length=50, blank=True)
    con_prj_name = models.CharField(_("contracted works name"), max_length=300, blank=True)
    contract_type = models.CharField(_("contract type"), max_length=3, choices=codes.ContractType.choices, blank=True)
    contract_money = _money(_("contract amount (10k yuan)"))
    prj_size = models.CharField(_("construction scale"), max_length=500, blank=True)
    propietor_corp_name = models.CharField(_("employer"), max_length=200, blank=True)
    propietor_corp_code = models.CharField(
        _("employer's credit code"), max_length=18, blank=True, validators=[v.validate_build_corp_code]
    )
    contractor_corp_name = models.CharField(_("contractor"), max_length=200, blank=True)
    contractor_corp_code = _credit_code(_("contractor's credit code"))
    union_corp_name = models.CharField(_("consortium member"), max_length=200, blank=True)
    union_corp_code = _credit_code(_("consortium member's credit code"))
    contract_date = models.DateField(_("contract signing date"), null=True, blank=True)

    class Meta:
        verbose_name = _("contract record")
        verbose_name_plural = _("contract records")

    def __str__(self) -> str:
        return self.record_num or str(_("contract record"))

    @classmethod
    def scope(cls, qs, user):
        """A part of a record: seen by whoever sees the record (Record.scope)."""
        return qs.filter(record__in=Record.visible_to(user).values("pk"))


@pghistory.track()
class Censor(Scoped, StageFields):
    """TBProjectCensorInfo 施工图审查 (审图备案)."""

    record = models.OneToOneField(Record, verbose_name=_("record"), on_delete=models.CASCADE, related_name="censor")
    censor_num = models.CharField(_("drawing review certificate number"), max_length=50, blank=True)
    cen_prj_name = models.CharField(_("reviewed works name"), max_length=300, blank=True)
    censor_e_date = models.DateField(_("review completion date"), null=True, blank=True)
    one_censor_is_pass = models.BooleanField(_("passed at first review"), null=True, blank=True)
    one_censor_wfqt_count = models.PositiveIntegerField(
        _("mandatory-standard violations at first review"), null=True, blank=True
    )
    one_censor_wfqt_content = models.CharField(_("violated mandatory clauses"), max_length=500, blank=True)
    censor_corp_name = models.CharField(_("drawing review agency"), max_length=200, blank=True)
    censor_corp_code = _credit_code(_("review agency's credit code"))
    survey_corp_name = models.CharField(_("survey unit"), max_length=200, blank=True)
    survey_corp_code = _credit_code(_("survey unit's credit code"))
    design_corp_name = models.CharField(_("design unit"), max_length=200, blank=True)
    design_corp_code = _credit_code(_("design unit's credit code"))
    prj_size = models.CharField(_("construction scale"), max_length=500, blank=True)
    is_joint_review = models.BooleanField(_("joint review"), null=True, blank=True)

    class Meta:
        verbose_name = _("drawing review record")
        verbose_name_plural = _("drawing review records")

    def __str__(self) -> str:
        return self.censor_num or str(_("drawing review record"))

    @classmethod
    def scope(cls, qs, user):
        """A part of a record: seen by whoever sees the record (Record.scope)."""
        return qs.filter(record__in=Record.visible_to(user).values("pk"))


@pghistory.track()
class CensorStaff(Scoped, models.Model):
    """TBProjectDesignEconUserInfo 审图相关专业技术人员."""

    censor = models.ForeignKey(Censor, verbose_name=_("drawing review"), on_delete=models.CASCADE, related_name="staff")
    corp_name = models.CharField(_("enterprise"), max_length=200, blank=True)
    corp_code = _credit_code(_("enterprise's credit code"))
    user_name = models.CharField(_("full name"), max_length=50, blank=True)
    id_card_type = models.CharField(
        _("ID type"),
        max_length=1,
        choices=codes.IdCardType.choices,
        default=codes.IdCardType.RESIDENT_ID,
        blank=True,
    )
    id_card = models.CharField(_("ID number"), max_length=30, blank=True)
    specialty = models.CharField(_("specialty"), max_length=2, choices=codes.CensorSpecialty.choices, blank=True)
    duty = models.CharField(_("duty"), max_length=3, choices=codes.WorkDuty.choices, blank=True)
    tech_title_level = models.CharField(
        _("technical title"), max_length=1, choices=codes.TechTitleLevel.choices, blank=True
    )
    registration_type = models.CharField(
        _("registration type"), max_length=2, choices=codes.RegistrationType.choices, blank=True
    )

    class Meta:
        verbose_name = _("drawing review staff")
        verbose_name_plural = _("drawing review staff")
        ordering = ["censor", "id"]

    def __str__(self) -> str:
        return self.user_name

    @classmethod
    def scope(cls, qs, user):
        """Seen by whoever sees the record of its drawing review (Record.scope)."""
        return qs.filter(censor__record__in=Record.visible_to(user).values("pk"))


@pghistory.track()
class BuilderLicence(Scoped, StageFields):
    """TBBuilderLicenceManage 施工许可. The printed 18-digit certificate number is not the national record number."""

    record = models.OneToOneField(Record, verbose_name=_("record"), on_delete=models.CASCADE, related_name="licence")
    licence_cert_no = models.CharField(
        _("construction permit number"),
        max_length=18,
        blank=True,
        validators=[v.validate_licence_cert_no],
        help_text=_("18 digits: region code, issue date yyyyMMdd, sequence and category (01/02)."),
    )
    bui_prj_name = models.CharField(_("permitted works name"), max_length=300, blank=True)
    bargain_days = models.PositiveIntegerField(_("contract duration (days)"), null=True, blank=True)
    contract_money = _money(_("contract amount (10k yuan)"))
    release_date = models.DateField(_("issue date"), null=True, blank=True)
    issuing_authority = models.CharField(_("issuing authority"), max_length=200, blank=True)
    area = _area(_("area (m²)"))
    length = _area(_("length (m)"))
    span = _area(_("span (m)"))
    prj_size = models.CharField(_("construction scale"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("construction permit")
        verbose_name_plural = _("construction permits")
        indexes = [models.Index(fields=["licence_cert_no"])]

    def __str__(self) -> str:
        return self.licence_cert_no or str(_("construction permit"))

    @classmethod
    def scope(cls, qs, user):
        """A part of a record: seen by whoever sees the record (Record.scope)."""
        return qs.filter(record__in=Record.visible_to(user).values("pk"))


class FinishFields(StageFields):
    """Fields shared by 竣工验收 and 竣工验收备案."""

    fin_prj_name = models.CharField(_("completed works name"), max_length=300, blank=True)
    builder_licence_nums = models.CharField(
        _("construction permit numbers"),
        max_length=500,
        blank=True,
        help_text=_("Several numbers separated by commas."),
    )
    fact_cost = _money(_("actual cost (10k yuan)"))
    fact_area = _area(_("actual area (m²)"))
    length = _area(_("length (m)"), help_text=_("0 when not applicable."))
    span = _area(_("span (m)"), help_text=_("0 when not applicable."))
    fact_size = models.CharField(_("actual scale"), max_length=500, blank=True)
    b_date = models.DateField(_("actual start date"), null=True, blank=True)
    prj_structure_type = models.CharField(
        _("structure type"), max_length=3, choices=codes.StructureType.choices, blank=True
    )
    mark = models.CharField(_("remarks"), max_length=500, blank=True)

    class Meta:
        abstract = True


@pghistory.track()
class FinishCheck(Scoped, FinishFields):
    """TBProjectFinishCheckInfo 竣工验收 (by the owner with the five responsible parties)."""

    record = models.OneToOneField(
        Record, verbose_name=_("record"), on_delete=models.CASCADE, related_name="finish_check"
    )
    prj_finish_check_num = models.CharField(_("completion acceptance number"), max_length=50, blank=True)
    e_date = models.DateField(_("completion acceptance date"), null=True, blank=True)

    class Meta:
        verbose_name = _("completion acceptance")
        verbose_name_plural = _("completion acceptances")

    def __str__(self) -> str:
        return self.prj_finish_check_num or str(_("completion acceptance"))

    @classmethod
    def scope(cls, qs, user):
        """A part of a record: seen by whoever sees the record (Record.scope)."""
        return qs.filter(record__in=Record.visible_to(user).values("pk"))


@pghistory.track()
class FinishRecord(Scoped, FinishFields):
    """TBProjectFinishManage 竣工验收备案."""

    record = models.OneToOneField(
        Record, verbose_name=_("record"), on_delete=models.CASCADE, related_name="finish_record"
    )
    prj_finish_num = models.CharField(_("completion filing number"), max_length=50, blank=True)
    e_date = models.DateField(_("completion filing date"), null=True, blank=True)

    class Meta:
        verbose_name = _("completion filing")
        verbose_name_plural = _("completion filings")

    def __str__(self) -> str:
        return self.prj_finish_num or str(_("completion filing"))

    @classmethod
    def scope(cls, qs, user):
        """A part of a record: seen by whoever sees the record (Record.scope)."""
        return qs.filter(record__in=Record.visible_to(user).values("pk"))


@pghistory.track()
class ProjectCorp(Scoped, models.Model):
    """TBProjectCorpInfo 参建单位 and its responsible person (项目负责人 / 项目经理 / 总监理工程师)."""

    record = models.ForeignKey(Record, verbose_name=_("record"), on_delete=models.CASCADE, related_name="corps")
    unit = models.ForeignKey(
        UnitProject,
        verbose_name=_("unit project"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="corps",
    )
    corp_role = models.CharField(_("role"), max_length=2, choices=codes.CorpRole.choices, blank=True)
    corp_name = models.CharField(_("enterprise"), max_length=200, blank=True)
    corp_code = _credit_code(_("credit code"))
    person_name = models.CharField(_("responsible person"), max_length=50, blank=True)
    id_card_type = models.CharField(
        _("ID type"),
        max_length=1,
        choices=codes.IdCardType.choices,
        default=codes.IdCardType.RESIDENT_ID,
        blank=True,
    )
    person_id_card = models.CharField(_("ID number"), max_length=30, blank=True)
    person_phone = models.CharField(_("mobile phone"), max_length=50, blank=True, validators=[v.validate_phone])

    class Meta:
        verbose_name = _("participating unit")
        verbose_name_plural = _("participating units")
        ordering = ["record", "id"]  # the order rows were entered: page, checks and save agree

    def __str__(self) -> str:
        return self.corp_name

    @classmethod
    def scope(cls, qs, user):
        """A part of a record: seen by whoever sees the record (Record.scope)."""
        return qs.filter(record__in=Record.visible_to(user).values("pk"))


@pghistory.track()
class RecordPerson(Scoped, models.Model):
    """单位人员录入: a person of a participating unit and what they did on the project."""

    record = models.ForeignKey(Record, verbose_name=_("record"), on_delete=models.CASCADE, related_name="persons")
    corp_name = models.CharField(_("enterprise"), max_length=200, blank=True)
    corp_code = _credit_code(_("credit code"))
    name = models.CharField(_("full name"), max_length=50, blank=True)
    role = models.CharField(_("role on the project"), max_length=5, choices=codes.PersonRole.choices, blank=True)
    id_card_type = models.CharField(
        _("ID type"),
        max_length=1,
        choices=codes.IdCardType.choices,
        default=codes.IdCardType.RESIDENT_ID,
        blank=True,
    )
    id_card = models.CharField(_("ID number"), max_length=30, blank=True)
    registration_type = models.CharField(
        _("registration type"), max_length=2, choices=codes.RegistrationType.choices, blank=True
    )
    registration_cert_no = models.CharField(_("registration certificate number"), max_length=50, blank=True)
    specialty = models.CharField(_("specialty"), max_length=50, blank=True)
    phone = models.CharField(_("mobile phone"), max_length=30, blank=True, validators=[v.validate_phone])

    class Meta:
        verbose_name = _("project person")
        verbose_name_plural = _("project persons")
        ordering = ["record", "id"]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope(cls, qs, user):
        """A part of a record: seen by whoever sees the record (Record.scope)."""
        return qs.filter(record__in=Record.visible_to(user).values("pk"))


class AttachmentKind(models.TextChoices):
    BID_NOTICE = "bid_notice", _("Bid-winning notice")
    CONTRACT = "contract", _("Winning works contract")
    COMPLETION = "completion", _("Completion acceptance certificate")
    DIRECT_REVIEW = "direct_review", _("Written application for direct review")
    OTHER = "other", _("Other attachment")


def attachment_path(instance: Attachment, filename: str) -> str:
    """Stored under a name nobody can guess; the original name is kept in the row."""
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    return f"attachments/{uuid.uuid4().hex[:2]}/{uuid.uuid4().hex}{suffix}"


@pghistory.track()
class Attachment(Scoped, models.Model):
    """An uploaded document of a record (中标通知书, 中标工程合同, 竣工验收证明, 直接审核申请书 …)."""

    record = models.ForeignKey(Record, verbose_name=_("record"), on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("kind"), max_length=20, choices=AttachmentKind.choices)
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("original file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["record", "kind", "uploaded_at"]

    def __str__(self) -> str:
        return self.original_name

    @classmethod
    def scope(cls, qs, user):
        """A part of a record: seen by whoever sees the record (Record.scope)."""
        return qs.filter(record__in=Record.visible_to(user).values("pk"))


class VersionKind(models.TextChoices):
    """How a version of a record came to be (P4, J7)."""

    APPROVAL = "approval", _("Approval")
    CORRECTION = "correction", _("Correction")
    COMPLETION = "completion", _("Completion of a D record")


class RecordVersion(Scoped, models.Model):
    """One published version of a record (P4): the whole content as it was (`snapshot`), what changed from the
    version before it field by field (`changes`), who made it, when and why. Written by projects.revisions only;
    never changed. Version 1 (the approved content) is written the first time a record is changed after approval."""

    record = models.ForeignKey(Record, verbose_name=_("record"), on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    kind = models.CharField(_("kind"), max_length=12, choices=VersionKind.choices)
    snapshot = models.JSONField(_("content"), default=dict)
    changes = models.JSONField(_("changes"), default=list, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("made by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    #: who, as the record's log says it (J9: real name and department; "逾期视为审核通过" for the nightly job)
    author_name = models.CharField(_("full name"), max_length=50, blank=True)
    author_department = models.CharField(_("department"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("record version")
        verbose_name_plural = _("record versions")
        ordering = ["record", "-number"]
        constraints = [models.UniqueConstraint(fields=["record", "number"], name="record_version_number_unique")]

    def __str__(self) -> str:
        return f"v{self.number} · {self.get_kind_display()}"

    @classmethod
    def scope(cls, qs, user):
        """A record's versions are seen by whoever sees the record (Record.scope)."""
        return qs.filter(record__in=Record.visible_to(user).values("pk"))


class DeclaredSource(models.TextChoices):
    REFORM_SYSTEM = "gaige", _("Construction approval reform system (工改系统)")
    PERMIT_SYSTEM = "permit", _("Construction permit management system")


class DeclaredProject(Scoped, models.Model):
    """J3: a project or permit already declared in another system; such projects may not be backfilled."""

    source = models.CharField(_("source system"), max_length=10, choices=DeclaredSource.choices)
    prj_num = models.CharField(_("project number"), max_length=20, blank=True, db_index=True)
    licence_cert_no = models.CharField(_("construction permit number"), max_length=18, blank=True, db_index=True)
    prj_name = models.CharField(_("project name"), max_length=250, blank=True)
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)

    class Meta:
        verbose_name = _("declared project")
        verbose_name_plural = _("declared projects")
        constraints = [
            models.CheckConstraint(
                condition=~Q(prj_num="") | ~Q(licence_cert_no=""), name="declared_project_has_a_number"
            ),
            # one row per number pair and system: the registry import (transfer/registry.py) merges ON CONFLICT
            # on it, so loading the same file twice changes nothing
            models.UniqueConstraint(fields=["source", "prj_num", "licence_cert_no"], name="declared_project_unique"),
        ]

    def __str__(self) -> str:
        return self.prj_name or self.prj_num or self.licence_cert_no

    @classmethod
    def scope(cls, qs, user):
        """J3 registry rows are for officials: those whose project or permit number lies in their jurisdiction."""
        prefix = jurisdiction_prefix(user)
        if prefix is None:
            return qs.none()
        return qs.filter(Q(prj_num__startswith=prefix) | Q(licence_cert_no__startswith=prefix))


class NumberSequence(Scoped, models.Model):
    """Counters for system-assigned numbers (项目编号 per region and day), incremented atomically."""

    key = models.CharField(_("key"), max_length=40, primary_key=True)
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("number sequence")
        verbose_name_plural = _("number sequences")

    def __str__(self) -> str:
        return f"{self.key}={self.last}"
