"""Demo users and people for the embedded default (`make run`). Never in production."""

from datetime import date, time, timedelta

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from panel.models import Meeting, SeatMember
from panel.services import meeting_schedule
from referrals.models import Person, Referral
from referrals.services import person_create, referral_save_draft, referral_submit
from schedule.services import access_grants_ensure_defaults, entry_add_emergency, entry_ratify

from .demo_journeys import demo_journeys_load
from .models import Service, User
from .roles import Role, roles_ensure

DEMO_PASSWORD = "demo-password-2026"

# username, role, first name, last name, service
DEMO_USERS = [
    ("manager", Role.REFERRING_MANAGER, "Morgan", "Hale", "Housing"),
    ("assurance", Role.ASSURANCE_OFFICER, "Asha", "Reid", "Assurance"),
    ("panel", Role.PANEL_MEMBER, "Priya", "Nolan", "Customer Services"),
    ("chair", Role.PANEL_CHAIR, "Chris", "Bourne", "Assurance"),
    ("director", Role.DIRECTOR_LEGAL, "Dana", "Whitfield", "Legal and Democratic"),
    ("legal", Role.LEGAL_SERVICES, "Lee", "Carver", "Legal and Democratic"),
    ("monitoring", Role.MONITORING_OFFICER, "Mo", "Ellison", "Legal and Democratic"),
    ("deputymo", Role.DEPUTY_MONITORING_OFFICER, "Dee", "Marchant", "Legal and Democratic"),
    ("asc", Role.ASC_REPRESENTATIVE, "Alex", "Stone", "Adult Social Care"),
    ("frontline", Role.FRONTLINE, "Frankie", "Lowe", "Customer Services"),
    ("auditor", Role.AUDITOR, "Ade", "Okafor", "Information Governance"),
    ("dpo", Role.DATA_PROTECTION, "Dara", "Quinn", "Information Governance"),
    ("healthsafety", Role.HEALTH_SAFETY, "Hollis", "Grant", "Health and Safety"),
    ("complaints", Role.PANEL_MEMBER, "Cal", "Ferris", "Assurance"),
    ("safety", Role.PANEL_MEMBER, "Sol", "Hayward", "Health and Safety"),
    ("equality", Role.PANEL_MEMBER, "Eden", "Marsh", "Equality and Diversity Network"),
    ("deputy", Role.PANEL_MEMBER, "Dev", "Ashby", "Health and Safety"),
]

# The panel's six seats (the protocol) and who sits in them in the demo; "deputy" is a briefed
# deputy for the Health and Safety Manager.
DEMO_SEATS = [
    ("chair", "chair", False),
    ("complaints", "complaints", False),
    ("health_and_safety", "safety", False),
    ("customer_services", "panel", False),
    ("adult_social_care", "asc", False),
    ("equality", "equality", False),
    ("health_and_safety", "deputy", True),
]

DEMO_PEOPLE = [
    ("Jonathan", "Smyth", date(1971, 3, 14), "", "Housing"),
    ("Karen", "Whitlock-Jones", date(1984, 11, 2), "Reported hearing impairment.", "Housing"),
    ("Dariusz", "Nowak", None, "", "Customer Services"),
]


def demo_data_load() -> list[tuple[str, str]]:
    """Create or reset the demo users (returning usernames and role labels), demo people and a
    starting record for every journey (ubpanel.demo_journeys)."""
    roles_ensure()
    logins = []
    with transaction.atomic():
        names = {user[4] for user in DEMO_USERS} | {person[4] for person in DEMO_PEOPLE}
        services = {name: Service.objects.get_or_create(name=name)[0] for name in sorted(names)}
        for username, role, first, last, service_name in DEMO_USERS:
            user, _ = User.objects.update_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "email": f"{username}@council.example",
                    "service": services[service_name],
                    "is_active": True,
                },
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
            user.groups.set([Group.objects.get(name=role.label)])
            logins.append((username, role.label))
        assurance = User.objects.get(username="assurance")
        for given, family, born, health, service_name in DEMO_PEOPLE:
            if not Person.objects.filter(given_names=given, family_name=family).exists():
                person_create(
                    actor=assurance,
                    given_names=given,
                    family_name=family,
                    date_of_birth=born,
                    health_and_disability=health,
                    recorded_by_service=services[service_name],
                )
        if not Referral.objects.exists():
            _demo_referral(User.objects.get(username="manager"))
        chair = User.objects.get(username="chair")
        access_grants_ensure_defaults(actor=chair)
        _demo_entry(chair)
        # Before the meeting is arranged: arranging it puts everything waiting on its agenda.
        demo_journeys_load()
        _demo_panel(assurance)
    return logins


def _demo_panel(assurance):
    """The six seats filled, a deputy, and next month's meeting (with whatever is waiting)."""
    for seat, username, is_deputy in DEMO_SEATS:
        SeatMember.objects.update_or_create(
            seat=seat,
            user=User.objects.get(username=username),
            defaults={"is_deputy": is_deputy, "briefed_on": date(2026, 10, 1), "active": True},
        )
    if not Meeting.objects.exists():
        starts = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0)
        meeting_schedule(
            actor=assurance,
            kind="monthly",
            format="virtual",
            starts_at=starts + timedelta(days=7),
            location="Microsoft Teams (link in the calendar invitation)",
        )


def _demo_entry(chair):
    """One active entry (an emergency addition the panel ratified), so the schedule shows something."""
    person = Person.objects.get(given_names="Dariusz", family_name="Nowak")
    if person.schedule_entries.exists():
        return
    entry = entry_add_emergency(
        actor=chair,
        person=person,
        incidents=[
            {
                "occurred_on": timezone.localdate() - timedelta(days=3),
                "occurred_at": time(11, 20),
                "location": "Customer services reception desk, County Hall, Dorchester",
                "description": "Pushed a customer services adviser at the reception desk and "
                "threatened to come back for her.",
                "categories": ["actual_violence", "threats_of_violence"],
            }
        ],
        reason="Violence towards staff at a council office.",
        internal_notes="Reported to Dorset Police (demo reference DP-0000-DEMO).",
        guidance="Do not meet in person. End any call that becomes abusive and tell the SPOC.",
        permitted_contact="In writing to the single point of contact only.",
        record_owner=User.objects.get(username="manager"),
    )
    entry_ratify(actor=chair, entry=entry, note="Demo data.")


def _demo_referral(manager):
    """One referral waiting for Assurance, so the triage queue has something in it."""
    referral = referral_save_draft(
        actor=manager,
        referral=None,
        fields={
            "subject_given_names": "Jon",
            "subject_family_name": "Smythe",
            "subject_postcode": "DT1 1AA",
            "summary": "Daily abusive phone calls to the housing team; two officers are off sick.",
            "behaviour_categories": ["abusive", "excessive_demands"],
            "number_of_incidents": 6,
            "suggested_tier": "low",
            "health_concerns": "not_known",
        },
        incidents=[
            {
                "occurred_on": date(2026, 11, 2),
                "location": "Housing office, Dorchester",
                "description": "Shouted and swore at the duty officer for twenty minutes.",
            }
        ],
    )
    referral_submit(actor=manager, referral=referral)
