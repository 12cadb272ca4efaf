from django.apps import AppConfig


class RightsConfig(AppConfig):
    """The individual's data-protection rights: who viewed them, subject access, retention."""

    name = "rights"

    def ready(self):
        from auditlog.registry import auditlog

        from .models import Anonymisation, LegalHold, SubjectAccessExport

        auditlog.register(LegalHold)
        # The build's progress and stage change a dozen times a minute: the trail records the
        # request, the outcome, the file and its expiry, not each step.
        auditlog.register(SubjectAccessExport, exclude_fields=["progress", "stage"])
        auditlog.register(Anonymisation)

        from ubpanel import hooks

        from . import person_page

        hooks.person_page_context.connect(person_page.person_page_context)
