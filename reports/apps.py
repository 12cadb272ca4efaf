from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """Committee reporting: how the protocol is used, in figures that name nobody."""

    name = "reports"

    def ready(self):
        from auditlog.registry import auditlog

        from .models import CommitteeReport

        # The build's progress and stage change as it goes: the trail records the request, the
        # outcome and the file, not each step.
        auditlog.register(CommitteeReport, exclude_fields=["progress", "stage"])
