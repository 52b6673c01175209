"""Who may see what: one scoping rule per model (STYLE.md), asked by the admin, the API, exports and autocompletes.

Every model of ours mixes in `Scoped` and says, in its own `scope()`, which rows an ordinary user may see. The
prelude is the same for all and lives here: nobody logged out or inactive sees anything, the superuser sees
everything. A model that says nothing is seen by nobody but the superuser (deny by default); models of other
packages that the admin shows (groups, API tokens, pghistory's events) have their rule in `FOREIGN_SCOPES`.

Jurisdiction is the region of the official's authority: the provincial office sees its province (the first two
digits of a GB/T 2260 code), a city bureau its city (four), a county bureau its county (six).
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Model, QuerySet


def is_ordinary(user) -> bool:
    """Logged in, active and not the superuser: the users whose rows are scoped."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active and not user.is_superuser)


def jurisdiction_prefix(user) -> str | None:
    """The region-code prefix an official's authority covers (2, 4 or 6 digits); None for anybody else."""
    from .models import Role

    if getattr(user, "role", None) not in (Role.REVIEWER, Role.PROVINCIAL) or not user.authority_id:
        return None
    return region_prefix(user.authority.region_id)


def region_prefix(code: str) -> str:
    """The prefix every code inside a region starts with: 45 for 450000, 4501 for 450100, 450103 for a county
    (GB/T 2260 keeps 00 for the level above, so the level is read off the code itself)."""
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


def province_prefix(user) -> str | None:
    """The two digits of the official's province; None for anybody else."""
    prefix = jurisdiction_prefix(user)
    return prefix[:2] if prefix else None


class Scoped:
    """Mixed into every model of ours: `Model.visible_to(user)` is the one scoping rule of that model."""

    @classmethod
    def visible_to(cls, user, queryset: QuerySet | None = None) -> QuerySet:
        qs = cls._default_manager.all() if queryset is None else queryset
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return qs.none()
        if user.is_superuser:
            return qs
        return cls.scope(qs, user)

    @classmethod
    def scope(cls, qs: QuerySet, user) -> QuerySet:
        """The rows an ordinary (logged-in, active, non-superuser) user may see; nothing unless a model says so."""
        return qs.none()


def _own_user(qs: QuerySet, user) -> QuerySet:
    return qs.filter(user_id=user.pk)


#: Models of other packages that the admin or the API shows: their rule for ordinary users.
FOREIGN_SCOPES: dict[str, Callable[[QuerySet, object], QuerySet]] = {
    "auth.group": lambda qs, user: qs.none(),
    "auth.permission": lambda qs, user: qs.none(),
    "authtoken.token": _own_user,
    "authtoken.tokenproxy": _own_user,
    "pghistory.events": lambda qs, user: qs.none(),
    "admin.logentry": _own_user,
}


def visible_to(model_or_queryset, user) -> QuerySet:
    """The rows of a model (or of a queryset of it) that `user` may see: the model's own rule, deny by default."""
    if isinstance(model_or_queryset, QuerySet):
        qs, model = model_or_queryset, model_or_queryset.model
    else:
        model = model_or_queryset
        qs = model._default_manager.all()
    if isinstance(model, type) and issubclass(model, Scoped):
        return model.visible_to(user, qs)
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if user.is_superuser:
        return qs
    rule = FOREIGN_SCOPES.get(model._meta.label_lower)
    return rule(qs, user) if rule is not None else qs.none()


def is_visible(obj: Model, user) -> bool:
    """Is this one object within what `user` may see?"""
    if obj is None or obj.pk is None:
        return True
    return visible_to(type(obj)._default_manager.filter(pk=obj.pk), user).exists()
