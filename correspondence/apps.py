from django.apps import AppConfig


class CorrespondenceConfig(AppConfig):
    name = "correspondence"

    def ready(self):
        from auditlog.registry import auditlog

        from .models import Letter, LetterPdf, QuestionnaireReturn

        auditlog.register(Letter)
        auditlog.register(LetterPdf)
        # The answers, in their words or as categories, are special-category data: the trail
        # records that they changed, not what they say.
        auditlog.register(
            QuestionnaireReturn, mask_fields=["answers", "categories", "issue_details"]
        )

        from ubpanel import hooks

        from . import adjustment_sources, entry_page
        from .services import letters_cancel_for_entry

        hooks.entry_letters_cancel.connect(letters_cancel_for_entry)
        hooks.entry_page_context.connect(entry_page.entry_page_context)
        hooks.questionnaire_return_reference.connect(
            adjustment_sources.questionnaire_return_reference
        )
