"""The demo's journeys (`make run`): one starting record for each, made through the services so
it is consistent and audited. Each journey is keyed on its person: a person already there means
the journey was loaded, and loading again changes nothing. Never in production."""

from datetime import date, time, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from correspondence.letter_pdfs import letter_pdf_make
from correspondence.models import Letter, LetterKind
from correspondence.services import (
    letter_approve,
    letter_draft,
    letter_send,
    questionnaire_return_record,
)
from panel.services import agenda_fill_next_meeting
from referrals.models import InboundEmail, Person
from referrals.services import (
    adjustment_record,
    inbound_email_import,
    person_create,
    referral_link_person,
    referral_mark_ready_for_panel,
    referral_save_draft,
    referral_submit,
)
from schedule.models import (
    AccessGrant,
    AddressWarning,
    EntryEvent,
    EntryStatus,
    SingleAccessGrant,
    SingleAccessKind,
)
from schedule.services import (
    access_grant_request,
    address_warning_add,
    appeal_record,
    entry_add_emergency,
    entry_correct,
    entry_end_emergency,
    entry_ratify,
    single_access_request,
)

from .audit import acting_as, update_audited
from .models import Service, User

# The demo's people, one a journey (given names, family name, date of birth, postcode).
READY = ("Reuben", "Castle", date(1979, 6, 21), "DT1 2JA")
PENDING = ("Tamsin", "Greaves", date(1990, 1, 8), "DT4 7TP")
REVIEW_DUE = ("Lewis", "Penhaligon", date(1966, 9, 30), "DT1 3BJ")
OVERDUE = ("Marcus", "Webb", date(1988, 4, 17), "DT11 7BX")
LETTER_SENT = ("Gwen", "Ashdown", date(1975, 12, 3), "DT2 8RE")
REMOVED = ("Harold", "Pym", date(1950, 2, 11), "DT6 3LN")

# Returned equalities questionnaires, so the committee's figures have something to count: the
# person, the tier the panel settled on, the categories ticked and anything written in their words.
RETURNED = [
    (
        ("Ada", "Trevelyan", date(1957, 5, 2), "DT1 1HA"),
        "low",
        {"age": "65_plus", "sex": "female", "disability": "yes", "race": "white"},
        {"disability": "Arthritis in both hands"},
    ),
    (
        ("Bilal", "Hussain", date(1992, 8, 14), "DT1 2RS"),
        "medium",
        {"age": "25_34", "sex": "male", "race": "asian", "religion": "muslim"},
        {},
    ),
    (
        ("Carys", "Penrose", date(1983, 2, 27), "DT2 9QE"),
        "high",
        {"age": "35_44", "sex": "female", "disability": "no", "marriage": "separated"},
        {},
    ),
    (
        ("Desmond", "Okoro", date(1969, 10, 9), "DT4 0AX"),
        "medium",
        {"age": "55_64", "sex": "male", "race": "black", "religion": "christian"},
        {"religion": "Pentecostal"},
    ),
    (
        ("Elin", "Marsh-Pryce", date(2001, 4, 3), "DT6 4EZ"),
        "low",
        {"age": "under_25", "sex": "prefer_not_to_say", "sexual_orientation": "bisexual"},
        {},
    ),
    (
        ("Frank", "Dunmore", date(1948, 12, 19), "DT11 0JQ"),
        "high",
        {"age": "65_plus", "sex": "male", "disability": "yes", "marriage": "widowed"},
        {"disability": "Hearing loss; uses a hearing aid"},
    ),
    (
        ("Iris", "Fairweather", date(1964, 9, 5), "DT2 7LD"),
        "high",
        {
            "age": "55_64",
            "sex": "female",
            "religion": "buddhist",
            "sexual_orientation": "gay_lesbian",
        },
        {},
    ),
    (
        ("Jasper", "Coombes", date(1995, 3, 11), "DT5 1BN"),
        "medium",
        {"age": "25_34", "gender_reassignment": "different", "disability": "no"},
        {},
    ),
]

FAILED_EMAIL = (
    b"This is not an email: a file saved from the shared mailbox by mistake.\r\n"
    b"It has no sender, no subject and no date.\r\n"
)


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _person(key, *, actor, health: str = "") -> Person | None:
    """The journey's person, made now; None if the journey was loaded already."""
    given, family, born, postcode = key
    if Person.objects.filter(given_names=given, family_name=family).exists():
        return None
    return person_create(
        actor=actor,
        given_names=given,
        family_name=family,
        date_of_birth=born,
        health_and_disability=health,
        recorded_by_service=Service.objects.get(name="Housing"),
        addresses=[(f"{len(family) * 3} Church Lane\nDorchester", postcode)],
    )


