"""Forms for the panel's screens. The services apply the protocol's rules; these gather what was
typed, and the views put the services' refusals beside the fields.

Meetings, agendas and attendance first; the item screen's forms follow at the end.
"""

from datetime import datetime

from django import forms
from django.utils import timezone

from ubpanel.forms import DATE_INPUT, GovukForm

from .models import InviteeRole, ItemKind, MeetingFormat, MeetingKind

TIME_INPUT = forms.TimeInput(
    attrs={"type": "time", "class": "govuk-input--width-5"}, format="%H:%M"
)
ABSENT = "absent"


class MeetingForm(GovukForm):
    kind = forms.ChoiceField(
        label="Kind of meeting",
        choices=MeetingKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose monthly or extraordinary"},
    )
    format = forms.ChoiceField(
        label="Format",
        choices=MeetingFormat.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose in person or virtual"},
    )
    date = forms.DateField(
        label="Date",
        widget=DATE_INPUT,
        error_messages={
            "required": "Enter the date of the meeting",
            "invalid": "Enter a real date, like 3 December 2026",
        },
    )
    time = forms.TimeField(
        label="Start time",
        widget=TIME_INPUT,
        help_text="For example, 10:00",
        error_messages={
            "required": "Enter the time the meeting starts",
            "invalid": "Enter a time, like 10:00",
        },
    )
    location = forms.CharField(
        label="Room or link",
        max_length=300,
        required=False,
        help_text="The meeting room, or the link for a virtual meeting. You can add it later.",
    )

    def clean_date(self):
        day = self.cleaned_data["date"]
        if day < timezone.localdate():
            raise forms.ValidationError("The meeting must be today or in the future")
        return day

    def starts_at(self) -> datetime:
        data = self.cleaned_data
        return timezone.make_aware(datetime.combine(data["date"], data["time"]))


