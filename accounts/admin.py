"""The back-office of organisations and people.

Regions, authorities with their departments, qualifications, enterprises and users.

Labels come from the models' verbose names; every string added here is an English msgid (locale/zh_Hans/).
Foreign keys to big tables (Region, Enterprise, User) use autocomplete; changelists select their related rows.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import (
    PERFORMANCE_GRADES,
    Authority,
    Department,
    Enterprise,
    EnterpriseKind,
    PerformanceStage,
    Qualification,
    Region,
    Role,
    User,
)
from .pii import MaskedPiiAdminMixin

# ----------------------------------------------------------------------------------------------------------
# Regions (GB/T 2260): read-mostly, staff may correct a name or a validity year.
# ----------------------------------------------------------------------------------------------------------


class RegionValidityFilter(admin.SimpleListFilter):
    """Current codes (no `valid_until`) or historical ones (renamed or abolished later)."""

    title = _("validity")
    parameter_name = "validity"

    def lookups(self, request, model_admin):
        return [("current", _("Current")), ("historical", _("Historical"))]

    def queryset(self, request, queryset):
        if self.value() == "current":
            return queryset.filter(valid_until__isnull=True)
        if self.value() == "historical":
            return queryset.filter(valid_until__isnull=False)
        return queryset


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent", "valid_from", "valid_until", "is_current"]
    list_filter = ["level", RegionValidityFilter]
    search_fields = ["^code", "name", "former_names"]
    ordering = ["code"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]
    list_per_page = 200
    show_full_result_count = False

    @admin.display(description=_("current"), boolean=True, ordering="valid_until")
    def is_current(self, obj: Region) -> bool:
        return obj.is_current

    def get_readonly_fields(self, request, obj=None):
        # The code is the primary key: editing it in a form would copy the row, never rename it.
        return ["code"] if obj is not None else []

    def has_delete_permission(self, request, obj=None) -> bool:
        # A region no longer valid keeps its row with `valid_until`: records carry the codes of their years.
        return False


# ----------------------------------------------------------------------------------------------------------
# Authorities and their departments (J9).
# ----------------------------------------------------------------------------------------------------------


class DepartmentInline(admin.TabularInline):
    model = Department
    extra = 0
    fields = ["name"]
    show_change_link = True


@admin.register(Authority)
class AuthorityAdmin(admin.ModelAdmin):
    list_display = ["name", "level", "region", "parent", "phone", "is_active"]
    list_filter = ["level", "is_active"]
    search_fields = ["name", "^region__code", "region__name"]
    list_select_related = ["region", "parent"]
    autocomplete_fields = ["region", "parent"]
    inlines = [DepartmentInline]
    fields = ["name", "level", "region", "parent", "address", "phone", "is_active"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "authority", "authority_level"]
    list_filter = ["authority__level"]
    search_fields = ["name", "authority__name"]
    list_select_related = ["authority"]
    autocomplete_fields = ["authority"]

    @admin.display(description=_("level"), ordering="authority__level")
    def authority_level(self, obj: Department) -> str:
        return obj.authority.get_level_display()

    def get_queryset(self, request):
        # __str__ names the authority; the autocomplete view lists departments through this queryset.
        return super().get_queryset(request).select_related(*self.list_select_related)


# ----------------------------------------------------------------------------------------------------------
# Qualifications and enterprises.
# ----------------------------------------------------------------------------------------------------------


class QualificationAdminForm(forms.ModelForm):
    """The performance rule of a qualification (J4, G11) as checkboxes: the grades accepted for enterprise and for
    personal performance, the stage screens whose grade is checked (grading.qualification.verdict reads them)."""

    enterprise_grades = forms.MultipleChoiceField(
        label=_("grades accepted for enterprise performance"),
        choices=PERFORMANCE_GRADES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    personal_grades = forms.MultipleChoiceField(
        label=_("grades accepted for personal performance"),
        choices=PERFORMANCE_GRADES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    checked_stages = forms.MultipleChoiceField(
        label=_("stages whose grade is checked"),
        choices=PerformanceStage.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one stage whose grade is checked.")},
    )

    class Meta:
        model = Qualification
        fields = [
            "code",
            "name",
            "kind",
            "grade",
            "enterprise_grades",
            "personal_grades",
            "checked_stages",
            "requires_national_platform",
        ]


@admin.register(Qualification)
class QualificationAdmin(admin.ModelAdmin):
    form = QualificationAdminForm
    list_display = [
        "code",
        "name",
        "kind",
        "grade",
        "rule_enterprise",
        "rule_personal",
        "rule_stages",
        "requires_national_platform",
    ]
    list_filter = ["kind", "grade", "requires_national_platform"]
    search_fields = ["code", "name"]
    fieldsets = [
        (None, {"fields": ["code", "name", "kind", "grade"]}),
        (
            _("Performance rule for applications (J4)"),
            {
                "fields": ["enterprise_grades", "personal_grades", "checked_stages", "requires_national_platform"],
                "description": _(
                    "Since 建市规〔2023〕3号 enterprise performance must be A-level and personal performance A or B; "
                    "the qualification software checks the grade on the stage screens chosen here."
                ),
            },
        ),
    ]

    @admin.display(description=_("enterprise performance"))
    def rule_enterprise(self, obj: Qualification) -> str:
        return "、".join(sorted(obj.enterprise_grades)) or "—"

    @admin.display(description=_("personal performance"))
    def rule_personal(self, obj: Qualification) -> str:
        return "、".join(sorted(obj.personal_grades)) or "—"

    @admin.display(description=_("stages checked"))
    def rule_stages(self, obj: Qualification) -> str:
        labels = dict(PerformanceStage.choices)
        return "、".join(str(labels.get(s, s)) for s in PerformanceStage.values if s in obj.checked_stages) or "—"


def kinds_display(kinds: list[str]) -> str:
    """The names of an enterprise's kinds in the order of EnterpriseKind (unknown codes shown as stored)."""
    labels = dict(EnterpriseKind.choices)
    ordered = [code for code in labels if code in kinds] + [code for code in kinds if code not in labels]
    return "、".join(str(labels.get(code, code)) for code in ordered)