def _incident(days_ago: int, location: str, description: str) -> list[dict]:
    return [
        {
            "occurred_on": timezone.localdate() - timedelta(days=days_ago),
            "occurred_at": time(14, 5),
            "location": location,
            "description": description,
            "categories": ["threats_of_violence"],
        }
    ]


def _emergency(person: Person, *, ratify: bool) -> object:
    chair = _user("chair")
    entry = entry_add_emergency(
        actor=chair,
        person=person,
        incidents=_incident(
            5,
            "Library, South Street, Bridport",
            "Threatened a library assistant who asked them to leave.",
        ),
        reason="Threats of violence towards staff.",
        guidance="Two officers at any meeting. Keep calls short and note them.",
        permitted_contact="In writing, or by telephone to the single point of contact.",
        record_owner=_user("manager"),
    )
    if ratify:
        entry_ratify(actor=chair, entry=entry, note="Demo data.")
    return entry


def _review_on(entry, due: date) -> None:
    """The entry's review date moved (the demo cannot wait a year for one to fall due)."""
    with acting_as(_user("chair")):
        update_audited(type(entry).objects.filter(pk=entry.pk), review_due_on=due)


def demo_ready_referral() -> None:
    """A referral Assurance linked to a person and listed for the panel."""
    manager, assurance = _user("manager"), _user("assurance")
    with transaction.atomic():
        person = _person(READY, actor=assurance)
        if person is None:
            return
        referral = referral_save_draft(
            actor=manager,
            referral=None,
            fields={
                "subject_given_names": READY[0],
                "subject_family_name": READY[1],
                "subject_postcode": READY[3],
                "summary": "Repeated threatening voicemails to the council tax team.",
                "behaviour_categories": ["threats_of_violence"],
                "number_of_incidents": 4,
                "suggested_tier": "medium",
                "health_concerns": "no",
            },
            incidents=[
                {
                    "occurred_on": timezone.localdate() - timedelta(days=12),
                    "location": "Council tax telephone line",
                    "description": "Said he would wait outside the office for the officer.",
                }
            ],
        )
        referral_submit(actor=manager, referral=referral)
        referral_link_person(actor=assurance, referral=referral, person=person)
        referral_mark_ready_for_panel(actor=assurance, referral=referral, note="Demo data.")


def demo_entries() -> None:
    """An emergency addition waiting for ratification, a review falling due before the meeting
    and one already overdue."""
    assurance = _user("assurance")
    with transaction.atomic():
        person = _person(PENDING, actor=assurance)
        if person is not None:
            _emergency(person, ratify=False)
    with transaction.atomic():
        person = _person(REVIEW_DUE, actor=assurance)
        if person is not None:
            _review_on(_emergency(person, ratify=True), timezone.localdate() + timedelta(days=3))
    with transaction.atomic():
        person = _person(OVERDUE, actor=assurance)
        if person is not None:
            _review_on(_emergency(person, ratify=True), timezone.localdate() - timedelta(days=20))


def demo_appeal() -> None:
    """An appeal against the demo's first entry, waiting for the Monitoring Officer."""
    entry = Person.objects.get(given_names="Dariusz", family_name="Nowak").schedule_entries.first()
    if entry is None or entry.appeals.exists():
        return
    appeal_record(
        actor=_user("assurance"),
        entry=entry,
        received_on=timezone.localdate() - timedelta(days=1),
        grounds=["unreasonable"],
        statement="He writes that he only raised his voice and never touched anyone.",
    )


def demo_letters() -> None:
    """A letter waiting for the Operations Manager's approval, and one sent (by post, with the
    equalities questionnaire) whose return is waiting to be recorded."""
    manager = _user("manager")
    waiting = Person.objects.get(given_names=REVIEW_DUE[0], family_name=REVIEW_DUE[1])
    if not Letter.objects.filter(person=waiting).exists():
        letter_draft(
            actor=manager,
            kind=LetterKind.LOW_MEDIUM,
            person=waiting,
            entry=waiting.schedule_entries.first(),
        )
    with transaction.atomic():
        person = _person(LETTER_SENT, actor=_user("assurance"))
        if person is None:
            return
        entry = _emergency(person, ratify=True)
        letter = letter_draft(actor=manager, kind=LetterKind.LOW_MEDIUM, person=person, entry=entry)
        letter = letter_approve(actor=manager, letter=letter)
        # Its PDFs made now, not by the task its approval queues (idempotent: that task finds
        # them made), so it can be sent in the same load.
        letter_pdf_make(letter_id=letter.pk, version=letter.version)
        letter_send(actor=manager, letter=letter, method="post")