class AgendaItemForm(GovukForm):
    """What the panel is to consider, and which referral, entry or access request it is about.

    The choices are the subjects valid now (passed in by the view), so nothing else can be chosen.
    """

    kind = forms.ChoiceField(
        label="What is the item?",
        choices=ItemKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what the item is"},
    )
    referral = forms.ChoiceField(
        label="Referral ready for the panel",
        required=False,
        help_text="For a new referral (and, if there is one, for a referral back).",
    )
    entry = forms.ChoiceField(
        label="Schedule entry",
        required=False,
        help_text="For ratification of an emergency addition, a 12-month review or a referral "
        "back.",
    )
    access_grant = forms.ChoiceField(
        label="Access request", required=False, help_text="For an access request."
    )
    statement = forms.CharField(
        label="The Operations Manager's statement",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Where papers are not available, the panel decides on a statement by the "
        "Operations Manager.",
    )

    SUBJECT_FOR = {
        ItemKind.NEW_REFERRAL: ("referral", "Choose the referral the panel is to decide"),
        ItemKind.RATIFICATION: ("entry", "Choose the emergency addition to ratify"),
        ItemKind.REVIEW: ("entry", "Choose the schedule entry to review"),
        ItemKind.REFERRAL_BACK: ("entry", "Choose the schedule entry referred back"),
        ItemKind.ACCESS_REQUEST: ("access_grant", "Choose the access request"),
    }

    def __init__(self, *args, referrals=(), entries=(), access_grants=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.subjects = {
            "referral": {str(r.pk): r for r in referrals},
            "entry": {str(e.pk): e for e in entries},
            "access_grant": {str(g.pk): g for g in access_grants},
        }
        self.fields["referral"].choices = [("", "Choose a referral")] + [
            (str(r.pk), f"{r.reference}: {r.person or r.subject_name}") for r in referrals
        ]
        self.fields["entry"].choices = [("", "Choose an entry")] + [
            (
                str(e.pk),
                f"{e.reference}: {e.person} ({e.get_status_display()}, "
                f"{e.get_tier_display().lower()})",
            )
            for e in entries
        ]
        self.fields["access_grant"].choices = [("", "Choose an access request")] + [
            (str(g.pk), f"{g.grantee}: {', '.join(g.tiers)} risk") for g in access_grants
        ]

    def clean(self):
        data = super().clean()
        for name, subjects in self.subjects.items():
            data[name] = subjects.get(data.get(name) or "")
        kind = data.get("kind")
        if kind:
            needed, message = self.SUBJECT_FOR[ItemKind(kind)]
            if data[needed] is None:
                self.add_error(needed, message)
        return data

    def subject(self) -> dict:
        """The subjects that belong to the chosen kind of item."""
        data = self.cleaned_data
        kind = ItemKind(data["kind"])
        if kind == ItemKind.NEW_REFERRAL:
            return {"referral": data["referral"]}
        if kind == ItemKind.ACCESS_REQUEST:
            return {"access_grant": data["access_grant"]}
        if kind == ItemKind.REFERRAL_BACK and data["referral"] is not None:
            return {"entry": data["entry"], "referral": data["referral"]}
        return {"entry": data["entry"]}


class WithdrawItemForm(GovukForm):
    reason = forms.CharField(
        label="Why is the item withdrawn?",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the item is withdrawn"},
    )


class InviteeForm(GovukForm):
    role = forms.ChoiceField(
        label="Invited as",
        choices=InviteeRole.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose why they are invited"},
    )
    user = forms.ChoiceField(
        label="Who",
        help_text="Invitees see this item's papers only, and never vote.",
        error_messages={"required": "Choose who to invite"},
    )

    def __init__(self, *args, users=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.users = {str(u.pk): u for u in users}
        self.fields["user"].choices = [("", "Choose a member of staff")] + [
            (str(u.pk), " – ".join(filter(None, [str(u), u.job_title, str(u.service or "")])))
            for u in users
        ]

    def clean_user(self):
        return self.users[self.cleaned_data["user"]]


class AttendanceForm(GovukForm):
    """Who sits in one seat: its holder, a briefed deputy, or nobody."""

    sitter = forms.ChoiceField(label="Who sits in this seat")

    def __init__(self, *args, seat, members=(), current=None, **kwargs):
        kwargs.setdefault("prefix", seat)
        super().__init__(*args, **kwargs)
        self.members = {str(m.user_id): m for m in members}
        choices = [
            (
                str(m.user_id),
                f"{m.user} (briefed deputy{f', {m.briefed_on:%-d %B %Y}' if m.briefed_on else ''})"
                if m.is_deputy
                else f"{m.user} (holder)",
            )
            for m in members
        ]
        self.fields["sitter"].choices = [*choices, (ABSENT, "Absent: nobody sits in this seat")]
        if current is not None:
            self.initial.setdefault("sitter", str(current.user_id) if current.user_id else ABSENT)

    def clean_sitter(self):
        value = self.cleaned_data["sitter"]
        return None if value == ABSENT else self.members[value].user


class JoinForm(GovukForm):
    seat = forms.ChoiceField(
        label="Which seat are you sitting in?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the seat you are sitting in"},
    )

    def __init__(self, *args, memberships=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["seat"].choices = [
            (m.seat, f"{m.get_seat_display()}{' (as deputy)' if m.is_deputy else ''}")
            for m in memberships
        ]


class ElectedChairForm(GovukForm):
    """Opening the meeting when the chair and every deputy for the chair are absent: the members
    present chose one of themselves to chair."""

    confirm = forms.BooleanField(
        label=(
            "The chair and every deputy for the chair are absent, and the members present chose "
            "me to chair this meeting"
        ),
        error_messages={
            "required": "Confirm that the chair and their deputies are absent and you were chosen"
        },
    )
    note = forms.CharField(
        label="How were you chosen?",
        help_text="For the minutes: who was present and how they chose you to chair.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say how the members present chose you to chair"},
    )
    seat = forms.ChoiceField(
        label="Which seat are you sitting in?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the seat you are sitting in"},
    )

    def __init__(self, *args, memberships=(), **kwargs):
        kwargs.setdefault("prefix", "elected")
        super().__init__(*args, **kwargs)
        self.fields["seat"].choices = [
            (m.seat, f"{m.get_seat_display()}{' (as deputy)' if m.is_deputy else ''}")
            for m in memberships
        ]
        if len(memberships) == 1:
            # One seat: nothing to choose.
            self.fields["seat"].widget = forms.HiddenInput()
            self.initial["seat"] = memberships[0].seat
