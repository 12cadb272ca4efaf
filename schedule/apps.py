from django.apps import AppConfig


class ScheduleConfig(AppConfig):
    name = "schedule"

    def ready(self):
        from auditlog.registry import auditlog

        from .models import (
            AccessGrant,
            AddressWarning,
            AddressWarningGroupObjectPermission,
            AddressWarningUserObjectPermission,
            Appeal,
            ContactCheck,
            Entry,
            EntryGroupObjectPermission,
            EntryIncident,
            EntryUserObjectPermission,
            SingleAccessGrant,
        )

        auditlog.register(Entry, m2m_fields={"referrals"})
        auditlog.register(EntryIncident)
        # Per-entry exceptions change who sees an entry: who gave them, and when, is audited.
        auditlog.register(EntryUserObjectPermission)
        auditlog.register(EntryGroupObjectPermission)
        auditlog.register(AddressWarning)
        auditlog.register(AddressWarningUserObjectPermission)
        auditlog.register(AddressWarningGroupObjectPermission)
        auditlog.register(SingleAccessGrant)
        auditlog.register(AccessGrant)
        auditlog.register(ContactCheck)
        auditlog.register(Appeal)

        from ubpanel import hooks

        from .services import entry_record_repeat_behaviour

        hooks.repeat_behaviour_confirmed.connect(entry_record_repeat_behaviour)
