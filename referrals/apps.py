from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = "Referrals"

    def ready(self):
        from auditlog.registry import auditlog

        from .models import Person

        # Changes are audited; special-category values are masked in the trail.
        auditlog.register(Person, mask_fields=["health_and_disability"])
