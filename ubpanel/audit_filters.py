import json

from auditlog.models import LogEntry
from django import forms
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import connections
from django.db.models import BooleanField, Q, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Concat

from .audit_words import ACTIONS, CHANGE_ACTIONS, kind_of
from .forms import GovukForm

ACTION_CHOICES = [("", "Any action"), *ACTIONS]
AUDITED_APPS = (
    "ubpanel",
    "referrals",
    "panel",
    "schedule",
    "correspondence",
    "rights",
    "auditlog",
    "otp_totp",  # authenticator apps (MFA)
    "otp_static",  # backup codes
)
PERSON_MODEL = "referrals.Person"
# At most this many people of the typed name are looked for: a name that matches more is too
# short to tell anyone apart, and the page says to type more of it.
PEOPLE_LIMIT = 200


def _type_label(ct: ContentType) -> str:
    model = ct.model_class()
    label = kind_of(f"{ct.app_label}.{ct.model}").label
    note = kind_of(f"{ct.app_label}.{ct.model}").note
    return f"{label} ({note.lower()})" if note else (label if model else ct.model)


def names_any_person(queryset, person_pks: list[int]) -> Q:
    """The condition "this row names one of these people" (in ``additional_data["people"]``, as
    rights.who_viewed reads it), or is about one of them, on PostgreSQL and SQLite."""
    about = Q(
        content_type=ContentType.objects.get_for_model(apps.get_model(PERSON_MODEL)),
        object_id__in=person_pks,
    )
    if connections[queryset.db].vendor == "postgresql":
        names = Q(pk__in=[])
        for pk in person_pks:
            names |= Q(additional_data__people__contains=[pk])
        return names | about
    return Q(names_a_person=True) | about


class AuditFilterForm(GovukForm):
    user = forms.CharField(
        label="Who did it (name or username)",
        required=False,
        max_length=150,
    )
    person = forms.CharField(
        label="About the person named",
        required=False,
        max_length=200,
    )
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
        self.fields["object_type"].label_from_instance = _type_label

    def clean_person(self):
        words = self.cleaned_data["person"].split()
        if not words:
            return []
        condition = Q()
        for word in words:
            condition &= Q(search_name__icontains=word.lower())
        people = apps.get_model(PERSON_MODEL).objects.filter(condition)
        found = list(people.order_by("pk").values_list("pk", flat=True)[: PEOPLE_LIMIT + 1])
        if len(found) > PEOPLE_LIMIT:
            raise forms.ValidationError(
                f"More than {PEOPLE_LIMIT} people have that name: enter more of it"
            )
        return found or [0]  # nobody of that name: no row names them

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The end date must be the same as or after the start date")
        return cleaned

    def filter(self, entries):
        data = self.cleaned_data
        if data["user"]:
            typed = " ".join(data["user"].split())
            entries = entries.annotate(
                actor_name=Concat("actor__first_name", Value(" "), "actor__last_name")
            ).filter(Q(actor__username__iexact=typed) | Q(actor_name__iexact=typed))
        if data["person"]:
            entries = self._about_people(entries, data["person"])
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

    @staticmethod
    def _about_people(entries, person_pks: list[int]):
        if connections[entries.db].vendor != "postgresql":
            # SQLite has no jsonb containment: json_each reads each row's list of ids. The ids are
            # parameters; nothing typed reaches the SQL.
            names = RawSQL(  # noqa: S611
                "EXISTS (SELECT 1 FROM json_each(auditlog_logentry.additional_data, '$.people') "
                "WHERE json_each.value IN (SELECT value FROM json_each(%s)))",
                [json.dumps(person_pks)],
                output_field=BooleanField(),
            )
            entries = entries.alias(names_a_person=names)
        return entries.filter(names_any_person(entries, person_pks))
