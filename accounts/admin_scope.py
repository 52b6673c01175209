"""The admin asks the one scoping rule of each model (accounts/scoping.py) on every path.

`ScopedAdminMixin` puts `visible_to(user)` under a model admin's changelist, change, delete and history pages (all
of them fetch through `get_queryset`), its exports and bulk actions (the changelist's queryset), the choices of
its foreign keys and many-to-many fields (so a form cannot be posted with a row the user may not see), the
autocomplete of other admins that point at it (Django's autocomplete view lists through this `get_queryset`), and
its related-field list filters. `scope_admin_site()` gives the mixin to every admin registered on the site,
ours and other packages', and to their inlines, so no admin can be registered without it.
"""

from __future__ import annotations

from django.contrib import admin
from django.db import models

from .scoping import is_visible, visible_to

_SCOPED_FLAG = "_yeji_scoped_for"


class ScopedRelatedFieldListFilter(admin.RelatedFieldListFilter):
    """A related-field filter that lists only the rows the user may see and that some listed row refers to (a
    province filter offers the provinces of the campaigns, not every region of China: the facet counts run one
    aggregate per choice)."""

    def field_choices(self, field, request, model_admin):
        ordering = self.field_admin_ordering(field, request, model_admin)
        used = model_admin.get_queryset(request).order_by().values(f"{self.field_path}__pk")
        qs = visible_to(field.related_model, request.user).filter(pk__in=used)
        if ordering:
            qs = qs.order_by(*ordering)
        return [(obj.pk, str(obj)) for obj in qs]


class _ScopedBase:
    def get_field_queryset(self, db, db_field, request):
        qs = super().get_field_queryset(db, db_field, request)
        if qs is None:
            qs = db_field.remote_field.model._default_manager.using(db).all()
        return visible_to(qs, request.user)

    def get_queryset(self, request):
        return visible_to(super().get_queryset(request), request.user)


class ScopedAdminMixin(_ScopedBase):
    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:  # fetched through the scoped get_queryset
            setattr(obj, _SCOPED_FLAG, request.user.pk)
        return obj

    def _in_scope(self, request, obj) -> bool:
        if obj is None or request.user.is_superuser:
            return True
        if getattr(obj, _SCOPED_FLAG, None) == request.user.pk:
            return True
        return is_visible(obj, request.user)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self._in_scope(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._in_scope(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._in_scope(request, obj)

    def get_list_filter(self, request):
        scoped = []
        for entry in super().get_list_filter(request):
            if isinstance(entry, str) and "__" not in entry:
                try:
                    field = self.model._meta.get_field(entry)
                except Exception:  # a callable's name or a lookup Django resolves itself
                    field = None
                if isinstance(field, models.ForeignKey | models.ManyToManyField | models.OneToOneField):
                    entry = (entry, ScopedRelatedFieldListFilter)
            scoped.append(entry)
        return scoped


class ScopedInlineMixin(_ScopedBase):
    pass


def _scoped_class(cls, mixin):
    if issubclass(cls, mixin):
        return cls
    attrs = {"__module__": cls.__module__, "__doc__": cls.__doc__}
    if hasattr(cls, "inlines"):
        attrs["inlines"] = [_scoped_class(inline, ScopedInlineMixin) for inline in cls.inlines]
    return type(cls.__name__, (mixin, cls), attrs)


def scope_admin_site(site: admin.AdminSite) -> None:
    """Give every registered model admin (and its inlines) the scoping mixin; idempotent."""
    for model, model_admin in list(site._registry.items()):
        cls = type(model_admin)
        scoped = _scoped_class(cls, ScopedAdminMixin)
        if scoped is not cls:
            site._registry[model] = scoped(model, site)
