"""The panel's seats, its meetings and who sat in each seat at one.

The protocol: six seats, each with a holder and suitably briefed deputies; a quorum of four
eligible members.
"""

from django.conf import settings
from django.db import models

from ubpanel.transitions import StatusGraph


class Seat(models.TextChoices):
    CHAIR = "chair", "Service Manager for Assurance (chair)"
    COMPLAINTS = "complaints", "Senior Assurance Officer – Complaints"
    HEALTH_AND_SAFETY = "health_and_safety", "Health and Safety Manager"
    CUSTOMER_SERVICES = "customer_services", "Business Manager – Customer Services"
    ADULT_SOCIAL_CARE = "adult_social_care", "Head of Specialist Services, Adult Social Care"
    EQUALITY = "equality", "Representative of the Equality and Diversity Network"


QUORUM = 4


class SeatMember(models.Model):
    """Who may sit in a seat: its holder, and the suitably briefed deputies who attend in their
    absence."""

    seat = models.CharField(max_length=32, choices=Seat.choices, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="panel_seats"
    )
    is_deputy = models.BooleanField(default=False)
    briefed_on = models.DateField("Briefed on", null=True, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["seat", "is_deputy", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["seat", "user"], name="one_membership_per_seat"),
            models.UniqueConstraint(
                fields=["seat"],
                condition=models.Q(is_deputy=False, active=True),
                name="one_holder_per_seat",
            ),
        ]

    def __str__(self):
        role = "deputy" if self.is_deputy else "holder"
        return f"{self.user} ({role}, {self.get_seat_display()})"


class MeetingKind(models.TextChoices):
    MONTHLY = "monthly", "Monthly"
    EXTRAORDINARY = "extraordinary", "Extraordinary"


class MeetingFormat(models.TextChoices):
    PHYSICAL = "physical", "In person"
    VIRTUAL = "virtual", "Virtual"


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    OPEN = "open", "In progress"
    CLOSED = "closed", "Closed"


# A meeting is arranged, opened by whoever chairs it and closed by them.
MEETING_GRAPH = StatusGraph(
    MeetingStatus,
    [
        (MeetingStatus.SCHEDULED, MeetingStatus.OPEN, "meeting_open"),
        (MeetingStatus.SCHEDULED, MeetingStatus.OPEN, "meeting_open_as_elected_chair"),
        (MeetingStatus.OPEN, MeetingStatus.CLOSED, "meeting_close"),
    ],
)
# A meeting whose agenda and attendance may still change: once closed they are the minutes.
NOT_CLOSED = (MeetingStatus.SCHEDULED, MeetingStatus.OPEN)


class Meeting(models.Model):
    kind = models.CharField(max_length=16, choices=MeetingKind.choices)
    format = models.CharField(max_length=16, choices=MeetingFormat.choices)
    starts_at = models.DateTimeField("Date and time", db_index=True)
    location = models.CharField("Room or link", max_length=300, blank=True)
    status = models.CharField(
        max_length=16,
        choices=MeetingStatus.choices,
        default=MeetingStatus.SCHEDULED,
        db_index=True,
    )
    opened_at = models.DateTimeField(null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    # The protocol names no one to chair when the chair and every deputy for the chair are absent:
    # the members present choose one of themselves, and the minutes record it.
    elected_chair = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    elected_chair_note = models.TextField("How the chair was chosen", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_at", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()} panel meeting, {self.starts_at:%d %B %Y}"

    @property
    def reference(self) -> str:
        return f"UBP-{self.pk:04d}" if self.pk else "UBP-new"


class Attendance(models.TextChoices):
    PRESENT = "present", "Present"
    ABSENT = "absent", "Absent"


class SeatAttendance(models.Model):
    """Who sat in a seat at a meeting (its holder or a briefed deputy), or that it was empty."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="seats")
    seat = models.CharField(max_length=32, choices=Seat.choices)
    attendance = models.CharField(max_length=16, choices=Attendance.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    as_deputy = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["meeting", "seat"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "seat"], name="one_sitter_per_seat"),
            models.UniqueConstraint(
                fields=["meeting", "user"],
                condition=models.Q(user__isnull=False),
                name="one_seat_per_person_per_meeting",
            ),
            models.CheckConstraint(
                condition=models.Q(attendance="absent") | models.Q(user__isnull=False),
                name="present_seat_has_a_sitter",
            ),
        ]

    def __str__(self):
        if self.attendance == Attendance.ABSENT:
            return f"{self.get_seat_display()}: absent"
        deputy = " (deputy)" if self.as_deputy else ""
        return f"{self.get_seat_display()}: {self.user}{deputy}"