class EnterpriseKindFilter(admin.SimpleListFilter):
    title = _("kind")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return EnterpriseKind.choices

    def queryset(self, request, queryset):
        if self.value() in EnterpriseKind.values:
            return queryset.filter(kinds__contains=[self.value()])
        return queryset


class EnterpriseAdminForm(forms.ModelForm):
    """`kinds` is a PostgreSQL array of codes: edited as one checkbox per kind."""

    kinds = forms.MultipleChoiceField(
        label=Enterprise._meta.get_field("kinds").verbose_name,
        choices=EnterpriseKind.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Enterprise
        fields = [
            "name",
            "credit_code",
            "kinds",
            "status",
            "region",
            "address",
            "contact_name",
            "contact_phone",
            "applied_qualifications",
        ]

    def clean_kinds(self) -> list[str]:
        chosen = self.cleaned_data["kinds"]
        return [code for code in EnterpriseKind.values if code in chosen]


@admin.register(Enterprise)
class EnterpriseAdmin(MaskedPiiAdminMixin, admin.ModelAdmin):
    form = EnterpriseAdminForm
    list_display = ["name", "credit_code", "kinds_names", "status", "region", "created_at"]
    list_filter = [EnterpriseKindFilter, "status"]
    search_fields = ["name", "credit_code"]
    list_select_related = ["region"]
    autocomplete_fields = ["region"]
    filter_horizontal = ["applied_qualifications"]
    readonly_fields = ["created_at"]
    date_hierarchy = "created_at"
    fieldsets = [
        (None, {"fields": ["name", "credit_code", "kinds", "status", "region"]}),
        (_("Contact"), {"fields": ["address", "contact_name", "contact_phone"]}),
        (_("Qualifications"), {"fields": ["applied_qualifications"]}),
        (_("System"), {"fields": ["created_at"]}),
    ]

    @admin.display(description=Enterprise._meta.get_field("kinds").verbose_name)
    def kinds_names(self, obj: Enterprise) -> str:
        return kinds_display(obj.kinds)


# ----------------------------------------------------------------------------------------------------------
# Users: Django's user admin plus the role and the organisation the user acts for.
# ----------------------------------------------------------------------------------------------------------

ORGANISATION_FIELDS = ["role", "enterprise", "authority", "department", "real_name", "title", "phone"]


class OrganisationFilter(admin.SimpleListFilter):
    """Users of an enterprise, of an authority, or of neither (superusers without a role)."""

    title = _("organisation")
    parameter_name = "organisation"

    def lookups(self, request, model_admin):
        return [("enterprise", _("An enterprise")), ("authority", _("An authority")), ("none", _("None"))]

    def queryset(self, request, queryset):
        if self.value() == "enterprise":
            return queryset.filter(enterprise__isnull=False)
        if self.value() == "authority":
            return queryset.filter(authority__isnull=False)
        if self.value() == "none":
            return queryset.filter(Q(enterprise__isnull=True) & Q(authority__isnull=True))
        return queryset


@admin.register(User)
class UserAdmin(MaskedPiiAdminMixin, BaseUserAdmin):
    list_display = [
        "username",
        "real_name",
        "role",
        "organisation",
        "is_active",
        "is_superuser",
        "last_login",
    ]
    list_filter = ["role", "is_active", OrganisationFilter, "is_superuser", "groups"]
    search_fields = [
        "username",
        "real_name",
        "phone",
        "email",
        "enterprise__name",
        "=enterprise__credit_code",
        "authority__name",
    ]
    list_select_related = ["enterprise", "authority", "department"]
    autocomplete_fields = ["enterprise", "authority", "department"]
    # User.save() sets is_staff from the role (officials work in the admin, nobody else may enter it).
    readonly_fields = ["is_staff", "last_login", "date_joined"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Role and organisation"), {"fields": ORGANISATION_FIELDS}),
        (_("Personal info"), {"fields": ["first_name", "last_name", "email"]}),
        (
            _("Permissions"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        *BaseUserAdmin.add_fieldsets,
        (_("Role and organisation"), {"classes": ["wide"], "fields": ORGANISATION_FIELDS}),
    ]

    #: Only a superuser grants superuser status or permissions outside the role groups (accounts/roles.py).
    superuser_only_fields = ["is_superuser", "groups", "user_permissions"]

    #: What nobody but a superuser changes on their own account: who they are and what they may do.
    own_account_fields = ["role", "enterprise", "authority", "department", "is_active"]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += [f for f in self.superuser_only_fields if f not in readonly]
            if obj is not None and obj.pk == request.user.pk:
                readonly += [f for f in self.own_account_fields if f not in readonly]
        return readonly

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        field = super().formfield_for_choice_field(db_field, request, **kwargs)
        if db_field.name == "role" and not request.user.is_superuser:
            # Nobody grants a role above their own (Role.rank).
            field.choices = [
                (value, label)
                for value, label in field.choices
                if not value or Role.rank(value) <= Role.rank(request.user.role)
            ]
        return field

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if not request.user.is_superuser:
            # Provincial staff manage the accounts of enterprises and bureaus, never a superuser's.
            queryset = queryset.filter(is_superuser=False)
        return queryset

    @admin.display(description=_("organisation"))
    def organisation(self, obj: User) -> str:
        if obj.enterprise_id:
            return obj.enterprise.name
        if obj.authority_id:
            if obj.department_id:
                return f"{obj.authority.name} {obj.department.name}"
            return obj.authority.name
        return ""
