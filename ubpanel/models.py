from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models


class Service(models.Model):
    """A council service (Housing, Customer Services...): where referrals come from and access goes."""

    name = models.CharField(max_length=200, unique=True)

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
