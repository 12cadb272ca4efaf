from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models


class Service(models.Model):
    """A council service (Housing, Customer Services...): where referrals come from and access goes."""

    name = models.CharField(max_length=200, unique=True)
    # The group that stands for the service in django-guardian's group object permissions: a
    # need-to-know grant to the service is a permission to this group. Who is in the service is
    # read from ``User.service``, not from group membership (schedule.selectors).
    group = models.OneToOneField(
        "auth.Group", null=True, blank=True, on_delete=models.SET_NULL, related_name="service"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class User(AbstractUser):
    """A member of council staff. Roles are groups (ubpanel.roles)."""

    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )
    job_title = models.CharField(max_length=200, blank=True)

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    def __str__(self):
        return self.get_full_name() or self.username


class TimelineEvent(models.Model):
    """One step in a record's history: who did what, when, and why. Each app adds the link to its
    record and its own ``kind``, ``from_status`` and ``to_status`` choices."""

    message = models.TextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.created_at:%d %b %Y %H:%M})"


# --- The audit trail's hash chain (ubpanel.audit_chain) ----------------------------------------


class AuditSeal(models.Model):
    """One link of the audit trail's hash chain: the SHA-256 of one auditlog entry's stored values
    and of the link before it. Links are made in commit order (see ubpanel.audit_chain), so the
    chain is the order in which entries reached the database for good."""

    entry = models.OneToOneField("auditlog.LogEntry", on_delete=models.PROTECT, related_name="seal")
    # Unique: two links can never follow the same one, so concurrent sealers cannot fork the chain.
    previous_hash = models.CharField(max_length=64, unique=True)
    hash = models.CharField(max_length=64)
    sealed_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"Seal {self.pk} of audit entry {self.entry_id}"


class AuditVerification(models.Model):
    """The result of one check of the whole hash chain (nightly, or on demand)."""

    checked_at = models.DateTimeField(auto_now_add=True, db_index=True)
    held = models.BooleanField()
    entries_checked = models.PositiveIntegerField(default=0)
    first_broken_entry_id = models.BigIntegerField(null=True, blank=True)
    problem = models.TextField(blank=True)
    head_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-checked_at", "-pk"]
        get_latest_by = "checked_at"

    def __str__(self):
        return (
            f"Audit chain {'held' if self.held else 'BROKEN'} at {self.checked_at:%d %b %Y %H:%M}"
        )


# --- The outbox (ubpanel.outbox) ----------------------------------------------------------------


class Notification(models.Model):
    """One notification to one recipient, written by ``ubpanel.outbox.notify`` in the transaction
    of the change it tells of. A task emails it (``sent_at`` is set in the transaction that decides
    to send it, so it goes once); a sweeper sends whatever is left unsent; the recipient also reads
    it on "Your notifications". A link and a reference only, never the individual's details: the
    row holds no personal data beyond the staff address it goes to, so it is not registered with
    auditlog (the change it reports is audited where it happened)."""

    kind = models.CharField(max_length=64, db_index=True)
    subject = models.CharField(max_length=300)
    body = models.TextField()
    link = models.CharField(max_length=500, blank=True)
    reference = models.CharField(max_length=100, blank=True, db_index=True)
    # The member of staff told (None for a team mailbox such as Assurance's).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notifications",
    )
    # Where it is emailed; blank when the user has no address (it is then shown in the app only).
    address = models.EmailField(max_length=254, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["user", "-created_at", "-id"], name="notification_user_newest"),
            models.Index(
                fields=["created_at"],
                condition=models.Q(sent_at__isnull=True),
                name="notification_unsent",
            ),
        ]

    def __str__(self):
        return f"{self.subject} ({self.created_at:%d %b %Y %H:%M})"

    @property
    def email_text(self) -> str:
        """The email: the body, and the link when the body does not give it already."""
        if not self.link or self.link in self.body:
            return self.body
        return f"{self.body.rstrip()}\n\nOpen it in ubpanel: {self.link}\n"


class AuditRedaction(models.Model):
    """The retention schedule removed a person's details from one sealed audit entry.

    The entry keeps its place in the hash chain: its seal still holds the hash of what it said
    when written, and this row holds the digest of what it says now, so the nightly check proves
    the chain unbroken and the redacted entry unchanged since (ubpanel.audit_chain)."""

    entry = models.OneToOneField(
        "auditlog.LogEntry", on_delete=models.PROTECT, related_name="redaction"
    )
    redacted_at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(max_length=200)
    digest = models.CharField(max_length=64)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"Redaction of audit entry {self.entry_id}"
