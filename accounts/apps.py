from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_roles(sender, **kwargs) -> None:
    from .roles import sync_role_groups

    sync_role_groups()


def _end_every_sign_in(sender, request, user, **kwargs) -> None:
    if user is not None:
        user.end_every_sign_in()


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Organisations and people")

    def ready(self) -> None:
        # After every migrate, bring the role groups' permissions in line with accounts/roles.py.
        post_migrate.connect(_sync_roles, dispatch_uid="accounts.sync_roles")
        # A logout, from the portal, the admin or anywhere, ends every session and the API token of the account.
        from django.contrib.auth.signals import user_logged_out

        user_logged_out.connect(_end_every_sign_in, dispatch_uid="accounts.end_every_sign_in")
        # Every admin, ours and other packages', asks the models' scoping rule (accounts/admin_scope.py). The admin
        # app is first in INSTALLED_APPS: its ready() has already imported every admin module.
        from django.contrib import admin

        from .admin_scope import scope_admin_site

        scope_admin_site(admin.site)
