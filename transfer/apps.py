from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TransferConfig(AppConfig):
    """Bulk import and export (issue 13): files in and out, checked by the same rules as submit, run as jobs."""

    name = "transfer"
    verbose_name = _("Bulk import and export")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from .book import register
        from .registry import registry_importer

        register(registry_importer)  # J3: the registry of declared projects (transfer/registry.py)

        from .records import records_importer

        register(records_importer)  # performance records, all stages (transfer/records.py)

        from .record_exports import add_to_record_admin

        add_to_record_admin()  # 导出业绩（完整） on the admin's record list

        from .organisations import register_all

        register_all()  # enterprises; authorities with their contact persons (transfer/organisations.py)
