from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LegacyConfig(AppConfig):
    """The old system's migration (J2): its records and reviewers brought over once, keyed on the old ids."""

    name = "legacy"
    verbose_name = _("Old system migration")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from transfer.book import register

        from .importer import LegacyImporter

        register(LegacyImporter())
