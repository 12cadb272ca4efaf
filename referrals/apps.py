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
