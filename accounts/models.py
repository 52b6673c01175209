"""Organisations and people: regions (GB/T 2260), authorities, enterprises, qualifications, users.

The lowest layer (STYLE.md): nothing here imports another app of ours.
"""

from __future__ import annotations

import pghistory
from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from . import validators
from .scoping import Scoped, jurisdiction_prefix, province_prefix


class RegionLevel(models.IntegerChoices):
    """TBXZQDMDIC levels (1 省, 2 地, 3 区县; the standard's 4 省直管县 is stored as 3 under the province)."""

    PROVINCE = 1, _("Province")
    CITY = 2, _("City")
    COUNTY = 3, _("County")


class Region(Scoped, models.Model):
    """A GB/T 2260 administrative division.

    A code renamed or abolished later keeps its row with `valid_until`, so records of a campaign carry the
    codes that were valid in the campaign's years (2017 records carry 2017 codes).
    """

    code = models.CharField(
        _("code"), max_length=6, primary_key=True, validators=[validators.validate_region_code_format]
    )
    name = models.CharField(_("name"), max_length=60)
    level = models.PositiveSmallIntegerField(_("level"), choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    valid_from = models.PositiveSmallIntegerField(_("valid from (year)"), null=True, blank=True)
    valid_until = models.PositiveSmallIntegerField(_("valid until (year)"), null=True, blank=True)
    former_names = models.CharField(_("former names"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("administrative region")
        verbose_name_plural = _("administrative regions")
        ordering = ["code"]
        indexes = [models.Index(fields=["parent", "level"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_from__lte=models.F("valid_until")),
                name="region_valid_years_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @classmethod
    def scope(cls, qs, user):
        """GB/T 2260 is a public standard: everybody logged in reads every code."""
        return qs

    @property
    def province_code(self) -> str:
        return self.code[:2] + "0000"

    @property
    def city_code(self) -> str:
        return self.code[:4] + "00"

    @property
    def is_current(self) -> bool:
        return self.valid_until is None

    def is_valid_in(self, year: int) -> bool:
        """Was this code in force at some time during `year`?"""
        return (self.valid_from is None or self.valid_from <= year) and (
            self.valid_until is None or year <= self.valid_until
        )


class AuthorityLevel(models.TextChoices):
    """The administrative level of a 住房城乡建设主管部门; it decides the data grade (A/B/C)."""

    PROVINCE = "province", _("Provincial office")
    CITY = "city", _("City bureau")
    COUNTY = "county", _("County bureau")


#: the level of the authority of a region: a province's office, a city's or a county's bureau (one per region)
AUTHORITY_LEVEL_OF_REGION = {
    RegionLevel.PROVINCE: AuthorityLevel.PROVINCE,
    RegionLevel.CITY: AuthorityLevel.CITY,
    RegionLevel.COUNTY: AuthorityLevel.COUNTY,
}


@pghistory.track()
class Authority(Scoped, models.Model):
    """A 住房城乡建设主管部门: the provincial office, a city bureau or a county bureau, tied to its region."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    level = models.CharField(_("level"), max_length=10, choices=AuthorityLevel.choices)
    region = models.OneToOneField(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="authority")
    parent = models.ForeignKey(
        "self",
        verbose_name=_("superior authority"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="subordinates",
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("office phone"), max_length=30, blank=True, validators=[validators.validate_phone])
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("authority")
        verbose_name_plural = _("authorities")
        ordering = ["region__code"]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope(cls, qs, user):
        """Officials: the authorities of their jurisdiction and the ones above them; provincial staff their province.

        Nobody else works with authorities as rows (a clerk reads the name of the one deciding its record)."""
        prefix = jurisdiction_prefix(user)
        if prefix is None:
            return qs.none()
        above = [user.authority.parent_id, getattr(user.authority.parent, "parent_id", None)]
        return qs.filter(Q(region__code__startswith=prefix) | Q(pk__in=[pk for pk in above if pk]))

    def clean(self) -> None:
        if self.region_id and self.level and AUTHORITY_LEVEL_OF_REGION[self.region.level] != self.level:
            raise ValidationError({"level": _("The level of an authority must match the level of its region.")})
        if self.parent_id and self.region_id and self.parent.region_id != self.region.parent_id:
            raise ValidationError({"parent": _("The superior authority must be the one of the parent region.")})


@pghistory.track()
class Department(Scoped, models.Model):
    """A 处 / 科室 of an authority; reviewers are registered with their real department (J9)."""

    authority = models.ForeignKey(
        Authority, verbose_name=_("authority"), on_delete=models.CASCADE, related_name="departments"
    )
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["authority", "name"]
        constraints = [models.UniqueConstraint(fields=["authority", "name"], name="department_unique_per_authority")]

    def __str__(self) -> str:
        return f"{self.authority.name} {self.name}"

    @classmethod
    def scope(cls, qs, user):
        """The departments of the authorities the user may see."""
        return qs.filter(authority__in=Authority.visible_to(user).values("pk"))


class EnterpriseKind(models.TextChoices):
    SURVEY = "survey", _("Survey (勘察)")
    DESIGN = "design", _("Design (设计)")
    CONSTRUCTION = "construction", _("Construction (施工)")
    SUPERVISION = "supervision", _("Supervision (监理)")


class PerformanceStage(models.TextChoices):
    """The stage screens of a record whose grade a qualification application checks (national-standard.md §2.1); the
    values are the record's relation names (``project`` is TBProjectInfo, 基本信息)."""

    PROJECT = "project", _("Basic information")
    CENSOR = "censor", _("Drawing review")
    TENDER = "tender", _("Tender")
    CONTRACT = "contract", _("Contract filing")
    LICENCE = "licence", _("Construction permit")
    FINISH_CHECK = "finish_check", _("Completion acceptance")
    FINISH_RECORD = "finish_record", _("Completion filing")


class PerformanceUse(models.TextChoices):
    """What a record is declared as in a qualification application: the enterprise's performance or a person's."""

    ENTERPRISE = "enterprise", _("Enterprise performance")
    PERSONAL = "personal", _("Personal performance")


#: TBDATALEVELDIC's grades (projects.codes.DataLevel, which this lowest layer does not import).
PERFORMANCE_GRADES = [("A", "A"), ("B", "B"), ("C", "C"), ("D", "D")]


def _default_enterprise_grades() -> list[str]:
    return ["A"]


def _default_personal_grades() -> list[str]:
    return ["A", "B"]


def _default_checked_stages() -> list[str]:
    return [PerformanceStage.PROJECT, PerformanceStage.FINISH_CHECK]


@pghistory.track()
class Qualification(Scoped, models.Model):
    """A qualification (资质) an enterprise applies for; campaign tracks are defined by the ones they cover.

    Its performance rule (J4, G11; since 建市规〔2023〕3号 enterprise performance must be A, personal performance A
    or B, checked on the stage screens the qualification's software reads) is data that staff edit, not code:
    `grading.qualification.verdict()` reads it."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("enterprise kind"), max_length=20, choices=EnterpriseKind.choices)
    grade = models.CharField(_("grade"), max_length=20, blank=True)
    enterprise_grades = ArrayField(
        models.CharField(max_length=1, choices=PERFORMANCE_GRADES),
        verbose_name=_("grades accepted for enterprise performance"),
        default=_default_enterprise_grades,
    )
    personal_grades = ArrayField(
        models.CharField(max_length=1, choices=PERFORMANCE_GRADES),
        verbose_name=_("grades accepted for personal performance"),
        default=_default_personal_grades,
    )
    checked_stages = ArrayField(
        models.CharField(max_length=20, choices=PerformanceStage.choices),
        verbose_name=_("stages whose grade is checked"),
        default=_default_checked_stages,
    )
    #: 建市规〔2023〕3号: from 2024-01-01 the performance of an application for a qualification 住建部 approves must
    #: be on the national platform (national-standard.md §2.1); sync.selectors says which records are.
    requires_national_platform = models.BooleanField(
        _("performance must be on the national platform"),
        default=False,
        help_text=_(
            "For qualifications approved by the Ministry (住建部): from 2024-01-01 a record counts only once the "
            "national platform has accepted it."
        ),
    )

    class Meta:
        verbose_name = _("qualification")
        verbose_name_plural = _("qualifications")
        ordering = ["kind", "code"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not self.checked_stages:
            raise ValidationError({"checked_stages": _("Choose at least one stage whose grade is checked.")})

    @classmethod
    def scope(cls, qs, user):
        """The national catalogue of qualifications: everybody logged in reads it."""
        return qs


class EnterpriseStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    DEREGISTERED = "deregistered", _("Deregistered")
    REVOKED = "revoked", _("Licence revoked")


@pghistory.track()
class Enterprise(Scoped, models.Model):
    """A survey, design, construction or supervision enterprise, known by its 统一社会信用代码."""

    name = models.CharField(_("name"), max_length=200)
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, unique=True, validators=[validators.validate_uscc]
    )
    kinds = ArrayField(
        models.CharField(max_length=20, choices=EnterpriseKind.choices), verbose_name=_("kinds"), default=list
    )
    applied_qualifications = models.ManyToManyField(
        Qualification, verbose_name=_("qualifications applied for"), blank=True, related_name="enterprises"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=EnterpriseStatus.choices, default=EnterpriseStatus.ACTIVE
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("registered in"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(
        _("contact phone"), max_length=30, blank=True, validators=[validators.validate_phone]
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=~Q(kinds=[]), name="enterprise_has_a_kind"),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope(cls, qs, user):
        """A clerk: its own enterprise. Officials: the enterprises with a record of a project in their jurisdiction;
        provincial staff also those registered in their province (whose accounts they issue, G8)."""
        if getattr(user, "role", None) == Role.ENTERPRISE:
            return qs.filter(pk=user.enterprise_id) if user.enterprise_id else qs.none()
        prefix = jurisdiction_prefix(user)
        if prefix is None:
            return qs.none()
        claimed = Q(pk__in=cls.objects.filter(records__project__county__code__startswith=prefix).values("pk"))
        if user.role == Role.PROVINCIAL:
            return qs.filter(claimed | Q(region__code__startswith=prefix))
        return qs.filter(claimed)

    @property
    def is_deregistered(self) -> bool:
        return self.status == EnterpriseStatus.DEREGISTERED


class Role(models.TextChoices):
    """The populations that log in (and the trusted systems that call the API). Each is a Django group (see
    accounts/roles.py)."""

    ENTERPRISE = "enterprise", _("Enterprise clerk")
    REVIEWER = "reviewer", _("Bureau reviewer")
    PROVINCIAL = "provincial", _("Provincial staff")
    #: a trusted system that reviews qualification applications (J4, G11): no sign-in, only the tokens provincial
    #: staff issue it (portal.SystemToken); it reads the published records of its province (Record.scope)
    SYSTEM = "system", _("Qualification review system")

    @classmethod
    def rank(cls, role: str) -> int:
        """The order of authority: an enterprise clerk, a bureau reviewer, provincial staff (0 for no role)."""
        return {cls.ENTERPRISE: 1, cls.REVIEWER: 2, cls.PROVINCIAL: 3}.get(role, 0)


@pghistory.track(exclude=["password", "last_login", "auth_epoch"])
class User(Scoped, AbstractUser):
    """A person who logs in, with the organisation they act for.

    Reviewers and provincial staff carry their real name and real department (J9): the pushed record names them.
    """

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("enterprise"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    authority = models.ForeignKey(
        Authority,
        verbose_name=_("authority"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    real_name = models.CharField(_("real name"), max_length=50, blank=True)
    title = models.CharField(_("job title"), max_length=50, blank=True)
    phone = models.CharField(_("mobile phone"), max_length=30, blank=True, validators=[validators.validate_phone])
    # Part of every session's check (below): raising it ends every session of the account at once.
    auth_epoch = models.PositiveIntegerField(_("sign-in generation"), default=0, editable=False)

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=~Q(role="enterprise") | Q(enterprise__isnull=False, authority__isnull=True),
                name="user_enterprise_role_has_enterprise",
            ),
            models.CheckConstraint(
                condition=~Q(role__in=["reviewer", "provincial"]) | Q(authority__isnull=False, enterprise__isnull=True),
                name="user_official_role_has_authority",
            ),
            models.CheckConstraint(
                condition=~Q(role="system") | Q(authority__isnull=False, enterprise__isnull=True, is_staff=False),
                name="user_system_role_has_province",
            ),
        ]

    def __str__(self) -> str:
        return self.real_name or self.username

    @classmethod
    def scope(cls, qs, user):
        """Provincial staff: the accounts of their province — of its authorities and of the enterprises registered
        in it — never a superuser's. Everybody else: their own account only."""
        prefix = province_prefix(user) if user.role == Role.PROVINCIAL else None
        if prefix is None:
            return qs.filter(pk=user.pk)
        return qs.filter(is_superuser=False).filter(
            Q(authority__region__code__startswith=prefix) | Q(enterprise__region__code__startswith=prefix)
        )

    def _get_session_auth_hash(self, secret=None):
        """Django checks this on every request of a session: it changes with the password and with auth_epoch."""
        from django.utils.crypto import salted_hmac

        value = f"{self.password}|{self.auth_epoch}"
        return salted_hmac("accounts.User.session_auth_hash", value, secret=secret, algorithm="sha256").hexdigest()

    def end_every_sign_in(self) -> None:
        """Logout and password change (issue 9): every session of the account ends, in every browser, and its API
        token is revoked. The one place that does it; the `user_logged_out` signal (accounts/apps.py) calls it."""
        type(self).objects.filter(pk=self.pk).update(auth_epoch=models.F("auth_epoch") + 1)
        self.refresh_from_db(fields=["auth_epoch"])
        self.revoke_api_token()

    def revoke_api_token(self) -> None:
        from rest_framework.authtoken.models import Token

        Token.objects.filter(user_id=self.pk).delete()

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._role_in_db = instance.__dict__.get("role")
        return instance

    def set_password(self, raw_password) -> None:
        super().set_password(raw_password)
        self._password_changed = True

    def save(self, *args, **kwargs) -> None:
        # Officials work in the admin; nobody else may enter it. The role's group follows the role.
        self.is_staff = self.is_superuser or self.role in (Role.REVIEWER, Role.PROVINCIAL)
        super().save(*args, **kwargs)
        if getattr(self, "_password_changed", False) and self.pk:
            self._password_changed = False
            self.revoke_api_token()  # the sessions end by themselves: their hash holds the password
        if getattr(self, "_role_in_db", None) != self.role:
            from django.contrib.auth.models import Group

            from .roles import GROUP_NAMES

            self.groups.remove(*Group.objects.filter(name__in=GROUP_NAMES.values()))
            if self.role:
                group, _created = Group.objects.get_or_create(name=GROUP_NAMES[self.role])
                self.groups.add(group)
            self._role_in_db = self.role

    def clean(self) -> None:
        super().clean()
        errors: dict[str, ValidationError] = {}
        if self.role == Role.ENTERPRISE and not self.enterprise_id:
            errors["enterprise"] = ValidationError(_("An enterprise clerk must belong to an enterprise."))
        if self.role in (Role.REVIEWER, Role.PROVINCIAL) and not self.authority_id:
            errors["authority"] = ValidationError(
                _("A reviewer or provincial staff member must belong to an authority.")
            )
        if self.role == Role.PROVINCIAL and self.authority_id and self.authority.level != AuthorityLevel.PROVINCE:
            errors["authority"] = ValidationError(_("Provincial staff must belong to the provincial office."))
        if self.role == Role.SYSTEM and (
            not self.authority_id or self.authority.level != AuthorityLevel.PROVINCE or self.enterprise_id
        ):
            errors["authority"] = ValidationError(
                _("A qualification review system belongs to the provincial office of the province it reads.")
            )
        if self.department_id and self.department.authority_id != self.authority_id:
            errors["department"] = ValidationError(_("The department must belong to the user's authority."))
        if errors:
            raise ValidationError(errors)

    @property
    def is_official(self) -> bool:
        return self.role in (Role.REVIEWER, Role.PROVINCIAL)

    @property
    def missing_real_name_registration(self) -> list[str]:
        """What J9 still lacks before this official may decide a record (empty when complete)."""
        missing = []
        if not self.real_name.strip():
            missing.append(str(_("real name")))
        if not self.department_id:
            missing.append(str(_("department")))
        return missing
