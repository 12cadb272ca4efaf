"""Appeals: the individual's request that the Monitoring Officer review the panel's decision. An
appeal has no status of its own: it is open until it has an outcome."""

from django.conf import settings
from django.db import models

from ubpanel.audit_people import people_data, through

from .entries import Entry


class AppealGround(models.TextChoices):
    """The protocol's grounds for asking the Monitoring Officer to review the panel's decision."""

    PROTOCOL_NOT_FOLLOWED = "protocol_not_followed", "The protocol has not been followed"
    UNREASONABLE = "unreasonable", "The decision was unreasonable"
    NEW_CIRCUMSTANCES = (
        "new_circumstances",
        "A circumstance or evidence since the panel’s decision may necessitate a further review",
    )


class AppealDecider(models.TextChoices):
    """The protocol: the Monitoring Officer, their Deputy, or their identified legal services
    representative reviews the panel's decision."""

    MONITORING_OFFICER = "monitoring_officer", "Monitoring Officer"
    DEPUTY = "deputy", "Deputy Monitoring Officer"
    LEGAL_REPRESENTATIVE = (
        "legal_representative",
        "Monitoring Officer's nominated legal representative",
    )


class AppealOutcome(models.TextChoices):
    UPHELD = "upheld", "Upheld"
    DISMISSED = "dismissed", "Dismissed"


class Appeal(models.Model):
    """The individual's written request that the Monitoring Officer review the panel's decision,
    and the outcome. The entry stays on the schedule until the outcome is determined.

    ``late``: the request arrived after the appeal deadline (28 working days after notification).
    It is recorded all the same, and the Monitoring Officer may still decide it.
    """

    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="appeals")
    received_on = models.DateField("Date the written request arrived")
    # One field per ground (their names are AppealGround's values): at least one is required.
    protocol_not_followed = models.BooleanField(
        AppealGround.PROTOCOL_NOT_FOLLOWED.label, default=False
    )
    unreasonable = models.BooleanField(AppealGround.UNREASONABLE.label, default=False)
    new_circumstances = models.BooleanField(AppealGround.NEW_CIRCUMSTANCES.label, default=False)
    statement = models.TextField("What the individual says", blank=True)
    # 28 working days after the notification the entry records, when it records one.
    deadline = models.DateField("Appeal deadline", null=True, blank=True)
    late = models.BooleanField("Received after the deadline", default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=AppealOutcome.choices, blank=True)
    decided_as = models.CharField(max_length=32, choices=AppealDecider.choices, blank=True)
    reason = models.TextField("The Monitoring Officer's reasons", blank=True)
    # The legal services representative the Monitoring Officer identified to decide this appeal.
    nominated_representative = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    nominated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["entry"], condition=models.Q(outcome=""), name="one_open_appeal_per_entry"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(protocol_not_followed=True)
                    | models.Q(unreasonable=True)
                    | models.Q(new_circumstances=True)
                ),
                name="appeal_gives_a_ground",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(outcome="", decided_at__isnull=True)
                    | (~models.Q(outcome="") & models.Q(decided_at__isnull=False))
                ),
                name="appeal_decided_with_its_date",
            ),
        ]

    def __str__(self):
        # The entry's reference from its id: no query, so audited lists stay at constant queries.
        return f"Appeal on UBS-{self.entry_id:05d} received {self.received_on:%d %b %Y}"

    def audit_person_ids(self) -> list[int]:
        return through(self, "entry")

    def get_additional_data(self):
        return people_data(self)

    @property
    def is_open(self) -> bool:
        return not self.outcome

    @property
    def grounds(self) -> list[str]:
        """The grounds given, as AppealGround values."""
        return [ground for ground in AppealGround.values if getattr(self, ground)]

    @property
    def ground_labels(self) -> list[str]:
        return [AppealGround(ground).label for ground in self.grounds]
