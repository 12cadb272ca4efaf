from django.apps import AppConfig


class PanelConfig(AppConfig):
    name = "panel"

    def ready(self):
        from auditlog.registry import auditlog

        from . import models

        for model in (
            models.SeatMember,
            models.Meeting,
            models.AgendaItem,
            models.SeatAttendance,
            models.Invitee,
            models.Declaration,
            models.Ballot,
            models.Vote,
        ):
            auditlog.register(model)
        # Health is special-category data: the trail says it changed, never what it says.
        auditlog.register(models.Decision, mask_fields=["health_notes", "care_system_notes"])
        # A correction may be to the health notes: its values stay out of the trail too (the
        # correction itself is kept, and shown, with the decision).
        auditlog.register(models.DecisionCorrection, mask_fields=["old_value", "new_value"])

        from ubpanel import hooks

        from . import entry_page
        from .services import agenda_fill_next_meeting

        hooks.panel_work_waiting.connect(agenda_fill_next_meeting)
        hooks.entry_page_context.connect(entry_page.entry_page_context)
