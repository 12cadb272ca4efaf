from django.apps import AppConfig


class RightsConfig(AppConfig):
    """The individual's data-protection rights: who viewed them, subject access, retention."""

    name = "rights"

    def ready(self):
        from auditlog.registry import auditlog

        from .models import Anonymisation, LegalHold, SubjectAccessExport

        auditlog.register(LegalHold)
        auditlog.register(SubjectAccessExport)
        auditlog.register(Anonymisation)

        from ubpanel import hooks

        from . import adjustment_sources, person_page

        hooks.person_page_context.connect(person_page.person_page_context)
        hooks.questionnaire_return_reference.connect(
            adjustment_sources.questionnaire_return_reference
        )