def demo_questionnaire_returns() -> None:
    """Letters sent at each tier, and their returned questionnaires recorded by Assurance."""
    chair, manager, legal = _user("chair"), _user("manager"), _user("legal")
    assurance = _user("assurance")
    for key, tier, categories, words in RETURNED:
        with transaction.atomic():
            person = _person(key, actor=assurance)
            if person is None:
                continue
            entry = _emergency(person, ratify=True)
            if tier != entry.tier:
                entry = entry_correct(
                    actor=chair, entry=entry, field="tier", value=tier, note="Demo data."
                )
            # High risk: Legal Services' cease and desist letter; otherwise the manager's.
            sender, kind = (
                (legal, LetterKind.HIGH) if tier == "high" else (manager, LetterKind.LOW_MEDIUM)
            )
            letter = letter_draft(actor=sender, kind=kind, person=person, entry=entry)
            letter = letter_approve(actor=sender, letter=letter)
            letter_pdf_make(letter_id=letter.pk, version=letter.version)
            letter = letter_send(actor=sender, letter=letter, method="post")
            questionnaire_return_record(
                actor=assurance,
                letter=letter,
                answers=words,
                categories=categories,
                # A disability the council already knew of: nothing to flag for the panel.
                underlying_issue=categories.get("disability") == "yes",
                previously_known=True,
                issue_details=words.get("disability", ""),
                received_on=timezone.localdate(),
            )


def demo_adjustment() -> None:
    """A reasonable adjustment for the person whose referral mentioned a hearing impairment."""
    person = Person.objects.get(given_names="Karen", family_name="Whitlock-Jones")
    if person.adjustments.exists():
        return
    adjustment_record(
        actor=_user("asc"),
        person=person,
        need="hearing_impairment",
        details="Write rather than telephone; offer a BSL interpreter at any meeting.",
        source="referral",
    )


def demo_removed_long_ago() -> None:
    """Someone taken off the schedule nearly six years ago: the retention page lists them as due
    for anonymisation within the fortnight."""
    with transaction.atomic():
        person = _person(REMOVED, actor=_user("assurance"))
        if person is None:
            return
        entry = _emergency(person, ratify=False)
        entry_end_emergency(actor=_user("chair"), entry=entry, reason="Demo data.")
        removed = timezone.now() - timedelta(days=settings.RETENTION["removed"] - 14)
        # The removal's history row dated then (entry events are history, not audited rows;
        # created_at is set only when a row is added, so saving it again keeps this date).
        event = EntryEvent.objects.get(entry=entry, to_status=EntryStatus.REMOVED)
        event.created_at = removed
        event.save(update_fields=["created_at"])


def demo_mailbox_and_access() -> None:
    """A mailbox email that could not be read, two address warnings, a request for access to a
    tier and one for one address."""
    if not InboundEmail.objects.filter(status="failed").exists():
        inbound_email_import(raw=FAILED_EMAIL, actor=None)
    assurance = _user("assurance")
    warnings = [
        ("14 Prince of Wales Road\nDorchester", "DT1 1PW", "high", "Never visit alone."),
        ("Flat 3, 27 High West Street\nDorchester", "DT1 1UP", "medium", "Visit in pairs."),
    ]
    for address, postcode, tier, guidance in warnings:
        if not AddressWarning.objects.filter(postcode=postcode).exists():
            address_warning_add(
                actor=assurance, address=address, postcode=postcode, tier=tier, guidance=guidance
            )
    waste, _ = Service.objects.get_or_create(name="Waste and Recycling")
    if not AccessGrant.objects.filter(service=waste).exists():
        access_grant_request(
            actor=_user("manager"),
            service_or_user=waste,
            tiers=["high"],
            rationale="Crews collect from the doorstep of addresses on the schedule.",
        )
    # A visit the manager's tiers do not cover: one address, for a fortnight (the chair decides).
    manager = _user("manager")
    if not SingleAccessGrant.objects.filter(user=manager).exists():
        single_access_request(
            actor=manager,
            service_or_user=manager,
            kind=SingleAccessKind.ADDRESS,
            subject="14 Prince of Wales Road, Dorchester",
            postcode="DT1 1PW",
            rationale="A tenancy inspection at this address next week.",
            ends_on=timezone.localdate() + timedelta(days=14),
        )


def demo_journeys_load() -> None:
    """Every journey's starting record, then everything waiting put on the next meeting."""
    demo_ready_referral()
    demo_entries()
    demo_appeal()
    demo_letters()
    demo_questionnaire_returns()
    demo_adjustment()
    demo_removed_long_ago()
    demo_mailbox_and_access()
    agenda_fill_next_meeting(actor=_user("assurance"))
