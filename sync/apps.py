from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SyncConfig(AppConfig):
    name = "sync"
    verbose_name = _("National platform push")

    def ready(self) -> None:
        from review import signals

        from . import receivers

        signals.records_approved.connect(receivers.on_records_approved, dispatch_uid="sync.outbox.approved")
        signals.record_marked_fraud.connect(receivers.on_record_marked_fraud, dispatch_uid="sync.outbox.fraud")
        signals.record_revised.connect(receivers.on_record_revised, dispatch_uid="sync.outbox.revised")

        from projects.admin.panels import register_record_panel

        register_record_panel(receivers.push_panel)

        from review.digest import DIGEST_SECTIONS

        from .selectors import digest_section

        if digest_section not in DIGEST_SECTIONS:
            DIGEST_SECTIONS.append(digest_section)
