from django.conf import settings
from django.db import models

from ubpanel.audit_people import people_data


class Person(models.Model):
    """An individual known to the panel; shared by referrals, the panel, the schedule and letters."""

    given_names = models.CharField("Given names", max_length=200)
    family_name = models.CharField("Family name", max_length=200)
    date_of_birth = models.DateField("Date of birth", null=True, blank=True)
    # Special-category data (UK GDPR art. 9): shown only to SPECIAL_CATEGORY_ROLES.
    health_and_disability = models.TextField(
        "Known health issues, conditions or disabilities", blank=True
    )
    # normalise.name("given family"), kept by the services for matching and search.
    search_name = models.CharField(max_length=401, blank=True, db_index=True)
    recorded_by_service = models.ForeignKey(
        "ubpanel.Service", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Set when the retention schedule anonymised the person (rights.retention): the row stays, for
    # statistics and the audit trail's person ids, with nothing left that identifies anyone.
    anonymised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["family_name", "given_names", "pk"]
        verbose_name_plural = "people"

    def __str__(self):
        return f"{self.given_names} {self.family_name}"

    def get_additional_data(self):
        return people_data(self)


class PersonAlias(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=400)
    search_name = models.CharField(max_length=400, db_index=True)

    class Meta:
        verbose_name_plural = "person aliases"

    def __str__(self):
        return self.name

    def get_additional_data(self):
        return people_data(self)


class PersonAddress(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="addresses")
    address = models.TextField()
    postcode = models.CharField(max_length=10, blank=True)
    postcode_normalised = models.CharField(max_length=10, blank=True, db_index=True)

    class Meta:
        verbose_name_plural = "person addresses"

    def __str__(self):
        return ", ".join(filter(None, [self.address.replace("\n", ", "), self.postcode]))

    def get_additional_data(self):
        return people_data(self)


class PersonEmail(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="emails")
    email = models.CharField(max_length=320)
    email_normalised = models.CharField(max_length=320, db_index=True)

    def __str__(self):
        return self.email

    def get_additional_data(self):
        return people_data(self)


class PersonPhone(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="phones")
    number = models.CharField(max_length=40)
    number_normalised = models.CharField(max_length=20, db_index=True)

    def __str__(self):
        return self.number

    def get_additional_data(self):
        return people_data(self)


class AdjustmentNeed(models.TextChoices):
    """A need that calls for a reasonable adjustment (Equality Act 2010, s.20)."""

    VISUAL_IMPAIRMENT = "visual_impairment", "Visual impairment"
    DYSLEXIA = "dyslexia", "Dyslexia or difficulty reading"
    LEARNING_DISABILITY = "learning_disability", "Learning disability"
    HEARING_IMPAIRMENT = "hearing_impairment", "Hearing impairment"
    BSL = "bsl", "Uses British Sign Language"
    ADVOCATE = "advocate", "Has an advocate or representative"
    OTHER = "other", "Another need"


class AdjustmentSource(models.TextChoices):
    REFERRAL = "referral", "The referral's health information"
    QUESTIONNAIRE = "questionnaire", "A returned equalities questionnaire"
    PANEL = "panel", "The panel's consideration of health"
    OTHER = "other", "Something else the council was told"


class Adjustment(models.Model):
    """A reasonable adjustment the council makes for the person, and the need behind it.

    Special-category data (health, disability): seen only by those who may see health
    (``ubpanel.roles.can_see_special_category``); set through ``referrals.services``.
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="adjustments")
    need = models.CharField("Need", max_length=32, choices=AdjustmentNeed.choices)
    details = models.TextField("The adjustment the council makes", blank=True)
    source = models.CharField(
        "Where we learnt of it", max_length=16, choices=AdjustmentSource.choices
    )
    # The referral (REF-00012) or the letter whose questionnaire was returned (LET-00034).
    source_reference = models.CharField("Reference", max_length=40, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    end_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["recorded_at", "pk"]

    def __str__(self):
        # Never the need: this is how the audit trail describes the record, and auditors may not
        # see special-category data.
        return f"Reasonable adjustment {self.pk}"

    def get_additional_data(self):
        return people_data(self)
