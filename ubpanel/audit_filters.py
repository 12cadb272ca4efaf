from auditlog.models import LogEntry
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from .audit import Event
from .forms import GovukForm

CHANGE_ACTIONS = {
    "create": LogEntry.Action.CREATE,
    "update": LogEntry.Action.UPDATE,
    "delete": LogEntry.Action.DELETE,
}
ACTION_CHOICES = [
    ("", "Any action"),
    ("create", "Created"),
    ("update", "Changed"),
    ("delete", "Deleted"),
    *[(event.value, event.label) for event in Event],
]
AUDITED_APPS = (
    "ubpanel",
    "referrals",
    "panel",
    "schedule",
    "correspondence",
    "auditlog",
    "otp_totp",  # authenticator apps (MFA)
    "otp_static",  # backup codes
)


class AuditFilterForm(GovukForm):
    user = forms.CharField(label="User", required=False, max_length=150)
    object_type = forms.ModelChoiceField(
        label="Type of record",
        required=False,
        queryset=ContentType.objects.filter(app_label__in=AUDITED_APPS).order_by(
            "app_label", "model"
        ),
        empty_label="Any type",
    )
    object_id = forms.CharField(label="Record ID", required=False, max_length=64)
    action = forms.ChoiceField(label="Action", required=False, choices=ACTION_CHOICES)
    date_from = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["object_type"].label_from_instance = lambda ct: (
            f"{ct.model_class()._meta.verbose_name.capitalize()} ({ct.app_label})"
            if ct.model_class()
            else ct.model
        )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The end date must be the same as or after the start date")
        return cleaned

    def filter(self, entries):
        data = self.cleaned_data
        if data["user"]:
            entries = entries.filter(actor__username__iexact=data["user"].strip())
        if data["object_type"]:
            entries = entries.filter(content_type=data["object_type"])
        if data["object_id"]:
            entries = entries.filter(object_pk=data["object_id"].strip())
        action = data["action"]
        if action in CHANGE_ACTIONS:
            entries = entries.filter(action=CHANGE_ACTIONS[action])
        elif action:
            entries = entries.filter(
                Q(action=LogEntry.Action.ACCESS) & Q(additional_data__event=action)
            )
        if data["date_from"]:
            entries = entries.filter(timestamp__date__gte=data["date_from"])
        if data["date_to"]:
            entries = entries.filter(timestamp__date__lte=data["date_to"])
        return entries
