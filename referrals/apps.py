from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = "Referrals"

    def ready(self):
        from auditlog.registry import auditlog

        from . import models

        # Changes are audited; special-category values are masked completely in the trail.
        auditlog.register(models.Person, mask_fields=["health_and_disability"])
        for detail in (
            models.PersonAlias,
            models.PersonAddress,
            models.PersonEmail,
            models.PersonPhone,
        ):
            auditlog.register(detail)
        auditlog.register(models.Referral, mask_fields=["health_details"])
        auditlog.register(models.Incident)
        auditlog.register(models.Evidence)
        auditlog.register(models.InboundEmail, exclude_fields=["body"])
        # A reasonable adjustment names a disability or need (special category, like the health
        # details): the trail records that it was recorded or ended, by whom and when, not what it
        # says. The source and its reference (REF-, LET-) are not health data and stay readable.
        auditlog.register(models.Adjustment, mask_fields=["need", "details", "end_reason"])
