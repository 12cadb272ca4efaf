from django.apps import AppConfig


class ScheduleConfig(AppConfig):
    name = "schedule"

    def ready(self):
        from auditlog.registry import auditlog

        from .models import Entry

        auditlog.register(Entry)
