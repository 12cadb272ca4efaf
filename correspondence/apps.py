from django.apps import AppConfig


class CorrespondenceConfig(AppConfig):
    name = "correspondence"

    def ready(self):
        from auditlog.registry import auditlog

        from .models import Letter, LetterPdf, QuestionnaireReturn

        auditlog.register(Letter)
        auditlog.register(LetterPdf)
        # The answers are special-category data: the trail records that they changed, not what
        # they say.
        auditlog.register(QuestionnaireReturn, mask_fields=["answers", "issue_details"])
