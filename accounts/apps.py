from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_roles(sender, **kwargs) -> None:
    from .roles import sync_role_groups

    sync_role_groups()


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Organisations and people")

    def ready(self) -> None:
        # After every migrate, bring the role groups' permissions in line with accounts/roles.py.
        post_migrate.connect(_sync_roles, dispatch_uid="accounts.sync_roles")
        # Every admin, ours and other packages', asks the models' scoping rule (accounts/admin_scope.py). The admin
        # app is first in INSTALLED_APPS: its ready() has already imported every admin module.
        from django.contrib import admin

        from .admin_scope import scope_admin_site

        scope_admin_site(admin.site)
