from django.conf import settings
from django.db import models


class Person(models.Model):
    """An individual known to the panel; shared by referrals, the panel, the schedule and letters."""

    given_names = models.CharField("Given names", max_length=200)
    family_name = models.CharField("Family name", max_length=200)
    date_of_birth = models.DateField("Date of birth", null=True, blank=True)
    # Special-category data (UK GDPR art. 9): shown only to SPECIAL_CATEGORY_ROLES.
    health_and_disability = models.TextField(
        "Known health issues, conditions or disabilities", blank=True
    )
    recorded_by_service = models.ForeignKey(
        "ubpanel.Service", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["family_name", "given_names", "pk"]
        verbose_name_plural = "people"

    def __str__(self):
        return f"{self.given_names} {self.family_name}"
